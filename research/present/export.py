"""A deck drawn for export, and writing it to a file: PPTX, Markdown, or a folder/zip of images.

`build_export` is the only part that reads the workspace: it draws every slide with
the view registry (frozen parameters, "data no longer available" for deleted data),
resolves the decision log into plain lines and takes the workspace's highlight colour.
The exporters (research.present.pptx, .markdown, .images) take the resulting
`ExportDeck` and never touch the store. The data appendix is off unless asked for.
`export_deck` picks the exporter by the output's suffix and writes atomically
(research.exports.write_atomically): the file appears complete or not at all, with the
permissions any new file of the process gets (the umask), like the image folder.

The small text helpers at the bottom (cell text, footnote, notes, decision rows) are
shared by every exporter so that the PPTX, the Markdown and the images say the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from research.charts.theme import US_COLOR
from research.errors import ValidationError, VantageError
from research.exports import check_target_folder, current_umask, write_atomically, xml_safe
from research.i18n import fmt_date, fmt_datetime, fmt_number, keyed_error, normalize_language, t
from research.present.decks import get_deck, list_decisions, list_slides
from research.present.model import (
    DecisionKind, DecisionLine, DecisionStatus, ExportDeck, ExportSlide, RenderContext, SlideContent,
)
from research.store import Store

IMAGE_FORMATS = ("png", "svg")
# A previous image export in a folder: only these names may be replaced by a new export.
_IMAGE_EXPORT_FILE = re.compile(r"^(\d{2,3}-.+\.(png|svg)|index\.md)$")


# ---- drawing a deck ----------------------------------------------------------------------


def build_export(store: Store, deck_id: int, ctx: RenderContext, *, appendix: bool = False) -> ExportDeck:
    """Every slide of the deck drawn from the workspace, plus its decision log, ready for an exporter.

    `appendix` adds the data behind each chart and the decision log after the slides.
    """
    # Imported here: the registry pulls in every area's views, which the exporters never need.
    from research.compare.views import highlight_color
    from research.present.views import render_slide

    deck = get_deck(store, deck_id)
    slides = list_slides(store, deck_id)
    if not slides:
        raise keyed_error(ValidationError, "present.error.empty_deck", name=deck.name)
    lang = normalize_language(ctx.language)
    exported: list[ExportSlide] = []
    titles: dict[int, str] = {}
    for slide in slides:
        content = render_slide(store, slide, ctx)
        titles[slide.id] = content.title or slide.title
        exported.append(ExportSlide(kind=slide.kind, content=content, notes=slide.notes))
    generated = dt.datetime.combine(ctx.today, dt.datetime.now().time()) if ctx.today else dt.datetime.now()
    return ExportDeck(
        name=deck.name,
        workspace=store.name,
        language=lang,
        generated_at=generated.replace(microsecond=0),
        slides=tuple(exported),
        decisions=tuple(_decision_lines(store, deck_id, titles, lang)),
        subtitle=deck.description,
        highlight=highlight_color(store),
        appendix=appendix,
    )


def _decision_lines(store: Store, deck_id: int, titles: dict[int, str], lang: str) -> list[DecisionLine]:
    decisions = list_decisions(store, deck_id=deck_id)
    companies = _names(store, "companies", {d.competitor_id for d in decisions})
    segments = _names(store, "segments", {d.segment_id for d in decisions})
    lines = []
    for d in decisions:
        about = [companies.get(d.competitor_id or -1, ""), segments.get(d.segment_id or -1, "")]
        lines.append(DecisionLine(
            kind=d.kind,
            text=d.text,
            owner=d.owner or "",
            due=fmt_date(d.due_date, lang) if d.due_date else "",
            status=d.status,
            slide=titles.get(d.slide_id or -1, ""),  # a removed slide: no title
            about=" · ".join(a for a in about if a),
        ))
    return lines


def _names(store: Store, table: str, ids: set[int | None]) -> dict[int, str]:
    """Names of soft-linked rows that still exist (table is one of two literals, never user text)."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows = store.query_rows(f"SELECT id, name FROM {table} WHERE list_contains(?, id)", [wanted])
    return {int(r["id"]): str(r["name"]) for r in rows}


# ---- writing a file ----------------------------------------------------------------------


def export_kind(out_path: str | os.PathLike[str]) -> str:
    """"pptx", "md", "zip" or "dir", from the output path's suffix (a path without one is a folder)."""
    path = Path(out_path)
    suffix = path.suffix.lower()
    if suffix in (".pptx", ".md", ".zip"):
        return suffix[1:]
    if path.is_dir() or not suffix:
        return "dir"
    raise keyed_error(ValidationError, "present.error.export_suffix", name=path.name)


def export_bytes(deck: ExportDeck, kind: str, image_format: str = "png") -> bytes:
    """The deck as PPTX, Markdown (UTF-8) or a zip of images (appendix as `deck.appendix` says)."""
    if kind == "pptx":
        from research.present.pptx import pptx_bytes

        return pptx_bytes(deck)
    if kind == "md":
        from research.present.markdown import markdown_text

        return markdown_text(deck).encode("utf-8")
    if kind == "zip":
        from research.present.images import images_zip

        return images_zip(in_highlight(deck), _image_format(image_format))
    raise keyed_error(ValidationError, "present.error.export_kind", kind=kind)


def export_deck(
    store: Store, deck_id: int, out_path: str | os.PathLike[str], ctx: RenderContext, image_format: str = "png",
    *, appendix: bool = False,
) -> Path:
    """Draw the deck and write it to `out_path` (.pptx, .md, .zip, or a folder of images) atomically."""
    kind = export_kind(out_path)
    fmt = _image_format(image_format)
    target = Path(out_path)
    check_target_folder(target)
    deck = build_export(store, deck_id, ctx, appendix=appendix)  # an empty deck stops here, before any file exists
    if kind == "dir":
        from research.present.images import slide_images

        write_folder_atomically(target, slide_images(in_highlight(deck), fmt))
    else:
        write_atomically(target, export_bytes(deck, kind, fmt))
    return target


def _image_format(image_format: str) -> str:
    fmt = (image_format or "png").lower()
    if fmt not in IMAGE_FORMATS:
        raise keyed_error(ValidationError, "present.error.image_format", fmt=image_format)
    return fmt


def write_folder_atomically(target: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a new folder beside `target`, then put it in place with one rename.

    An existing folder is replaced only when it is empty or holds nothing but an earlier
    image export of a deck (numbered slide images and index.md); anything else is refused.
    """
    check_target_folder(target)
    if target.exists() and not target.is_dir():
        raise keyed_error(ValidationError, "present.error.images_file", target=str(target))
    if target.is_dir():
        foreign = [p.name for p in target.iterdir() if not (p.is_file() and _IMAGE_EXPORT_FILE.match(p.name))]
        if foreign:
            raise keyed_error(ValidationError, "present.error.images_foreign", target=str(target),
                              files=", ".join(sorted(foreign)[:3]))
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    except OSError as e:
        raise VantageError(f"Cannot write images to {target}: {e.strerror or e}.", title="Export failed") from e
    old: Path | None = None
    try:
        # mkdtemp makes the folder private (0700); an export is for others too: the umask's permissions.
        os.chmod(staging, 0o777 & ~current_umask())
        for name, data in files.items():
            (staging / name).write_bytes(data)
        if target.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
        os.replace(staging, target)
    except OSError as e:
        if old is not None and not target.exists():
            os.replace(old, target)  # put the earlier export back
            old = None
        shutil.rmtree(staging, ignore_errors=True)
        raise VantageError(f"Cannot write images to {target}: {e.strerror or e}.", title="Export failed") from e
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


# ---- text shared by every exporter ---------------------------------------------------------


def cell_text(value: Any, lang: str) -> str:
    """One table cell as text in the deck's language ("–" for a missing value)."""
    if value is None or value is pd.NaT:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if value.is_integer() and abs(value) < 1e15:
            return fmt_number(int(value), lang)
        return fmt_number(value, lang, 2 if abs(value) < 100 else 1 if abs(value) < 10_000 else 0)
    if isinstance(value, int):
        return fmt_number(value, lang)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return fmt_datetime(value, lang) if (value.hour, value.minute) != (0, 0) else fmt_date(value.date(), lang)
    if isinstance(value, dt.date):
        return fmt_date(value, lang)
    return xml_safe(value).replace("\r", " ").replace("\n", " ").strip()


def table_cells(df: pd.DataFrame, lang: str, max_columns: int = 10) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a DataFrame as text (the first `max_columns` columns)."""
    frame = df.iloc[:, :max_columns]
    header = [xml_safe(c) for c in frame.columns]
    rows = [[cell_text(v, lang) for v in row] for row in frame.itertuples(index=False, name=None)]
    return header, rows


def slide_date(deck: ExportDeck, content: SlideContent) -> dt.date:
    """The one date a slide shows: its data's as-of date, else when the deck was exported —
    unless the subtitle already names one of the two (a board "as of" the day it was drawn),
    then that one, so footnote and subtitle never disagree."""
    moment = content.as_of or deck.generated_at
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    if content.subtitle:
        for candidate in (day, deck.generated_at.date()):
            if fmt_date(candidate, deck.language) in content.subtitle:
                return candidate
    return day


def footnote(deck: ExportDeck, content: SlideContent) -> str:
    """'Source: … · Workspace … · date' in the deck's language (no source: workspace and date)."""
    date = fmt_date(slide_date(deck, content), deck.language)
    if content.source:
        return t("present.deckfile.footnote", deck.language, source=content.source, workspace=deck.workspace, date=date)
    return t("present.deckfile.footnote_plain", deck.language, workspace=deck.workspace, date=date)


def notes_text(deck: ExportDeck, slide: ExportSlide, extra: Callable[[], list[str]] | None = None) -> str:
    """Speaker notes: the slide's own notes, then its subtitle and as-of line, then anything cut from the slide."""
    parts = [slide.notes.strip()] if slide.notes.strip() else []
    content = slide.content
    if content.subtitle:
        parts.append(content.subtitle)
    if content.as_of is not None:
        parts.append(t("present.deckfile.as_of", deck.language, date=fmt_datetime(content.as_of, deck.language)))
    if extra is not None:
        parts.extend(p for p in extra() if p)
    return xml_safe("\n".join(parts))


def decision_header(lang: str) -> list[str]:
    return [t(f"present.deckfile.col.{c}", lang) for c in ("kind", "text", "owner", "due", "status", "slide", "about")]


def decision_row(line: DecisionLine, lang: str) -> list[str]:
    # A line built from anything but the decision log keeps its own words.
    kind = t(f"present.deckfile.kind.{line.kind}", lang) if line.kind in tuple(DecisionKind) else line.kind
    status: str = line.status
    if status in tuple(DecisionStatus):
        status = t(f"present.deckfile.status.{status}", lang)
    return [xml_safe(v) for v in (kind, line.text, line.owner, line.due, status, line.slide, line.about)]


def in_highlight(deck: ExportDeck) -> ExportDeck:
    """The deck with the theme's default highlight in its charts replaced by the workspace's colour
    (for exporters that draw the Vega-Lite specs as they are: images)."""
    from research.present.pptx_charts import our_colour, recoloured

    highlight = deck.highlight
    if not highlight or highlight.upper() == US_COLOR.upper():
        return deck
    slides = []
    for slide in deck.slides:
        content = dataclasses.replace(slide.content)
        if content.chart is not None:
            content.chart = recoloured(content.chart, highlight)
        if content.native is not None:
            content.native = dataclasses.replace(content.native, series=tuple(
                dataclasses.replace(s, color=our_colour(s.color, highlight)) for s in content.native.series))
        slides.append(dataclasses.replace(slide, content=content))
    return dataclasses.replace(deck, slides=tuple(slides))
