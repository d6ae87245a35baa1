"""Every page runs under AppTest on real workspaces, in both languages, without exceptions."""

from __future__ import annotations

import json

from pathlib import Path

import pytest
from page_helpers import ROOT, assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.i18n import t
from research.store import Store


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_overview_shows_kpis_chart_and_tables(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = run_app(demo_copy, monkeypatch, lang=lang)
    assert_clean(at)
    assert at.title[0].value == t("page.overview", lang)
    metrics = {m.label: m.value for m in at.metric}
    assert len(metrics) == 6
    assert metrics[t("overview.kpi.competitors", lang)] == "7"
    store = Store.open(str(demo_copy), read_only=False)
    try:
        customers = store.query_value("SELECT count(*) FROM accounts WHERE status = 'customer'")
    finally:
        store.close()
    shown = metrics[t("overview.kpi.customers", lang)].replace(",", "").replace(".", "").replace("\xa0", "")
    assert int(shown) == customers
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.dataframe) == 2


def test_overview_segment_switch_redraws_chart_by_country(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch)
    before = at.get("vega_lite_chart")[0].proto.spec
    at.session_state["overview_dimension"] = "country"
    at.run()
    assert_clean(at)
    after = at.get("vega_lite_chart")[0].proto.spec
    assert after != before
    assert '"Country"' in after and "Serbia" in after


def test_first_start_creates_the_demo_market(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "new" / "workbench.duckdb"
    at = run_app(db, monkeypatch)
    assert_clean(at)
    assert db.exists()
    assert {m.label: m.value for m in at.metric}["Competitors"] == "7"


def test_existing_workspace_is_never_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "mine.duckdb"
    store = Store.open(str(db))
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Only Us", "is_us": True})
    store.close()
    at = run_app(db, monkeypatch)
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["Competitors"] == "0"
    assert at.info[0].value == t("overview.share.empty", "en")
    check = Store.open(str(db))  # same settings as the app's open store in this process
    try:
        assert check.query_value("SELECT list(name) FROM companies") == ["Only Us"]
    finally:
        check.close()


def test_empty_workspace_without_demo_shows_empty_states(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DEMO", "0")
    at = run_app(tmp_path / "empty.duckdb", monkeypatch)
    assert_clean(at)
    infos = [i.value for i in at.info]
    assert t("overview.share.empty", "en") in infos
    assert t("overview.changes.empty", "en") in infos
    assert not at.get("vega_lite_chart")


def test_corrupt_workspace_shows_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"not a database" * 1000)
    at = run_app(db, monkeypatch)
    assert not at.exception
    assert len(at.error) == 1
    assert "not a readable DuckDB database" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value  # no server paths on a shared screen


def test_newer_workspace_shows_upgrade_message(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    con = duckdb.connect(str(demo_copy))
    con.execute("INSERT INTO schema_version (version, name) VALUES (999, 'future')")
    con.close()
    at = run_app(demo_copy, monkeypatch)
    assert not at.exception
    assert "upgrade Vantage" in at.error[0].value


def test_actor_name_is_remembered_across_pages(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch)
    at.text_input(key="app_actor").input("Marija").run()
    at.switch_page("pages/competitors.py").run()
    assert_clean(at)
    assert at.text_input(key="app_actor").value == "Marija"


def test_language_from_query_parameter(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DB", str(demo_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "sr"
    at.run()
    assert_clean(at)
    assert at.title[0].value == "Преглед"


def test_language_switch_in_sidebar_survives_page_changes(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch)
    at.selectbox(key="app_language").select("sr").run()
    assert at.title[0].value == "Преглед"
    at.switch_page("pages/segments.py").run()
    assert_clean(at)
    assert at.title[0].value == "Сегменти"
    assert at.selectbox(key="app_language").value == "sr"


def test_unwritable_workspace_is_browsed_read_only(immutable_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(immutable_workspace, monkeypatch)
    assert_clean(at)
    assert at.title[0].value == "Overview"
    assert [w.value for w in at.warning] == [t("sidebar.read_only", "en")]


def test_segment_switch_by_its_control_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pins option_labels: AppTest maps option labels outside the script run, so a
    # format_func that looked the language up late showed English labels to Serbian users' tests.
    at = run_app(demo_copy, monkeypatch, lang="sr")
    control = at.button_group(key="overview_dimension")
    assert list(control.options)[:3] == ["Делатност", "Држава", "Регион"]
    control.set_value("country").run()
    assert_clean(at)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Држава"  # the chart is now by country
