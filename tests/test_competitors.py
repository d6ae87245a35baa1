"""Competitor profiles, SWOT items, TOWS strategies, analysis, battlecards and exports
on real DuckDB workspaces (the demo market, copied per test)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pptx import Presentation

from research.compare import data as compare_data
from research.competitors import analysis, battlecard, exports, profiles, swot, tows, views
from research.competitors import validation as v
from research.demo import DEMO_TODAY
from research.errors import ConflictError, ValidationError
from research.store import Store

TODAY = DEMO_TODAY  # the demo's "today": evidence dates are relative to it


@pytest.fixture
def ws(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def _company(store: Store, name: str) -> profiles.Company:
    return profiles.find_company(store, name)


def _rows(store: Store, sql: str, params: list | None = None) -> list[dict]:
    return store.query_rows(sql, params or [])


# ---- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"statement": "   "}, "statement is empty"),
        ({"statement": "\u202e\u200b"}, "statement is empty"),
        ({"impact": 0}, "Impact must be from 1 to 5"),
        ({"impact": 6}, "Impact must be from 1 to 5"),
        ({"impact": True}, "whole number"),
        ({"impact": "high"}, "whole number"),
        ({"quadrant": "X"}, "Unknown SWOT quadrant"),
        ({"confidence": "certain"}, "Unknown confidence"),
        ({"source_url": "javascript:alert(1)"}, "must start with http"),
        ({"source_url": "https://"}, "no valid host"),
        ({"source_url": "http://exa mple.com"}, "not a web address"),
        ({"source_url": "https://x.example:99999/"}, "not a valid web address"),
        ({"observed_on": TODAY + dt.timedelta(days=1)}, "in the future"),
        ({"observed_on": "28.11.2026"}, "not a date"),
        ({"statement": "x" * 401}, "keep it under 400"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_stored(ws: Store, kwargs: dict, message: str) -> None:
    company = _company(ws, "Stretchline")
    before = ws.query_value("SELECT count(*) FROM swot_items")
    audit = ws.query_value("SELECT count(*) FROM audit_log")
    values = {"quadrant": "S", "statement": "Fast delivery", "impact": 3, **kwargs}
    with pytest.raises(ValidationError, match=message):
        swot.add_item(ws, "ana", company.id, today=TODAY, **values)
    assert ws.query_value("SELECT count(*) FROM swot_items") == before
    assert ws.query_value("SELECT count(*) FROM audit_log") == audit


def test_text_is_cleaned_of_control_and_invisible_characters() -> None:
    assert v.clean_text("  Fast\u202e \x00deli\u200bvery\n\tnow ") == "Fast delivery now"
    assert v.clean_text("a\r\n\r\n\r\n\r\nb", multiline=True) == "a\n\nb"
    assert v.tags("Price, price, #Delivery,, ") == ["price", "delivery"]
    assert v.text_list("Retail; Pharma\nRetail", "segments") == ["Retail", "Pharma"]
    assert v.quadrant(" s ") == "S"


# ---- SWOT items --------------------------------------------------------------------------------


def test_add_item_goes_to_the_end_of_its_quadrant_with_author_and_audit(ws: Store) -> None:
    company = _company(ws, "Stretchline")
    strengths = [i for i in swot.list_items(ws, company.id, today=TODAY) if i.quadrant == "S"]
    item = swot.add_item(
        ws, "Marija", company.id, quadrant="s", statement="  <script>alert(1)</script> **bold** ", impact=4,
        confidence="high", source_url="https://www.stretchline.example/news/2026", observed_on="2026-10-30",
        tags="film, price", today=TODAY,
    )
    assert item.statement == "<script>alert(1)</script> **bold**"
    assert item.label == f"S{len(strengths) + 1}"
    assert item.author == "Marija" and item.changed_by == "Marija"
    assert item.tags == ("film", "price") and not item.stale
    audit = _rows(ws, "SELECT actor, action FROM audit_log WHERE table_name = 'swot_items' AND row_id = ?", [str(item.id)])
    assert audit == [{"actor": "Marija", "action": "insert"}]


def test_add_item_in_writes_inside_the_callers_transaction_with_the_same_checks(ws: Store) -> None:
    # Signal triage adds items inside the signal's transaction: a refusal undoes the whole batch.
    company = _company(ws, "Stretchline")
    before = ws.query_value("SELECT count(*) FROM swot_items")
    with pytest.raises(ValidationError, match="keep it under 400"), ws.transaction("ana") as tx:
        first = swot.add_item_in(tx, company.id, quadrant="s", statement="Fast delivery", today=TODAY)
        assert tx.execute("SELECT quadrant, author FROM swot_items WHERE id = ?", [first]).fetchone() == ("S", "ana")
        swot.add_item_in(tx, company.id, quadrant="S", statement="x" * 401, today=TODAY)
    assert ws.query_value("SELECT count(*) FROM swot_items") == before


def test_second_save_of_the_same_version_is_refused_naming_who_changed_it(ws: Store) -> None:
    company = _company(ws, "Stretchline")
    item = swot.add_item(ws, "ana", company.id, quadrant="W", statement="Slow quotes", today=TODAY)
    loaded = item.version  # both browsers loaded this version
    swot.update_item(ws, "Marko", item.id, loaded, statement="Slow quotes: 5 days", today=TODAY)
    with pytest.raises(ConflictError, match=r"changed by Marko at .* reload"):
        swot.update_item(ws, "Jelena", item.id, loaded, statement="Quotes take a week", today=TODAY)
    assert swot.get_item(ws, item.id).statement == "Slow quotes: 5 days"


def test_edit_validates_and_moving_quadrant_puts_item_last(ws: Store) -> None:
    company = _company(ws, "GreenFold")
    item = swot.list_items(ws, company.id, today=TODAY)[0]
    with pytest.raises(ValidationError, match="Impact"):
        swot.update_item(ws, "ana", item.id, item.version, impact=7)
    threats = [i for i in swot.list_items(ws, company.id) if i.quadrant == "T"]
    moved = swot.update_item(ws, "ana", item.id, item.version, quadrant="T", today=TODAY)
    assert moved.label == f"T{len(threats) + 1}"


def test_reorder_within_quadrant_renumbers_positions(ws: Store) -> None:
    company = _company(ws, "CorruTech")
    weaknesses = [i for i in swot.list_items(ws, company.id) if i.quadrant == "W"]
    last = weaknesses[-1]
    moved = swot.move_item(ws, "ana", last.id, last.version, -100)
    after = [i for i in swot.list_items(ws, company.id) if i.quadrant == "W"]
    assert moved.label == "W1" and after[0].id == last.id
    assert [i.position for i in after] == list(range(len(after)))
    assert [i.id for i in after[1:]] == [i.id for i in weaknesses[:-1]]
    with pytest.raises(ConflictError):
        swot.move_item(ws, "ana", last.id, last.version, 1)  # stale version


def test_archive_hides_item_and_restore_puts_it_back_last(ws: Store) -> None:
    company = _company(ws, "Adria Pack")
    item = swot.list_items(ws, company.id)[0]
    archived = swot.set_item_archived(ws, "ana", item.id, item.version)
    assert archived.archived and archived.label is None
    assert item.id not in [i.id for i in swot.list_items(ws, company.id)]
    assert item.id in [i.id for i in swot.list_items(ws, company.id, include_archived=True)]
    restored = swot.set_item_archived(ws, "ana", item.id, archived.version, archived=False)
    same = [i for i in swot.list_items(ws, company.id) if i.quadrant == item.quadrant]
    assert restored.label == f"{item.quadrant}{len(same)}"


def test_stale_items_follow_the_configured_age_and_confirm_makes_fresh(ws: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = ws.query_value(
        "SELECT count(*) FROM swot_items s JOIN companies c ON c.id = s.company_id "
        "WHERE NOT s.archived AND NOT c.archived AND s.observed_on < CAST(? AS DATE) - 90", [TODAY]
    )
    queue = swot.stale_items(ws, today=TODAY)
    assert len(queue) == expected > 0
    assert [i.evidence_on for i in queue] == sorted(i.evidence_on for i in queue)
    monkeypatch.setenv("VANTAGE_STALE_DAYS", "365")
    assert len(swot.stale_items(ws, today=TODAY)) < expected
    monkeypatch.setenv("VANTAGE_STALE_DAYS", "0")
    with pytest.raises(ValidationError, match="at least 1"):
        swot.stale_items(ws, today=TODAY)
    monkeypatch.delenv("VANTAGE_STALE_DAYS")
    oldest = queue[0]
    fresh = swot.confirm_item(ws, "ana", oldest.id, oldest.version, today=TODAY)
    assert fresh.observed_on == TODAY and not fresh.stale
    assert oldest.id not in [i.id for i in swot.stale_items(ws, today=TODAY)]


def test_items_of_archived_company_leave_the_queue_and_cannot_be_added(ws: Store) -> None:
    company = _company(ws, "Morava Ambalaža")
    assert any(i.company_id == company.id for i in swot.stale_items(ws, today=TODAY))
    profiles.set_company_archived(ws, "ana", company.id, company.version)
    assert not any(i.company_id == company.id for i in swot.stale_items(ws, today=TODAY))
    with pytest.raises(ValidationError, match="archived"):
        swot.add_item(ws, "ana", company.id, quadrant="S", statement="x", today=TODAY)


# ---- profiles ----------------------------------------------------------------------------------


def test_company_list_filters_and_counts(ws: Store) -> None:
    everyone = profiles.list_companies(ws, today=TODAY)
    assert len(everyone) == 8 and bool(everyone.iloc[0]["is_us"])
    assert everyone["swot_items"].sum() == ws.query_value("SELECT count(*) FROM swot_items")
    premium = profiles.list_companies(ws, positioning="premium", today=TODAY)
    assert set(premium["name"]) == {"PackPro International", "GreenFold"}
    assert list(profiles.list_companies(ws, search="stretchl", today=TODAY)["name"]) == ["Stretchline"]
    assert profiles.list_companies(ws, search="100%_", today=TODAY).empty  # LIKE wildcards are literal
    assert set(profiles.list_companies(ws, country="at", today=TODAY)["name"]) == {"PackPro International", "GreenFold"}


def test_add_edit_archive_restore_company(ws: Store) -> None:
    added = profiles.add_company(
        ws, "ana", name=" Nova  Pak ", website="https://nova.example", hq_country="ba", founded="2011",
        employees="120", revenue_estimate="1,250,000", price_positioning="budget", segments="Food, Retail",
        channels=["direct", "distributors"], key_customers="Bambi; Violeta", notes="Met at the fair.\n\nAggressive.",
    )
    assert added.name == "Nova Pak" and added.hq_country == "BA" and not added.is_us
    assert added.segments == ("Food", "Retail") and added.key_customers == ("Bambi", "Violeta")
    assert str(added.revenue_estimate) == "1250000.00"
    with pytest.raises(ValidationError, match="already exists"):
        profiles.add_company(ws, "ana", name="nova pak")
    with pytest.raises(ValidationError, match="two-letter"):
        profiles.update_company(ws, "ana", added.id, added.version, hq_country="Bosnia")
    edited = profiles.update_company(ws, "Marko", added.id, added.version, employees=130)
    with pytest.raises(ConflictError, match="Marko"):
        profiles.update_company(ws, "ana", added.id, added.version, employees=140)
    archived = profiles.set_company_archived(ws, "ana", added.id, edited.version)
    assert archived.archived
    assert "Nova Pak" not in set(profiles.list_companies(ws)["name"])
    assert "Nova Pak" in set(profiles.list_companies(ws, include_archived=True)["name"])
    restored = profiles.set_company_archived(ws, "ana", added.id, archived.version, archived=False)
    assert not restored.archived
    history = profiles.company_history(ws, added.id)
    assert list(history["action"]) == ["update", "update", "update", "insert"]
    assert set(history["actor"]) == {"ana", "Marko"}


def test_our_company_cannot_be_archived(ws: Store) -> None:
    us = profiles.our_company(ws)
    with pytest.raises(ValidationError, match="our own company"):
        profiles.set_company_archived(ws, "ana", us.id, us.version)


def test_products_show_list_and_latest_observed_price(ws: Store) -> None:
    company = _company(ws, "Kartonaža Sava")
    products = profiles.company_products(ws, company.id)
    assert len(products) == 40
    newest = ws.query_value(
        "SELECT max(observed_at) FROM price_observations po JOIN products p ON p.id = po.product_id WHERE p.company_id = ?",
        [company.id],
    )
    assert products["last_seen"].max() == newest
    assert set(products["currency"]) == {"RSD"}
    assert not profiles.served_industries(ws, company.id).empty


def test_history_covers_items_and_strategies_of_the_company(ws: Store) -> None:
    company = _company(ws, "PackPro International")
    item = swot.add_item(ws, "ana", company.id, quadrant="T", statement="New plant in Serbia", today=TODAY)
    groups = tows.tows_items(ws, company.id)
    tows.add_strategy(ws, "Marko", company.id, kind="ST", statement="Lock in 3-year contracts",
                      item_ids=[groups["S"][0].id, item.id])
    tables = set(profiles.company_history(ws, company.id)["table_name"])
    assert {"swot_items", "tows_strategies", "tows_links"} <= tables
    assert profiles.company_history(ws, _company(ws, "GreenFold").id).empty


# ---- TOWS --------------------------------------------------------------------------------------


def test_tows_strategy_links_items_and_labels_them(ws: Store) -> None:
    company = _company(ws, "PackPro International")
    groups = tows.tows_items(ws, company.id)
    assert all(i.is_us for i in groups["S"] + groups["W"])
    assert all(i.company_id == company.id for i in groups["O"] + groups["T"])
    s2, s1, o1 = groups["S"][1], groups["S"][0], groups["O"][0]
    strategy = tows.add_strategy(ws, "ana", company.id, kind="so", statement="Offer 48 h delivery to new plants",
                                 owner="Marko", item_ids=[s2.id, s1.id, o1.id])
    assert strategy.kind == "SO" and strategy.label == "S1+S2×O1" and strategy.status == "proposed"
    updated = tows.update_strategy(ws, "Jelena", strategy.id, strategy.version, status="agreed", item_ids=[s1.id])
    assert updated.label == "S1" and updated.status == "agreed"
    with pytest.raises(ConflictError, match="Jelena"):
        tows.update_strategy(ws, "ana", strategy.id, strategy.version, status="done")
    with pytest.raises(ValidationError, match="can only use our S items"):
        tows.add_strategy(ws, "ana", company.id, kind="SO", statement="x", item_ids=[groups["T"][0].id])
    with pytest.raises(ValidationError, match="Unknown status"):
        tows.add_strategy(ws, "ana", company.id, kind="WT", statement="x", status="maybe")
    with pytest.raises(ValidationError, match="Unknown TOWS quadrant"):
        tows.add_strategy(ws, "ana", company.id, kind="XY", statement="x")
    archived = tows.update_strategy(ws, "ana", strategy.id, updated.version, archived=True)
    assert archived.archived and tows.list_strategies(ws, company.id) == []


def test_tows_on_our_company_uses_the_market_view(ws: Store) -> None:
    us = profiles.our_company(ws)
    groups = tows.tows_items(ws, us.id)
    assert groups["O"] and all(i.company_id == us.id for i in groups["O"])
    strategy = tows.add_strategy(ws, "ana", us.id, kind="WO", statement="Add IBCs via a partner",
                                 item_ids=[groups["W"][0].id, groups["O"][0].id])
    assert strategy.label == "W1×O1"


# ---- analysis and battlecard -------------------------------------------------------------------


def test_heatmap_is_aggregated_per_company_and_quadrant(ws: Store) -> None:
    heat = analysis.swot_heatmap_data(ws, today=TODAY)
    assert len(heat) == 8 * 4
    assert heat["items"].sum() == ws.query_value("SELECT count(*) FROM swot_items WHERE NOT archived")
    assert bool(heat.iloc[0]["is_us"])
    spec = views.heatmap_chart(heat, "en").to_dict()
    assert spec["layer"][0]["mark"]["type"] == "rect"
    assert "#D9480F" in str(spec)  # our company's label in our colour


def test_talking_points_pair_our_strengths_with_their_weaknesses_by_tag(ws: Store) -> None:
    points = analysis.talking_points(ws)
    assert not points.empty
    for row in points.itertuples():
        assert len(row.shared_tags) > 0
    assert list(points["score"]) == sorted(points["score"], reverse=True)
    packpro = _company(ws, "PackPro International")
    only = analysis.talking_points(ws, packpro.id)
    assert set(only["company"]) == {"PackPro International"}


def test_price_comparison_matches_like_for_like_in_eur(ws: Store) -> None:
    premium = analysis.price_comparison(ws, _company(ws, "PackPro International").id)
    budget = analysis.price_comparison(ws, _company(ws, "Kartonaža Sava").id)  # prices in RSD
    assert analysis.overall_price_index(premium) > 1.05
    assert analysis.overall_price_index(budget) < 1.0
    assert analysis.overall_price_index(premium.iloc[0:0]) is None


def test_our_company_has_one_owner_and_the_price_comparison_follows_it(ws: Store) -> None:
    # "Which company is ours" was decided five ways (issue 16); profiles.our_company_id owns it now,
    # so moving the flag moves every answer: the profile, the comparison rows and the prices.
    old = profiles.our_company(ws)
    rival = _company(ws, "PackPro International")
    assert old is not None and profiles.our_company_id(ws) == old.id and old.is_us
    before = analysis.price_comparison(ws, rival.id)
    assert not before.empty
    profiles.set_our_company(ws, "ana", rival.id)
    assert profiles.our_company_id(ws) == rival.id and profiles.our_company(ws).name == rival.name
    assert [c.id for c in compare_data.companies(ws) if c.is_us] == [rival.id]
    after = analysis.price_comparison(ws, old.id).set_index("category")  # the sides swap, product for product
    before = before.set_index("category")
    assert list(after.index) == list(before.index) and list(after["products"]) == list(before["products"])
    assert list(after["our_median_eur"]) == pytest.approx(list(before["their_median_eur"]))


def test_battlecard_sections_and_markdown_show_user_text_literally(ws: Store) -> None:
    company = _company(ws, "PackPro International")
    swot.add_item(ws, "ana", company.id, quadrant="S", statement="<img src=x onerror=alert(1)> [click](http://evil)",
                  impact=5, source_url="https://www.packpro.example/x", observed_on=TODAY, today=TODAY)
    card = battlecard.build_battlecard(ws, company.id, today=TODAY)
    assert not card.why_we_win.empty and card.neutralise and card.price_index is not None
    assert card.freshest[0].observed_on == TODAY
    assert card.total == len(swot.list_items(ws, company.id)) and card.lost_deals > 0
    text = battlecard.to_markdown(card, "en")
    assert "\\<img src=x onerror=alert(1)\\> \\[click\\](http://evil)" in text
    assert "<img" not in text.replace("\\<img", "")
    assert "## Why we win" in text and "| Category |" in text
    sr = battlecard.to_markdown(card, "sr")
    assert "Зашто побеђујемо" in sr
    with pytest.raises(ValidationError, match="our own company"):
        battlecard.build_battlecard(ws, profiles.our_company(ws).id)


# ---- exports -----------------------------------------------------------------------------------


def _slide_text(data: bytes) -> str:
    deck = Presentation(io.BytesIO(data))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


def test_board_pptx_keeps_text_editable_and_strips_control_characters(ws: Store) -> None:
    company = _company(ws, "Stretchline")
    swot.add_item(ws, "ana", company.id, quadrant="O", statement="New logistics hub", impact=5, today=TODAY)
    ws_items = swot.list_items(ws, company.id, today=TODAY)
    # A control character that slipped in before validation existed (e.g. an old import).
    ws.query_value("SELECT 1")  # noqa — the store stays usable
    with ws.transaction("import") as tx:
        tx.update("swot_items", ws_items[0].id, {"statement": "Bad\x0bchar\x01 here"})
    items = swot.list_items(ws, company.id, today=TODAY)
    data = exports.board_pptx(company, items, "en", today=TODAY)
    text = _slide_text(data)
    assert "SWOT: Stretchline" in text
    for quadrant in ("Strengths", "Weaknesses", "Opportunities", "Threats"):
        assert quadrant in text
    assert "New logistics hub" in text and "Badchar here" in text
    assert "stale, " in text  # stale items are marked on the slide too
    sr = _slide_text(exports.board_pptx(company, items, "sr", today=TODAY))
    assert "Снаге" in sr and "Претње" in sr


def test_board_png_is_a_picture_of_the_board(ws: Store) -> None:
    company = _company(ws, "GreenFold")
    data = exports.board_png(company, swot.list_items(ws, company.id), "en", scale=1)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    spec = views.board_chart(company, swot.list_items(ws, company.id), "en").to_dict()
    assert "SWOT: GreenFold" in str(spec["title"])


def test_battlecard_pptx_has_sections_and_a_native_price_table(ws: Store) -> None:
    card = battlecard.build_battlecard(ws, _company(ws, "Kartonaža Sava").id, today=TODAY)
    data = exports.battlecard_pptx(card, "en")
    deck = Presentation(io.BytesIO(data))
    assert len(deck.slides) == 1
    assert any(shape.has_table for shape in deck.slides[0].shapes)
    text = _slide_text(data)
    for heading in ("Battlecard: Kartonaža Sava", "Why we win", "Their strengths to neutralise",
                    "Pricing against ours", "Key SWOT items", "Freshest evidence", "Category"):
        assert heading in text


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("swot-Kartonaža Sava-2026-11-28", "swot-Kartonaža-Sava-2026-11-28.pptx"),
        ("../../etc/passwd", "etc-passwd.pptx"),
        ("CON", "export.pptx"),
        ("<script>", "script.pptx"),
        ("", "export.pptx"),
        ("a" * 200, "a" * 80 + ".pptx"),
    ],
)
def test_file_names_from_user_text_are_sanitised(stem: str, expected: str) -> None:
    assert exports.safe_filename(stem, "pptx") == expected


def test_xml_safe_removes_only_illegal_characters() -> None:
    assert exports.xml_safe("a\x00b\x0bc\td\ne\uffff") == "abc\td\ne"


def test_migration_adds_profile_columns_and_tows_tables(ws: Store) -> None:
    columns = {r["column_name"] for r in _rows(ws, "SELECT column_name FROM information_schema.columns WHERE table_name = 'companies'")}
    assert {"segments", "channels", "key_customers", "notes"} <= columns
    assert {"tows_strategies", "tows_links"} <= set(ws.tables())
