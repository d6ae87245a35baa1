"""Deck exports: the PPTX reopened with python-pptx, Markdown, PNG/SVG images, atomic writes, the `deck` CLI.

What the PPTX looks like once rendered (nothing cut or overflowing) is checked by
tests/test_present_render.py; the toolkit's parts by tests/test_pptx_toolkit.py.

Most checks run on a hand-built `ExportDeck` (every kind of slide, known values), so
they pin the exporters; the rest draw a real deck from the demo workspace with the
view registry and go through `build_export`, `export_deck` and the command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import stat
import zipfile
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Pt
from test_cli import assert_one_line_error

from research.cli import main
from research.errors import ValidationError, VantageError
from research.exports import write_atomically
from research.present import decks
from research.present.export import build_export, export_deck
from research.present.images import images_zip, slide_images
from research.present.markdown import markdown_text
from research.present.model import (
    Board,
    DecisionLine,
    ExportDeck,
    ExportSlide,
    NativeChart,
    RenderContext,
    Series,
    SlideContent,
)
from research.present.pptx import APPENDIX_MAX_PAGES, TABLE_MAX_PAGES, TITLE_SIZES, pptx_bytes
from research.segments import saved
from research.store import Store

GENERATED = dt.datetime(2026, 11, 28, 9, 0)
# The longest title a slide may have (decks.TITLE_MAX).
LONG_TITLE = ("Why our share of food and beverage accounts in the Western Balkans keeps slipping " * 4)[:300].strip()
LONG_TEXT = "Our delivery times beat every competitor's in Serbia, but price-sensitive buyers still leave. " * 60
SPEC = {
    "data": {"values": [{"company": "Us", "share": 0.4}, {"company": "Alpha", "share": 0.6}]},
    "mark": "bar",
    "encoding": {"x": {"field": "company", "type": "nominal"}, "y": {"field": "share", "type": "quantitative"}},
    "width": 600, "height": 300,
}
SHARE = pd.DataFrame(
    {"company": ["Us", "Alpha | Co", "=Beta"], "share": [0.41, 0.33, 0.26], "accounts": [410, 330, 260]}
)


def sample_deck(lang: str = "en") -> ExportDeck:
    """One slide of every kind, with known data."""
    column = NativeChart("column", ("Us", "Alpha | Co", "=Beta"), (Series("Share", (0.41, 0.33, 0.26), "#D9480F"),),
                         "Company", "Share of accounts", "0%")
    line = NativeChart("line", ("Jan", "Feb", "Mar"),
                       (Series("Us", (1.0, 2.0, 3.0), "#D9480F"), Series("Alpha", (2.0, 1.5, None), "#3F6E9E")),
                       "Month", "Price index")
    pie = NativeChart("pie", ("Us", "Alpha", "Beta"), (Series("Share", (0.5, 0.3, 0.2)),))
    scatter = NativeChart("scatter", ("Us", "Alpha"), (Series("Companies", (3.0, 4.0), "#D9480F", (1.0, 2.0)),),
                          "Price", "Quality")
    board = Board(
        (("Strengths", ("Fast delivery", "Own paper mill")), ("Weaknesses", ()),
         ("Opportunities", ("EU packaging rules",)), ("Threats", ("Нови конкурент у Нишу",))),
        ("#2F9E44", "#E03131", "#1971C2", "#F08C00"),
    )
    slides = (
        ExportSlide("title", SlideContent("Market review", text="Where we stand")),
        ExportSlide("view", SlideContent("Market share by company", subtitle="All regions, 2026", chart=SPEC,
                                         native=column, table=SHARE, source="accounts",
                                         as_of=dt.datetime(2026, 11, 1, 8, 0)), notes="Start with our share."),
        ExportSlide("view", SlideContent("Price trend", chart=SPEC, native=line,
                                         table=pd.DataFrame({"month": ["Jan", "Feb", "Mar"], "index": [1, 2, 3]}),
                                         source="price observations")),
        ExportSlide("view", SlideContent("Share split", chart=SPEC, native=pie, table=SHARE, source="accounts")),
        ExportSlide("view", SlideContent("Positioning", chart=SPEC, native=scatter, table=SHARE, source="prices")),
        ExportSlide("view", SlideContent("Radar as a picture", chart=SPEC, table=SHARE, source="capability scores")),
        ExportSlide("view", SlideContent("SWOT: Alpha", board=board, source="SWOT items")),
        ExportSlide("view", SlideContent("Top accounts", table=pd.concat([SHARE] * 10, ignore_index=True),
                                         source="accounts")),
        ExportSlide("view", SlideContent("Deleted competitor", text="Data no longer available", missing=True)),
        ExportSlide("text", SlideContent(LONG_TITLE, text=LONG_TEXT)),
    )
    decisions = (
        DecisionLine("decision", "Match Alpha's box price | from January", "Ana", "15 Dec 2026", "open", "Price trend",
                     "Alpha"),
        DecisionLine("action", "Call the top 20 accounts", "Марко", "", "done", "", ""),
    )
    return ExportDeck("Q4 review", "Demo", lang, GENERATED, slides, decisions, "For the management meeting")


def _open(data: bytes):  # noqa: ANN202
    return Presentation(io.BytesIO(data))


def _named(slide, name: str):  # noqa: ANN001, ANN202
    return [s for s in slide.shapes if s.name == name]


def _title(slide) -> str:  # noqa: ANN001
    return _named(slide, "Title")[0].text_frame.text


def _footnote(slide) -> str:  # noqa: ANN001
    return _named(slide, "Footnote")[0].text_frame.text


def _charts(slide):  # noqa: ANN001, ANN202
    return [s.chart for s in slide.shapes if s.has_chart]


@pytest.fixture(scope="module")
def english() -> tuple[ExportDeck, object]:
    deck = sample_deck()
    return deck, _open(pptx_bytes(deck))


# ---- the PPTX ---------------------------------------------------------------------------


def _titles(prs) -> list[str]:  # noqa: ANN001
    return [next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "") for slide in prs.slides]


def _slide(prs, title: str):  # noqa: ANN001, ANN202
    found = [slide for slide, t in zip(prs.slides, _titles(prs)) if t == title]
    assert found, f"no slide titled {title!r} in {_titles(prs)}"
    return found[0]


def test_opening_slide_then_the_slides_continued_where_long_then_the_decision_log(english) -> None:  # noqa: ANN001
    deck, prs = english
    slides = list(prs.slides)
    assert prs.slide_width == 12192000 and prs.slide_height == 6858000  # 16:9
    opening = slides[0]
    text = " ".join(s.text_frame.text for s in opening.shapes if s.has_text_frame)
    assert "Q4 review" in text and "For the management meeting" in text and "Workspace Demo · 28 Nov 2026" in text
    titles = _titles(prs)[1:]
    long_parts = [t for t in titles if t.startswith(LONG_TITLE[:40])]
    assert titles == [
        "Market review", "Market share by company", "Price trend", "Share split", "Positioning", "Radar as a picture",
        "SWOT: Alpha", "Top accounts (1 of 2)", "Top accounts (2 of 2)", "Deleted competitor", *long_parts,
        "Decision log",
    ]
    # The long text continues over slides rather than being cut: every part says which it is.
    assert len(long_parts) >= 2 and all(t.endswith(f"of {len(long_parts)})") for t in long_parts)
    assert not [t for t in titles if t.startswith("Appendix")], "no data appendix unless asked for"


def test_the_appendix_on_request_holds_the_data_behind_each_chart_then_the_decision_log() -> None:
    deck = dataclasses.replace(sample_deck(), appendix=True)
    prs = _open(pptx_bytes(deck))
    titles = _titles(prs)
    appendix = [t for t in titles if t.startswith("Appendix")]
    # One appendix per chart slide with data (5 charts: column, line, pie, scatter, picture), then the log.
    assert appendix == [
        "Appendix: data for Market share by company", "Appendix: data for Price trend",
        "Appendix: data for Share split", "Appendix: data for Positioning", "Appendix: data for Radar as a picture",
    ]
    assert titles.index(appendix[0]) > titles.index("Deleted competitor") and titles[-1] == "Decision log"
    for title in appendix:
        (table,) = [s for s in _slide(prs, title).shapes if s.has_table]  # one table per slide


def test_a_deck_without_decisions_and_without_appendix_ends_with_its_last_slide() -> None:
    deck = dataclasses.replace(sample_deck(), decisions=())
    assert _titles(_open(pptx_bytes(deck)))[-1] != "Decision log"
    with_appendix = dataclasses.replace(deck, appendix=True)
    log = _slide(_open(pptx_bytes(with_appendix)), "Decision log")
    assert "No decisions" in _named(log, "Text")[0].text_frame.text


def test_native_charts_have_the_right_type_series_values_and_colours(english) -> None:  # noqa: ANN001
    _, prs = english
    slides = list(prs.slides)
    (column,) = _charts(slides[2])
    assert _title(slides[2]) == "Market share by company"
    assert column.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    series = list(column.plots[0].series)
    assert [s.name for s in series] == ["Share"]
    assert list(series[0].values) == pytest.approx([0.41, 0.33, 0.26])
    assert list(column.plots[0].categories) == ["Us", "Alpha | Co", "'=Beta"]  # formula-looking label kept literal
    assert str(series[0].format.fill.fore_color.rgb) == "D9480F"
    assert not column.has_legend  # one series: the axis title says what it is
    assert column.value_axis.axis_title.text_frame.text == "Share of accounts"
    assert column.category_axis.axis_title.text_frame.text == "Company"
    assert column.font.size >= Pt(12) and column.font.name == "Arial"

    (line,) = _charts(slides[3])
    assert line.chart_type == XL_CHART_TYPE.LINE_MARKERS
    us, alpha = line.plots[0].series
    assert (us.name, alpha.name) == ("Us", "Alpha")
    assert list(alpha.values) == [2.0, 1.5, None]
    assert str(alpha.format.line.color.rgb) == "3F6E9E"
    assert line.has_legend  # two series: a legend names them

    (pie,) = _charts(slides[4])
    assert pie.chart_type == XL_CHART_TYPE.PIE and list(pie.plots[0].series[0].values) == [0.5, 0.3, 0.2]
    (scatter,) = _charts(slides[5])
    assert scatter.chart_type == XL_CHART_TYPE.XY_SCATTER
    assert list(scatter.plots[0].series[0].values) == [3.0, 4.0]


def test_a_chart_without_native_data_is_a_crisp_picture_that_keeps_its_aspect_ratio(english) -> None:  # noqa: ANN001
    _, prs = english
    slide = list(prs.slides)[6]
    assert not _charts(slide)
    (picture,) = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    blob = picture.image.blob
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    px_w, px_h = picture.image.size
    assert px_w >= 2 * 600  # rendered at 2×
    assert picture.width / picture.height == pytest.approx(px_w / px_h, rel=0.01)
    assert picture.left >= 0 and picture.left + picture.width <= prs.slide_width
    assert picture.top + picture.height <= Pt(6.8 * 72)  # above the footnote


def test_every_content_slide_has_a_source_footnote_and_notes(english) -> None:  # noqa: ANN001
    deck, prs = english
    slides = list(prs.slides)
    assert _footnote(slides[2]) == "Source: accounts · Workspace Demo · 1 Nov 2026"  # the data's as-of date
    assert _footnote(slides[3]) == "Source: price observations · Workspace Demo · 28 Nov 2026"
    assert _footnote(slides[1]) == "Workspace Demo · 28 Nov 2026"  # a title slide: no data source
    for slide in slides[1:]:
        assert _footnote(slide).startswith(("Source: ", "Workspace Demo"))
    notes = slides[2].notes_slide.notes_text_frame.text
    assert "Start with our share." in notes and "All regions, 2026" in notes and "Data as of" in notes


def test_swot_board_is_four_coloured_editable_quadrants(english) -> None:  # noqa: ANN001
    _, prs = english
    slide = list(prs.slides)[7]
    boxes = [s for s in slide.shapes if s.name.startswith("Board ")]
    assert [b.text_frame.paragraphs[0].text for b in boxes] == ["Strengths", "Weaknesses", "Opportunities", "Threats"]
    assert "• Fast delivery" in boxes[0].text_frame.text and "• Нови конкурент у Нишу" in boxes[3].text_frame.text
    assert "(none)" in boxes[1].text_frame.text
    assert str(boxes[0].line.color.rgb) == "2F9E44" and str(boxes[0].fill.fore_color.rgb) != "2F9E44"
    lefts, tops = sorted({b.left for b in boxes}), sorted({b.top for b in boxes})
    assert len(lefts) == 2 and len(tops) == 2  # a 2×2 grid


def test_a_table_continues_over_slides_with_its_rows_spread_evenly(english) -> None:  # noqa: ANN001
    _, prs = english
    parts = [_slide(prs, f"Top accounts ({n} of 2)") for n in (1, 2)]
    tables = [[s for s in part.shapes if s.has_table][0].table for part in parts]
    assert [len(t.rows) - 1 for t in tables] == [15, 15]  # 30 rows: 15 + 15, not 24 + 6
    assert [tables[0].cell(0, c).text for c in range(3)] == ["company", "share", "accounts"]  # header on every part
    assert [tables[1].cell(0, c).text for c in range(3)] == ["company", "share", "accounts"]
    assert tables[0].cell(1, 2).text == "410" and tables[1].cell(15, 0).text == "=Beta"
    assert not _named(parts[1], "Rows")


def test_a_very_long_table_stops_after_its_page_limit_and_says_how_many_rows_it_shows() -> None:
    rows = pd.DataFrame({"account": [f"Account {i}" for i in range(200)], "value": range(200)})
    deck = ExportDeck("D", "Demo", "en", GENERATED, (ExportSlide("view", SlideContent("All accounts", table=rows)),))
    prs = _open(pptx_bytes(deck))
    titles = _titles(prs)[1:]
    assert titles == [f"All accounts ({n} of {TABLE_MAX_PAGES})" for n in range(1, TABLE_MAX_PAGES + 1)]
    shown = sum(len([s for s in _slide(prs, t).shapes if s.has_table][0].table.rows) - 1 for t in titles)
    note = _named(_slide(prs, titles[-1]), "Rows")[0].text_frame.text
    assert note == f"First {shown} of 200 rows; export the data itself for the rest."


def test_a_slide_whose_data_is_gone_says_so(english) -> None:  # noqa: ANN001
    _, prs = english
    slide = _slide(prs, "Deleted competitor")
    assert _named(slide, "Missing")[0].text_frame.text == "Data no longer available"
    assert not _charts(slide) and not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_long_titles_shrink_and_long_texts_continue_without_losing_a_word(english) -> None:  # noqa: ANN001
    _, prs = english
    parts = [slide for slide, t in zip(prs.slides, _titles(prs)) if t.startswith(LONG_TITLE[:40])]
    title_run = _named(parts[0], "Title")[0].text_frame.paragraphs[0].runs[0]
    assert title_run.font.size < Pt(TITLE_SIZES[0])
    body = " ".join(_named(part, "Text")[0].text_frame.text for part in parts)
    assert "…" not in body and body.split() == LONG_TEXT.split()  # every word, in order, none cut
    sizes = {run.font.size for part in parts for p in _named(part, "Text")[0].text_frame.paragraphs for run in p.runs}
    assert min(sizes) >= Pt(16)  # continued rather than shrunk below a readable size
    short = list(prs.slides)[3]
    assert _named(short, "Title")[0].text_frame.paragraphs[0].runs[0].font.size == Pt(TITLE_SIZES[0])


def test_appendix_holds_the_data_and_the_decision_log() -> None:
    prs = _open(pptx_bytes(dataclasses.replace(sample_deck(), appendix=True)))
    slides = list(prs.slides)
    appendix = _slide(prs, "Appendix: data for Market share by company")
    (shape,) = [s for s in appendix.shapes if s.has_table]
    assert shape.table.cell(2, 0).text == "Alpha | Co" and shape.table.cell(3, 0).text == "=Beta"
    assert shape.table.cell(1, 1).text == "0.41"
    log = slides[-1]
    (shape,) = [s for s in log.shapes if s.has_table]
    table = shape.table
    header = [table.cell(0, c).text for c in range(len(table.columns))]
    assert header == ["Kind", "Decision or action", "Owner", "Due", "Status", "Slide", "About"]
    first = [table.cell(1, c).text for c in range(len(table.columns))]
    assert first == ["Decision", "Match Alpha's box price | from January", "Ana", "15 Dec 2026", "Open", "Price trend",
                     "Alpha"]
    assert [table.cell(2, c).text for c in (0, 2, 4)] == ["Action item", "Марко", "Done"]


def test_serbian_deck_is_cyrillic_with_an_explicit_font_on_every_run() -> None:
    data = pptx_bytes(sample_deck("sr"))
    prs = _open(data)
    slides = list(prs.slides)
    assert _footnote(slides[2]).startswith("Извор: accounts · Радни простор Demo · 1. 11. 2026.")
    assert _title(slides[-1]) == "Дневник одлука"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("ppt/slides/slide8.xml").decode("utf-8")
        assert "Нови конкурент у Нишу" in xml
        for name in archive.namelist():
            if name.startswith("ppt/slides/slide") and name.endswith(".xml"):
                root = ElementTree.fromstring(archive.read(name))
                ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
                for run in root.iter("{%s}r" % ns["a"]):
                    latin = run.find("a:rPr/a:latin", ns)
                    assert latin is not None and latin.get("typeface") == "Arial", name


def test_control_characters_never_break_the_file() -> None:
    deck = sample_deck()
    dirty = ExportSlide("text", SlideContent("Bell\x07 title", text="Form\x0cfeed"), notes="Null\x00 note")
    data = pptx_bytes(ExportDeck("D\x01eck", "Demo", "en", GENERATED, (dirty,), deck.decisions))
    slides = list(_open(data).slides)
    assert _title(slides[1]) == "Bell title" and slides[1].notes_slide.notes_text_frame.text == "Null note"


# ---- Markdown and images -------------------------------------------------------------------


def test_markdown_has_headings_tables_boards_footnotes_notes_and_the_log() -> None:
    text = markdown_text(sample_deck())
    assert text.startswith("# Q4 review\n")
    assert "## 2. Market share by company" in text and "*All regions, 2026*" in text
    assert "| Alpha \\| Co | 0.33 | 330 |" in text  # a pipe inside a cell does not split it
    assert "**Strengths**" in text and "- Fast delivery" in text and "- \\(none\\)" in text
    assert "*Source: accounts · Workspace Demo · 1 Nov 2026*" in text
    assert "> **Speaker notes**" in text and "> Start with our share." in text
    assert "**Data no longer available**" in text
    assert ("| Decision | Match Alpha's box price \\| from January | Ana | 15 Dec 2026 | Open | Price trend | Alpha |"
            in text)


def test_markdown_shows_workspace_text_literally() -> None:
    slide = ExportSlide("text", SlideContent("<script>alert(1)</script>", text="[click](javascript:x) **bold**"))
    text = markdown_text(ExportDeck("Deck", "Demo", "en", GENERATED, (slide,)))
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\\[click\\]\\(javascript:x\\) \\*\\*bold\\*\\*" in text


def test_images_one_png_per_slide_in_order_with_an_index(tmp_path: Path) -> None:
    deck = sample_deck("sr")
    files = slide_images(deck, "png")
    names = [n for n in files if n != "index.md"]
    assert names[0] == "01-Market-review.png" and names[6] == "07-SWOT-Alpha.png" and len(names) == len(deck.slides)
    for name in names:
        assert files[name][:8] == b"\x89PNG\r\n\x1a\n", name
    index = files["index.md"].decode("utf-8")
    assert "[Market share by company](02-Market-share-by-company.png)" in index and "Дневник одлука" in index


def test_svg_images_parse_and_zip_holds_them_all() -> None:
    deck = sample_deck()
    files = slide_images(deck, "svg")
    for name, data in files.items():
        if name.endswith(".svg"):
            assert ElementTree.fromstring(data).tag.endswith("svg"), name
    board_svg = files["07-SWOT-Alpha.svg"].decode("utf-8")
    assert "Strengths" in board_svg and "Fast delivery" in board_svg
    with zipfile.ZipFile(io.BytesIO(images_zip(deck, "svg"))) as archive:
        assert sorted(archive.namelist()) == sorted(files)


# ---- atomic writes ----------------------------------------------------------------------


def test_a_failed_write_keeps_the_earlier_file(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"the earlier export")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("research.exports.os.fsync", disk_full)  # a full disk cannot be staged for real
    with pytest.raises(VantageError, match="Cannot write .*deck.pptx: No space left on device"):
        write_atomically(target, b"the new export")
    assert target.read_bytes() == b"the earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx"]


# ---- a real deck from the demo workspace ---------------------------------------------------


@pytest.fixture
def real_deck(demo_copy: Path) -> tuple[str, int, int]:
    """A deck with a native chart, a board, a chart picture, a slide whose competitor is gone and a text slide."""
    store = Store.open(str(demo_copy))
    try:
        company = store.query_rows("SELECT id, name FROM companies WHERE NOT is_us ORDER BY id LIMIT 1")[0]
        deck = decks.create_deck(store, "ana", "Board review", "Quarterly market review")
        decks.add_text_slide(store, "ana", deck.id, kind="title", title="Q4 market review", body="Where we stand")
        share = decks.add_view_slide(store, "ana", deck.id, "overview.share", {"dimension": "industry"}, title="",
                                     notes="Our share first.")
        decks.add_view_slide(store, "ana", deck.id, "competitors.swot", {"company_id": company["id"]}, title="")
        decks.add_view_slide(store, "ana", deck.id, "compare.price_index", {}, title="Price index")
        decks.add_view_slide(store, "ana", deck.id, "competitors.swot", {"company_id": 987654}, title="Old rival")
        decks.add_text_slide(store, "ana", deck.id, title="Next steps", body="Call the top 20 accounts.")
        decks.add_decision(store, "ana", deck.id, "Match their box price", owner="Ana", due_date="2026-12-15",
                           slide_id=share.id, competitor_id=company["id"])
        segment = saved.save_rule_segment(store, "ana", name="Serbia", rule={"field": "country", "in": ["RS"]})
        decks.add_decision(store, "ana", deck.id, "Call the top accounts", kind="action", owner="Марко",
                           segment_id=segment.id)
        empty = decks.create_deck(store, "ana", "Empty one")
        return str(demo_copy), deck.id, empty.id
    finally:
        store.close()


def test_build_export_draws_every_slide_and_resolves_the_decision_log(real_deck) -> None:  # noqa: ANN001
    db, deck_id, _ = real_deck
    store = Store.open(db, read_only=True)
    try:
        company = store.query_value("SELECT name FROM companies WHERE NOT is_us ORDER BY id LIMIT 1")
        workspace = store.name
        deck = build_export(store, deck_id, RenderContext(language="sr", viewer="ana", today=dt.date(2026, 11, 28)))
    finally:
        store.close()
    assert deck.name == "Board review" and deck.workspace == workspace and deck.language == "sr"
    assert deck.generated_at.date() == dt.date(2026, 11, 28) and deck.subtitle == "Quarterly market review"
    kinds = [s.kind for s in deck.slides]
    assert kinds == ["title", "view", "view", "view", "view", "text"]
    share, swot, price, gone = (s.content for s in deck.slides[1:5])
    assert share.native is not None and share.table is not None and not share.missing
    assert swot.board is not None and price.chart is not None
    assert gone.missing and gone.title == "Old rival" and gone.text == "Подаци више нису доступни"
    assert deck.slides[1].notes == "Our share first."
    first, second = deck.decisions
    assert (first.kind, first.text, first.owner, first.due, first.status) == (
        "decision", "Match their box price", "Ana", "15. 12. 2026.", "open")
    assert first.slide == share.title and first.about == company
    assert (second.kind, second.owner, second.slide, second.about) == ("action", "Марко", "", "Serbia")


def test_export_deck_writes_every_format_but_nothing_for_an_empty_deck(real_deck, tmp_path: Path) -> None:  # noqa: ANN001
    db, deck_id, empty_id = real_deck
    store = Store.open(db, read_only=True)
    ctx = RenderContext(language="en", viewer="ana")
    try:
        pptx_path = export_deck(store, deck_id, tmp_path / "deck.pptx", ctx)
        prs = _open(pptx_path.read_bytes())
        slides = list(prs.slides)
        assert _title(slides[2]) == deck_title(slides[2])
        assert any(_charts(slides[2])), "the share chart is a native chart"
        assert [s for s in slides[4].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE], "price index as a picture"
        assert _named(slides[5], "Missing")[0].text_frame.text == "Data no longer available"
        assert _title(slides[-1]) == "Decision log"
        md = export_deck(store, deck_id, tmp_path / "deck.md", ctx).read_text("utf-8")
        assert md.startswith("# Board review") and "Match their box price" in md
        folder = export_deck(store, deck_id, tmp_path / "images", ctx, image_format="svg")
        assert len(list(folder.glob("*.svg"))) == 6 and (folder / "index.md").is_file()
        again = export_deck(store, deck_id, folder, ctx)  # an earlier image export may be replaced
        assert len(list(again.glob("*.png"))) == 6 and not list(again.glob("*.svg"))
        archive = export_deck(store, deck_id, tmp_path / "images.zip", ctx)
        with zipfile.ZipFile(archive) as z:
            assert len([n for n in z.namelist() if n.endswith(".png")]) == 6
        with pytest.raises(ValidationError, match="has no slides yet"):
            export_deck(store, empty_id, tmp_path / "empty.pptx", ctx)
        assert not (tmp_path / "empty.pptx").exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary files left"
        other = tmp_path / "mine"
        other.mkdir()
        (other / "thesis.docx").write_bytes(b"x")
        with pytest.raises(ValidationError, match="already holds other files"):
            export_deck(store, deck_id, other, ctx)
        assert sorted(p.name for p in other.iterdir()) == ["thesis.docx"]
        with pytest.raises(ValidationError, match="use a .pptx, .md or .zip"):
            export_deck(store, deck_id, tmp_path / "deck.docx", ctx)
        with pytest.raises(ValidationError, match="does not exist"):
            export_deck(store, deck_id, tmp_path / "nowhere" / "deck.pptx", ctx)
    finally:
        store.close()


def deck_title(slide) -> str:  # noqa: ANN001
    return _named(slide, "Title")[0].text_frame.text


def test_deck_cli_lists_shows_and_exports(real_deck, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    db, _, _ = real_deck

    def cli(*argv: str) -> SimpleNamespace:
        """`python -m research …` in this process (the same parser and error handling, without the start-up)."""
        code = main(list(argv))
        captured = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)

    listed = cli("deck", "list", "--db", db)
    assert listed.returncode == 0, listed.stderr
    board_line = next(line for line in listed.stdout.splitlines() if line.startswith("Board review"))
    assert board_line.split()[2:4] == ["6", "2"]  # slides, decisions
    as_json = json.loads(cli("deck", "list", "--db", db, "--json").stdout)
    assert {d["name"]: (d["slides"], d["decisions"]) for d in as_json} == {"Board review": (6, 2), "Empty one": (0, 0)}
    shown = cli("deck", "show", "board REVIEW", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "[competitors.swot] Old rival" in shown.stdout
    assert "action: Call the top accounts (Марко, open)" in shown.stdout
    out = tmp_path / "board.pptx"
    exported = cli("deck", "export", "Board review", "--db", db, "--out", str(out), "--lang", "sr")
    assert exported.returncode == 0, exported.stderr
    assert "Wrote “Board review” (6 slides) as PowerPoint deck" in exported.stdout
    assert _title(list(_open(out.read_bytes()).slides)[-1]) == "Дневник одлука"
    unknown = cli("deck", "export", "Nope", "--db", db, "--out", str(tmp_path / "x.pptx"))
    assert_one_line_error(unknown, 1, "No deck is called “Nope”. Decks: Board review, Empty one.")
    empty = cli("deck", "export", "Empty one", "--db", db, "--out", str(tmp_path / "e.pptx"))
    assert_one_line_error(empty, 1, "has no slides yet")
    assert not (tmp_path / "e.pptx").exists()
    blocked = cli("deck", "export", "Board review", "--db", db, "--out", "/proc/vantage-deck.pptx")
    assert_one_line_error(blocked, 1, "Cannot write /proc/vantage-deck.pptx")


def test_stacked_bars_keep_the_apps_top_down_order() -> None:
    shares = NativeChart("stacked_bar", ("Food", "Retail"),
                         (Series("Us", (0.6, 0.2), "#D9480F"), Series("Alpha", (0.4, 0.8), "#3F6E9E")),
                         "Industry", "Share of accounts", "0%")
    deck = ExportDeck("Shares", "Demo", "en", GENERATED,
                      (ExportSlide("view", SlideContent("Share by industry", native=shares, source="accounts")),))
    (chart,) = _charts(list(_open(pptx_bytes(deck)).slides)[1])
    assert chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    assert chart.category_axis.reverse_order  # PowerPoint draws bars bottom-up unless reversed
    assert [s.name for s in chart.plots[0].series] == ["Us", "Alpha"]
    assert list(chart.plots[0].series[1].values) == pytest.approx([0.4, 0.8])


def test_an_appendix_table_stops_after_its_page_limit() -> None:
    rows = pd.DataFrame({"segment": [f"Segment {i}" for i in range(300)], "share": [0.1] * 300})
    slide = ExportSlide("view", SlideContent("Share", chart=SPEC, table=rows, source="accounts"))
    prs = _open(pptx_bytes(ExportDeck("D", "Demo", "en", GENERATED, (slide,), appendix=True)))
    appendix = [t for t in _titles(prs) if t.startswith("Appendix")]
    assert len(appendix) == APPENDIX_MAX_PAGES and appendix[-1].endswith(f"({APPENDIX_MAX_PAGES} of {APPENDIX_MAX_PAGES})")
    assert "export the data itself for the rest" in _named(_slide(prs, appendix[-1]), "Rows")[0].text_frame.text


def test_footnote_and_subtitle_show_one_date() -> None:
    # A board drawn "as of" the export day whose newest evidence is older: the footnote says the subtitle's day.
    board = SlideContent("SWOT: Alpha", subtitle="14 items · 6 stale · as of 28 Nov 2026", source="SWOT items",
                         board=Board((("Strengths", ("Fast",)),)), as_of=dt.datetime(2026, 10, 31))
    chart = SlideContent("Share", chart=SPEC, source="accounts", as_of=dt.datetime(2026, 10, 31))
    deck = ExportDeck("D", "Demo", "en", GENERATED, (ExportSlide("view", board), ExportSlide("view", chart)))
    slides = list(_open(pptx_bytes(deck)).slides)
    assert _footnote(slides[1]) == "Source: SWOT items · Workspace Demo · 28 Nov 2026"
    assert _footnote(slides[2]) == "Source: accounts · Workspace Demo · 31 Oct 2026"  # no date in its subtitle


# ---- permissions: an export is a file for others too ------------------------------------------


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield 0o640, 0o750
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_exported_files_get_the_umasks_permissions_not_0600(real_deck, tmp_path: Path, umask_027) -> None:  # noqa: ANN001
    file_mode, folder_mode = umask_027
    db, deck_id, _ = real_deck
    store = Store.open(db, read_only=True)
    try:
        ctx = RenderContext(language="en", viewer="ana")
        for name in ("deck.pptx", "deck.md", "images.zip"):
            assert _mode(export_deck(store, deck_id, tmp_path / name, ctx)) == file_mode, name
        folder = export_deck(store, deck_id, tmp_path / "images", ctx, image_format="svg")
        assert _mode(folder) == folder_mode
        assert {_mode(p) for p in folder.iterdir()} == {file_mode}
    finally:
        store.close()
    kept = tmp_path / "shared.pptx"
    kept.write_bytes(b"x")
    kept.chmod(0o664)  # a file someone opened up for the team keeps its permissions when written again
    write_atomically(kept, b"new")
    assert _mode(kept) == 0o664 and kept.read_bytes() == b"new"


def test_deck_cli_exports_the_appendix_only_when_asked(real_deck, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    db, _, _ = real_deck
    plain, full = tmp_path / "plain.pptx", tmp_path / "full.pptx"
    assert main(["deck", "export", "Board review", "--db", db, "--out", str(plain)]) == 0
    assert main(["deck", "export", "Board review", "--db", db, "--out", str(full), "--appendix"]) == 0
    capsys.readouterr()
    assert not [t for t in _titles(_open(plain.read_bytes())) if t.startswith("Appendix")]
    assert [t for t in _titles(_open(full.read_bytes())) if t.startswith("Appendix")]


def test_the_present_pages_export_adds_the_appendix_only_when_ticked(real_deck, monkeypatch) -> None:  # noqa: ANN001
    from page_helpers import assert_clean, run_app

    from research.ui.present import DECK_PICK

    db, deck_id, _ = real_deck
    at = run_app(db, monkeypatch, page="present")
    at.selectbox(key=DECK_PICK).set_value(deck_id).run()
    at.segmented_control(key="present_section").set_value("export").run()
    assert_clean(at)
    at.button(key="present_prepare_pptx").click().run()
    at.checkbox(key="present_export_appendix").check().run()
    at.button(key="present_prepare_pptx").click().run()
    assert_clean(at)
    plain = at.session_state[f"present_export_{deck_id}_pptx"][1]
    full = at.session_state[f"present_export_{deck_id}_pptx_appendix"][1]
    assert not [t for t in _titles(_open(plain)) if t.startswith("Appendix")]
    assert [t for t in _titles(_open(full)) if t.startswith("Appendix")]
