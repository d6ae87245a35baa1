"""The Query page under AppTest: SQL with examples, builder, save and share, history, refusals, exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from page_helpers import ROOT, assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.i18n import t
from research.query import sandbox as sandbox_module
from research.store import Store


@pytest.fixture(autouse=True)
def _no_leftover_workers():
    yield
    sandbox_module._close_all()


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert_clean(at)
    return at


def _run_example(at: AppTest, example: str = "undercut") -> AppTest:
    at.selectbox(key="query_example").select(example).run()
    _click(at, "query_use_example")
    return _click(at, "query_run")


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_example_runs_with_table_chart_and_snapshot_time(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = run_app(demo_copy, monkeypatch, page="query", lang=lang)
    assert_clean(at)
    assert at.title[0].value == t("page.query", lang)
    assert at.info[0].value == t("query.empty", lang)
    _run_example(at)
    assert "price_index" in at.text_area(key="query_sql").value
    assert at.date_input(key="query_p_since").value.isoformat() == "2026-08-01"
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics[t("query.rows", lang)]) > 0
    assert len(at.get("vega_lite_chart")) == 1
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["mark"]["type"] == "bar"
    captions = " ".join(c.value for c in at.caption)
    assert t("query.as_of", lang, time="")[:8] in captions


def test_refused_statement_shows_one_clear_error_and_changes_nothing(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query")
    at.text_area(key="query_sql").input("SELECT 1; DROP TABLE companies").run()
    at.button(key="query_run").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "Only one statement" in at.error[0].value
    at.text_area(key="query_sql").input("<script>alert(1)</script>").run()
    at.button(key="query_run").click().run()
    assert len(at.error) == 1 and "<script>" not in at.error[0].value.replace("\\<script\\>", "")
    store = Store.open(str(demo_copy))  # same settings as the app's open store in this process
    try:
        assert store.query_value("SELECT count(*) FROM companies") == 8
        assert store.query_value("SELECT list(status ORDER BY id) FROM query_history") == ["refused", "failed"]
    finally:
        store.close()


def test_huge_result_is_capped_with_a_banner_and_paged(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query")
    at.text_area(key="query_sql").input("SELECT range AS n, range % 7 AS m FROM range(2000000)").run()
    _click(at, "query_run")
    assert at.warning and "10,000" in at.warning[0].value
    assert at.metric[0].value == "10,000+"
    page = at.number_input(key="query_page_1")
    assert page.max == 10
    page.set_value(3).run()
    assert_clean(at)
    assert at.dataframe[-1].value["n"].iloc[0] == 2000


def test_save_share_link_and_open_it(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query")
    _run_example(at)
    at.date_input(key="query_p_since").set_value(__import__("datetime").date(2026, 9, 1)).run()
    _click(at, "query_run")
    at.text_input(key="query_save_name").input("Who undercuts us")
    at.text_input(key="query_save_description").input("Since a date")
    at.button[-1].click().run()  # the form's submit button
    assert_clean(at)
    assert at.success and "Who undercuts us" in at.success[0].value
    store = Store.open(str(demo_copy))
    try:
        row = store.query_rows("SELECT id, parameters FROM saved_queries")[0]
        assert json.loads(row["parameters"]) == [{"name": "since", "kind": "date", "default": "2026-09-01", "choices_from": None}]
        assert store.query_value("SELECT actor FROM audit_log WHERE table_name = 'saved_queries'") == "local"
    finally:
        store.close()
    at.session_state["query_view"] = "saved"
    at.run()
    assert_clean(at)
    _click(at, "query_saved_run")
    assert at.query_params["saved"] == str(row["id"]) and at.query_params["p_since"] == "2026-09-01"

    # A colleague opens the shared link: the query runs with the link's values.
    monkeypatch.setenv("VANTAGE_DB", str(demo_copy))
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    other.query_params["saved"] = str(row["id"])
    other.query_params["p_since"] = "2026-10-01"
    other.run()
    other.switch_page("pages/query.py").run()
    assert_clean(other)
    assert other.session_state["query_view"] == "saved"
    assert other.date_input(key=f"query_sp_{row['id']}_since").value.isoformat() == "2026-10-01"
    assert other.metric and len(other.get("vega_lite_chart")) == 1


def test_builder_generates_sql_runs_it_and_hands_it_to_the_editor(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query", lang="sr")
    at.session_state["query_view"] = "builder"
    at.run()
    assert_clean(at)
    at.selectbox(key="query_b_source").select("accounts_by_segment").run()
    assert t("query.op.contains", "sr") in at.selectbox(key="query_b_fop_0").options
    at.selectbox(key="query_b_fcol_0").select("region").run()
    # A region is picked by its Serbian name; the filter binds the stored value.
    pick = at.selectbox(key="query_b_fpick_0")
    assert "Западни Балкан" in pick.options and "Western Balkans" not in pick.options
    pick.select("Western Balkans").run()
    at.multiselect(key="query_b_group").select("supplier").run()
    at.selectbox(key="query_b_mfunc_0").select("sum").run()
    at.selectbox(key="query_b_mcol_0").select("accounts").run()
    at.selectbox(key="query_b_sort").select("sum_accounts").run()
    assert_clean(at)
    assert '"region" = $region' in at.code[0].value
    assert at.selectbox(key="query_b_sort").options[-1] == "sum_accounts · Збир: клијенти"
    _click(at, "query_b_run")
    assert len(at.get("vega_lite_chart")) == 1
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "#D9480F" in spec  # our company highlighted among the suppliers
    _click(at, "query_b_edit")
    assert at.session_state["query_view"] == "sql"
    assert "$region" in at.text_area(key="query_sql").value
    assert at.text_input(key="query_p_region").value == "Western Balkans"


def test_history_reruns_and_exports_are_prepared(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query")
    at.text_area(key="query_sql").input("SELECT name AS company, employees FROM companies").run()
    _click(at, "query_run")
    at.session_state["query_view"] = "history"
    at.run()
    assert_clean(at)
    assert len(at.dataframe) >= 1
    _click(at, "query_history_rerun")
    assert at.session_state["query_view"] == "sql" and "employees" in at.text_area(key="query_sql").value
    _click(at, "query_export_prepare")
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"CSV", "Excel", "Parquet", t("query.export.png", "en"), t("query.export.svg", "en")}


def test_saved_query_can_be_deleted_after_confirming(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from research.query import saved

    store = Store.open(str(demo_copy))
    try:
        item = saved.save_query(store, "ana", name="Regions", sql="SELECT * FROM accounts_by_segment WHERE region = $region",
                                parameters=[saved.ParamSpec("region", "choice", "Western Balkans", "accounts.region")])
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="query")
    at.session_state["query_view"] = "saved"
    at.run()
    assert_clean(at)
    assert at.selectbox(key=f"query_sp_{item.id}_region").value == "Western Balkans"
    assert "Central Europe" in at.selectbox(key=f"query_sp_{item.id}_region").options
    at.checkbox(key=f"query_saved_confirm_{item.id}").check().run()
    _click(at, "query_saved_delete")
    assert at.info[0].value == t("query.saved.empty", "en")


SQL_KEYWORDS = {"DROP", "SELECT", "WITH", "VALUES", "DESCRIBE", "SUMMARIZE", "EXPLAIN"}


def _english_words(text: str) -> list[str]:
    """Latin words of three letters or more on screen, other than SQL keywords and quoted database text."""
    return [w for w in re.findall(r"[A-Za-z]{3,}", re.sub(r"„[^”]*”", "", text)) if w not in SQL_KEYWORDS]


def test_a_refused_statement_is_explained_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query", lang="sr")
    at.text_area(key="query_sql").input("DROP TABLE accounts").run()
    at.button(key="query_run").click().run()
    assert not at.exception and len(at.error) == 1
    shown = at.error[0].value.replace("\\", "")
    assert shown.startswith(f"**{t('error.title.QueryRefused', 'sr')}**")
    assert "DROP" in shown and "није дозвољено" in shown
    assert not _english_words(shown), shown
    # DuckDB's own words stay, quoted after a Serbian sentence.
    at.text_area(key="query_sql").input("SELECT * FROM nema_te_tabele").run()
    at.button(key="query_run").click().run()
    shown = at.error[0].value.replace("\\", "")
    assert t("error.title.QueryError", "sr") in shown and "База података је пријавила грешку: „" in shown
    assert "nema" in shown and not _english_words(shown), shown
    store = Store.open(str(demo_copy))
    try:
        assert store.query_value("SELECT count(*) FROM accounts") > 0
    finally:
        store.close()


def test_serbian_result_shows_names_no_none_and_a_titled_chart(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="query", lang="sr")
    at.text_area(key="query_sql").input(
        "SELECT region, NULL AS note, count(*) AS accounts FROM accounts GROUP BY ALL ORDER BY accounts DESC").run()
    _click(at, "query_run")
    table = at.dataframe[-1]  # the result (the schema browser's columns come first)
    assert table.proto.placeholder == ""  # an empty cell reads empty, not "None"
    assert "Западни Балкан" in set(table.value["region"]) and "Western Balkans" not in set(table.value["region"])
    assert t("query.elapsed_ms", "sr", ms="")[-2:] in at.metric[1].value
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["y"]["title"] == "Регион" and spec["encoding"]["x"]["title"] == "Клијенти"
    assert spec["height"] >= 360
    chart = at.get("vega_lite_chart")[0].proto
    data = pa.ipc.open_stream(chart.datasets[0].data.data).read_all().to_pandas() if chart.datasets else \
        pd.DataFrame(next(iter(spec["datasets"].values())))
    assert "Западни Балкан" in set(data["f0"]) and "Western Balkans" not in set(data["f0"])
    # The chart pickers name the columns as the chart titles them.
    assert "Регион" in at.selectbox(key="query_chart_x_bar_1").options


def test_schema_browser_counts_tables_but_never_runs_a_view(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Counting a view runs it (seconds over millions of prices), so the picker counts only tables.
    with Store.open(str(demo_copy), read_only=True) as store:
        companies = store.query_value("SELECT count(*) FROM companies")
    at = run_app(demo_copy, monkeypatch, page="query")
    texts = {o.split(" · ")[0]: o for o in at.selectbox(key="query_schema_object").options}
    assert texts["companies"] == f"companies · {t('query.kind.table', 'en')} · {companies}"
    assert texts["price_index"] == f"price_index · {t('query.kind.view', 'en')}"
