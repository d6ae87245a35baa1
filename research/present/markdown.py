"""A deck as one Markdown document: headings, text, boards as lists, data as tables, notes, decision log.

Everything taken from the workspace is escaped so it reads literally (no stray
emphasis, links, HTML or broken table cells); chart images are not embedded (the
image export gives them), the data behind each chart is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from research.exports import xml_safe
from research.i18n import fmt_date, t
from research.present.export import decision_header, decision_row, footnote, table_cells
from research.present.model import ExportDeck, ExportSlide

MARKDOWN_MAX_ROWS = 500
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_LINE_START = re.compile(r"(^|\n)\s*([-=])", re.MULTILINE)
_ORDERED = re.compile(r"^(\s*\d+)\.(?=\s|$)", re.MULTILINE)


def escape(text: object) -> str:
    """Text shown literally in Markdown: special characters backslash-escaped, one line."""
    clean = _SPECIAL.sub(r"\\\1", xml_safe(text).replace("\r", " "))
    # A line starting like a list item or a heading underline would turn into one.
    clean = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), clean)
    return _ORDERED.sub(r"\1\\.", clean)


def _cell(text: str) -> str:
    return escape(text).replace("\n", " ") or " "


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _block(text: str) -> str:
    """Multi-line text: each line escaped, line breaks kept as paragraphs."""
    return "\n\n".join(escape(line) for line in text.strip().split("\n") if line.strip())


def quote(text: str) -> str:
    return "\n".join("> " + escape(line) if line.strip() else ">" for line in text.strip().split("\n"))


def _slide(deck: ExportDeck, number: int, item: ExportSlide) -> list[str]:
    lang = deck.language
    c = item.content
    out = [f"## {number}. {escape(c.title)}", ""]
    if c.subtitle:
        out += [f"*{escape(c.subtitle)}*", ""]
    if c.missing:
        out += [f"**{escape(c.text or t('present.data_gone', lang))}**", ""]
    else:
        if c.text:
            out += [_block(c.text), ""]
        if c.board is not None:
            for heading, lines in c.board.quadrants:
                out.append(f"**{escape(heading)}**")
                out.append("")
                none = t("present.deckfile.empty_quadrant", lang)
                out += [f"- {escape(line)}" for line in lines] or [f"- {escape(none)}"]
                out.append("")
        if c.table is not None and not c.table.empty:
            header, rows = table_cells(c.table, lang, max_columns=30)
            out += [table(header, rows[:MARKDOWN_MAX_ROWS]), ""]
            if len(rows) > MARKDOWN_MAX_ROWS:
                out += [escape(t("present.deckfile.appendix_cut", lang, shown=MARKDOWN_MAX_ROWS, total=len(rows))), ""]
    out += [f"*{escape(footnote(deck, c))}*", ""]
    notes = item.notes.strip()
    if notes:
        out += [f"> **{escape(t('present.deckfile.notes', lang))}**", ">", quote(notes), ""]
    return out


def markdown_text(deck: ExportDeck) -> str:
    """The whole deck as Markdown (UTF-8 text)."""
    lang = deck.language
    out = [f"# {escape(deck.name)}", ""]
    if deck.subtitle:
        out += [_block(deck.subtitle), ""]
    out += [
        escape(t("present.deckfile.workspace_date", lang, workspace=deck.workspace,
                 date=fmt_date(deck.generated_at.date(), lang))) + "  ",
        escape(t("present.deckfile.slide_count", lang, count=len(deck.slides))),
        "",
    ]
    for number, item in enumerate(deck.slides, start=1):
        out += _slide(deck, number, item)
    out += decision_log(deck)
    return "\n".join(out)


def decision_log(deck: ExportDeck) -> list[str]:
    """The decision log section (heading, then a table or "no decisions") as Markdown lines."""
    lang = deck.language
    out = [f"## {escape(t('present.deckfile.decision_log', lang))}", ""]
    if deck.decisions:
        return out + [table(decision_header(lang), [decision_row(line, lang) for line in deck.decisions]), ""]
    return out + [escape(t("present.deckfile.no_decisions", lang)), ""]
