"""Decks and the monthly report in the viewer's language (issue 17 items 5, 6 and 8).

A view slide's title is the view's own, drawn in the language of whoever looks at it,
unless someone typed one; domain values (industries, regions, categories, capabilities,
features) reach slides, PPTX and the report by the workspace's names; the monthly report
opens on the latest month with data and says so, on the page and in the CLI.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from page_helpers import assert_clean, run_app
from pptx import Presentation

from research.cli import main
from research.i18n import t
from research.present import decks
from research.present.export import build_export, export_bytes
from research.present.model import RenderContext
from research.present.report import (
    build_report,
    default_month,
    default_month_note,
    last_month,
    latest_data_month,
    parse_month,
)
from research.present.views import render_slide
from research.store import Store
from research.ui.text import escape_markdown

US = "Danubia Packaging"


@pytest.fixture
def demo(demo_copy: Path):
    s = Store.open(str(demo_copy))
    yield s
    s.close()


def _rivals(store: Store, n: int = 3) -> list[int]:
    return [r["id"] for r in store.query_rows("SELECT id FROM companies WHERE NOT is_us AND NOT archived ORDER BY id")][:n]


def _pptx(data: bytes) -> list[tuple[str, str]]:
    """(title, every text of the slide) per PowerPoint slide."""
    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        title = next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "")
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        for shape in slide.shapes:
            if getattr(shape, "has_chart", False):
                texts += [str(c) for plot in shape.chart.plots for c in plot.categories]
            if getattr(shape, "has_table", False):
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        out.append((title, "\n".join(texts)))
    return out


def _deck_export(store: Store, deck_id: int, lang: str, kind: str = "pptx") -> bytes:
    return export_bytes(build_export(store, deck_id, RenderContext(language=lang)), kind)


# ---- titles: automatic unless typed ------------------------------------------------------------


def test_stored_title_is_empty_when_it_is_only_the_default() -> None:
    assert decks.stored_title("  Market share  by segment ", "Market share by segment") == ""
    assert decks.stored_title("", "Market share by segment") == ""
    assert decks.stored_title("SWOT: Danubia Packaging", "SWOT: Danubia Packaging (us)") == ""  # our "(us)" mark aside
    assert decks.stored_title("Where we play", "Market share by segment") == "Where we play"


def _add_overview_slide(at, *, title: str | None = None) -> None:
    at.text_input(key="overview_share_deck_new_name").input("Board")
    if title is not None:
        next(w for w in at.text_input if str(w.key).startswith("overview_share_deck_title_")).input(title)
    at.button(key="overview_share_deck_submit").click().run()
    assert_clean(at)


def test_a_slide_added_in_english_is_drawn_in_serbian_on_screen_and_in_the_pptx(demo_copy: Path, monkeypatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="overview", lang="en")
    _add_overview_slide(at)  # the title left as the form fills it: the chart's English title
    store = Store.open(str(demo_copy))
    try:
        deck = decks.find_deck(store, "Board")
        (slide,) = decks.list_slides(store, deck.id)
        assert slide.title == ""  # automatic, not the English text of whoever added it
        serbian, english = t("overview.share.title", "sr"), t("overview.share.title", "en")
        assert render_slide(store, slide, RenderContext(language="sr")).title == serbian
        assert render_slide(store, slide, RenderContext(language="en")).title == english
        pages = _pptx(_deck_export(store, deck.id, "sr"))
        assert serbian in [title for title, _ in pages]
        assert not any(english in text for _, text in pages)
        assert f"## 1. {serbian}" in _deck_export(store, deck.id, "sr", "md").decode("utf-8")
    finally:
        store.close()
    # The Serbian session shows the Serbian title on the slide card and on the shared screen.
    at = run_app(demo_copy, monkeypatch, page="present", lang="sr")
    assert_clean(at)
    assert any(m.value.startswith(f"**1\\. {escape_markdown(serbian)}**") for m in at.markdown)
    at.button(key="present_start").click().run()
    assert_clean(at)
    assert f"# {escape_markdown(serbian)}" in [m.value for m in at.markdown]


def test_a_typed_title_is_kept_as_typed_in_every_language(demo_copy: Path, monkeypatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="overview", lang="en")
    _add_overview_slide(at, title="Where we play")
    store = Store.open(str(demo_copy))
    try:
        deck = decks.find_deck(store, "Board")
        (slide,) = decks.list_slides(store, deck.id)
        assert slide.title == "Where we play"
        assert render_slide(store, slide, RenderContext(language="sr")).title == "Where we play"
        assert "Where we play" in [title for title, _ in _pptx(_deck_export(store, deck.id, "sr"))]
    finally:
        store.close()


def test_titles_stored_as_the_old_defaults_are_drawn_as_automatic(demo: Store) -> None:
    """Before titles were automatic, "Add to deck" stored the page's default text in the adder's language."""
    us = demo.query_value("SELECT id FROM companies WHERE is_us")
    deck = decks.create_deck(demo, "ana", "Older deck")
    share = decks.add_view_slide(demo, "ana", deck.id, "overview.share", {"dimension": "industry"},
                                 title=t("overview.share.title", "en"))
    # The page's default named our company without the "(us)" mark the view's title has.
    board = decks.add_view_slide(demo, "ana", deck.id, "competitors.swot", {"company_id": us},
                                 title=t("swot.board.title", "en", company=US))
    heatmap = decks.add_view_slide(demo, "ana", deck.id, "competitors.heatmap", {}, title=t("swot.heatmap.title", "sr"))
    named = decks.add_view_slide(demo, "ana", deck.id, "compare.canvas", {"competitors": _rivals(demo)},
                                 title=t("present.view.compare.canvas", "en"))  # the view's short name
    sr, en = RenderContext(language="sr"), RenderContext(language="en")
    assert render_slide(demo, share, sr).title == t("overview.share.title", "sr")
    assert render_slide(demo, board, sr).title == t("swot.board.title", "sr", company=US + t("chart.us_suffix", "sr"))
    assert render_slide(demo, heatmap, en).title == t("swot.heatmap.title", "en")
    assert render_slide(demo, named, sr).title == t("compare.canvas.title", "sr")
    # A title of one's own that only starts like a default stays.
    own = decks.add_view_slide(demo, "ana", deck.id, "competitors.heatmap", {}, title="SWOT weight: our view")
    assert render_slide(demo, own, sr).title == "SWOT weight: our view"
    # A deleted view's slide is named by its view in the viewer's language, not by the adder's text.
    decks.add_view_slide(demo, "ana", deck.id, "competitors.swot", {"company_id": 99999}, title="")
    gone = decks.list_slides(demo, deck.id)[-1]
    content = render_slide(demo, gone, sr)
    assert content.missing and content.title == t("present.view.competitors.swot", "sr")


def test_the_deck_editor_shows_automatic_titles_and_clears_a_typed_one(demo_copy: Path, monkeypatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        deck = decks.create_deck(store, "ana", "Board")
        auto = decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "region"}, title="")
        typed = decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "industry"},
                                     title="Where we play")
    finally:
        store.close()
    serbian = t("overview.share.title", "sr")
    at = run_app(demo_copy, monkeypatch, page="present", lang="sr")
    at.button(key=f"present_edit_{auto.id}").click().run()
    field = at.text_input(key=f"present_slide_title_{auto.id}")
    assert field.value == ""  # automatic: nothing typed
    assert field.proto.placeholder == t("present.slide.title_automatic", "sr", title=serbian)
    at.button(key=f"present_edit_{typed.id}").click().run()
    field = at.text_input(key=f"present_slide_title_{typed.id}")
    assert field.value == "Where we play"
    field.input("")  # cleared: back to automatic
    at.button(key=f"present_slide_save_{typed.id}").click().run()
    assert_clean(at)
    store = Store.open(str(demo_copy))
    try:
        assert decks.get_slide(store, typed.id).title == ""
    finally:
        store.close()
    headings = [m.value for m in at.markdown if m.value.startswith("**2\\.")]
    assert headings and headings[0].startswith(f"**2\\. {escape_markdown(serbian)}**")


def test_typing_the_automatic_title_in_the_editor_keeps_it_automatic(demo_copy: Path, monkeypatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        deck = decks.create_deck(store, "ana", "Board")
        slide = decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "region"}, title="")
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="present", lang="en")
    at.button(key=f"present_edit_{slide.id}").click().run()
    at.text_input(key=f"present_slide_title_{slide.id}").input(t("overview.share.title", "en"))
    at.text_area(key=f"present_slide_notes_{slide.id}").input("Pause here")
    at.button(key=f"present_slide_save_{slide.id}").click().run()
    assert_clean(at)
    store = Store.open(str(demo_copy))
    try:
        saved = decks.get_slide(store, slide.id)
    finally:
        store.close()
    assert (saved.title, saved.notes) == ("", "Pause here")


# ---- domain values by their Serbian names ----------------------------------------------------


def test_serbian_slides_show_the_demo_values_by_their_serbian_names(demo: Store) -> None:
    sr = RenderContext(language="sr")
    rivals = _rivals(demo)
    deck = decks.create_deck(demo, "ana", "Serbian")

    def add(view: str, params: dict) -> decks.Slide:
        return decks.add_view_slide(demo, "ana", deck.id, view, params, title="")

    industry = render_slide(demo, add("overview.share", {"dimension": "industry"}), sr)
    assert "Храна и пиће" in industry.native.categories and "Food & beverage" not in industry.native.categories
    region = render_slide(demo, add("overview.share", {"dimension": "region"}), sr)
    assert set(region.native.categories) == {"Западни Балкан", "Југоисточна ЕУ", "Централна Европа"}
    prices = render_slide(demo, add("compare.price_index", {"competitors": rivals}), sr)
    assert "Кутије од валовитог картона" in prices.native.categories
    assert "Кутије од валовитог картона" in set(prices.table.iloc[:, 0])
    canvas = render_slide(demo, add("compare.canvas", {"competitors": rivals}), sr)
    assert "Брзина испоруке" in canvas.native.categories and "Delivery speed" not in canvas.native.categories
    matrix = render_slide(demo, add("compare.matrix", {"competitors": rivals}), sr)
    _, features = matrix.board.quadrants[0]
    assert "Испорука за 48 сати у Србији" in features
    cells = set(matrix.table.iloc[:, 3])  # yes/partial/no by their labels
    assert cells <= {t(f"compare.value.{v}", "sr") for v in ("yes", "partial", "no", "unknown")}
    card = render_slide(demo, add("competitors.battlecard", {"company_id": rivals[0]}), sr)
    assert "Кутије од валовитог картона" in set(card.table.iloc[:, 0])
    english = ("Food & beverage", "Western Balkans", "Corrugated boxes", "Delivery speed", "48-hour delivery in Serbia")
    pages = _pptx(_deck_export(demo, deck.id, "sr"))
    everything = "\n".join(text for _, text in pages)
    assert "Храна и пиће" in everything and "Кутије од валовитог картона" in everything
    assert not [word for word in english if word in everything]
    markdown = _deck_export(demo, deck.id, "sr", "md").decode("utf-8")
    assert "Брзина испоруке" in markdown and not [word for word in english if word in markdown]


def test_the_serbian_report_names_categories_and_industries_in_serbian(demo: Store) -> None:
    report = build_report(demo, "2026-10", RenderContext(language="sr"))
    text = "\n".join(s.content.text for s in report.slides)
    cells = "\n".join(s.content.table.to_csv() for s in report.slides if s.content.table is not None)
    assert "Храна и пиће" in text + cells and "Кутије од валовитог картона" in cells
    assert not [w for w in ("Food & beverage", "Corrugated boxes", "Protective packaging") if w in text + cells]
    # codes by their labels, money rounded for its size in the summaries
    items = next(s.content.table for s in report.slides if s.content.title == t("report.swot.items_title", "sr"))
    assert set(items[t("report.col.status", "sr")]) <= {t(f"report.status.{k}", "sr") for k in ("new", "changed", "stale")}
    accounts = next(s.content for s in report.slides if s.content.title == t("report.accounts.title", "sr"))
    assert re.search(r"добијених послова: \d+(,\d)?\s?мил\.\s?€\.", accounts.text), accounts.text  # not €1.295.200,00
    assert "None" not in cells and "nan" not in cells


def test_the_markdown_swot_board_keeps_the_stale_marks(demo: Store) -> None:
    us = demo.query_value("SELECT id FROM companies WHERE is_us")
    deck = decks.create_deck(demo, "ana", "SWOT")
    decks.add_view_slide(demo, "ana", deck.id, "competitors.swot", {"company_id": us}, title="")
    stale = demo.query_rows("SELECT s.statement, st.evidence_on FROM swot_items s JOIN swot_staleness st ON st.id = s.id "
                            "WHERE s.company_id = ? AND st.stale AND NOT s.archived AND NOT s.private ORDER BY s.id", [us])
    assert stale, "the demo's own board has stale items"
    for lang, mark in (("en", "stale, "), ("sr", "застарело, ")):
        markdown = _deck_export(demo, deck.id, lang, "md").decode("utf-8")
        statement = stale[0]["statement"]
        line = next(line for line in markdown.splitlines() if line.startswith("- ") and statement[:30] in line.replace("\\", ""))
        assert mark in line, line
        screen = render_slide(demo, decks.list_slides(demo, deck.id)[0], RenderContext(language=lang))
        assert sum(mark in line for _, lines in screen.board.quadrants for line in lines) == len(stale)


# ---- the monthly report's default month --------------------------------------------------------


def _months_before(month: str, n: int) -> str:
    day = parse_month(month).start
    for _ in range(n):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return f"{day:%Y-%m}"


@pytest.fixture
def old_data(demo_copy: Path) -> tuple[Path, str]:
    """The demo with its last three months of data removed: a workspace whose data ends months ago."""
    store = Store.open(str(demo_copy))
    try:
        cut = parse_month(_months_before(latest_data_month(store), 2)).start
        with store.transaction("test") as tx:
            tx.execute("DELETE FROM price_observations WHERE observed_at >= ?", [cut])
            tx.execute("DELETE FROM deals WHERE closed_on >= ?", [cut])
            tx.execute("UPDATE accounts SET first_contact = NULL WHERE first_contact >= ?", [cut])
            tx.execute("UPDATE swot_items SET observed_on = NULL WHERE observed_on >= ?", [cut])
        latest = latest_data_month(store)
    finally:
        store.close()
    assert latest == _months_before(f"{cut:%Y-%m}", 1) < last_month()
    return demo_copy, latest


def test_the_default_month_is_the_latest_month_with_data(demo: Store, store: Store) -> None:
    latest = latest_data_month(demo)
    assert latest is not None
    later = dt.date(2027, 5, 20)  # long after the demo's data ends
    assert default_month(later, store=demo) == latest
    assert default_month(later) == "2027-04"  # without the workspace: last calendar month
    # data reaching into this month: last month, the latest full one
    assert default_month(parse_month(latest).start + dt.timedelta(days=3), store=demo) == _months_before(latest, 1)
    # no data at all: last month, and the note says so
    assert latest_data_month(store) is None and default_month(later, store=store) == "2027-04"
    assert default_month_note(store, "2027-04", "en", later) == "No month has data yet; showing last month, April 2027."
    label = parse_month(latest).label("en")
    assert default_month_note(demo, latest, "en", later) == f"Showing {label}, the latest month with data."


def test_the_report_cli_defaults_to_the_latest_month_with_data(old_data, tmp_path: Path, capsys) -> None:
    db, latest = old_data
    out = tmp_path / "report.md"
    code = main(["report", "--db", str(db), "--out", str(out)])
    done = SimpleNamespace(code=code, **dict(zip(("out", "err"), capsys.readouterr())))
    assert done.code == 0, done.err
    label = parse_month(latest).label("en")
    assert done.out.splitlines() == [f"Showing {label}, the latest month with data.",
                                     f"Wrote the report for {label} to {out}."]
    text = out.read_text("utf-8")
    assert text.startswith(f"# Monthly report — {label}")
    assert "Prices moved" in text  # a month with data, not five empty sections
    code = main(["report", "--db", str(db), "--out", str(tmp_path / "sr.md"), "--lang", "sr"])
    assert code == 0 and capsys.readouterr().out.startswith(f"Приказује се {parse_month(latest).label('sr')}, ")


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_the_report_panel_opens_on_the_latest_month_with_data(old_data, monkeypatch, lang: str) -> None:
    db, latest = old_data
    at = run_app(db, monkeypatch, page="present", lang=lang)
    assert_clean(at)
    assert at.selectbox(key="present_report_month").value == latest
    note = t("report.latest_month", lang, month=parse_month(latest).label(lang))
    assert escape_markdown(note) in [c.value for c in at.caption]
    # another month chosen: no note
    at.selectbox(key="present_report_month").select(last_month()).run()
    assert escape_markdown(note) not in [c.value for c in at.caption]
