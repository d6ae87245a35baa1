"""The Competitors page's Win/loss view (AppTest) on the hand-computed fixture (tests/winloss_fixture.py), in
English and in Serbian: the figures, the pickers, Add to deck with the page's exact state, no English on the
Serbian page, and the battlecard's "why we lose to them / why we win" section."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest
from sweep_helpers import report, seen_in_app, vocabulary
from winloss_fixture import ALPHA, BETA, US, fill

from research.i18n import t
from research.present import decks
from research.store import Store


@pytest.fixture
def workspace(empty_workspace_file: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "winloss.duckdb"
    shutil.copyfile(empty_workspace_file, path)
    store = Store.open(str(path))
    try:
        ids = fill(store)
    finally:
        store.close()
    return path, ids


def open_view(db: Path, monkeypatch: pytest.MonkeyPatch, company_id: int, lang: str = "en") -> AppTest:
    at = run_app(db, monkeypatch, page="competitors", lang=lang)
    at.session_state["competitors_company"] = company_id
    at.session_state["competitors_view"] = "winloss"
    at.run()
    assert_clean(at)
    return at


def spec_texts(at: AppTest) -> list[str]:
    return [chart.proto.spec for chart in at.get("vega_lite_chart")]


def test_win_loss_view_shows_the_hand_computed_figures(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = workspace
    at = open_view(db, monkeypatch, ids[ALPHA])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Win rate": "40%", "Deals won": "4 · €60,000", "Deals lost": "6 · €103k", "Open deals": "1"}
    assert [s.value for s in at.subheader] == [
        f"Where and why we lose to {ALPHA}", "Against each competitor", "By segment", "Over time", "Reasons per competitor"]
    assert len(at.get("vega_lite_chart")) == 5
    tables = [d.value for d in at.dataframe]
    reasons = tables[0].set_index("Reason")
    assert reasons.loc["Price", "Deals lost"] == 3 and reasons.loc["Price", "Lost value"] == "€55,000"
    assert reasons.loc["Quality", "Deals won"] == 2
    rivals = tables[1].set_index("Competitor")
    assert rivals.loc[ALPHA, "Win rate"] == "40%" and rivals.loc[BETA, "Win rate"] == "25%"
    assert rivals.loc[t("winloss.no_competitor", "en"), "Won"] == 1
    segments = tables[2].set_index("Industry")
    assert segments.loc["Food & beverage", "Won"] == 3 and segments.loc["Food & beverage", "Lost"] == 4
    quarters = tables[3].set_index("Period")
    assert list(quarters.index) == ["Q4 2025", "Q1 2026", "Q2 2026"] and quarters.loc["Q1 2026", "Win rate"] == "67%"
    matrix = tables[4].set_index("Competitor")
    assert matrix.loc[ALPHA, "Price"] == 3 and matrix.loc[BETA, "Relationship"] == 1


def test_pickers_change_the_breakdown_the_competitor_the_period_and_the_outcome(workspace,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = workspace
    at = open_view(db, monkeypatch, ids[ALPHA])
    at.segmented_control(key="competitors_winloss_breakdown").set_value("region").run()
    at.selectbox(key="competitors_winloss_against").select(ids[BETA]).run()
    at.segmented_control(key="competitors_winloss_period").set_value("month").run()
    at.segmented_control(key="competitors_winloss_outcome").set_value("won").run()
    assert_clean(at)
    tables = [d.value for d in at.dataframe]
    regions = tables[2].set_index("Region")  # against Beta: d6 (Central Europe), d7, d10 (Western Balkans), d8
    assert regions.loc["Western Balkans", "Won"] == 1 and regions.loc["Western Balkans", "Lost"] == 1
    assert regions.loc["Central Europe", "Lost"] == 2
    assert list(tables[3]["Period"]) == ["Apr 2026", "May 2026"]
    assert "Why we win, per competitor" in spec_texts(at)[4]
    assert f"against {BETA}" in spec_texts(at)[2]
    assert "Where: deals by region" in spec_texts(at)[0]  # the "where" panel follows the breakdown too
    assert len(tables[0]) == 4  # Alpha's reasons: price, lead time, quality, relationship


def test_add_to_deck_stores_each_win_loss_view_with_the_page_state(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = workspace
    at = open_view(db, monkeypatch, ids[ALPHA])
    at.segmented_control(key="competitors_winloss_breakdown").set_value("employee_band").run()
    at.selectbox(key="competitors_winloss_against").select(ids[ALPHA]).run()
    at.text_input(key="competitors_winloss_lose_deck_new_name").input("Win/loss review")
    at.button(key="competitors_winloss_lose_deck_submit").click().run()
    for key in ("competitors_winloss_rivals_deck", "competitors_winloss_segments_deck", "competitors_winloss_trend_deck",
                "competitors_winloss_matrix_deck"):
        at.text_input(key=f"{key}_new_name").input("Win/loss review")  # the deck of that name is reused
        at.button(key=f"{key}_submit").click().run()
        assert_clean(at)
    store = Store.open(str(db))
    try:
        slides = [s for d in decks.list_decks(store) for s in decks.list_slides(store, d.id)]
    finally:
        store.close()
    assert len({s.deck_id for s in slides}) == 1
    assert [(s.view, s.params) for s in slides] == [
        ("competitors.lossreasons", {"company_id": ids[ALPHA], "breakdown": "employee_band"}),
        ("competitors.winloss", {}),
        ("competitors.winloss_segments", {"breakdown": "employee_band", "competitor_id": ids[ALPHA]}),
        ("competitors.winloss_time", {"period": "quarter", "competitor_id": ids[ALPHA]}),
        ("competitors.reasons", {"outcome": "lost"}),
    ]


def test_our_own_company_asks_for_a_competitor_and_an_empty_workspace_says_there_are_no_deals(
        workspace, empty_workspace_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = workspace
    at = open_view(db, monkeypatch, ids[US])
    assert at.info[0].value == t("winloss.pick_competitor", "en")
    assert len(at.get("vega_lite_chart")) == 4  # everything but "where and why we lose to …"
    empty = tmp_path / "empty-copy.duckdb"
    shutil.copyfile(empty_workspace_file, empty)
    store = Store.open(str(empty))
    with store.transaction("tester") as tx:
        rival = int(tx.insert("companies", {"name": "Solo"})["id"])
    store.close()
    at = open_view(empty, monkeypatch, rival)
    assert [i.value for i in at.info] == [t("winloss.empty", "en")] and not at.get("vega_lite_chart")


def test_win_loss_view_in_serbian_has_no_english(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = workspace
    at = open_view(db, monkeypatch, ids[BETA], lang="sr")
    assert {m.label for m in at.metric} == {"Стопа успеха", "Добијени послови", "Изгубљени послови", "Отворени послови"}
    assert at.subheader[0].value == f"Где и зашто губимо од компаније {BETA}"
    tables = [d.value for d in at.dataframe]
    assert list(tables[2].iloc[:, 0]) == ["Храна и пиће", "Хемијска индустрија"]
    for control, value in (("competitors_winloss_breakdown", "revenue_band"), ("competitors_winloss_period", "month")):
        at.segmented_control(key=control).set_value(value).run()
    store = Store.open(str(db))
    try:
        vocab = vocabulary(store)
    finally:
        store.close()
    offences = vocab.offences(seen_in_app(at))
    assert not offences, report("competitors, win/loss", offences)


def test_battlecard_view_shows_why_we_lose_to_them_and_why_we_win(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    db, ids = workspace
    at = run_app(db, monkeypatch, page="competitors", lang="sr")
    at.session_state["competitors_company"] = ids[ALPHA]
    at.session_state["competitors_view"] = "battlecard"
    at.run()
    assert_clean(at)
    assert t("battlecard.deals", "sr") in [s.value for s in at.subheader]
    shown = "\n".join(m.value for m in at.markdown).replace("\\", "")
    assert "Послови против њих: добијено 2, изгубљено 3 (стопа успеха 40%)." in shown
    assert "Цена — 3 посл., 55.000\xa0€" in shown and "Квалитет — 2 посл., 20.000\xa0€" in shown
