"""Reading an uploaded file into text cells: format, encoding, delimiter, decimal mark and date format.

Pure functions from bytes to a `RawTable` (every cell as text, headers made unique)
or an `ImportRefused` naming what is wrong with the file (a catalog message, so a page
shows it in the viewer's language). Nothing here touches the workspace.
Spreadsheets are read with openpyxl, which parses their XML through
defusedxml (installed), after the archive's unpacked size is checked (zip bombs);
formulas are read as their text and never evaluated. The number of columns is
checked from the first line (or a workbook's header row, a Parquet file's schema)
before anything is parsed in full: a 200,000-column file is refused in milliseconds.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from research import config
from research.data.entities import DATE_FORMATS, Problem, problem
from research.data.values import currencies_for
from research.errors import ValidationError
from research.i18n import Named, fmt_number, keyed_error, message


class ImportRefused(ValidationError):
    title = "Import refused"


_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls
_PARQUET = b"PAR1"
_DELIMITERS = (",", ";", "\t", "|")
_SPREADSHEET_MAX_UNPACKED = 500 * 1024 * 1024
# Encodings offered when the detection is wrong (the wizard's list and --encoding help).
ENCODINGS = ("utf-8", "windows-1250", "windows-1251", "windows-1252", "iso-8859-2", "iso-8859-5", "koi8-r",
             "utf-16", "latin-1")
_CODEC_LABELS = {"cp1250": "windows-1250", "cp1251": "windows-1251", "latin_1": "latin-1"}
_HEAD_ROWS = 20  # records whose width is checked before the full parse (ragged rows count too)
HEADER_SEARCH_ROWS = 30  # rows a report may carry above its table (a title, filters, blank lines)
# A cell of a filter line above a report's table: a number, a date or a label such as "From:".
_NOT_A_HEADER_CELL = re.compile(r"^[-+(]?[\d.,/ :-]*\d[\d.,/ :)-]*$|^[^\d:]{1,40}:$")


@dataclass
class RawTable:
    frame: pd.DataFrame  # every cell as text (None when empty); columns unique
    file_name: str
    sha256: str
    kind: str  # csv, xlsx, parquet
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    date_format: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # the file line of each row (header = 1)
    header_row: int = 1  # the row that holds the column names (rows above it were skipped)
    problems: list[Problem] = field(default_factory=list)  # ragged rows
    notes: list[str] = field(default_factory=list)  # renamed headers and the like (i18n.Named: `.sr` in Serbian)

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)


def max_upload_bytes() -> int:
    return config.DATA_MAX_UPLOAD_MB.value() * 1024 * 1024


def max_columns() -> int:
    return config.DATA_MAX_COLUMNS.value()


def check_columns(count: int, file_name: str, *, at_least: bool = False) -> None:
    """Refuse a file wider than VANTAGE_DATA_MAX_COLUMNS (called before the file is parsed in full).

    `at_least`: only the start of a longer first line was counted. `file_name` may be a Named
    ("Sheet 'Data' of book.xlsx" in both languages).
    """
    limit = max_columns()
    if count > limit:
        key = "data.read.error.too_many_columns_at_least" if at_least else "data.read.error.too_many_columns"
        named = file_name if isinstance(file_name, Named) else Named(file_name)
        raise keyed_error(ImportRefused, key, file=named, count=count, limit=limit, setting=config.DATA_MAX_COLUMNS.env)


def csv_column_count(text: str, delimiter: str) -> int:
    """The widest of the first records (header included), parsed lazily: only those lines are read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    widest = 0
    try:
        for _, row in zip(range(_HEAD_ROWS), reader):
            widest = max(widest, len(row))
    except csv.Error:
        pass  # the full parse reports the broken line
    return widest


def sniff_kind(data: bytes, file_name: str) -> str:
    """csv, xlsx or parquet from the bytes themselves (a renamed file is found out)."""
    if data.startswith(_OLE2):
        raise keyed_error(ImportRefused, "data.read.error.encrypted", file=file_name, xls=".xls", xlsx=".xlsx")
    if data.startswith(_ZIP):
        return "xlsx"
    if data.startswith(_PARQUET):
        return "parquet"
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text
    if b"\x00" in head or _binary_share(head) > 0.1:
        raise keyed_error(ImportRefused, "data.read.error.binary", file=file_name, tsv="TSV", xlsx=".xlsx",
                          parquet="Parquet")
    return "csv"


def _binary_share(head: bytes) -> float:
    if not head:
        return 0.0
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return control / len(head)


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was in: `encoding` if given, else BOM, UTF-8, windows-1250/1251 or Latin-1."""
    if encoding:
        codec = _codec(encoding)
        if codec == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
            codec = "utf-8-sig"
        return data.decode(codec, errors="replace").lstrip("\ufeff"), encoding
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:200_000], cp_isolation=["cp1250", "cp1251", "latin_1"]).best()
    codec = best.encoding if best is not None else "cp1250"
    # charset_normalizer often takes a short Cyrillic file for Central European Latin
    # ("Ęŕđňîíŕćŕ" for "Картонажа"): which script the words come out in decides.
    cyrillic = _looks_cyrillic(data[:200_000])
    if cyrillic and codec != "cp1251":
        codec = "cp1251"
    elif not cyrillic and codec == "cp1251":
        codec = "cp1250"
    return data.decode(codec, errors="replace"), _CODEC_LABELS.get(codec, codec)


def _codec(encoding: str) -> str:
    """Python's codec for an encoding name, or ImportRefused naming the ones we offer."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise keyed_error(ImportRefused, "data.read.error.encoding", encoding=encoding,
                          encodings=", ".join(ENCODINGS)) from None


_WORD = re.compile(r"[^\W\d_]+")


def _looks_cyrillic(data: bytes) -> bool:
    """True when the non-ASCII bytes read as whole Cyrillic words in windows-1251.

    Read as windows-1251, Cyrillic text gives words of Cyrillic letters only, while
    Latin text with diacritics gives words that mix ASCII and Cyrillic letters
    ("Kartonaћa"). Read as windows-1250, Cyrillic text gives words made only of
    accented letters ("Ęŕđňîíŕćŕ"), which real Serbian Latin, Czech or Polish words
    hardly ever are; that count breaks ties.
    """
    as_1251 = data.decode("cp1251", errors="replace")
    pure = mixed = 0
    for word in _WORD.findall(as_1251):
        if word.isascii():
            continue
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        if cyrillic == len(word):
            pure += 1
        elif cyrillic:
            mixed += 1
    if pure != mixed:
        return pure > mixed
    accented = sum(1 for w in _WORD.findall(data.decode("cp1250", errors="replace"))
                   if len(w) > 2 and not any(ch.isascii() for ch in w))
    return accented > 0


def detect_delimiter(text: str, file_name: str = "") -> str:
    """The delimiter that splits the first lines most consistently into more than one cell (quotes respected)."""
    if file_name.lower().endswith((".tsv", ".tab")):
        return "\t"
    sample = text[:65536]
    lines = sample.splitlines()[:50]
    best, best_score = ",", -1.0
    for delim in _DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delim))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if r]
        # Lines it does not split (a report's title above the table, a comma inside "125.000,00" under `,`)
        # say nothing for a delimiter: the most common width counts among the lines it splits.
        split = [w for w in widths if w >= 2]
        if not split:
            continue
        common, count = Counter(split).most_common(1)[0]
        score = count / len(widths) * 1000 + common
        if score > best_score:
            best, best_score = delim, score
    return best


_COMMA_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d{1,2}$|^-?\d{1,3}(\.\d{3})+$")
_DOT_DECIMAL = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d+$|^-?\d+\.\d{1,2}$|^-?\d{1,3}(,\d{3})+$")
# An amount as exports write it around its digits: sign or brackets, a currency before or after
# (`$1,234`, `-$1,714`, `($8,506)`, `€ 1.299,00`, `1.299,00 RSD`) or a percent sign (`12,5%`).
_MARKED_AMOUNT = re.compile(r"^\(?\s*[-−]?\s*(?P<pre>[^\d\s().,%−-]*)\s*[-−]?\s*\(?(?P<num>\d[\d.,]*)\)?\s*"
                            r"(?P<post>%|[^\d\s().,%−-]*)\s*\)?$")
# Money has no third decimal: in an amount, three digits after a mark make that mark a thousands
# separator, so `$523,964` is dot-decimal evidence although a plain `523,964` is not.
_MONEY_COMMA_DECIMAL = re.compile(r"^\d{1,3}(\.\d{3})+(,\d*)?$|^\d+,\d{1,2}$")
_MONEY_DOT_DECIMAL = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$|^\d+\.\d{1,2}$")


def _marked_amounts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(digits of the cells that are amounts with a currency or percent sign, the other cells).

    Only real markers count (`$`, `US$`, `€`, `RSD`, `%`): `Q1,5` is not an amount.
    """
    parts = values.str.extract(_MARKED_AMOUNT)
    pre, post = parts["pre"].fillna(""), parts["post"].fillna("")
    marked = parts["num"].notna() & (pre.ne("") | post.ne(""))
    if not marked.any():
        return values.iloc[:0], values
    known = {m: m == "%" or bool(currencies_for(m)) for m in set(pre[marked]) | set(post[marked])}
    known[""] = True
    marked &= pre.map(known.get).fillna(False).astype(bool) & post.map(known.get).fillna(False).astype(bool)
    return parts["num"][marked], values[~marked]


def detect_decimal(frame: pd.DataFrame, delimiter: str | None) -> str:
    """`,` when numbers look like 1.234,56 more often than like 1,234.56.

    Amounts with a currency (`$1,234`, `€ 1.299,00`) count by their digits, read as money (two
    decimals at most): a list of dollar amounts in a `;` file was otherwise read with a decimal
    comma and `$523,964` stored as 523.964 (issue 15).
    """
    comma = dot = 0
    for column in frame.columns:
        amounts, values = _marked_amounts(frame[column].dropna().astype(str).str.strip().head(500))
        comma += int(values.str.match(_COMMA_DECIMAL).sum()) + int(amounts.str.match(_MONEY_COMMA_DECIMAL).sum())
        dot += int(values.str.match(_DOT_DECIMAL).sum()) + int(amounts.str.match(_MONEY_DOT_DECIMAL).sum())
    if comma == dot:
        return "," if delimiter == ";" and comma else "."
    return "," if comma > dot else "."


_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\.?( .*)?$")


def detect_date_format(frame: pd.DataFrame) -> str | None:
    """The format of DATE_FORMATS that reads the most date-looking cells."""
    cells = pd.concat([frame[c].dropna().astype(str).head(300) for c in frame.columns], ignore_index=True) if len(
        frame.columns) else pd.Series(dtype=str)
    cells = cells[cells.str.match(_DATE_LIKE)].str.split(" ", n=1).str[0]
    if cells.empty:
        return None
    scores = {fmt: int(pd.to_datetime(cells, format=fmt, errors="coerce").notna().sum()) for fmt in DATE_FORMATS}
    best = max(scores, key=lambda f: scores[f])
    return best if scores[best] else None


def unique_headers(headers: list[str]) -> tuple[list[str], list[str]]:
    """Blank headers named `column_N`, repeated ones numbered; with a note for each change (a catalog
    message: English as text, Serbian as `.sr`)."""
    seen: Counter[str] = Counter()
    result: list[str] = []
    notes: list[str] = []
    for i, raw in enumerate(headers, start=1):
        name = (raw or "").strip().lstrip("\ufeff")
        if not name:
            name = f"column_{i}"
            notes.append(message("data.read.note.no_header", number=i, name=name))
        base = name
        seen[base.casefold()] += 1
        if seen[base.casefold()] > 1:
            name = f"{base}_{seen[base.casefold()]}"
            notes.append(message("data.read.note.repeated", header=base, name=name))
        result.append(name)
    return result, notes


def header_index(rows: Sequence[Sequence[object]]) -> int:
    """Where the table starts among a file's first rows: the index of its header row.

    Reports exported from CRMs and ERPs often carry a title, their filters and blank lines
    above the table ("Accounts report", "From:;2026-01-01;To:;2026-12-31"). A leading row is
    skipped when it is blank, holds one cell while the table is wider (a title), a label and its
    value while the table has three columns or more ("Report:;Accounts"), or only numbers, dates and labels
    ending in ":" (a filter line); the first other row is the header. A file without such rows
    starts at row 0, as always.
    """
    def cells(row: Sequence[object]) -> list[str]:
        return [str(c).strip() for c in row if c is not None and str(c).strip()]

    head = rows[:HEADER_SEARCH_ROWS]
    widest = max((len(cells(r)) for r in head), default=0)
    for i, row in enumerate(head):
        named = cells(row)
        title = len(named) == 1 and widest >= 2 or len(named) == 2 and named[0].endswith(":") and widest >= 3
        filters = bool(named) and all(_NOT_A_HEADER_CELL.match(c) for c in named)
        if named and not title and not filters:
            return i
    return 0


# The lines a report ends with: its totals ("Grand Totals (3 records)", "Total:"; Serbian "Укупно") and
# the small print ("Confidential Information - Do Not Distribute", "Poverljivo …", "Copyright (c) 2000-2026 …").
_FOOTER = re.compile(r"^(?:(?:grand\s+)?totals?|sum|ukupno|укупно|свега|svega)(?:\s*\(.*\))?\s*:?$"
                     r"|^(?:confidential|poverljiv|поверљив|copyright|©|\(c\)\s)", re.IGNORECASE)


def footer_start(rows: Sequence[Sequence[object]]) -> int:
    """Where a report's footer starts among the table's rows (len(rows) when it has none).

    Trailing rows whose first cell is a total's label (`Grand Totals (3 records)`, `Total`,
    `Укупно:`) or the small print (`Confidential …`, `Copyright (c) …`) are its footer: they
    are no records. A company called "Total S.A." is a record (only the bare label counts).
    """
    end = len(rows)
    while end:
        named = [str(c).strip() for c in rows[end - 1] if c is not None and str(c).strip()]
        if not named or not _FOOTER.match(named[0]):
            break
        end -= 1
    return end


def header_at(rows: Sequence[Sequence[object]], header_row: int | None, file_name: str) -> tuple[int, list[str]]:
    """The header's index among `rows` (the file's first rows): `header_row` (1-based) when given, else found;
    with the note that says which row it is when rows above it are skipped."""
    if header_row is not None:
        if not 1 <= header_row <= len(rows):
            raise keyed_error(ImportRefused, "data.read.error.header_row", file=file_name, row=header_row,
                              rows=len(rows))
        index = header_row - 1
    else:
        index = header_index(rows)
    notes: list[str] = [message("data.read.note.header_row", row=index + 1, skipped=index)] if index else []
    return index, notes


def _footer_note(count: int, lines: list[int]) -> list[str]:
    """The note that says which rows after the table were left out as its footer."""
    if not count:
        return []
    return [message("data.read.note.footer", count=count, rows=", ".join(str(n) for n in lines))]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_upload(data: bytes, file_name: str, *, sheet: str | None = None, encoding: str | None = None,
                header_row: int | None = None) -> RawTable:
    """Any supported file as text cells, or ImportRefused saying what is wrong with it.

    `encoding` overrides the detected encoding of a text file (ignored for workbooks and Parquet);
    `header_row` (1-based) the row found to hold the header of a CSV file or a sheet (`header_index`).
    """
    limit = max_upload_bytes()
    if len(data) > limit:
        size = len(data) / 1048576
        raise keyed_error(ImportRefused, "data.read.error.too_big", file=file_name,
                          size=Named(f"{size:,.1f}", fmt_number(size, "sr", 1)), limit=limit // 1048576,
                          setting=config.DATA_MAX_UPLOAD_MB.env)
    if not data.strip():
        raise keyed_error(ImportRefused, "data.read.error.empty", file=file_name)
    kind = sniff_kind(data, file_name)
    if kind == "xlsx":
        raw = _read_xlsx(data, file_name, sheet, header_row)
    elif kind == "parquet":
        raw = _read_parquet(data, file_name)
    else:
        raw = _read_csv(data, file_name, encoding, header_row)
    if raw.frame.empty:
        raise keyed_error(ImportRefused, "data.read.error.no_rows", file=file_name)
    if raw.date_format is None:
        raw.date_format = detect_date_format(raw.frame)
    return raw


def _read_csv(data: bytes, file_name: str, encoding: str | None = None, header_row: int | None = None) -> RawTable:
    text, encoding = decode_text(data, encoding)
    delimiter = detect_delimiter(text, file_name)
    check_columns(csv_column_count(text, delimiter), file_name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        first: list[list[str]] = []  # the rows the header is looked for in, and the line each starts on
        starts: list[int] = []
        while len(first) < max(HEADER_SEARCH_ROWS, header_row or 0):
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            first.append(row)
            starts.append(line)
        index, skipped = header_at(first, header_row, file_name)
        header = first[index] if first else None
        for row, line in zip(first[index + 1:], starts[index + 1:]):
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(line)
        while True:
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(line)
    except csv.Error as e:
        raise keyed_error(ImportRefused, "data.read.error.csv", file=file_name, line=reader.line_num,
                          reason=str(e)) from e
    if header is None or not any(h.strip() for h in header):
        raise keyed_error(ImportRefused, "data.read.error.no_header", file=file_name)
    headers, notes = unique_headers(header)
    end = footer_start(rows)
    notes = skipped + notes + _footer_note(len(rows) - end, lines[end:])
    rows, lines = rows[:end], lines[:end]
    width = len(headers)
    problems: list[Problem] = []
    fixed: list[list[str | None]] = []
    for line, row in zip(lines, rows):
        if len(row) > width:
            extra = [c for c in row[width:] if c.strip()]
            if extra:
                # Counts as text: the English keeps them ungrouped, as it always wrote them.
                problems.append(problem(line, "(row)", delimiter.join(row)[:80], "data.read.problem.ragged",
                                        cells=str(len(row)), width=str(width)))
            row = row[:width]
        cells = [c if c.strip() else None for c in row] + [None] * (width - len(row))
        fixed.append(cells)
    frame = pd.DataFrame(fixed, columns=headers, dtype=object)
    raw = RawTable(frame, file_name, _sha256(data), "csv", encoding=encoding, delimiter=delimiter,
                   row_numbers=lines, problems=problems, notes=notes, header_row=index + 1)
    raw.decimal = detect_decimal(frame, delimiter)
    return raw


def list_sheets(data: bytes, file_name: str = "workbook.xlsx") -> list[str]:
    """The sheet names of a workbook (empty for other files)."""
    if sniff_kind(data, file_name) != "xlsx":
        return []
    return list(_open_workbook(data, file_name).sheetnames)


def _open_workbook(data: bytes, file_name: str):  # noqa: ANN202 - openpyxl's Workbook
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile as e:
        raise keyed_error(ImportRefused, "data.read.error.bad_zip", file=file_name) from e
    if "xl/workbook.xml" not in names:
        raise keyed_error(ImportRefused, "data.read.error.zip_not_xlsx", file=file_name, xlsx=".xlsx")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise keyed_error(ImportRefused, "data.read.error.macros", file=file_name, xlsx=".xlsx")
    if unpacked > _SPREADSHEET_MAX_UNPACKED or unpacked > 200 * max(len(data), 1):
        raise keyed_error(ImportRefused, "data.read.error.zip_bomb", file=file_name, size=round(unpacked / 1048576))
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many types for broken workbooks; all mean "unreadable"
        raise keyed_error(ImportRefused, "data.read.error.workbook", file=file_name, error=type(e).__name__) from e


def _read_xlsx(data: bytes, file_name: str, sheet: str | None, header_row: int | None = None) -> RawTable:
    workbook = _open_workbook(data, file_name)
    try:
        sheets = list(workbook.sheetnames)
        if sheet is None:
            filled = [s for s in sheets if (workbook[s].max_row or 0) > 1]
            if len(filled) > 1:
                raise keyed_error(ImportRefused, "data.read.error.sheets", file=file_name, sheets=", ".join(sheets))
            sheet = filled[0] if filled else sheets[0]
        if sheet not in sheets:
            raise keyed_error(ImportRefused, "data.read.error.no_sheet", file=file_name, sheet=sheet,
                              sheets=", ".join(sheets))
        worksheet = workbook[sheet]
        first = list(worksheet.iter_rows(max_row=max(HEADER_SEARCH_ROWS, header_row or 0), values_only=True))
        index, skipped = header_at(first, header_row, message("data.read.sheet_of", sheet=sheet, file=file_name))
        header = first[index] if first else None
        if header is None or not any(h is not None and str(h).strip() for h in header):
            raise keyed_error(ImportRefused, "data.read.error.sheet_no_header", file=file_name, sheet=sheet)
        header = list(header)
        if len(header) > max_columns():
            # A sheet formatted out to column XFD reports 16,384 columns: only the
            # headed ones count, and the rows are read no wider than those.
            while header and (header[-1] is None or not str(header[-1]).strip()):
                header.pop()
            check_columns(len(header), message("data.read.sheet_of", sheet=sheet, file=file_name))
        headers, notes = unique_headers(["" if h is None else str(h) for h in header])
        notes = skipped + notes
        width = len(headers)
        body, lines = [], []
        rows = worksheet.iter_rows(min_row=index + 2, max_col=width, values_only=True)
        for line, row in enumerate(rows, start=index + 2):
            cells = [_cell_text(v) for v in row[:width]] + [None] * max(0, width - len(row))
            if any(c is not None for c in cells):
                body.append(cells)
                lines.append(line)
    finally:
        workbook.close()
    end = footer_start(body)
    notes = notes + _footer_note(len(body) - end, lines[end:])
    body, lines = body[:end], lines[:end]
    frame = pd.DataFrame(body, columns=headers, dtype=object)
    # Excel keeps numbers as numbers: their text uses a dot whatever the locale.
    return RawTable(frame, file_name, _sha256(data), "xlsx", decimal=".", sheet=sheet, sheets=sheets,
                    row_numbers=lines, notes=notes, header_row=index + 1)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    text = str(value)
    return text if text.strip() else None


def parquet_column_count(source: str | bytes, file_name: str) -> int:
    """The number of top-level columns from a Parquet file's footer (the data is not read)."""
    import pyarrow.parquet as pq

    try:
        return len(pq.ParquetFile(io.BytesIO(source) if isinstance(source, bytes) else source).schema_arrow.names)
    except Exception as e:  # pyarrow raises several types for damaged files
        raise keyed_error(ImportRefused, "data.read.error.parquet", file=file_name, parquet="Parquet",
                          error=type(e).__name__) from e


def _read_parquet(data: bytes, file_name: str) -> RawTable:
    check_columns(parquet_column_count(data, file_name), file_name)
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as e:  # pyarrow raises several types for damaged files
        raise keyed_error(ImportRefused, "data.read.error.parquet", file=file_name, parquet="Parquet",
                          error=type(e).__name__) from e
    headers, notes = unique_headers([str(c) for c in frame.columns])
    text = pd.DataFrame(
        {h: frame[c].map(_cell_text) for h, c in zip(headers, frame.columns)}, dtype=object
    )
    return RawTable(text, file_name, _sha256(data), "parquet", decimal=".",
                    row_numbers=list(range(2, len(frame) + 2)), notes=notes)
