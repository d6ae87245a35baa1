"""Custom fields on the read side (issue 15 item 1): Query, Overview, Compare and Present see them.

A copy of the demo workspace gets typed custom fields on accounts and companies; the
sandbox must copy them as real typed columns, the Query page must name them in the UI
language, Overview must segment by a categorical one, Compare must put the companies'
own fields side by side (and plot numeric ones), and a deck slide naming a field must
survive the field's rename. Also pins issue 17's Overview -> Region chart, which drew
no bars because the plot height was shared with title, legend and axis.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import cli
from page_helpers import assert_clean, run_app

from research import market
from research.compare import data as compare_data
from research.compare import views as compare_views
from research.data import fields
from research.i18n import t
from research.present import decks, views
from research.present.model import RenderContext
from research.query import sandbox as sandbox_module
from research.query.sandbox import run_sandboxed
from research.store import Store

TIERS = ("Gold", "Silver", "Bronze")


@pytest.fixture(autouse=True)
def _no_leftover_workers():
    yield
    sandbox_module._close_all()


def _add_custom_fields(store: Store) -> None:
    """Accounts: rank (int), deal size (money), signed on (date), tier (choice), listed (yes/no), CEO (text).
    Companies: plants (int), capex (money), certified (yes/no), parent group (text)."""
    fields.add_field(store, "tester", "accounts", "fortune_rank", "int", label_en="Fortune rank", label_sr="Форчун ранг")
    fields.add_field(store, "tester", "accounts", "deal_size", "money", label_en="Deal size", label_sr="Величина посла")
    fields.add_field(store, "tester", "accounts", "signed_on", "date", label_en="Signed on", label_sr="Потписано")
    fields.add_field(store, "tester", "accounts", "tier", "choice", label_en="Account tier", label_sr="Ниво клијента",
                     choices=TIERS)
    fields.add_field(store, "tester", "accounts", "listed", "bool", label_en="Listed", label_sr="На берзи")
    fields.add_field(store, "tester", "accounts", "ceo", "text", label_en="CEO", label_sr="Директор")
    fields.add_field(store, "tester", "companies", "plants", "int", label_en="Plants", label_sr="Погони")
    fields.add_field(store, "tester", "companies", "capex", "money", label_en="Capex", label_sr="Улагања")
    fields.add_field(store, "tester", "companies", "certified", "bool", label_en="FSC certified", label_sr="ФСЦ сертификат")
    fields.add_field(store, "tester", "companies", "parent_group", "text", label_en="Parent group", label_sr="Матична група")
    with store.transaction("tester") as tx:
        # Every third account has no tier: those count as "not set", never dropped.
        tx.execute("UPDATE accounts SET fortune_rank = id * 7, deal_size = id * 1000 + 0.5, "
                   "signed_on = DATE '2026-01-01' + CAST(id AS INTEGER), listed = id % 2 = 0, ceo = 'CEO ' || (id % 5), "
                   "tier = CASE id % 3 WHEN 1 THEN 'Gold' WHEN 2 THEN 'Silver' END WHERE id > 2").fetchall()
        tx.execute("UPDATE companies SET plants = id + 1, capex = id * 1000000, certified = id % 2 = 1, "
                   "parent_group = 'Group ' || id").fetchall()
        tx.execute("UPDATE companies SET plants = NULL WHERE NOT is_us AND id = (SELECT max(id) FROM companies)").fetchall()


@pytest.fixture
def custom_db(demo_copy: Path) -> Path:
    store = Store.open(str(demo_copy))
    try:
        _add_custom_fields(store)
    finally:
        store.close()
    return demo_copy


@pytest.fixture
def ws(custom_db: Path):
    store = Store.open(str(custom_db))
    yield store
    store.close()


# ---- Query -------------------------------------------------------------------------------------


def test_the_sandbox_copies_custom_fields_as_typed_columns(ws: Store) -> None:
    result = run_sandboxed(ws, "SELECT id, fortune_rank, deal_size, signed_on, typeof(fortune_rank) AS rank_type, "
                               "typeof(deal_size) AS money_type, typeof(signed_on) AS date_type, typeof(listed) AS bool_type "
                               "FROM accounts WHERE id IN (2, 3) ORDER BY id")
    frame = result.frame
    assert frame[["rank_type", "money_type", "date_type", "bool_type"]].iloc[0].tolist() == [
        "BIGINT", "DECIMAL(18,2)", "DATE", "BOOLEAN"]
    assert frame["fortune_rank"].isna().iloc[0] and frame["fortune_rank"].iloc[1] == 21
    assert frame["deal_size"].iloc[1] == pytest.approx(3000.5)
    assert str(frame["signed_on"].iloc[1]) == "2026-01-04"


def test_query_json_keeps_a_custom_int_an_integer_and_empty_cells_null(custom_db: Path) -> None:
    out = cli("query", "SELECT id, fortune_rank FROM accounts WHERE id IN (2, 3, 4) ORDER BY id",
              "--format", "json", "--db", str(custom_db))
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows == [{"id": 2, "fortune_rank": None}, {"id": 3, "fortune_rank": 21}, {"id": 4, "fortune_rank": 28}]
    assert all(type(r["fortune_rank"]) is int for r in rows[1:])  # 21, not 21.0


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_the_query_page_names_custom_columns_in_the_ui_language(custom_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                                lang: str) -> None:
    at = run_app(custom_db, monkeypatch, page="query", lang=lang)
    at.selectbox(key="query_schema_object").select("accounts").run()
    assert_clean(at)
    browser = next(d.value for d in at.dataframe if t("query.schema.label", lang) in d.value.columns)
    labels = dict(zip(browser[t("query.schema.column", lang)], browser[t("query.schema.label", lang)]))
    expected = "Fortune rank" if lang == "en" else "Форчун ранг"
    assert labels["fortune_rank"] == expected and labels["tier"] == ("Account tier" if lang == "en" else "Ниво клијента")
    assert labels["name"] == ""  # built-in columns keep their SQL name alone
    types = dict(zip(browser[t("query.schema.column", lang)], browser[t("query.schema.type", lang)]))
    assert types["fortune_rank"] == "BIGINT" and types["signed_on"] == "DATE"


def test_the_query_builder_offers_custom_columns_by_their_names(custom_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(custom_db, monkeypatch, page="query")
    at.segmented_control(key="query_view").set_value("builder").run()
    at.selectbox(key="query_b_source").select("accounts").run()
    offered = at.selectbox(key="query_b_fcol_0").options
    # A label is shown beside the column when it says more than the column's own name ("tier · Account tier");
    # "Fortune rank" only restates fortune_rank, so the name stands alone.
    assert "fortune_rank" in offered and "tier · Account tier" in offered and "fortune_rank · Fortune rank" not in offered
    assert "tier · Account tier" in at.multiselect(key="query_b_group").options
    at.multiselect(key="query_b_group").select("tier").run()
    at.selectbox(key="query_b_mfunc_0").select("sum").run()
    at.selectbox(key="query_b_mcol_0").select("fortune_rank").run()
    at.button(key="query_b_run").click().run()
    assert_clean(at)
    result = at.session_state["query_last"]["result"].frame
    truth = {r["tier"]: r["total"] for r in _rows(
        custom_db, "SELECT tier, sum(fortune_rank) AS total FROM accounts WHERE tier IS NOT NULL GROUP BY tier")}
    got = {k: v for k, v in zip(result["tier"], result["sum_fortune_rank"]) if isinstance(k, str)}
    assert got == pytest.approx(truth) and set(truth) == {"Gold", "Silver"}


def _rows(db: Path, sql: str) -> list[dict]:
    store = Store.open(str(db))
    try:
        return store.query_rows(sql)
    finally:
        store.close()


# ---- Overview ----------------------------------------------------------------------------------


def test_overview_offers_categorical_custom_fields_as_dimensions(ws: Store) -> None:
    offered = market.segment_dimensions(ws)
    assert offered[:4] == ["industry", "country", "region", "status"]
    assert offered[4:] == ["tier", "listed", "ceo"]  # the custom ones in their order
    assert not {"fortune_rank", "deal_size", "signed_on"} & set(offered)  # numbers and dates are not categories
    assert market.dimension_label(ws, "tier", "sr") == "Ниво клијента"
    assert market.dimension_label(ws, "status", "sr") == "Статус"


def test_share_by_a_custom_choice_field_counts_every_served_account(ws: Store) -> None:
    share = market.labelled_share(ws, "tier", "sr")
    truth = {(r["tier"] or "", r["company"]): r["n"] for r in ws.query_rows(
        "SELECT a.tier, c.name AS company, count(*) AS n FROM accounts a JOIN companies c ON c.id = a.supplier_company_id "
        "WHERE NOT a.archived GROUP BY ALL")}
    assert {(r["segment"], r["company"]): r["accounts"] for r in share.to_dict("records")} == truth
    assert set(share["segment_label"]) == {"Gold", "Silver", t("overview.share.not_set", "sr")}
    assert share.groupby("segment")["share"].sum().tolist() == pytest.approx([1.0, 1.0, 1.0])
    listed = market.labelled_share(ws, "listed", "sr")
    assert set(listed["segment_label"]) == {"Да", "Не", t("overview.share.not_set", "sr")}
    chart, _, total = market.share_by_segment_view(ws, "tier", "sr")
    assert total == 3 and chart.to_dict()["layer"][0]["encoding"]["y"]["title"] == "Ниво клијента"


def test_a_numeric_field_or_unknown_name_is_refused_as_a_dimension(ws: Store) -> None:
    from research.errors import ValidationError

    with pytest.raises(ValidationError, match="Cannot segment by 'fortune_rank'; choose one of .*tier"):
        market.share_by_segment(ws, "fortune_rank")


def test_every_overview_dimension_draws_a_bar_row_per_segment_above_its_legend(ws: Store) -> None:
    # Issue 17: Segment by Region drew no bars. The chart's height was the whole chart's under
    # Streamlit's "fit" autosize, so three segments had no room below title and legend.
    for dimension in market.segment_dimensions(ws):
        share = market.labelled_share(ws, dimension, "en")
        chart, _, total = market.share_chart(share, dimension, "en")
        spec = chart.to_dict()
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}, dimension
        assert spec["height"] >= 40 * total, dimension  # the plot alone: one readable bar row per segment
        rows = next(iter(spec["datasets"].values()))
        assert {r["segment_label"] for r in rows} == set(share["segment_label"]) and len(set(share["segment_label"])) == total
        assert all(r["share"] > 0 for r in rows)
        assert spec["layer"][0]["encoding"]["color"]["field"] == "company_label"  # the legend


def test_the_overview_page_segments_by_a_custom_field(custom_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(custom_db, monkeypatch, lang="sr")
    picker = at.selectbox(key="overview_dimension")  # seven dimensions: a drop-down, not a row of buttons
    assert "Ниво клијента" in picker.options and "Статус" in picker.options
    picker.select("tier").run()
    assert_clean(at)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Ниво клијента"
    assert set(spec["layer"][0]["encoding"]["y"]["sort"]) == {"Gold", "Silver", t("overview.share.not_set", "sr")}


def test_a_removed_dimension_falls_back_to_industry_on_the_next_run(custom_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(custom_db, monkeypatch)
    at.selectbox(key="overview_dimension").select("tier").run()
    store = Store.open(str(custom_db))
    fields.remove_field(store, "tester", "accounts", "tier", confirmed=True)
    store.close()
    at.run()
    assert_clean(at)
    # Six dimensions left: buttons again, on industry.
    assert at.segmented_control(key="overview_dimension").value == "industry"
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["layer"][0]["encoding"]["y"]["title"] == t("dimension.industry", "en")


# ---- Compare -----------------------------------------------------------------------------------


def test_compare_puts_the_companies_custom_fields_side_by_side(ws: Store) -> None:
    chosen = compare_data.pick_companies(ws, None)
    table = compare_views.profile_table(ws, chosen, "sr").set_index(t("compare.profile.attribute", "sr"))
    ours = next(c for c in chosen if c.is_us)
    us = ours.name + t("chart.us_suffix", "sr")
    assert list(table.columns) == [us, *(c.name for c in chosen if not c.is_us)]  # one column per company, ours first
    assert list(table.index[-4:]) == ["Погони", "Улагања", "ФСЦ сертификат", "Матична група"]
    assert table.loc["Погони", us] == str(ours.id + 1) and table.loc["Матична група", us] == f"Group {ours.id}"
    assert table.loc["ФСЦ сертификат", us] == ("Да" if ours.id % 2 == 1 else "Не")
    assert ours.id == 1 and table.loc["Улагања", us] == "1.000.000\xa0€"  # money in whole units, Serbian style
    assert "–" in table.loc["Погони"].tolist()  # the company without a value says so


def test_a_numeric_custom_company_field_is_an_axis_of_the_positioning_map(ws: Store) -> None:
    chosen = compare_data.pick_companies(ws, None)
    assert {"plants", "capex"} <= set(compare_views.position_attributes(ws))
    assert "certified" not in compare_views.position_attributes(ws)  # yes/no is not a number
    view = compare_views.positioning_view(ws, chosen, "en", x="plants", y="capability_avg", size="capex")
    spec = view.chart.to_dict()
    assert "Plants" in json.dumps(spec) and "Capex (EUR)" in json.dumps(spec)
    frame = compare_views.positioning_frame(ws, chosen)
    expected = {c.name: c.id + 1 for c in chosen}
    placed = frame.dropna(subset=["plants"])
    assert dict(zip(placed["company"], placed["plants"])) == {k: v for k, v in expected.items() if k in set(placed["company"])}
    assert len(placed) == len(chosen) - 1  # the company without plants is left off the map, named in the notes
    assert view.notes


def test_the_compare_page_shows_custom_fields_and_plots_them(custom_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(custom_db, monkeypatch, page="compare")
    at.segmented_control(key="compare_view").set_value("positioning").run()
    at.selectbox(key="compare_pos_x").select("plants").run()
    assert_clean(at)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["layer"] and "Plants" in json.dumps(spec)
    profile = next(d.value for d in at.dataframe if t("compare.profile.attribute", "en") in d.value.columns)
    rows = profile[t("compare.profile.attribute", "en")].tolist()
    assert rows[0] == "Plants" and {"Capex", "FSC certified", "Parent group"} <= set(rows)
    assert profile.columns[1].endswith(t("chart.us_suffix", "en"))
    assert list(profile.columns[2:]) == at.multiselect(key="compare_competitors").value


# ---- Present -----------------------------------------------------------------------------------


def test_a_slide_of_share_by_a_custom_field_survives_the_fields_rename(ws: Store) -> None:
    deck = decks.create_deck(ws, "ana", "Tiers")
    slide = decks.add_view_slide(ws, "ana", deck.id, "overview.share", {"dimension": "tier"}, title="")
    ctx = RenderContext(language="sr")
    before = views.render_slide(ws, decks.get_slide(ws, slide.id), ctx)
    assert not before.missing and before.native.kind == "stacked_bar"
    assert "Ниво клијента" in before.table.columns and before.native.x_title == "Ниво клијента"
    assert set(before.native.categories) == {"Gold", "Silver", t("overview.share.not_set", "sr")}

    fields.rename_field(ws, "tester", "accounts", "tier", new_name="account_tier", label_sr="Ранг клијента")
    stored = decks.get_slide(ws, slide.id)
    assert stored.params == {"dimension": "account_tier"}  # rewritten with the column
    after = views.render_slide(ws, stored, ctx)
    assert not after.missing and after.native.x_title == "Ранг клијента"
    assert after.native.categories == before.native.categories
    assert [s.values for s in after.native.series] == [s.values for s in before.native.series]

    fields.remove_field(ws, "tester", "accounts", "account_tier", confirmed=True)
    assert views.render_slide(ws, decks.get_slide(ws, slide.id), ctx).missing  # "data no longer available"


def test_a_positioning_slide_plots_and_lists_custom_company_fields(ws: Store) -> None:
    rivals = [c.id for c in compare_data.companies(ws) if not c.is_us][:3]
    params = {"competitors": rivals, "focus": None, "x": "plants", "y": "capability_avg", "size": "share"}
    content = views.VIEWS["compare.positioning"].render(ws, params, RenderContext(language="sr"))
    assert not content.missing and content.native.x_title == "Погони"
    rows = content.table[t("compare.profile.attribute", "sr")].tolist()
    assert rows[:3] == ["Погони", t("compare.attr.capability_avg", "sr"), t("compare.attr.share", "sr")]
    assert {"Улагања", "ФСЦ сертификат", "Матична група"} <= set(rows)
    assert len(content.table.columns) == 1 + 4  # us and three competitors: fits a slide's table
