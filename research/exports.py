"""Safe file output shared by every area: spreadsheet exports, file names, chart images.

CSV and Excel follow OWASP's CSV-injection guidance (CWE-1236): a text cell that
starts with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`, and Excel cells
are written as plain strings, so no spreadsheet ever evaluates a formula taken
from the workspace. A CSV file may be opened with another separator than the one
it was written with (`;` is the default list separator in Serbian and German
settings), and a spreadsheet then splits a line wherever that separator stands,
quotes or not: so in CSV text a `'` also goes before a formula start that follows
`,`, `;`, tab or a line break, and every field holding one of those is quoted.
`csv_bytes` is the only CSV writer of the project. Characters XML forbids (which openpyxl and python-pptx
reject) are removed from text before it reaches an Office file.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import os
import re
import stat
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from research.errors import ValidationError, VantageError

if TYPE_CHECKING:  # charts arrive built: importing this module (data entry, CSV) loads no altair
    import altair as alt

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "md": "text/markdown",
    "zip": "application/zip",
}
# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_UNSAFE_FILE_CHARS = re.compile(r"[^\w.-]+")
_RESERVED_FILE_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
CHART_FILE_WIDTH = 1100  # plot pixels before the 2x scale: a 16:9 slide's width


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet could read as a formula, made literal with a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# A formula start at the beginning of a cell or right after a separator a spreadsheet may split on.
_CSV_FORMULA = re.compile(r"(?:^|(?<=[,;\t\r\n]))(?=[=+\-@\t\r])")
# The ' that _CSV_FORMULA put in (the import takes it off again).
CSV_NEUTRALISED = r"(?:^|(?<=[,;\t\r\n]))'(?=[=+\-@\t\r])"
# The csv module quotes a field holding any character of the line terminator (documented
# for QUOTE_MINIMAL), so `;` and tab in it make those fields quoted too; the NUL marker,
# which no text cell keeps, finds the row ends again to cut the extra characters off.
_ROW_END_MARK = "\x00;\t"


def neutralise_csv(value: Any) -> Any:
    """A text cell for CSV: `'` before every formula start at the cell's start or after `,` `;` tab CR LF."""
    if isinstance(value, str):
        return _CSV_FORMULA.sub("'", value.replace("\x00", ""))
    return value


def xml_safe(text: object) -> str:
    """Text that openpyxl and python-pptx accept: XML-illegal characters removed."""
    return _XML_ILLEGAL.sub("", "" if text is None else str(text))


def neutralised(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names are formula-safe."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def csv_bytes(df: pd.DataFrame, *, date_format: str | None = None) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads Cyrillic correctly) and CRLF rows (RFC 4180).

    Text is formula-safe under any of the separators `,` `;` tab (see the module
    docstring); numbers are written as numbers, negative ones too.
    """
    out = df.copy()
    out.columns = [neutralise_csv(str(c)) for c in out.columns]
    for column in range(out.shape[1]):
        values = out.iloc[:, column]
        if values.dtype == object or pd.api.types.is_string_dtype(values) or isinstance(values.dtype, pd.CategoricalDtype):
            out.isetitem(column, values.astype(object).map(neutralise_csv).to_numpy())
    text = out.to_csv(index=False, lineterminator=_ROW_END_MARK + "\r\n", date_format=date_format,
                      quoting=csv.QUOTE_MINIMAL)
    return text.replace(_ROW_END_MARK, "").encode("utf-8-sig")


def _excel_cell(value: Any) -> Any:
    """A value openpyxl writes as data: strings stay strings, NaN/NaT become empty cells."""
    if isinstance(value, str):
        return xml_safe(value)
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, (bool, int, float, Decimal, dt.date, dt.time)):
        return value
    return xml_safe(value)  # lists, structs, bytes: their text


def xlsx_bytes(df: pd.DataFrame, sheet: str = "Data") -> bytes:
    """An .xlsx in which every text cell is a plain string, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(xml_safe(re.sub(r"[\[\]:*?/\\]", " ", sheet))[:31] or "Data")
    clean = neutralised(df)
    ws.append([xml_safe(c) for c in clean.columns])
    for row in clean.itertuples(index=False, name=None):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=_excel_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # explicit: a string cell, even if it looks like "=…"
            cells.append(cell)
        ws.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


def safe_filename(stem: str, extension: str, *, fallback: str = "export") -> str:
    """A portable file name from user text: letters (any script), digits, dot, dash, underscore."""
    text = unicodedata.normalize("NFKC", stem or "")
    cleaned = _UNSAFE_FILE_CHARS.sub("-", text).strip("._-")[:80].strip("._-")
    if not cleaned or cleaned.lower() in _RESERVED_FILE_NAMES:
        cleaned = fallback
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())
    return f"{cleaned}.{extension}"


def chart_bytes(chart: alt.TopLevelMixin | dict, fmt: str) -> bytes:
    """The chart (or its spec) as PNG (2x scale, crisp on slides) or SVG, rendered offline by vl-convert."""
    import json

    import vl_convert as vlc

    spec = dict(chart) if isinstance(chart, dict) else chart.to_dict()
    if spec.get("width") == "container":
        # An image has no page to fill: a slide-wide plot with title and legend around it
        # (a width fitted to the plot alone would cut the subtitle off).
        spec.update(width=CHART_FILE_WIDTH, autosize={"type": "pad", "contains": "padding"})
    text = json.dumps(spec)
    if fmt == "png":
        return vlc.vegalite_to_png(text, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(text).encode("utf-8")
    raise ValidationError(f"Cannot export a chart as {fmt!r}; choose png or svg.")


# ---- writing a file ----------------------------------------------------------------------


def check_target_folder(target: Path) -> None:
    """Refuse `target` when the folder it goes into is missing or not writable."""
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ValidationError(f"Cannot write {target}: the folder {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise ValidationError(f"Cannot write {target}: the folder {parent} is not writable.")


def check_file_target(target: Path) -> None:
    """Refuse a file target that cannot be written (no or read-only folder, a folder of that name),
    so callers can check before the slow work of drawing."""
    check_target_folder(target)
    if target.is_dir():
        raise ValidationError(f"Cannot write {target}: a folder of that name exists.")


def current_umask() -> int:
    """The process's umask, as Linux reports it in /proc/self/status (else read once, see below)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _umask_once()


@functools.lru_cache(maxsize=1)
def _umask_once() -> int:
    # Reading the umask means setting it: do it once, since threads may be creating files meanwhile.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(target: Path) -> int:
    """The permissions a file written to `target` gets, as if opened for writing: an existing file's own,
    else 0666 less the umask. (mkstemp makes its files 0600, which colleagues on a shared drive cannot open.)"""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then rename it over: never a half-written file.

    The file gets the permissions a plain write would give it (`new_file_mode`), not mkstemp's 0600.
    """
    check_file_target(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as e:
        raise VantageError(f"Cannot write {target}: {e.strerror or e}.", title="Export failed") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), new_file_mode(target))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as e:
        _remove_quietly(tmp)
        raise VantageError(f"Cannot write {target}: {e.strerror or e}.", title="Export failed") from e
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
