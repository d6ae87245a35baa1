"""Win/loss where it leaves the page: the five Present views in both languages (figures from the hand-computed
fixture, tests/winloss_fixture.py), the battlecard's "why we lose to them / why we win" section in the app's
card, its Markdown and its PPTX, and the reasons in the monthly report's accounts section."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pytest
from pptx import Presentation
from sweep_helpers import report, seen_in_slide, vocabulary
from winloss_fixture import ALPHA, BETA, US, fill

from research.charts.theme import COMPETITOR_COLORS, US_COLOR
from research.competitors import battlecard, exports, profiles
from research.i18n import t
from research.present import decks, views
from research.present import report as monthly
from research.present.model import RenderContext, SlideContent
from research.store import Store


@pytest.fixture
def ws(store: Store) -> tuple[Store, dict[str, int]]:
    return store, fill(store)


def cases(ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Params of every win/loss view, as the Competitors page's Add to deck buttons store them."""
    return {
        "competitors.winloss": {},
        "competitors.winloss_segments": {"breakdown": "industry", "competitor_id": ids[ALPHA]},
        "competitors.winloss_time": {"period": "quarter", "competitor_id": None},
        "competitors.reasons": {"outcome": "lost"},
        "competitors.lossreasons": {"company_id": ids[ALPHA], "breakdown": "region"},
    }


def render(store: Store, view_id: str, params: dict[str, Any], lang: str = "en") -> SlideContent:
    # Through JSON first, as a stored slide's params are.
    return views.VIEWS[view_id].render(store, json.loads(json.dumps(params)), RenderContext(language=lang))


NATIVE = {"competitors.winloss": "stacked_bar", "competitors.winloss_segments": "bar", "competitors.winloss_time": "line"}


@pytest.mark.parametrize("lang", ["en", "sr"])
@pytest.mark.parametrize("view_id", sorted(NATIVE) + ["competitors.reasons", "competitors.lossreasons"])
def test_every_win_loss_view_renders_chart_table_and_source(ws, view_id: str, lang: str) -> None:
    store, ids = ws
    content = render(store, view_id, cases(ids)[view_id], lang)
    assert not content.missing and content.title and content.text and content.as_of is not None
    assert content.source == t("present.source.deals", lang)
    assert content.chart["$schema"].startswith("https://vega.github.io/schema/vega-lite")
    json.dumps(content.chart)
    assert isinstance(content.table, pd.DataFrame) and 0 < len(content.table) <= 500
    assert (content.native.kind if content.native else None) == NATIVE.get(view_id)
    assert views.VIEWS[view_id].page == "competitors"
    assert t(views.VIEWS[view_id].label_key, "sr") != t(views.VIEWS[view_id].label_key, "en")
    if lang == "sr":
        offences = vocabulary(store).offences(seen_in_slide(content, f"slide {view_id}"))
        assert not offences, report(f"slide {view_id}", offences)


def test_native_charts_carry_the_hand_computed_win_rates_in_the_company_colours(ws) -> None:
    store, ids = ws
    native = render(store, "competitors.winloss", {}).native
    no_one = t("winloss.no_competitor", "en")
    assert native.categories == (ALPHA, BETA, no_one)
    rates = {s.name: [v for v in s.values if v is not None] for s in native.series}
    assert rates == {ALPHA: [pytest.approx(0.4)], BETA: [pytest.approx(0.25)], no_one: [1.0]}
    colours = {s.name: s.color for s in native.series}
    assert colours[ALPHA] == COMPETITOR_COLORS[0] and colours[BETA] == COMPETITOR_COLORS[1]
    segments = render(store, "competitors.winloss_segments", cases(ids)["competitors.winloss_segments"]).native
    assert segments.categories == ("Food & beverage", "Chemicals")
    assert segments.series[0].values == (pytest.approx(1 / 3), pytest.approx(0.5))
    assert segments.series[0].color == US_COLOR and segments.number_format == "0%"
    trend = render(store, "competitors.winloss_time", {"period": "month", "competitor_id": None}).native
    assert trend.categories[:3] == ("Dec 2025", "Jan 2026", "Feb 2026")
    assert trend.series[0].values[:3] == (0.0, pytest.approx(0.5), None)  # February: nothing decided, a gap


def test_lose_to_slide_links_the_competitor_and_says_where_and_why(ws) -> None:
    store, ids = ws
    content = render(store, "competitors.lossreasons", {"company_id": ids[BETA], "breakdown": "industry"}, "sr")
    assert content.links == {"competitor_id": ids[BETA]}
    assert content.title == f"Где и зашто губимо од компаније {BETA}"
    assert content.text.startswith(f"Од 4 послова против компаније {BETA} добили смо 1 (25%)")
    assert content.table.iloc[0].tolist() == ["Однос с купцем", 1, "40.000\xa0€", 0, "0\xa0€"]


def test_win_loss_slides_say_data_no_longer_available_when_their_competitor_or_params_are_gone(ws) -> None:
    store, ids = ws

    def missing(view_id: str, params: dict[str, Any]) -> bool:
        slide = decks.Slide(0, 0, 1, "view", "Kept title", "", "", view_id, params, 1)
        content = views.render_slide(store, slide, RenderContext(language="sr"))
        return content.missing and content.title == "Kept title"

    assert not missing("competitors.winloss_segments", {"breakdown": "region", "competitor_id": 0})  # none named
    assert missing("competitors.winloss_segments", {"breakdown": "country", "competitor_id": None})
    assert missing("competitors.winloss_time", {"period": "week"})
    assert missing("competitors.reasons", {"outcome": "open"})
    assert missing("competitors.lossreasons", {"company_id": 999_999})
    beta = profiles.get_company(store, ids[BETA])
    profiles.set_company_archived(store, "tester", beta.id, beta.version, archived=True)
    assert missing("competitors.lossreasons", {"company_id": beta.id, "breakdown": "industry"})
    assert missing("competitors.winloss_time", {"period": "month", "competitor_id": beta.id})
    # The record stays: an archived competitor's deals still count against all competitors.
    assert "25% · 1 of 4" in json.dumps(render(store, "competitors.winloss", {}).chart, ensure_ascii=False)


# ---- the battlecard ------------------------------------------------------------------------------------


def test_battlecard_section_why_we_lose_to_them_and_why_we_win(ws) -> None:
    store, ids = ws
    card = battlecard.build_battlecard(store, ids[ALPHA])
    assert (card.deals.won, card.deals.lost, card.deals.win_rate) == (2, 3, pytest.approx(0.4))
    assert battlecard.deal_record_text(card, "en") == "Deals against them: 2 won, 3 lost (win rate 40%)."
    assert battlecard.deal_sections(card, "en") == [
        ("Why we lose to them", ["Price — 3 deals, €55,000", "Lead time — 1 deal, €5,000"]),
        ("Why we win", ["Quality — 2 deals, €20,000", "Relationship — 1 deal, €10,000"]),
    ]
    assert battlecard.deal_sections(card, "sr")[0] == (
        "Зашто губимо од њих", ["Цена — 3 посл., 55.000\xa0€", "Рок испоруке — 1 посао, 5.000\xa0€"])
    beta = battlecard.build_battlecard(store, ids[BETA])
    # A reason none of whose deals could be valued (d8, in USD without a rate) is not worth "€0".
    assert "Lead time — 1 deal" in battlecard.deal_sections(beta, "en")[0][1]


def test_battlecard_markdown_and_pptx_carry_the_section(ws) -> None:
    store, ids = ws
    card = battlecard.build_battlecard(store, ids[ALPHA])
    for lang in ("en", "sr"):
        markdown = exports.battlecard_markdown(card, lang)
        section = markdown.split(f"## {t('battlecard.deals', lang)}", 1)[1].split("\n## ", 1)[0]
        assert battlecard.deal_record_text(card, lang) in section
        for heading, entries in battlecard.deal_sections(card, lang):
            assert f"**{heading}**" in section
            assert all(f"- {entry}" in section for entry in entries)
        deck = Presentation(io.BytesIO(exports.battlecard_pptx(card, lang)))
        texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
        box = next(text for text in texts if text.startswith(t("battlecard.deals", lang)))
        assert battlecard.deal_record_text(card, lang) in box
        assert all(entry in box for _, entries in battlecard.deal_sections(card, lang) for entry in entries)
        assert len(deck.slides) == 1  # still a one-page handout


def test_battlecard_without_deals_says_so(store: Store) -> None:
    ids = fill(store)
    with store.transaction("tester") as tx:
        gamma = int(tx.insert("companies", {"name": "Gamma"})["id"])
    card = battlecard.build_battlecard(store, gamma)
    assert battlecard.deal_record_text(card, "en") == t("battlecard.deals.none", "en")
    assert battlecard.deal_sections(card, "en") == []
    assert t("battlecard.deals.none", "sr") in exports.battlecard_markdown(card, "sr")
    assert ids[US]  # our company exists: the card can be built


def test_battlecard_slide_carries_the_section_in_its_quadrants(ws) -> None:
    store, ids = ws
    content = render(store, "competitors.battlecard", {"company_id": ids[ALPHA]})
    assert content.text.splitlines()[0] == "Deals against them: 2 won, 3 lost (win rate 40%)."
    quadrants = dict(content.board.quadrants)
    assert quadrants["Why we win"][0] == "Won on: Quality — 2 deals, €20,000; Relationship — 1 deal, €10,000"
    assert quadrants[t("battlecard.neutralise", "en")][0] == (
        "Lost to them on: Price — 3 deals, €55,000; Lead time — 1 deal, €5,000")


# ---- the monthly report ----------------------------------------------------------------------------------


def _accounts_slide(store: Store, month: str, lang: str) -> tuple[SlideContent, str]:
    deck = monthly.build_report(store, month, RenderContext(language=lang), appendix=False)
    title = t("report.accounts.title", lang)
    slide = next(s for s in deck.slides if s.content.title == title)
    return slide.content, slide.notes


def test_monthly_report_accounts_section_gains_the_reasons(ws) -> None:
    store, _ = ws
    april, _ = _accounts_slide(store, "2026-04", "en")
    # d5 (price, €30,000) and d6 (relationship, €40,000), both lost in April on account A3 (Food & beverage).
    assert april.text.endswith("Most named in lost deals: Relationship (1 deal, €40,000), Price (1 deal, €30,000).")
    food = april.table.set_index("Segment").loc["Food & beverage"]
    assert food["Lost on"] == "Price (1), Relationship (1)"
    may, notes = _accounts_slide(store, "2026-05", "sr")
    # d8 lost on lead time, in USD without a rate: no value to name; d7 won on price (€15,000), in the notes.
    assert may.text.endswith("Најчешће наведено у изгубљеним пословима: Рок испоруке (1 посао).")
    assert notes.endswith("Разлози наведени у пословима добијеним у мају 2026: Цена (1 посао, 15.000\xa0€).")
    assert may.table.set_index("Сегмент").loc["Хемијска индустрија", t("report.col.lost_reasons", "sr")] == "Рок испоруке (1)"


def test_monthly_report_without_reasons_keeps_its_sentences(ws) -> None:
    store, _ = ws
    with store.transaction("tester") as tx:
        tx.execute("DELETE FROM deal_reason_links")
    june, notes = _accounts_slide(store, "2026-06", "en")
    assert "Most named" not in june.text and "Reasons named" not in notes
    assert set(june.table["Lost on"]) == {"–"}
