"""The Competitors page in the viewer's language and in words (issue 17 items 5 and 6).

A Serbian viewer reads product categories, units and industries by the workspace's Serbian
names (table value_labels, filled by the demo), codes by their catalog labels, records and
fields of the history in words, money rounded for its size, and the validation errors in
Serbian; no table cell reads "None".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.competitors import battlecard, profiles, swot, tows, views
from research.data.labels import Labels, labels_for
from research.errors import ValidationError
from research.i18n import MESSAGES, fmt_money_round, t
from research.permissions import PermissionDenied
from research.store import Store
from research.ui.text import escape_markdown

RAW_CELLS = {"None", "nan", "NaN", "NaT", "<NA>"}


def _page(db: Path, monkeypatch: pytest.MonkeyPatch, company: str, view: str, lang: str = "sr") -> AppTest:
    store = Store.open(str(db))
    try:
        company_id = profiles.find_company(store, company).id
    finally:
        store.close()
    at = run_app(db, monkeypatch, page="competitors", lang=lang)
    at.session_state["competitors_company"] = company_id
    at.session_state["competitors_view"] = view
    at.run()
    assert_clean(at)
    return at


def _names(db: Path, domain: str) -> dict[str, str]:
    """value -> Serbian name of the demo's `domain` values that have a Serbian name of their own."""
    store = Store.open(str(db))
    try:
        rows = store.query_rows("SELECT value, label_sr FROM value_labels WHERE domain = ? AND label_sr <> value", [domain])
    finally:
        store.close()
    assert rows, f"the demo names no {domain}"
    return {r["value"]: r["label_sr"] for r in rows}


def _table(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _no_raw_cells(at: AppTest) -> None:
    for df in at.dataframe:
        cells = {str(v) for v in df.value.astype(object).to_numpy().ravel()}
        assert not cells & RAW_CELLS, (df.key, cells & RAW_CELLS)


def test_the_profile_names_categories_units_and_industries_in_serbian(demo_copy: Path, monkeypatch) -> None:
    at = _page(demo_copy, monkeypatch, "PackPro International", "profile")
    categories, units, industries = (_names(demo_copy, d) for d in ("category", "unit", "industry"))
    products = _table(at, t("competitors.col.product", "sr"))
    shown = set(products[t("competitors.col.category", "sr")])
    assert shown and shown <= set(categories.values()), shown
    shown_units = set(products[t("competitors.col.unit", "sr")])
    assert shown_units and not shown_units & set(units), shown_units  # no unit left as stored ("roll", "piece")
    assert shown_units & set(units.values())
    served = set(_table(at, t("col.accounts", "sr"))[t("dimension.industry", "sr")])
    assert served and served <= set(industries.values()), served
    _no_raw_cells(at)


def test_the_profile_rounds_revenue_and_shows_positioning_by_its_label(demo_copy: Path, monkeypatch) -> None:
    # Pins issue 17 item 6: "€38,500,000.00" and lower-case codes such as "mid-market".
    at = _page(demo_copy, monkeypatch, "Danubia Packaging", "profile", lang="en")
    store = Store.open(str(demo_copy))
    try:
        us = profiles.our_company(store)
    finally:
        store.close()
    texts = [x.value for x in at.text]
    assert fmt_money_round(us.revenue_estimate, us.revenue_currency, "en") in texts
    assert not any(".00" in x and "€" in x for x in texts)
    assert t(f"competitors.positioning.{us.price_positioning}", "en") in texts
    assert us.price_positioning not in texts
    at = _page(demo_copy, monkeypatch, "Danubia Packaging", "companies", lang="en")
    positions = set(_table(at, t("competitors.col.positioning", "en"))[t("competitors.col.positioning", "en")])
    assert positions and positions <= {t(f"competitors.positioning.{p}", "en") for p in ("budget", "mid", "premium")}
    assert all(p[0].isupper() for p in positions), positions


def test_the_battlecard_prices_name_categories_in_the_viewer_s_language(demo_copy: Path, monkeypatch) -> None:
    categories = _names(demo_copy, "category")
    at = _page(demo_copy, monkeypatch, "PackPro International", "battlecard")
    prices = _table(at, t("battlecard.col.category", "sr"))
    shown = set(prices[t("battlecard.col.category", "sr")])
    assert shown and shown <= set(categories.values()), shown
    # The card itself keeps the stored categories; each rendering names them in its language.
    store = Store.open(str(demo_copy))
    try:
        card = battlecard.build_battlecard(store, profiles.find_company(store, "PackPro International").id)
    finally:
        store.close()
    stored = [str(c) for c in card.pricing["category"]]
    assert [row[0] for row in battlecard.pricing_rows(card, "en")] == stored
    assert [row[0] for row in battlecard.pricing_rows(card, "sr")] == [categories[c] for c in stored]
    assert all(categories[c] in battlecard.to_markdown(card, "sr") for c in stored)


def test_the_history_names_records_and_fields_in_words(demo_copy: Path, monkeypatch) -> None:
    # Pins issue 17 item 6: table names ("swot_items") and column names ("price_positioning") in the history.
    store = Store.open(str(demo_copy))
    try:
        rival = profiles.find_company(store, "GreenFold")
        profiles.update_company(store, "Marija", rival.id, rival.version, price_positioning="mid", employees=321)
        item = swot.list_items(store, rival.id)[0]
        swot.update_item(store, "Marija", item.id, item.version, impact=1 if item.impact != 1 else 5)
    finally:
        store.close()
    at = _page(demo_copy, monkeypatch, "GreenFold", "history")
    history = _table(at, t("competitors.col.record", "sr"))
    records = set(history[t("competitors.col.record", "sr")])
    assert {"Компанија", "SWOT ставка"} <= records, records
    assert not records & {"companies", "swot_items", "products", "tows_strategies", "tows_links"}
    fields = " ".join(history[t("competitors.col.fields", "sr")])
    for key in ("competitors.fact.positioning", "competitors.fact.employees", "swot.col.impact"):
        assert t(key, "sr") in fields, (key, fields)
    assert "price_positioning" not in fields and "employees" not in fields and "impact" not in fields
    _no_raw_cells(at)


def test_a_serbian_viewer_reads_validation_errors_in_serbian(demo_copy: Path, monkeypatch) -> None:
    at = _page(demo_copy, monkeypatch, "Stretchline", "swot")
    at.text_area(key="competitors_swot_add_statement").input("Jeftina folija")
    at.text_input(key="competitors_swot_add_url").input("javascript:alert(1)")
    at.button(key="competitors_swot_add_submit").click().run()
    assert not at.exception
    expected = t("competitors.error.scheme.source_url", "sr", value=repr("javascript:alert(1)"), http="http://",
                 https="https://")
    assert at.error[0].value == f"**{escape_markdown(t('error.title.ValidationError', 'sr'))}** — {escape_markdown(expected)}"
    at = _page(demo_copy, monkeypatch, "Stretchline", "tows")
    at.button(key="competitors_tows_add_submit").click().run()  # no statement
    assert at.error[0].value.endswith(escape_markdown(t("competitors.error.empty.strategy", "sr")))


@pytest.mark.parametrize(
    ("write", "key"),
    [
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="  "), "competitors.error.empty.statement"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x" * 500), "competitors.error.too_long.statement"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="X", statement="x"), "competitors.error.quadrant"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", impact=9), "competitors.error.impact"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", impact="a"), "competitors.error.whole_number.impact"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", confidence="sure"), "competitors.error.confidence"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", source_url="ftp://x.rs"),
         "competitors.error.scheme.source_url"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", source_url="https://nohost"),
         "competitors.error.host.source_url"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", source_url="http://a b.rs"),
         "competitors.error.not_address.source_url"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", source_note="n" * 500),
         "competitors.error.too_long.source_note"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", observed_on="2999-01-01"),
         "competitors.error.date_future"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", observed_on="yesterday"), "competitors.error.date"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", tags=[f"t{i}" for i in range(20)]),
         "competitors.error.too_many.tags"),
        (lambda s, c: swot.add_item(s, "t", c, quadrant="S", statement="x", tags=["t" * 50]),
         "competitors.error.entry_too_long.tags"),
        (lambda s, c: tows.add_strategy(s, "t", c, kind="SO", statement=""), "competitors.error.empty.strategy"),
        (lambda s, c: tows.add_strategy(s, "t", c, kind="XX", statement="x"), "competitors.error.choice.tows_quadrant"),
        (lambda s, c: tows.add_strategy(s, "t", c, kind="SO", statement="x", status="maybe"), "competitors.error.choice.status"),
        (lambda s, c: tows.add_strategy(s, "t", c, kind="SO", statement="x", owner="o" * 200), "competitors.error.too_long.owner"),
        (lambda s, c: tows.add_strategy(s, "t", c, kind="SO", statement="x", item_ids=[999999]), "competitors.error.links"),
        (lambda s, c: profiles.update_company(s, "t", c, 1, segments=[f"s{i}" for i in range(40)]),
         "competitors.error.too_many.segments"),
        (lambda s, c: profiles.update_company(s, "t", c, 1, key_customers=["k" * 200]),
         "competitors.error.entry_too_long.key_customers"),
        (lambda s, c: profiles.update_company(s, "t", c, 1, notes="n" * 3000), "competitors.error.too_long.notes"),
        (lambda s, c: profiles.add_company(s, "t", name="GreenFold"), "competitors.error.name_taken"),
        (lambda s, c: profiles.find_company(s, "Greenfol"), "competitors.error.no_company_near"),
        (lambda s, c: swot.get_item(s, 999999), "competitors.error.no_item"),
        (lambda s, c: battlecard.build_battlecard(s, profiles.our_company(s).id), "competitors.error.battlecard_us"),
        (lambda s, c: profiles.set_company_archived(s, "t", profiles.our_company(s).id, 1), "competitors.error.archive_us"),
    ],
)
def test_errors_a_person_can_cause_are_catalog_messages_in_both_languages(demo_copy: Path, write, key: str) -> None:
    store = Store.open(str(demo_copy))
    try:
        company_id = profiles.find_company(store, "GreenFold").id
        with pytest.raises((ValidationError, PermissionDenied)) as caught:
            write(store, company_id)
    finally:
        store.close()
    error = caught.value
    assert error.key == key and key in MESSAGES
    assert error.message == t(key, "en", **error.params)  # the CLI's English sentence
    serbian = t(key, "sr", **error.params)
    assert serbian != error.message and "{" not in serbian


def test_every_field_a_form_names_in_an_error_has_its_serbian_name() -> None:
    # The field errors are generated from the catalog's field names; a write path naming a field
    # the catalog lacks falls back to English (validation.field_error): none of ours does.
    from research.competitors import validation as v

    for field in ("statement", "strategy", "source note", "owner", "notes", "segments", "channels", "key customers", "tags"):
        problem = "too_long" if field in ("source note", "owner", "notes") else (
            "empty" if field in ("statement", "strategy") else "too_many")
        assert f"competitors.error.{problem}.{v.field_code(field)}" in MESSAGES, field


def test_tables_read_a_dash_not_none() -> None:
    import pandas as pd

    products = pd.DataFrame({"name": ["Box"], "category": [None], "unit": [float("nan")], "list_price": [None],
                             "currency": ["EUR"], "last_price": [None], "last_currency": [None], "last_seen": [pd.NaT]})
    table = views.products_table(products, "sr")
    assert table.iloc[0].tolist() == ["Box", "–", "–", "–", "–", "–"]
    names = Labels("en", {"industry": {"Pharma": "Pharmaceuticals"}})
    served = views.served_table(pd.DataFrame({"industry": [None, "Pharma"], "accounts": [3, 2]}), "en", names)
    assert served.iloc[:, 0].tolist() == [t("overview.share.not_set", "en"), "Pharmaceuticals"]


def test_labels_follow_the_workspace(demo_copy: Path) -> None:
    # The names come from the workspace's table, not from code: renaming a category renames it on the card.
    from research.data import labels

    store = Store.open(str(demo_copy))
    try:
        labels.set_label(store, "tester", "category", "Corrugated boxes", label_sr="Кутије (валовити картон)")
        assert labels_for(store, "sr")("category", "Corrugated boxes") == "Кутије (валовити картон)"
        card = battlecard.build_battlecard(store, profiles.find_company(store, "PackPro International").id)
        assert "Кутије (валовити картон)" in [row[0] for row in battlecard.pricing_rows(card, "sr")]
    finally:
        store.close()
