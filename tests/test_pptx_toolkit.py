"""The one PPTX toolkit (research.present.pptx, .pptx_text, .pptx_tables, .pptx_charts): its parts on
known input, then the slides the issue named drawn from the demo workspace — the feature matrix as a
native table with our column first and our edges marked, the positioning map with bubble sizes, the
SWOT board with its stale marks, the sizing chart and the battlecard in the workspace's colour.

Rendering (nothing overflowing or cut in LibreOffice) is tests/test_present_render.py's job."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from research.charts.theme import US_COLOR
from research.compare import data as compare_data
from research.compare.views import positioning_frame, set_highlight_color
from research.competitors import battlecard, exports, profiles, swot
from research.present import pptx, pptx_charts, pptx_tables, views
from research.present.model import ExportDeck, ExportSlide, NativeChart, RenderContext, Series, SlideContent
from research.present.pptx_tables import CellStyle, Grid
from research.present.views_compare import chosen_companies
from research.present.pptx_text import Para, fits, split, text_width, wrap
from research.segments import saved
from research.store import Store

GENERATED = dt.datetime(2026, 11, 28, 9, 0)
TODAY = dt.date(2026, 11, 28)
PURPLE = "#7048E8"  # a workspace highlight that is not the theme's


def _open(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def _deck(*contents: SlideContent, highlight: str | None = None) -> Any:
    deck = ExportDeck("D", "Demo", "en", GENERATED, tuple(ExportSlide("view", c) for c in contents), highlight=highlight)
    return _open(pptx.pptx_bytes(deck))


# ---- text -------------------------------------------------------------------------------------


def test_lines_break_between_words_and_only_an_overlong_word_inside() -> None:
    lines = wrap("advantage over every competitor in Serbia", 14, text_width("advantage over", 14) + 1)
    assert lines == ["advantage over", "every", "competitor in", "Serbia"]
    assert wrap("Супердугачкаречбезразмака", 14, 60)[0] != "Супердугачкаречбезразмака"  # too wide: broken


def test_split_keeps_the_heading_and_whole_items_and_moves_the_rest_on() -> None:
    heading = Para("Strengths", bold=True)
    items = [Para(f"Item {i} with a few words") for i in range(30)]
    width, height = Inches(4), Inches(2)
    taken, rest = split([heading, *items], width, height, 14, keep=1)
    assert taken[0] == heading and taken[1:] == items[: len(taken) - 1] and rest == items[len(taken) - 1:]
    assert fits(taken, width, height, 14) and not fits([*taken, rest[0]], width, height, 14)


def test_boxes_flow_onto_continuation_slides_with_nothing_lost() -> None:
    items = tuple(Para(f"• Item {i}: a line long enough to wrap once in a quarter of the slide") for i in range(30))
    boxes = [pptx.Box(*rect, heading=Para(f"Q{i}", bold=True), items=items if i == 0 else items[:2])
             for i, rect in enumerate(pptx.grid_boxes(4, Inches(1.5), Inches(6.8)))]
    laid = pptx.flow(boxes, (14,), lambda n: pptx.grid_boxes(n, Inches(1.5), Inches(6.8)))
    assert len(laid.pages) >= 2
    shown = [p for page in laid.pages for box, paras in page if box.heading.text == "Q0" for p in paras]
    assert shown == list(items)  # every item once, in order
    assert [box.heading.text for box, _ in laid.pages[1]] == ["Q0"]  # only what continues is drawn again
    assert laid.pages[1][0][0].width > boxes[0].width  # …over the whole area


# ---- tables -----------------------------------------------------------------------------------


def test_columns_are_never_narrower_than_their_widest_header_word_and_prose_reads_as_lines() -> None:
    note = "Our delivery times beat every competitor's in Serbia, but price-sensitive buyers still leave."
    grid = Grid.plain(["Feature", "Competitive advantage", "Confidence", "Note"],
                      [["Same-day dispatch", "yes", "high", note]] * 5)
    lay = pptx_tables.layout(grid, pptx.CONTENT_W)
    for header, width in zip(lay.header, lay.widths):
        widest = max(text_width(w, lay.size, bold=True) for w in header.split())
        assert widest <= Emu(width).pt - 2 * Emu(pptx_tables.CELL_MARGIN_W).pt, header
    assert lay.header == tuple(grid.header)  # nothing had to be abbreviated
    assert lay.widths[3] >= Pt(pptx_tables.PROSE_EMS * lay.size)  # the note column: whole lines, not words
    assert sum(lay.widths) == pptx.CONTENT_W


def test_headers_too_wide_at_the_smallest_size_are_abbreviated_never_broken() -> None:
    header = [f"Competitiveness{i}" for i in range(12)]
    grid = Grid.plain(header, [["x"] * 12])
    lay = pptx_tables.layout(grid, Inches(5))
    assert lay.size == pptx_tables.TABLE_SIZES[-1]
    assert all(h.endswith(".") and full.startswith(h[:-1]) for h, full in zip(lay.header, header))
    for name, width in zip(lay.header, lay.widths):
        inner = (Emu(width).pt - 2 * Emu(pptx_tables.CELL_MARGIN_W).pt) * 0.96
        assert len(wrap(name, lay.size, inner, bold=True)) == 1, name


def test_rows_are_spread_evenly_and_a_group_heading_never_ends_a_page() -> None:
    rows = []
    groups = set()
    for g in range(4):
        groups.add(len(rows))
        rows.append((f"Group {g}", ""))
        rows += [(f"Feature {g}.{i}", "yes") for i in range(9)]
    grid = Grid(("Feature", "Us"), tuple(rows), group_rows=frozenset(groups))
    lay = pptx_tables.layout(grid, pptx.CONTENT_W)
    pages = pptx_tables.paginate(grid, lay, Inches(4.5))
    assert len(pages) >= 2 and max(map(len, pages)) - min(map(len, pages)) <= 3
    assert all(page[-1] not in groups for page in pages)
    assert [i for page in pages for i in page] == list(range(len(rows)))
    assert all(pptx_tables.table_height(grid, lay, page) <= Inches(4.5) for page in pages)


def test_a_long_table_takes_fewer_slides_at_a_smaller_readable_size() -> None:
    grid = Grid.plain(["company", "share"], [["Alpha", "0.33"]] * 30)
    lay, pages = pptx_tables.fewest_pages(grid, pptx.CONTENT_W, Inches(5.4))
    assert len(pages) == 2 and lay.size < pptx_tables.TABLE_SIZES[0]


def test_marked_cells_get_solid_or_dashed_borders_and_empty_cells_keep_the_rows_size() -> None:
    grid = Grid(("Feature", "Us", "Alpha"), (("Dispatch", "yes", "no"), ("Portal", "", "yes")),
                styles={(0, 2): CellStyle(border=pptx.rgb_color(PURPLE), border_pt=3, bold=True),
                        (1, 2): CellStyle(border=pptx.GAP_BORDER, dashed=True)})
    prs = pptx.new_presentation()
    slide = pptx.blank_slide(prs)
    lay = pptx_tables.layout(grid, Inches(6))
    table = pptx_tables.draw(slide, grid, lay, [0, 1], Inches(1), Inches(1)).table
    advantage, gap = table.cell(1, 2)._tc.tcPr, table.cell(2, 2)._tc.tcPr
    assert [e.tag for e in advantage][:4] == [qn(t) for t in ("a:lnL", "a:lnR", "a:lnT", "a:lnB")]
    assert advantage.find(qn("a:lnL")).find(qn("a:solidFill"))[0].get("val") == PURPLE[1:]
    assert advantage.find(qn("a:lnB")).find(qn("a:prstDash")).get("val") == "solid"
    assert gap.find(qn("a:lnT")).find(qn("a:prstDash")).get("val") == "dash"
    assert table.cell(1, 2).text_frame.paragraphs[0].runs[0].font.bold
    empty = table.cell(2, 1).text_frame.paragraphs[0].runs[0]
    assert empty.font.size == Pt(lay.size)  # an empty cell still says its size (LibreOffice: 18 pt otherwise)


# ---- charts ------------------------------------------------------------------------------------


SIZING_SPEC = {"layer": [{"encoding": {"color": {"field": "colour", "scale": None, "type": "nominal"}}}],
               "data": {"values": [{"stage": "TAM", "colour": "#93A1AD"}, {"stage": "SAM", "colour": "#5D6D7E"},
                                   {"stage": "SOM", "colour": US_COLOR}]}}
BUBBLE_SPEC = {"layer": [{"mark": "circle", "data": {"name": "d"}, "encoding": {
    "size": {"field": "size", "scale": {"domain": [0, 0.4], "range": [250.0, 3200.0]}},
    "x": {"field": "x", "scale": {"domain": [80.6, 159.0], "zero": False}},
    "y": {"field": "y", "scale": {"domain": [2.275, 3.85], "zero": False}}}}],
    "datasets": {"d": [{"company_label": "Us", "size": 0.4, "x": 100, "y": 3.6},
                       {"company_label": "Alpha", "size": 0.0, "x": 125, "y": 3.1}]}}


def test_the_screen_spec_gives_category_colours_bubble_areas_and_axis_ranges() -> None:
    assert pptx_charts.category_colours(SIZING_SPEC) == {"TAM": "#93A1AD", "SAM": "#5D6D7E", "SOM": US_COLOR}
    areas = pptx_charts.bubble_areas(BUBBLE_SPEC, ("Us", "Alpha"))
    assert areas == {"Us": pytest.approx(3200.0), "Alpha": pytest.approx(250.0)}  # the smallest still shows
    assert pptx_charts.axis_domains(BUBBLE_SPEC) == {"x": (80.6, 159.0), "y": (2.275, 3.85)}
    assert pptx_charts.bubble_areas(SIZING_SPEC, ("TAM",)) == {}


def test_our_colour_on_every_chart_is_the_workspaces() -> None:
    bars = NativeChart("bar", ("TAM", "SAM", "SOM"), (Series("Value", (3.0, 2.0, 1.0), "#5D6D7E"),))
    lines = NativeChart("line", ("Jan", "Feb"), (Series("Us", (1.0, 2.0), US_COLOR), Series("Alpha", (2.0, 1.0))))
    prs = _deck(SlideContent("Sizing", chart=SIZING_SPEC, native=bars), SlideContent("Trend", native=lines),
                highlight=PURPLE)
    (sizing,) = [s.chart for s in prs.slides[1].shapes if s.has_chart]
    points = sizing.plots[0].series[0].points
    assert [str(points[i].format.fill.fore_color.rgb) for i in range(3)] == ["93A1AD", "5D6D7E", PURPLE[1:]]
    (trend,) = [s.chart for s in prs.slides[2].shapes if s.has_chart]
    assert str(trend.plots[0].series[0].format.line.color.rgb) == PURPLE[1:]  # the theme's orange became ours
    assert pptx_charts.recoloured({"mark": {"color": US_COLOR}}, PURPLE) == {"mark": {"color": PURPLE}}


def test_a_scatter_whose_screen_sizes_its_points_is_a_bubble_chart() -> None:
    native = NativeChart("scatter", ("Us", "Alpha"), (Series("Us", (3.6,), US_COLOR, (100.0,)),
                                                      Series("Alpha", (3.1,), "#3F6E9E", (125.0,))))
    prs = _deck(SlideContent("Positioning", chart=BUBBLE_SPEC, native=native))
    (chart,) = [s.chart for s in prs.slides[1].shapes if s.has_chart]
    assert chart.chart_type == XL_CHART_TYPE.BUBBLE
    sizes = [float(v) for v in chart._chartSpace.xpath(".//c:bubbleSize//c:v/text()")]
    assert sizes == pytest.approx([3200.0, 250.0])
    assert [s.name for s in chart.plots[0].series] == ["Us", "Alpha"]
    assert str(chart.plots[0].series[0].format.fill.fore_color.rgb) == US_COLOR[1:]
    assert chart.category_axis.minimum_scale == 80 and chart.value_axis.maximum_scale == 4.0  # round ticks around it


# ---- the slides the issue named, drawn from the demo workspace ---------------------------------


@pytest.fixture
def ws(demo_copy: Path):
    store = Store.open(str(demo_copy))
    saved.save_rule_segment(store, "ana", name="Balkan", rule={"field": "region", "in": ["Western Balkans"]})
    set_highlight_color(store, "ana", PURPLE)
    yield store
    store.close()


def _rivals(store: Store) -> list[int]:
    return [c.id for c in compare_data.companies(store) if not c.is_us]


def _export(store: Store, view: str, params: dict[str, Any], lang: str = "en") -> tuple[SlideContent, Any]:
    content = views.VIEWS[view].render(store, params, RenderContext(language=lang, viewer="ana", today=TODAY))
    deck = ExportDeck("D", store.name, lang, GENERATED, (ExportSlide("view", content),), highlight=PURPLE)
    return content, _open(pptx.pptx_bytes(deck))


def test_the_feature_matrix_is_a_native_table_our_column_first_edges_marked_continued_not_cut(ws: Store) -> None:
    content, prs = _export(ws, "compare.matrix", {"competitors": _rivals(ws)[:3], "focus": _rivals(ws)[0]})
    slides = list(prs.slides)[1:]
    tables = [s.table for slide in slides for s in slide.shapes if s.has_table]
    assert len(tables) == len(slides) >= 1 and not [s for sl in slides for s in sl.shapes if s.name.startswith("Board")]
    header = [tables[0].cell(0, c).text for c in range(len(tables[0].columns))]
    us = header[1]
    assert us.endswith("(us)") and header[0] == "Feature"
    assert str(tables[0].cell(0, 1).text_frame.paragraphs[0].runs[0].font.color.rgb) == PURPLE[1:]
    features = content.board.quadrants[0][1]
    shown = [t.cell(r, 0).text for t in tables for r in range(1, len(t.rows))]
    assert [f for f in shown if f in features] == list(features)  # all 20, in order, over the slides
    rows = [r for r in pptx_charts.spec_rows(content.chart) if {"feature", "edge"} <= set(r)]
    advantage = next(r for r in rows if r["edge"] == "advantage")
    gap = next(r for r in rows if r["edge"] == "gap")

    def cell(row: dict[str, Any]) -> Any:
        for t in tables:
            cols = [t.cell(0, c).text for c in range(len(t.columns))]
            for r in range(1, len(t.rows)):
                if t.cell(r, 0).text == row["feature"]:
                    return t.cell(r, cols.index(row["company_label"]))
        raise AssertionError(row)

    line = cell(advantage)._tc.tcPr.find(qn("a:lnL"))
    assert line.find(qn("a:solidFill"))[0].get("val") == PURPLE[1:] and line.find(qn("a:prstDash")).get("val") == "solid"
    assert cell(gap)._tc.tcPr.find(qn("a:lnL")).find(qn("a:prstDash")).get("val") == "dash"
    assert cell(advantage).text == advantage["value_label"]


def test_the_positioning_map_has_bubbles_sized_and_coloured_as_on_screen(ws: Store) -> None:
    params = {"competitors": _rivals(ws)[:4], "x": "price_index", "y": "capability_avg", "size": "share"}
    content, prs = _export(ws, "compare.positioning", params)
    (chart,) = [s.chart for s in prs.slides[1].shapes if s.has_chart]
    assert chart.chart_type == XL_CHART_TYPE.BUBBLE
    names = [s.name for s in chart.plots[0].series]
    assert names == [s.name for s in content.native.series] and names[0].endswith("(us)")
    assert str(chart.plots[0].series[0].format.fill.fore_color.rgb) == PURPLE[1:]
    areas = [float(v) for v in chart._chartSpace.xpath(".//c:bubbleSize//c:v/text()")]
    chosen, _ = chosen_companies(ws, params)
    share = positioning_frame(ws, chosen).set_index("company")["share"]
    by_share = sorted(share.index, key=lambda name: share[name])
    by_area = [name for _, name in sorted(zip(areas, names))]
    assert [n.removesuffix(" (us)") for n in by_area] == by_share  # bigger share, bigger bubble


def test_the_swot_slide_keeps_the_stale_marks_of_the_board(ws: Store) -> None:
    rival = _rivals(ws)[0]
    content, prs = _export(ws, "competitors.swot", {"company_id": rival})
    stale = [i for i in swot.list_items(ws, rival, today=TODAY) if i.stale]
    assert stale
    text = "\n".join(s.text_frame.text for s in prs.slides[1].shapes if s.name.startswith("Board"))
    for item in stale:
        assert f"{item.statement}  (stale, {item.evidence_on:%-d %b %Y})".replace("  ", " ") in text.replace("  ", " ")
    runs = [r for s in prs.slides[1].shapes if s.name.startswith("Board") for p in s.text_frame.paragraphs
            for r in p.runs if "(stale," in r.text]
    assert runs and all(str(r.font.color.rgb) == "52606D" for r in runs)  # grey, as on screen
    footnote = [s.text_frame.text for s in prs.slides[1].shapes if s.name == "Footnote"][0]
    assert footnote.endswith("28 Nov 2026") and "28 Nov 2026" in content.subtitle  # one date on the slide


def test_the_sizing_slide_draws_som_in_our_colour(ws: Store) -> None:
    segment = saved.list_segments(ws)[0].id
    params = {"segment": segment, "acv": 25000.0, "sam_share": 0.5, "som_share": 0.1, "sensitivity": 0.2}
    _, prs = _export(ws, "segments.sizing", params)
    (chart,) = [s.chart for s in prs.slides[1].shapes if s.has_chart]
    som = chart.plots[0].series[0].points[2]
    assert list(chart.plots[0].categories)[2] == "SOM" and str(som.format.fill.fore_color.rgb) == PURPLE[1:]


def test_the_battlecard_file_uses_the_toolkit_and_the_workspace_colour(ws: Store) -> None:
    rival = profiles.find_company(ws, "Kartonaža Sava")
    card = battlecard.build_battlecard(ws, rival.id, today=TODAY)
    assert card.highlight == PURPLE
    prs = _open(exports.battlecard_pptx(card, "en"))
    assert len(prs.slides) == 1
    (win,) = [s for s in prs.slides[0].shapes if s.name == "win"]
    heading = win.text_frame.paragraphs[0].runs[0]
    assert heading.text == "Why we win" and str(heading.font.color.rgb) == PURPLE[1:]
    assert all(r.font.size >= Pt(11) for s in prs.slides[0].shapes if s.has_text_frame
               for p in s.text_frame.paragraphs for r in p.runs)
    sizes = {r.font.name for s in prs.slides[0].shapes if s.has_text_frame for p in s.text_frame.paragraphs
             for r in p.runs}
    assert sizes == {"Arial"}


def test_a_battlecard_too_long_for_one_slide_is_shortened_with_and_n_more(ws: Store) -> None:
    rival = profiles.find_company(ws, "Kartonaža Sava")
    card = battlecard.build_battlecard(ws, rival.id, today=TODAY)
    long = dataclasses.replace(card, freshest=card.freshest * 4)  # 20 pieces of evidence
    prs = _open(exports.battlecard_pptx(long, "en"))
    assert len(prs.slides) == 1
    (fresh,) = [s for s in prs.slides[0].shapes if s.name == "freshest"]
    assert fresh.text_frame.paragraphs[-1].text.startswith("… and ") and "…" not in fresh.text_frame.text[:-30]


def test_the_board_file_marks_stale_items_and_continues_rather_than_cuts() -> None:
    items = [swot.SwotItem(**{**_item(i, q), "stale": i % 3 == 0}) for q in "SWOT" for i in range(12)]
    data = exports.board_pptx(_company(), items, "en", today=TODAY)
    prs = _open(data)
    text = "\n".join(s.text_frame.text for slide in prs.slides for s in slide.shapes if s.has_text_frame)
    assert "…" not in text and all(i.statement in text for i in items)
    assert "(stale, 1 Mar 2026)" in text
    assert len(prs.slides) > 1 and "(1 of" in text


def _company() -> Any:
    fields = {f.name: None for f in dataclasses.fields(profiles.Company)}
    return profiles.Company(**{**fields, "id": 1, "name": "Alpha", "is_us": False, "archived": False,
                               "segments": (), "channels": (), "key_customers": ()})


def _item(i: int, quadrant: str) -> dict[str, Any]:
    fields = {f.name: None for f in dataclasses.fields(swot.SwotItem)}
    return {**fields, "id": i, "quadrant": quadrant, "label": f"{quadrant}{i + 1}", "impact": 3, "position": i,
            "statement": f"Statement {quadrant}{i}: a finding long enough to take most of a line on a board",
            "evidence_on": dt.date(2026, 3, 1), "tags": (), "private": False}
