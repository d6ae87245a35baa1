"""The rendering check: exported PPTX files drawn by LibreOffice, compared word by word with their shapes.

Each file is converted to PDF once, with LibreOffice headless (Debian's libreoffice-impress);
`pdftotext -bbox-layout` (poppler-utils) gives every rendered word's box. Every shape of every
slide is known from the PPTX itself (python-pptx), so on every page:
- every rendered word lies inside a shape (a text box, a table cell, a chart): nothing ran
  out of the box it was put in;
- the words inside each text box and table cell are exactly its text — no word missing
  (text cut, or pushed out by a row that grew) and none extra (another box's overflow);
- no text box ends a paragraph with "…": nothing was shortened to fit;
- a table's header words are rendered whole (never "advantag e");
- the title stays in its band and nothing but the footnote sits below the content area;
and every file has exactly the slides planned (one PDF page each): a deck of N slides is
the opening slide, N slides and the continuations the content needs, no data appendix
unless asked for. The files: a stress deck (Serbian, very long titles, boards, a wide table),
a Serbian deck drawn from the demo workspace with every slide kind, last-but-one month's
report with its appendix, a battlecard and a SWOT board — and a deliberately broken file, to
prove the check catches an overflowing box, a cut text and a header broken inside a word.

Without soffice or pdftotext the test is skipped, unless VANTAGE_REQUIRE_BROWSER=1
(as in CI, which installs both) turns the skip into a failure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches, Pt
from test_present_export import LONG_TEXT, sample_deck

from research.competitors import battlecard, exports, profiles, swot, tows
from research.compare import data as compare_data
from research.present import decks
from research.present.export import build_export
from research.present.model import Board, ExportDeck, ExportSlide, RenderContext, SlideContent
from research.present.pptx import APPENDIX_MAX_PAGES, FOOT_TOP, SUBTITLE_TOP, pptx_bytes
from research.present.report import build_report
from research.segments import attractiveness, saved
from research.store import Store

EMU_PER_PT = 12700
TOLERANCE = 1.5  # points: a glyph's box may stick out of its shape by this much
TODAY = dt.date(2026, 11, 28)
REPORT_MONTH = "2026-10"  # the demo's last full month of prices, deals and SWOT evidence
# Deck slides that need more than one PPTX slide in the demo deck, and how many.
CONTINUED = {"compare.matrix": 2, "competitors.battlecard": 2}


# ---- rendering ------------------------------------------------------------------------------


def _tools() -> tuple[str, str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    missing = [name for name, path in (("LibreOffice (soffice)", soffice), ("poppler-utils (pdftotext)", pdftotext))
               if path is None]
    if missing:
        message = ("the rendering check needs " + " and ".join(missing)
                   + ": apt-get install -y --no-install-recommends libreoffice-impress poppler-utils")
        if os.environ.get("VANTAGE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return soffice, pdftotext  # type: ignore[return-value]


def _to_pdf(soffice: str, files: list[Path], out: Path) -> None:
    """One LibreOffice run for all files, with a private profile (parallel runs must not share one)."""
    profile = out / "lo-profile"
    env = {**os.environ, "HOME": str(out / "home")}
    subprocess.run(
        [soffice, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=300, env=env,
    )


@dataclasses.dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


@dataclasses.dataclass
class Page:
    width: float
    height: float
    words: list[Word]


def _pages(pdftotext: str, pdf: Path) -> list[Page]:
    xhtml = subprocess.run([pdftotext, "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                           timeout=120).stdout
    root = ElementTree.fromstring(xhtml)
    pages = []
    for page in root.iter():
        if not page.tag.endswith("}page"):
            continue
        words = [
            Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
            for w in page.iter() if w.tag.endswith("}word")
        ]
        pages.append(Page(float(page.get("width")), float(page.get("height")), words))
    return pages


# ---- what each slide should show ---------------------------------------------------------------


@dataclasses.dataclass
class Area:
    """A shape (or table cell) in PDF points, and the text it holds ("" for a chart or picture)."""

    name: str
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    kind: str  # "text" | "cell" | "header" | "chart" | "picture"
    paragraphs: tuple[str, ...] = ()

    def holds(self, word: Word, tolerance: float = TOLERANCE) -> bool:
        return (self.x0 - tolerance <= word.x0 and word.x1 <= self.x1 + tolerance
                and self.y0 - tolerance <= word.y0 and word.y1 <= self.y1 + tolerance)

    def centred(self, word: Word) -> bool:
        x, y = word.centre
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def _areas(slide: Any, scale: float) -> list[Area]:
    def pt(emu: int) -> float:
        return emu / EMU_PER_PT * scale

    areas = []
    for shape in slide.shapes:
        x0, y0 = pt(shape.left), pt(shape.top)
        x1, y1 = x0 + pt(shape.width), y0 + pt(shape.height)
        if shape.has_chart:
            areas.append(Area(shape.name, x0, y0, x1, y1, "", "chart"))
        elif shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
            areas.append(Area(shape.name, x0, y0, x1, y1, "", "picture"))
        elif shape.has_table:
            table = shape.table
            lefts = [x0]
            for column in table.columns:
                lefts.append(lefts[-1] + pt(column.width))
            tops = [y0]
            for row in table.rows:
                tops.append(tops[-1] + pt(row.height))
            for r in range(len(table.rows)):
                for c in range(len(table.columns)):
                    cell = table.cell(r, c)
                    if cell.is_spanned:
                        continue
                    span_w, span_h = (cell.span_width, cell.span_height) if cell.is_merge_origin else (1, 1)
                    areas.append(Area(f"{shape.name} cell {r},{c}", lefts[c], tops[r], lefts[c + span_w],
                                      tops[r + span_h], cell.text, "header" if r == 0 else "cell",
                                      tuple(p.text for p in cell.text_frame.paragraphs)))
        elif shape.has_text_frame and shape.text_frame.text.strip():
            frame = shape.text_frame
            areas.append(Area(shape.name, x0, y0, x1, y1, frame.text, "text", tuple(p.text for p in frame.paragraphs)))
    return areas


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def problems(name: str, prs: Any, pages: list[Page]) -> list[str]:
    """Everything wrong with one rendered file, as readable lines ([] when all is well)."""
    found = []
    if len(pages) != len(prs.slides):
        found.append(f"{name}: {len(prs.slides)} slides rendered as {len(pages)} pages")
    for number, (slide, page) in enumerate(zip(prs.slides, pages), start=1):
        where = f"{name} slide {number}"
        scale = page.height / (prs.slide_height / EMU_PER_PT)
        areas = _areas(slide, scale)
        outside = [w.text for w in page.words if not any(a.holds(w) for a in areas)]
        if outside:
            found.append(f"{where}: text outside every box (overflow): {' '.join(outside[:12])!r}")
        for area in areas:
            if area.kind in ("chart", "picture"):
                continue
            cut = [p for p in area.paragraphs if p.rstrip().endswith("…")]
            if cut:
                found.append(f"{where}: {area.name} is cut with an ellipsis: {cut[0][-60:]!r}")
            rendered = [w for w in page.words if area.centred(w)]
            expected, got = Counter(_norm(area.text)), Counter(_norm("".join(w.text for w in rendered)))
            if expected != got:
                missing = "".join((expected - got).elements())[:40]
                extra = "".join((got - expected).elements())[:40]
                found.append(f"{where}: {area.name} does not show its text as written "
                             f"(missing {missing!r}, extra {extra!r}): {area.text[:80]!r}")
            if area.kind == "header":
                words = [_norm(w.text) for w in rendered]
                broken = [h for h in area.text.split() if _norm(h) not in words]
                if broken:
                    found.append(f"{where}: header {area.text!r} broken inside a word: rendered {words}")
    return found


def layout_problems(name: str, prs: Any, pages: list[Page]) -> list[str]:
    """The title in its band, alone; nothing but the footnote below the content area."""
    found = []
    for number, (slide, page) in enumerate(zip(prs.slides, pages), start=1):
        where = f"{name} slide {number}"
        scale = page.height / (prs.slide_height / EMU_PER_PT)
        named = {s.name: s for s in slide.shapes}
        title = named["Title"].text_frame.text if "Title" in named else ""
        foot = named["Footnote"].text_frame.text if "Footnote" in named else None
        if foot is None:
            continue  # an opening slide
        band = SUBTITLE_TOP / EMU_PER_PT * scale
        foot_top = FOOT_TOP / EMU_PER_PT * scale
        top = [w for w in page.words if w.y0 < band]
        bottom = [w for w in page.words if w.y0 >= foot_top - TOLERANCE]
        if top and _norm(" ".join(w.text for w in top)) != _norm(title):
            found.append(f"{where}: the title band holds {' '.join(w.text for w in top)[:60]!r}, not the title")
        if _norm(" ".join(w.text for w in bottom)) != _norm(foot):
            found.append(f"{where}: something ran into the footnote: {[w.text for w in bottom][:8]}")
        for shape in slide.shapes:
            if shape.name != "Footnote" and shape.top + shape.height > FOOT_TOP:
                found.append(f"{where}: {shape.name} reaches into the footnote area")
    return found


# ---- the files --------------------------------------------------------------------------------


def stress_deck() -> ExportDeck:
    """The sample deck in Serbian, plus slides made to overflow if anything could."""
    base = sample_deck("sr")
    long_sr = "Зашто наш удео код купаца у прехрамбеној индустрији на Западном Балкану и даље пада " * 2
    board = Board(tuple(
        (f"Квадрант {i}", tuple(f"Ставка {j}: " + "веома дугачак опис са доказима и изворима " * 3 for j in range(9)))
        for i in range(4)
    ), ("#2F9E44", "#E03131", "#1971C2", "#F08C00"))
    wide = pd.DataFrame({f"Колона {c} предности": [("Дугачка вредност ћелије " * (1 + (r + c) % 4)).strip()
                                                   for r in range(30)] for c in range(10)})
    notes = pd.DataFrame({"Feature": [f"Feature {i}" for i in range(14)], "advantage": ["yes", "no"] * 7,
                          "Note": [LONG_TEXT[: 90 + 20 * (i % 5)] for i in range(14)]})
    extra = (
        ExportSlide("view", SlideContent(long_sr, subtitle=long_sr[:150], board=board, source="ставке SWOT анализе " * 6)),
        ExportSlide("view", SlideContent("Широка табела", table=wide, source="налози")),
        ExportSlide("view", SlideContent("Notes column", table=notes, source="feature matrix")),
        ExportSlide("view", SlideContent(long_sr, chart=base.slides[5].content.chart, table=wide,
                                         text=LONG_TEXT[:380], source="цене")),
        ExportSlide("text", SlideContent("Супердугачкаречбезразмакакојасенеможеприломитиникакоувећинипрограма",
                                         text=LONG_TEXT)),
        ExportSlide("title", SlideContent(long_sr, text=long_sr)),
    )
    return dataclasses.replace(base, name=long_sr[:110], slides=base.slides + extra, appendix=True)


def every_view_deck(store: Store) -> tuple[int, list[str]]:
    """A deck with one slide of every registered view, a title and a text slide: its id and its slides' kinds."""
    saved.save_rule_segment(store, "ana", name="Balkan", rule={"field": "region", "in": ["Western Balkans"]})
    saved.save_rule_segment(store, "ana", name="Automotive", rule={"field": "industry", "in": ["Automotive"]},
                            colour="#3F6E9E")
    rivals = [c.id for c in compare_data.companies(store) if not c.is_us]
    segments = [s.id for s in saved.list_segments(store)]
    items = tows.tows_items(store, rivals[0])
    tows.add_strategy(store, "ana", rivals[0], kind="SO", statement="Продаја испоруке сутрадан где касне",
                      owner="Ана", status="proposed", item_ids=[items["S"][0].id, items["O"][0].id])
    deck = decks.create_deck(store, "ana", "Преглед тржишта", "Сви слајдови за проверу")
    decks.add_text_slide(store, "ana", deck.id, kind="title", title="Преглед за четврто тромесечје", body="Где смо")
    views: list[tuple[str, dict[str, Any]]] = [
        ("overview.share", {"dimension": "industry"}),
        ("segments.profile", {"segment": segments[0]}),
        ("segments.compare", {"segments": segments}),
        ("segments.sizing", {"segment": segments[0], "acv": 25000.0, "sam_share": 0.5, "som_share": 0.1,
                             "sensitivity": 0.2}),
        ("segments.matrix", {"segments": segments, "weights": dict(attractiveness.DEFAULT_WEIGHTS)}),
        ("competitors.swot", {"company_id": rivals[0]}),
        ("competitors.tows", {"company_id": rivals[0]}),
        ("competitors.battlecard", {"company_id": rivals[0]}),
        ("competitors.heatmap", {}),
        ("compare.matrix", {"competitors": rivals[:3], "focus": rivals[0], "category": None}),
        ("compare.canvas", {"competitors": rivals[:3], "focus": None}),
        ("compare.radar", {"competitors": rivals[:2], "focus": None}),
        ("compare.positioning", {"competitors": rivals[:4], "focus": None, "x": "price_index", "y": "capability_avg",
                                 "size": "share"}),
        ("compare.price_index", {"competitors": rivals[:3], "focus": rivals[1]}),
        ("compare.price_distribution", {"competitors": rivals[:2], "focus": None}),
        ("compare.price_history", {"competitors": rivals[:2], "focus": None,
                                   "category": compare_data.price_categories(store, ours_only=True)[0],
                                   "threshold": 0.03}),
        ("compare.share", {"competitors": rivals[:3], "focus": None, "source": "industry"}),
        ("query.result", {"sql": "SELECT industry, count(*) AS accounts FROM accounts GROUP BY ALL ORDER BY 2 DESC",
                          "params": {}, "param_kinds": {}, "saved_id": None, "title": "Налози по делатности",
                          "chart": {"kind": "bar", "x": "industry", "y": "accounts", "color": None,
                                    "aggregate": "sum"}}),
    ]
    for view, params in views:
        decks.add_view_slide(store, "ana", deck.id, view, params, title="", notes=f"Белешке: {view}.")
    decks.add_text_slide(store, "ana", deck.id, title="Следећи кораци", body="Позвати 20 највећих купаца.")
    decks.add_decision(store, "ana", deck.id, "Снизити цену кутија " * 6, owner="Марко", due_date="2026-12-15")
    return deck.id, ["title", *(view for view, _ in views), "text"]


def broken_pptx() -> bytes:
    """A file with the three faults the check must catch: a text box its text overflows, a text
    cut with an ellipsis, and a table column too narrow for its header word."""
    from research.present import pptx

    prs = pptx.new_presentation()
    slide = pptx.blank_slide(prs)
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(3), Inches(0.5))
    box.name = "Overflowing"
    pptx.set_frame(box.text_frame)
    box.text_frame.text = "This sentence is far too long for a box of half an inch, so it runs out below it. " * 3
    for run in box.text_frame.paragraphs[0].runs:
        run.font.size = Pt(18)
    cut = slide.shapes.add_textbox(Inches(6), Inches(2), Inches(5), Inches(0.6))
    cut.name = "Cut"
    cut.text_frame.text = "Their strengt…"
    shape = slide.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(1.2), Inches(0.8))
    shape.name = "Narrow table"
    shape.table.columns[0].width = Inches(0.55)
    shape.table.columns[1].width = Inches(0.65)
    for c, text in enumerate(("advantage", "gap")):
        shape.table.cell(0, c).text = text
        shape.table.cell(0, c).text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    return pptx.save(prs)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, demo_workspace_file: Path) -> dict[str, tuple[Any, Any, list[Page]]]:
    """name -> (what was exported, the reopened PPTX, the rendered pages); one conversion for all files."""
    soffice, pdftotext = _tools()
    out = tmp_path_factory.mktemp("render")
    workspace = out / "demo.duckdb"
    shutil.copyfile(demo_workspace_file, workspace)
    store = Store.open(str(workspace))
    try:
        deck_id, kinds = every_view_deck(store)
        demo = build_export(store, deck_id, RenderContext(language="sr", viewer="ana", today=TODAY))
        report = build_report(store, REPORT_MONTH, RenderContext(language="sr", today=TODAY))
        rival = profiles.find_company(store, "Kartonaža Sava")
        card = battlecard.build_battlecard(store, rival.id, today=TODAY)
        items = swot.list_items(store, rival.id, today=TODAY)
    finally:
        store.close()
    made: dict[str, tuple[Any, bytes]] = {
        "stress": (stress_deck(), b""),
        "demo": (demo, b""),  # its slides' kinds go with it, below
        "report": (report, b""),
        "battlecard": (card, exports.battlecard_pptx(card, "sr")),
        "board": (items, exports.board_pptx(rival, items, "en", today=TODAY)),
        "broken": (None, broken_pptx()),
    }
    files = []
    for name, (source, data) in made.items():
        path = out / f"{name}.pptx"
        path.write_bytes(data or pptx_bytes(source))
        files.append(path)
    _to_pdf(soffice, files, out)
    out_files = {path.stem: (made[path.stem][0], Presentation(str(path)), _pages(pdftotext, path.with_suffix(".pdf")))
                 for path in files}
    out_files["demo kinds"] = (kinds, None, [])
    return out_files


GOOD = ("stress", "demo", "report", "battlecard", "board")


# ---- the checks -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOOD)
def test_no_text_box_overflows_or_is_cut(rendered, name: str) -> None:  # noqa: ANN001
    _, prs, pages = rendered[name]
    found = problems(name, prs, pages)
    assert not found, "\n".join(found[:15])


@pytest.mark.parametrize("name", GOOD)
def test_titles_stay_in_their_band_and_footnotes_alone_at_the_bottom(rendered, name: str) -> None:  # noqa: ANN001
    _, prs, pages = rendered[name]
    found = layout_problems(name, prs, pages)
    assert not found, "\n".join(found[:15])


def _titles(prs: Any) -> list[str]:
    return [next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "") for slide in prs.slides]


def test_the_demo_deck_takes_the_slides_planned_and_no_more(rendered) -> None:  # noqa: ANN001
    _, prs, pages = rendered["demo"]
    kinds = rendered["demo kinds"][0]
    planned = 1 + sum(CONTINUED.get(kind, 1) for kind in kinds) + 1  # opening, the slides, the decision log
    assert len(pages) == len(prs.slides) == planned, _titles(prs)
    titles = _titles(prs)
    assert not [t for t in titles if t.startswith("Прилог")], "no data appendix unless asked for"
    assert titles[-1] == "Дневник одлука"


def test_the_report_has_its_appendix_one_table_per_slide_within_its_page_limit(rendered) -> None:  # noqa: ANN001
    report, prs, pages = rendered["report"]
    titles = _titles(prs)
    appendix = [t for t in titles if t.startswith("Прилог")]
    charts = [s for s in report.slides if (s.content.native or s.content.chart) and s.content.table is not None
              and not s.content.table.empty]
    assert appendix and len(appendix) <= APPENDIX_MAX_PAGES * len(charts)
    for slide in (s for s, t in zip(prs.slides, titles) if t.startswith("Прилог")):
        assert len([s for s in slide.shapes if s.has_table]) == 1
    assert len(pages) == len(prs.slides) <= 1 + 2 * len(report.slides) + len(appendix) + 2


def test_the_battlecard_and_the_board_are_one_slide_each(rendered) -> None:  # noqa: ANN001
    for name in ("battlecard", "board"):
        _, prs, pages = rendered[name]
        assert len(pages) == len(prs.slides) == 1, (name, _titles(prs))


def test_the_check_catches_overflow_cut_text_and_broken_headers(rendered) -> None:  # noqa: ANN001
    _, prs, pages = rendered["broken"]
    found = "\n".join(problems("broken", prs, pages))
    assert "text outside every box (overflow)" in found
    assert "Overflowing does not show its text as written" in found
    assert "Cut is cut with an ellipsis" in found
    assert "header 'advantage' broken inside a word" in found
