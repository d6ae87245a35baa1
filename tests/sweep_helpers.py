"""The Serbian sweep's tools (tests/test_serbian_sweep.py): collect every string a viewer sees and
find English catalog text, untranslated domain values and raw codes in it.

Collectors turn what is drawn into `Seen` strings, each with where it was found:
- `seen_in_app(at)`: an AppTest element tree (every proto string field a browser shows, dataframe
  headers and cells, column-config labels, Vega-Lite titles, legends, sort orders and the values of
  the dataset columns a chart encodes);
- `seen_in_slide(content)`: a drawn slide (`research.present.model.SlideContent`);
- `seen_in_pptx(path)`: an exported deck (text frames, table cells, chart titles, categories, series).

`Vocabulary` knows what must not be seen in Serbian and `Vocabulary.offences(seen)` lists it:
(a) English catalog texts (whole strings or segments; long sentences also as substrings),
(b) domain values whose Serbian label differs from the value (whole, or word-bounded in longer text),
(c) raw codes (statuses, positions, audit actions, `None`, table names) as whole cells/options/segments.
The workspace's own free text (company and product names, SWOT statements, notes) is proper content,
never translated: a term found only inside such text is not an offence.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from string import Formatter
from typing import Any

import pandas as pd

# Genuine proper names, brands, formats and units that read the same in a Serbian interface; each
# would otherwise count as an English catalog string (or domain value) left on screen.
ALLOWED = frozenset({
    "Vantage",  # the product
    "CSV", "PPTX", "PNG", "SVG", "PDF", "XLSX", "JSON", "ZIP", "Markdown", "Excel", "PowerPoint",  # formats
    "SQL", "DuckDB", "URL", "HTML", "API", "OIDC", "SWOT", "TOWS", "TAM", "SAM", "SOM", "ACV", "KPI",  # names and acronyms
    "English",  # the language picker names each language in itself
})

# Fixed codes that must never be shown raw (they have catalog labels): the examples and the
# codes of the catalog groups the lead named (research/i18n/catalog_*.py: status., positioning…).
RAW_CODES = frozenset({"customer", "prospect", "lost", "mid-market", "mid", "stale", "update", "insert", "delete",
                       "None", "nan", "NaN", "null", "NaT", "<NA>", "True", "False", "in_progress"})
CODE_GROUPS = ("status.", "competitors.positioning.", "swot.confidence.", "tows.status.", "compare.value.",
               "present.decision.kind.", "present.decision.status.", "collect.status.", "segments.kind.")

# Fields of Streamlit protos that a browser never shows as text.
_HIDDEN_FIELDS = frozenset({
    "id", "form_id", "icon", "type", "tag", "key", "name", "url", "page", "page_script_hash", "css_class",
    "language", "format", "columns", "spec", "datasets", "data", "arrow_data", "anchor", "color", "width_config",
    "height_config", "vega_lite_theme", "selection_mode", "element_type", "theme", "formatted_value",
    "file_type", "accept", "cursor", "placeholder_icon", "src", "alt_icon", "style", "scope",
    "fragment_id", "dataframe_id", "column_order", "editing_mode", "use_container_width", "sticky_header",
    "deferred_file_id", "query_param_key", "shortcut", "icon_position", "filter_mode", "label_visibility",
})
# Whole elements whose strings are not text on the page (st.html carries only our CSS constants).
_HIDDEN_ELEMENTS = frozenset({"Html", "Favicon", "PageConfig", "Empty", "Space", "Divider"})
# Vega-Lite keys whose string values a viewer reads (titles, legend entries, sort orders, literal text marks).
_SPEC_TEXT_KEYS = frozenset({"title", "subtitle", "text", "domain", "sort"})
# Encoding channels that draw nothing readable.
_SILENT_CHANNELS = frozenset({"detail", "order", "key", "href", "url", "description"})


@dataclass(frozen=True)
class Seen:
    """One string on screen (or in a file) and where it was found."""

    text: str
    where: str
    kind: str = "text"  # "text", "label", "cell" (table or chart data), "header", "option"
    raw_data: bool = False  # cells of a data editor or a query result: the workspace's data itself


@dataclass
class Offence:
    what: str  # "English catalog text", "untranslated domain value", "raw code"
    term: str  # the English text, domain value or code found
    detail: str  # e.g. the catalog key, the domain
    seen: Seen
    count: int = 1  # the same term in more rows of the same table column

    @property
    def place(self) -> str:
        return _ROW.sub("", self.seen.where)

    def line(self) -> str:
        text = normalise(self.seen.text)
        shown = text if len(text) <= 140 else text[:137] + "…"
        found = repr(self.term) if self.term == text else f"{self.term!r} in {shown!r}"
        rows = f" ({self.count} rows)" if self.count > 1 else ""
        return f"{self.what} [{self.detail}]: {found} — at {self.place}{rows}"


_ROW = re.compile(r" row \d+")


# ---- normalising what is shown -----------------------------------------------------------------------

_ICON = re.compile(r":material/[a-z0-9_]+:")
_COLOURED = re.compile(r":(?:red|orange|green|blue|violet|gray|grey|rainbow|primary)(?:-background)?\[(.*?)\]")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>$:<])")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SEGMENT_SPLIT = re.compile(r"\n+|\s+[·•—–]\s+|\s*\|\s*|:\s+|;\s+|\s+→\s+|\s*\*\*\s*|^\s*[-*+]\s+|^\s*\d+\.\s+|\(|\)",
                            re.M)


def normalise(text: str) -> str:
    """What a reader sees of a Markdown string: no escapes, icons, emphasis marks or heading hashes."""
    text = text.replace("\xa0", " ").replace("\u202f", " ")
    text = _ICON.sub("", text)
    text = _COLOURED.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)
    text = text.replace("`", "").replace("__", "")
    text = re.sub(r"[ \t]+", " ", text)
    return text.strip()


def segments(text: str) -> list[str]:
    """The whole text and its parts between separators (lines, bullets, " · ", ": ", bold marks)."""
    parts = [text.replace("**", "").strip()]
    parts += [p.strip(" .,") for p in _SEGMENT_SPLIT.split(text) if p and p.strip(" .,")]
    return list(dict.fromkeys(p for p in parts if p))


# ---- what must not be seen ------------------------------------------------------------------------------


@dataclass
class _Template:
    key: str
    english: str
    regex: re.Pattern[str]
    anchor: str  # the longest literal piece: a cheap test before the regex
    long_pieces: tuple[str, ...]  # literal pieces long enough to find inside other text
    short: bool  # a single word of under six letters: checked in labels only


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'’-]*", text)


def _template(key: str, english: str) -> _Template | None:
    pieces: list[str] = []
    pattern = ""
    for literal, name, _, _ in Formatter().parse(english):
        if literal.strip():  # normalised as the screen's text is, keeping the spaces around placeholders
            literal = literal[:len(literal) - len(literal.lstrip())] + normalise(literal) + literal[len(literal.rstrip()):]
        pieces.append(literal)
        pattern += re.escape(literal)
        if name is not None:
            pattern += "(.+?)"
    words = _words(" ".join(pieces))
    letters = sum(len(w) for w in words)
    if letters < 3 or (len(words) == 1 and words[0].isupper() and len(words[0]) <= 5):
        return None  # no words, or an acronym ("SQL", "CSV") that reads the same in Serbian
    # Single words under six letters ("Save", "Next") and a placeholder with a single word around it
    # ("Lowest {column}", which would match much of the workspace's own text) count in labels only.
    short = len(words) < 2 and (letters < 6 or "(.+?)" in pattern)
    if short:
        # A one-word template's value is a short thing ("{n} year": a count, "Lowest {column}": a name), so a
        # long sentence of the workspace's own that happens to end in "year" is not taken for it.
        pattern = pattern.replace("(.+?)", "(.{1,30}?)")
    anchor = max(pieces, key=len).strip()
    long_pieces = tuple(p.strip() for p in pieces if len(_words(p)) >= 3 and sum(len(w) for w in _words(p)) >= 15)
    return _Template(key, english, re.compile(pattern.strip(), re.S), anchor, long_pieces, short)


@dataclass
class Vocabulary:
    """What must not be seen in Serbian, built from the catalog, the workspace's domain values and codes."""

    templates: list[_Template]
    exact: dict[str, str]  # English catalog text without placeholders -> key
    domain: dict[str, str]  # value -> domain ("industry", "feature", …)
    codes: dict[str, str]  # code -> where it comes from ("status", "table name", …)
    user_texts: Sequence[str]  # the workspace's own free text (proper content)
    _domain_re: re.Pattern[str] | None = None
    _containing: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = sorted(self.domain, key=len, reverse=True)
        if values:
            # Case kept: a stored value is shown as stored, and lower-case words of the same spelling are
            # the workspace's own text (tags like "logistics", statements that mention "cosmetics").
            self._domain_re = re.compile("|".join(rf"(?<![\w]){re.escape(v)}(?![\w])" for v in values))
        users = [u for u in self.user_texts if u not in self.domain and u not in self.exact and u not in self.codes]
        self.user_texts = users
        # Which of the workspace's own texts contain each term: a term inside one of them is that text's.
        for value in self.domain:
            self._containing[value] = [u for u in users if value in u and u != value]
        for template in self.templates:
            for piece in template.long_pieces:
                self._containing.setdefault(piece, [u for u in users if piece in u and u != piece])
        self._user_set = set(users)
        self._short_keys = {t.key for t in self.templates if t.short}

    def offences(self, seen: Iterable[Seen], *, identifiers: Iterable[str] = ()) -> list[Offence]:
        """What must not be seen in `seen`, one Offence per term and place (rows of a column counted).

        `identifiers` are names shown as they are written where they are code (the Query page's tables
        and columns): a whole string or segment equal to one is not judged.
        """
        skipped = frozenset(identifiers)
        found: dict[tuple[str, str, str], Offence] = {}
        for item in seen:
            if item.raw_data:
                continue
            for offence in self._check(item, skipped):
                key = (offence.what, offence.term, offence.place)
                if key in found:
                    if found[key].seen.where != item.where:
                        found[key].count += 1
                else:
                    found[key] = offence
        return list(found.values())

    def _check(self, item: Seen, skipped: frozenset[str]) -> Iterator[Offence]:
        text = normalise(item.text)
        if not text or text in self._user_set or text in skipped:
            return
        parts = [p for p in segments(text) if p not in skipped and p not in self._user_set]
        label_like = item.kind in ("label", "header", "option")
        # (a) English catalog text: whole strings and segments, long sentences anywhere.
        for part in parts:
            key = self.exact.get(part)
            if key is not None and part not in self.codes and (not self._is_short(key) or label_like):
                yield Offence("English catalog text", part, key, item)
        for template in self.templates:
            if template.anchor and template.anchor not in text:
                continue
            if template.short and not label_like:
                continue
            if "(.+?)" in template.regex.pattern or "(.{1,30}?)" in template.regex.pattern:
                for part in parts:
                    if part not in self.codes and template.regex.fullmatch(part):
                        yield Offence("English catalog text", part, template.key, item)
                        break
            for piece in template.long_pieces:
                if piece in text and self._outside_user_text(text, piece):
                    yield Offence("English catalog text", piece, template.key, item)
        # (b) domain values: whole, or word-bounded inside longer text.
        if self._domain_re is not None:
            for match in self._domain_re.finditer(text):
                value = match.group(0)
                if match.group(0) == text or self._outside_user_text(text, value):
                    yield Offence("untranslated domain value", value, self.domain[value], item)
        # (c) raw codes as whole cells, options or segments.
        for part in parts:
            what = self.codes.get(part)
            if what is not None:
                yield Offence("raw code", part, what, item)

    def _is_short(self, key: str) -> bool:
        return key in self._short_keys

    def _outside_user_text(self, text: str, term: str) -> bool:
        """Whether `term` is still in `text` once the workspace's own texts that contain it are taken out."""
        owners = [u for u in self._containing.get(term, []) if u in text]
        if not owners:
            return True
        rest = text
        for owner in sorted(owners, key=len, reverse=True):
            rest = rest.replace(owner, " ¶ ")
        return re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", rest) is not None


@lru_cache(maxsize=1)
def catalog_templates(allowed: frozenset[str] = ALLOWED) -> tuple[list[_Template], dict[str, str]]:
    """English catalog texts a Serbian screen must not show: those that differ from their Serbian text,
    have two words or six letters (single shorter words: labels only) and are not Serbian texts too."""
    from research.i18n import MESSAGES

    serbian = {normalise(sr) for _, sr in MESSAGES.values()}
    allowed = set(allowed)
    templates, exact = [], {}
    for key, (english, serbian_text) in sorted(MESSAGES.items()):
        shown = normalise(english)
        if english == serbian_text or shown in serbian or shown in allowed:
            continue
        template = _template(key, english)
        if template is None:
            continue
        templates.append(template)
        if "(.+?)" not in template.regex.pattern:
            exact.setdefault(shown, key)
    return templates, exact


def catalog_codes() -> dict[str, str]:
    """Raw codes whose labels the catalog holds (status.customer -> "customer"), with the issue's examples."""
    from research.i18n import MESSAGES

    codes = {code: "code" for code in RAW_CODES}
    for key, (english, serbian) in MESSAGES.items():
        for group in CODE_GROUPS:
            if key.startswith(group) and english != serbian:
                codes.setdefault(key[len(group):], group.rstrip("."))
    return codes


# ---- collecting from an AppTest run --------------------------------------------------------------------


def _user_key(element_id: str) -> str:
    # Streamlit ids look like "$$ID-<hash>-<user key>"; the key names the widget in a report.
    parts = element_id.split("-", 2)
    return parts[2] if element_id.startswith("$$ID-") and len(parts) == 3 and parts[2] != "None" else ""


def _proto_strings(message: Any, path: str) -> Iterator[tuple[str, str]]:
    for descriptor, value in message.ListFields():
        name = descriptor.name
        if name in _HIDDEN_FIELDS:
            continue
        here = f"{path}.{name}"
        if descriptor.type == descriptor.TYPE_MESSAGE:
            if descriptor.message_type.GetOptions().map_entry:
                continue
            for item in (value if descriptor.is_repeated else [value]):
                yield from _proto_strings(item, here)
        elif descriptor.type == descriptor.TYPE_STRING:
            for item in (value if descriptor.is_repeated else [value]):
                if item and item.strip():
                    yield here, item


def _kind_of(field_path: str) -> str:
    last = field_path.rsplit(".", 1)[-1]
    if last in ("options", "content", "raw_value", "raw_values", "default", "value"):
        return "option"
    if last in ("label",):
        return "label"
    return "text"


def _block_name(block: Any) -> str:
    label = getattr(block, "label", None)
    if isinstance(label, str) and label:
        return f"{block.type} {normalise(label)!r}"  # tabs and expanders by their label
    proto = getattr(block, "proto", None)
    try:
        which = proto.WhichOneof("type") if proto is not None else None
    except ValueError:  # AppTest keeps a column's own message, not its Block
        which = None
    key = _user_key(getattr(proto, "id", "") or "") if proto is not None else ""
    inner = getattr(proto, which) if which else None
    if inner is not None and getattr(inner, "label", ""):
        return f"{which} {normalise(inner.label)!r}"
    return f"{which or block.type}{f' {key!r}' if key else ''}"


def arrow_frame(data: bytes) -> pd.DataFrame:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    return convert_arrow_bytes_to_pandas_df(data)


def _frame_strings(frame: pd.DataFrame, where: str, *, config: dict[str, Any] | None = None,
                   raw_data: bool = False, editor: bool = False, headers: bool = True,
                   none_cells: bool = True) -> Iterator[Seen]:
    """Headers (or their column-config labels) and the text cells of a shown table; hidden columns skipped.

    In a data editor (`editor`) the cells of editable columns are the stored values being edited (raw
    data); its read-only columns (problems, ids) are judged like any table's.
    """
    config = config or {}
    for position, column in enumerate(frame.columns):
        settings = config.get(str(column)) or config.get(f"_pos:{position}") or {}
        if settings.get("hidden"):
            continue
        header = settings.get("label") or (" ".join(map(str, column)) if isinstance(column, tuple) else str(column))
        place = f"{where} › column {header!r}"
        if headers:
            yield Seen(header, place, "header", raw_data=raw_data)
        if settings.get("help"):
            yield Seen(str(settings["help"]), f"{place} (help)", "text", raw_data=raw_data)
        cells_raw = raw_data or (editor and not settings.get("disabled"))
        series = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series) \
                or pd.api.types.is_datetime64_any_dtype(series):
            continue
        # A selectbox column with a format_func shows each value by its label.
        options = (settings.get("type_config") or {}).get("options") or []
        shown = {str(o["value"]): str(o["label"]) for o in options if isinstance(o, dict) and "label" in o}
        for row, value in enumerate(series.tolist()):
            for cell in _cell_texts(value):
                cell = shown.get(cell, cell) if cell is not None else None
                if cell is None:
                    if none_cells:
                        # Streamlit's grid draws a missing text value as a faded "None".
                        yield Seen("None", f"{place} row {row + 1} (empty value drawn as 'None')", "cell",
                                   raw_data=cells_raw)
                    continue
                yield Seen(cell, f"{place} row {row + 1}", "cell", raw_data=cells_raw)
    if not config.get("_index", {}).get("hidden") and not isinstance(frame.index, pd.RangeIndex):
        for row, value in enumerate(frame.index.tolist()):
            for cell in _cell_texts(value):
                if cell:
                    yield Seen(cell, f"{where} › row label {row + 1}", "cell", raw_data=raw_data)


def _cell_texts(value: Any) -> list[str | None]:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return [None]
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return [str(v) for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        return [str(v) for v in value.values() if isinstance(v, str)]
    return []


def _column_config(raw: str) -> dict[str, Any]:
    try:
        config = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    out = {}
    for name, settings in config.items():
        if isinstance(settings, dict):
            # Column config keys are the column's name, or "_pos:<n>"/"_index".
            out[name[len("col:"):] if name.startswith("col:") else name] = settings
    return out


def spec_strings(spec: dict[str, Any], datasets: dict[str, pd.DataFrame], where: str) -> Iterator[Seen]:
    """Readable strings of a Vega-Lite spec: titles, legend and sort orders, text marks, and the values
    of the data columns that an encoding draws (axes, colours, tooltips, labels)."""
    encoded: set[str] = set()

    def visit(node: Any, path: str, parent_key: str = "") -> Iterator[Seen]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "encoding" and isinstance(value, dict):
                    for channel, definition in value.items():
                        if channel in _SILENT_CHANNELS:
                            continue
                        for d in (definition if isinstance(definition, list) else [definition]):
                            if isinstance(d, dict) and isinstance(d.get("field"), str):
                                encoded.add(d["field"].replace("\\", ""))
                            condition = d.get("condition") if isinstance(d, dict) else None
                            if isinstance(condition, dict) and isinstance(condition.get("field"), str):
                                encoded.add(condition["field"])
                if key == "values" and parent_key == "data" and isinstance(value, list):
                    datasets[f"{path}.data.values"] = pd.DataFrame(value)
                    continue
                if key in ("datasets",) and isinstance(value, dict):
                    for name, rows in value.items():
                        if isinstance(rows, list):
                            datasets[name] = pd.DataFrame(rows)
                    continue
                if key in ("$schema", "config", "usermeta"):
                    continue
                yield from visit(value, f"{path}.{key}", key)
        elif isinstance(node, list):
            for item in node:
                yield from visit(item, path, parent_key)
        elif isinstance(node, str) and parent_key in _SPEC_TEXT_KEYS:
            if parent_key == "sort" and node in ("ascending", "descending", "x", "y", "-x", "-y", "color", "-color"):
                return
            yield Seen(node, f"{where} › spec {path}", "label" if parent_key in ("title", "subtitle") else "cell")

    yield from list(visit(spec, "chart"))
    for frame in datasets.values():
        shown = [c for c in frame.columns if str(c) in encoded]
        if shown:
            yield from _frame_strings(frame[shown], f"{where} › data", headers=False, none_cells=False)


def _chart_strings(proto: Any, where: str) -> Iterator[Seen]:
    spec = json.loads(proto.spec) if proto.spec else {}
    datasets = {d.name: arrow_frame(d.data.data) for d in proto.datasets}
    yield from spec_strings(spec, datasets, where)


def seen_in_app(at: Any, *, raw_data_keys: Sequence[str] = ()) -> list[Seen]:
    """Every string the AppTest run `at` shows, with its place in the page.

    Tables whose widget key starts with one of `raw_data_keys` hold the workspace's data itself
    (a data editor's cells, a query's result): their cells and headers are marked raw_data.
    """
    from streamlit.testing.v1.element_tree import Block, ElementTree

    out: list[Seen] = []

    def walk(node: Any, path: str) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(node, Block):
            name = path if isinstance(node, ElementTree) else " › ".join(p for p in (path, _block_name(node)) if p)
            if proto is not None:
                for field_path, text in _proto_strings(proto, "block"):
                    out.append(Seen(text, f"{name} ({field_path})", "label"))
            for child in node.children.values():
                walk(child, name)
            return
        if proto is None:
            return
        type_name = type(proto).__name__
        if type_name in _HIDDEN_ELEMENTS:
            return
        key = _user_key(getattr(proto, "id", "") or "")
        element = f"{path} › {getattr(node, 'type', type_name)}{f' {key!r}' if key else ''}"
        for field_path, text in _proto_strings(proto, type_name):
            out.append(Seen(text, f"{element} ({field_path})", _kind_of(field_path)))
        if type_name in ("Dataframe", "Table", "ArrowTable", "Arrow") or hasattr(proto, "arrow_data"):
            data = proto.arrow_data.data if hasattr(proto, "arrow_data") else getattr(proto, "data", b"")
            if data:
                # 0 is READ_ONLY (st.dataframe); a disabled editor is a read-only table too.
                editor = getattr(proto, "editing_mode", 0) != 0 and not getattr(proto, "disabled", False)
                raw = any(key.startswith(prefix) for prefix in raw_data_keys if key)
                config = _column_config(getattr(proto, "columns", ""))
                # With a `placeholder` (even "") a missing value is drawn as that text, judged as the proto's own.
                none_cells = not (hasattr(proto, "placeholder") and proto.HasField("placeholder"))
                out.extend(_frame_strings(arrow_frame(data), element, config=config, raw_data=raw, editor=editor,
                                          none_cells=none_cells))
        if type_name == "VegaLiteChart":
            out.extend(_chart_strings(proto, element))

    walk(at._tree, "")
    return out


# ---- collecting from a drawn slide and an exported deck ------------------------------------------------


def seen_in_slide(content: Any, where: str) -> list[Seen]:
    """Every string of a SlideContent that the screen or an export shows."""
    out = [Seen(content.title, f"{where} › title", "label"), Seen(content.subtitle, f"{where} › subtitle"),
           Seen(content.text, f"{where} › text"), Seen(content.source, f"{where} › source")]
    if content.board is not None:
        for heading, lines in content.board.quadrants:
            out.append(Seen(heading, f"{where} › board heading", "label"))
            out += [Seen(line, f"{where} › board {heading!r}") for line in lines]
    if content.table is not None:
        # Exporters write a missing value as "–" (research/present/export.py cell_text); on screen a table
        # is an st.dataframe, judged by seen_in_app.
        out += list(_frame_strings(content.table, f"{where} › table", none_cells=False))
    if content.native is not None:
        native = content.native
        out += [Seen(native.x_title, f"{where} › native x title", "label"),
                Seen(native.y_title, f"{where} › native y title", "label")]
        out += [Seen(c, f"{where} › native category", "cell") for c in native.categories]
        out += [Seen(s.name, f"{where} › native series", "cell") for s in native.series]
    if content.chart is not None:
        out += list(spec_strings(content.chart, {}, f"{where} › chart"))
    return [s for s in out if s.text and s.text.strip()]


def seen_in_pptx(data: bytes | str, where: str = "pptx") -> list[Seen]:
    """Every text of an exported deck: text frames, table cells, chart titles, categories and series names."""
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data) if isinstance(data, bytes) else data)
    out: list[Seen] = []
    for number, slide in enumerate(deck.slides, start=1):
        out += _shape_strings(slide.shapes, f"{where} slide {number}")
        if slide.has_notes_slide:
            text = slide.notes_slide.notes_text_frame.text if slide.notes_slide.notes_text_frame else ""
            if text.strip():
                out.append(Seen(text, f"{where} slide {number} › notes"))
    return out


def _shape_strings(shapes: Any, where: str) -> list[Seen]:
    out: list[Seen] = []
    for shape in shapes:
        place = f"{where} › {shape.name!r}"
        if shape.shape_type is not None and shape.shape_type == 6:  # a group
            out += _shape_strings(shape.shapes, place)
            continue
        if shape.has_text_frame:
            for paragraph in shape.text_frame.paragraphs:
                text = "".join(run.text for run in paragraph.runs)
                if text.strip():
                    out.append(Seen(text, place))
        if getattr(shape, "has_table", False) and shape.has_table:
            for r, row in enumerate(shape.table.rows):
                for c, cell in enumerate(row.cells):
                    if cell.text.strip():
                        out.append(Seen(cell.text, f"{place} cell ({r + 1}, {c + 1})", "header" if r == 0 else "cell"))
        if getattr(shape, "has_chart", False) and shape.has_chart:
            chart = shape.chart
            if chart.has_title and chart.chart_title.has_text_frame:
                out.append(Seen(chart.chart_title.text_frame.text, f"{place} chart title", "label"))
            for axis_name in ("category_axis", "value_axis"):
                try:
                    axis = getattr(chart, axis_name)
                except (ValueError, AttributeError):
                    continue
                if axis.has_title and axis.axis_title.has_text_frame:
                    out.append(Seen(axis.axis_title.text_frame.text, f"{place} {axis_name} title", "label"))
            try:
                out += [Seen(str(c), f"{place} chart category", "cell") for c in chart.plots[0].categories if str(c).strip()]
            except (IndexError, AttributeError):
                pass
            for plot in chart.plots:
                out += [Seen(s.name, f"{place} chart series", "cell") for s in plot.series if s.name]
    return out


# ---- the workspace's side ----------------------------------------------------------------------------------

def domain_values(store: Any) -> dict[str, str]:
    """Values that must be shown by their Serbian label: value -> domain, for every value of table
    value_labels (research/data/labels.py) whose Serbian name differs from the value."""
    from research.data import labels

    found: dict[str, str] = {}
    for row in labels.list_labels(store).to_dict("records"):
        value, serbian = row["value"], row["label_sr"]
        if isinstance(value, str) and isinstance(serbian, str) and serbian.strip() and serbian != value:
            found.setdefault(value, str(row["domain"]))
    return found


# Free text the workspace's people wrote (or its CRM export holds): proper content, never translated.
_NOT_USER_TEXT = {"audit_log", "value_labels", "schema_version", "custom_fields", "query_history", "snapshots"}


def user_texts(store: Any, domain: dict[str, str]) -> list[str]:
    """Distinct texts of the workspace's tables (names, statements, notes, titles, tags), domain columns excluded."""
    from research.data.labels import DOMAINS

    domain_columns = set(DOMAINS.values())
    columns = store.query_df("SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
                             "JOIN information_schema.tables t USING (table_schema, table_name) "
                             "WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
                             "AND c.data_type IN ('VARCHAR', 'VARCHAR[]')")
    texts: set[str] = set()
    for table, column, kind in columns.itertuples(index=False):
        if table in _NOT_USER_TEXT or (table, column) in domain_columns:
            continue
        value = f'unnest("{column}")' if kind.endswith("[]") else f'"{column}"'
        found = store.query_df(f'SELECT DISTINCT {value} AS v FROM "{table}"')["v"]
        texts.update(v.strip() for v in found
                     if isinstance(v, str) and len(v.strip()) >= 3 and not _CODE_LIKE.match(v))
    return sorted(texts - set(domain))


_CODE_LIKE = re.compile(r"^[a-z][a-z0-9_-]{2,}$")


def data_codes(store: Any) -> dict[str, str]:
    """Lower-case codes stored in the workspace's enumerated columns ('won', 'trade_fair', 'price'), which a
    Serbian screen shows by a label: code -> "table.column". People's names (created_by, author…) and
    tag lists are the workspace's own words, not codes."""
    from research.data.labels import DOMAINS

    columns = store.query_df("SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
                             "JOIN information_schema.tables t USING (table_schema, table_name) "
                             "WHERE c.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
                             "AND c.data_type IN ('VARCHAR', 'VARCHAR[]')")
    codes: dict[str, str] = {}
    words: set[str] = set()
    for table, column, kind in columns.itertuples(index=False):
        if table in _NOT_USER_TEXT or (table, column) in set(DOMAINS.values()):
            continue
        if kind.endswith("[]"):
            words.update(store.query_df(f'SELECT DISTINCT unnest("{column}") AS v FROM "{table}"')["v"].dropna())
            continue
        if _PEOPLE.search(column):
            continue
        values = store.query_df(f'SELECT DISTINCT "{column}" AS v FROM "{table}" WHERE "{column}" IS NOT NULL LIMIT 31')["v"]
        if 0 < len(values) <= 30 and all(isinstance(v, str) and _CODE_LIKE.match(v) for v in values):
            for value in values:
                codes.setdefault(value, f"{table}.{column}")
    return {code: where for code, where in codes.items() if code not in words}


_PEOPLE = re.compile(r"(^|_)(by|actor|author|owner|email|user|name|key)$")


def vocabulary(store: Any) -> Vocabulary:
    templates, exact = catalog_templates()
    domain = domain_values(store)
    codes = catalog_codes()
    for code, where in data_codes(store).items():
        codes.setdefault(code, where)
    for table in store.query_df("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")["table_name"]:
        codes.setdefault(str(table), "table name")
    return Vocabulary(templates, exact, domain, codes, user_texts(store, domain))


def report(where: str, offences: Sequence[Offence], limit: int = 400) -> str:
    """A failure message the fixing helpers can act on: one line per offence, grouped by kind."""
    lines = [f"{len(offences)} untranslated strings on {where}:"]
    for offence in sorted(offences, key=lambda o: (o.what, o.place, o.term))[:limit]:
        lines.append("  - " + offence.line())
    if len(offences) > limit:
        lines.append(f"  … and {len(offences) - limit} more")
    return "\n".join(lines)
