"""The rendering check: exported decks drawn by LibreOffice, and no text runs off a slide or out of its box.

Each PPTX is converted to PDF with LibreOffice headless (Debian's libreoffice-impress),
then `pdftotext -bbox-layout` (poppler-utils) gives every word's box. On every page:
every word lies inside the page; the title's words are all in the title band and say
the title; below the content area there is nothing but the source footnote (so no
body text, board or table ran down over it). Stress slides carry very long titles,
texts, boards and wide tables, in Serbian Cyrillic; a deck drawn from the demo workspace
and last month's report are checked too.

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
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from pptx import Presentation
from test_present_export import LONG_TEXT, LONG_TITLE, sample_deck

from research.present import decks
from research.present.export import build_export
from research.present.model import Board, ExportDeck, ExportSlide, RenderContext, SlideContent
from research.present.pptx import FOOT_TOP, SUBTITLE_TOP, pptx_bytes
from research.store import Store

EMU_PER_PT = 12700
TOLERANCE = 1.0  # points


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
    """Convert with a private LibreOffice profile (parallel runs must not share one) and a time limit."""
    profile = out / "lo-profile"
    env = {**os.environ, "HOME": str(out / "home")}
    subprocess.run(
        [soffice, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=240, env=env,
    )


@dataclasses.dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


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


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def stress_deck() -> ExportDeck:
    """The sample deck in Serbian, plus slides made to overflow if anything could."""
    base = sample_deck("sr")
    long_sr = "Зашто наш удео код купаца у прехрамбеној индустрији на Западном Балкану и даље пада " * 4
    board = Board(tuple(
        (f"Квадрант {i}", tuple(f"Ставка {j}: " + "веома дугачак опис са доказима и изворима " * 3 for j in range(9)))
        for i in range(4)
    ), ("#2F9E44", "#E03131", "#1971C2", "#F08C00"))
    wide = pd.DataFrame({f"Колона {c}": [("Дугачка вредност ћелије " * (1 + (r + c) % 4)).strip() for r in range(30)]
                         for c in range(10)})
    extra = (
        ExportSlide("view", SlideContent(long_sr, subtitle=long_sr, board=board, source="ставке SWOT анализе " * 8)),
        ExportSlide("view", SlideContent("Широка табела", table=wide, source="налози")),
        ExportSlide("view", SlideContent(long_sr, chart=base.slides[5].content.chart, table=wide,
                                         text=LONG_TEXT, source="цене")),
        ExportSlide("text", SlideContent("Супердугачкаречбезразмакакојасенеможеприломитиникакоувећинипрограма" * 3,
                                         text=LONG_TITLE)),
        ExportSlide("title", SlideContent(long_sr, text=long_sr)),
    )
    return dataclasses.replace(base, name=long_sr[:110], slides=base.slides + extra)


@pytest.fixture(scope="module")
def rendered(
    tmp_path_factory: pytest.TempPathFactory, demo_workspace_file: Path,
) -> list[tuple[str, object, list[Page]]]:
    soffice, pdftotext = _tools()
    out = tmp_path_factory.mktemp("render")
    stress = out / "stress.pptx"
    stress.write_bytes(pptx_bytes(stress_deck()))
    real = out / "real.pptx"
    real.write_bytes(pptx_bytes(_real_deck(out, demo_workspace_file)))
    report = out / "report.pptx"
    report.write_bytes(pptx_bytes(_monthly_report(out / "demo.duckdb")))  # the copy _real_deck made
    files = [stress, real, report]
    _to_pdf(soffice, files, out)
    return [(path.name, Presentation(str(path)), _pages(pdftotext, path.with_suffix(".pdf"))) for path in files]


def _monthly_report(workspace: Path) -> ExportDeck:
    """Last month's report on the demo workspace, in Serbian: the same exporter, other content."""
    from research.present.report import build_report, default_month

    store = Store.open(str(workspace), read_only=True)
    try:
        return build_report(store, default_month(), RenderContext(language="sr"))
    finally:
        store.close()


def _real_deck(out: Path, demo_workspace_file: Path) -> ExportDeck:
    """A Serbian deck drawn from the demo workspace by the view registry (whatever views it has)."""
    path = out / "demo.duckdb"
    shutil.copyfile(demo_workspace_file, path)
    store = Store.open(str(path))
    try:
        company = store.query_value("SELECT id FROM companies WHERE NOT is_us ORDER BY id LIMIT 1")
        deck = decks.create_deck(store, "ana", "Преглед тржишта")
        views = (("overview.share", {"dimension": "industry"}), ("competitors.swot", {"company_id": company}),
                 ("compare.canvas", {}), ("compare.price_index", {}), ("compare.matrix", {}),
                 ("competitors.battlecard", {"company_id": company}))
        for view, params in views:
            decks.add_view_slide(store, "ana", deck.id, view, params, title="")
        decks.add_decision(store, "ana", deck.id, "Снизити цену кутија " * 10, owner="Марко", due_date="2026-12-15")
        return build_export(store, deck.id, RenderContext(language="sr", viewer="ana", today=dt.date(2026, 11, 28)))
    finally:
        store.close()


def _shape_text(slide, name: str) -> str | None:  # noqa: ANN001
    for shape in slide.shapes:
        if shape.name == name and shape.has_text_frame:
            return shape.text_frame.text
    return None


def test_every_page_was_rendered(rendered) -> None:  # noqa: ANN001
    for name, prs, pages in rendered:
        assert len(pages) == len(prs.slides), name
        assert all(p.width > p.height for p in pages), f"{name}: not landscape"


def test_no_word_lies_outside_its_page(rendered) -> None:  # noqa: ANN001
    for name, _, pages in rendered:
        for number, page in enumerate(pages, start=1):
            outside = [w.text for w in page.words if w.x0 < -TOLERANCE or w.y0 < -TOLERANCE
                       or w.x1 > page.width + TOLERANCE or w.y1 > page.height + TOLERANCE]
            assert not outside, f"{name} page {number}: words off the page: {outside[:5]}"


def test_titles_stay_in_the_title_band_and_footnotes_alone_at_the_bottom(rendered) -> None:  # noqa: ANN001
    for name, prs, pages in rendered:
        for number, (slide, page) in enumerate(zip(prs.slides, pages), start=1):
            scale = page.height / (prs.slide_height / EMU_PER_PT)
            where = f"{name} page {number}"
            title = _shape_text(slide, "Title")
            assert title, f"{where}: no title"
            text = _squash(" ".join(w.text for w in page.words))
            assert _squash(title) in text, f"{where}: title {title[:40]!r} not rendered"
            footnote = _shape_text(slide, "Footnote")
            if footnote is None:
                continue  # the opening slide
            band = SUBTITLE_TOP / EMU_PER_PT * scale
            foot = FOOT_TOP / EMU_PER_PT * scale
            top = [w for w in page.words if w.y0 < band]
            body = [w for w in page.words if band <= w.y0 < foot]
            bottom = [w for w in page.words if w.y0 >= foot]
            if top:  # content slides: the title sits in the band, alone and whole
                assert _squash(" ".join(w.text for w in top)) == _squash(title), f"{where}: title overflows its band"
                assert all(w.y1 <= band + TOLERANCE for w in top), f"{where}: title runs below its band"
            assert _squash(" ".join(w.text for w in bottom)) == _squash(footnote), \
                f"{where}: something ran into the footnote: {[w.text for w in bottom][:8]}"
            assert all(w.y1 <= foot + TOLERANCE for w in body), \
                f"{where}: text runs into the footnote area: {[w.text for w in body if w.y1 > foot + TOLERANCE][:5]}"
