"""Free research datasets: any CSV, Excel or Parquet file as a `ds_<name>` table for the Query page.

CSV and Parquet files are read by DuckDB itself (`read_csv` / `read_parquet`), so a
million rows load at DuckDB's own speed; we only choose the delimiter, decimal mark
and date format (the same detection as entity imports), transcode non-UTF-8 text
first, and rename columns to safe lower-case identifiers. Replace and append run in
one transaction with one bulk audit row; a refused or failed import changes nothing.

Real exports write a missing value as `-`, `—`, `n/a` or a cell of spaces, which makes
DuckDB's sniffer read the column as text. Typing stays DuckDB's work (issue 15: reading
every column as text and typing it in SQL made the import 6x slower): the sniffer is
asked a second time with the markers as NULL, and a text column that then reads as
numbers, dates or booleans is converted in the statement that loads the file. Text
columns whose first rows all read as one type (cells of spaces) are checked in full
and retyped after the load. A cell past the sniffer's sample that does not fit its
column's type makes the file be read again with that column as text. A column that
really is text keeps every cell as written, `-` included; an empty cell is NULL.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
import tempfile
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from research.access import Actor, require
from research.data.mapping import fold
from research.data.reading import (
    ImportRefused,
    check_columns,
    csv_column_count,
    decode_text,
    detect_date_format,
    detect_decimal,
    detect_delimiter,
    header_at,
    parquet_column_count,
    read_upload,
    sniff_kind,
)
from research.errors import StoreError, ValidationError
from research.i18n import keyed_error
from research.store.core import Store, Transaction, single_row, single_value
from research.store.sql import quote_ident, sql_literal

PREFIX = "ds_"
MODES = ("replace", "append")
_MAX_NAME = 60


@dataclass(frozen=True)
class DatasetResult:
    table: str
    rows: int
    columns: list[str]
    created: bool
    batch_id: int


def sanitize_identifier(text: str, fallback: str = "column") -> str:
    """Lower-case ASCII letters, digits and underscores; never starting with a digit."""
    name = re.sub(r"_+", "_", fold(text).replace(" ", "_")).strip("_")[:_MAX_NAME]
    if not name:
        name = fallback
    if name and name[0].isdigit():
        name = f"c_{name}"
    return name


def dataset_table(name: str) -> str:
    """`ds_<sanitised name>`; a name that sanitises to nothing is refused."""
    base = sanitize_identifier(name.removeprefix(PREFIX), fallback="")
    if not base:
        raise keyed_error(ValidationError, "data.dataset.error.name", name=name, example="trade_fair_2026")
    return PREFIX + base


def sanitize_columns(names: list[str]) -> list[str]:
    result: list[str] = []
    for i, name in enumerate(names, start=1):
        candidate = sanitize_identifier(name, fallback=f"column_{i}")
        base, n = candidate, 2
        while candidate in result:
            candidate = f"{base}_{n}"
            n += 1
        result.append(candidate)
    return result


def list_datasets(store: Store) -> pd.DataFrame:
    rows = store.query_rows(
        "SELECT table_name, estimated_size AS rows, column_count AS columns FROM duckdb_tables() "
        "WHERE schema_name = 'main' AND NOT temporary AND starts_with(table_name, ?) ORDER BY table_name",
        [PREFIX],
    )
    return pd.DataFrame(rows, columns=["table_name", "rows", "columns"])


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Cells that mean "no value" where the column's other cells are numbers, dates or booleans
# (issue 15 item 3); compared trimmed. In a text column they stay as written: "-" can be an answer.
MISSING_MARKERS = ("-", "\u2013", "\u2014", "n/a", "N/A")
_MISSING = "(" + ", ".join(sql_literal(m) for m in ("", *MISSING_MARKERS)) + ")"
# Text columns whose first rows all read as one type are checked in full after the load.
_FIRST_ROWS = 1000


@dataclass(frozen=True)
class CsvSource:
    """A CSV file as DuckDB's `read_csv` reads it, and what its first lines said about numbers and dates."""

    path: str
    options: tuple[str, ...]  # delimiter, decimal mark, date format and the like
    comma: bool  # decimal comma (and thousands dots)
    date_format: str | None  # one of research.data.entities.DATE_FORMATS, or None (ISO)
    # DuckDB's parallel scanner refuses null_padding together with quoted line breaks ("CSV Error
    # on Line: 3"); the single-threaded one reads both, at about 1.7x the time on our 2 cores.
    parallel: bool
    # The file's own names of columns read as text: a cell past the sniffer's sample did not fit.
    as_text: tuple[str, ...] = ()

    def call(self, function: str, *, markers_as_null: bool = False) -> str:
        """`read_csv(...)` or `sniff_csv(...)` over the file; `markers_as_null`: MISSING_MARKERS read as NULL."""
        options = list(self.options)
        if not self.parallel:
            options.append("parallel=false")
        if self.as_text:
            types = ", ".join(f"{sql_literal(c)}: 'VARCHAR'" for c in self.as_text)
            options.append(f"types={{{types}}}")
        if markers_as_null:
            options.append(f"nullstr=[{', '.join(sql_literal(m) for m in ('', *MISSING_MARKERS))}]")
        return f"{function}({sql_literal(self.path)}, {', '.join(options)})"


def _csv_source(path: str, head: bytes, file_name: str, workdir: str, encoding: str | None = None,
                header_row: int | None = None) -> CsvSource:
    """The file for `read_csv`, transcoded to UTF-8 in `workdir` if needed."""
    sample_text, encoding = decode_text(head[:-4] if len(head) == 1 << 20 else head, encoding)
    delimiter = detect_delimiter(sample_text, file_name)
    # Before DuckDB sees the file: a header of 200,000 columns took it minutes and gigabytes.
    # A first line longer than the 1 MB head still counts past the cap.
    check_columns(csv_column_count(sample_text, delimiter), file_name,
                  at_least=len(head) == 1 << 20 and "\n" not in sample_text)
    if encoding not in ("utf-8", "utf-8-sig"):
        source_encoding = {"windows-1250": "cp1250", "windows-1251": "cp1251"}.get(encoding, encoding)
        target = os.path.join(workdir, "utf8.csv")
        decoder = codecs.getincrementaldecoder(source_encoding)(errors="replace")
        with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
        path = target
    # The sample is parsed as CSV (not line by line), so a quoted line break stays inside its cell.
    try:
        sample_rows = list(itertools.islice(csv.reader(io.StringIO(sample_text, newline=""), delimiter=delimiter), 201))
    except csv.Error:
        sample_rows = []
    # A report's title, filters and blank lines above the table are skipped (reading.header_index).
    index, _ = header_at(sample_rows, header_row, file_name)
    table = sample_rows[index:]
    body = table[1:-1] if len(table) > 2 else table[1:]  # the last row may be cut by the head
    width = max((len(r) for r in body), default=0)
    sample = pd.DataFrame([r + [None] * (width - len(r)) for r in body]) if width else pd.DataFrame()
    options = [f"delim={sql_literal(delimiter)}", "header=true", "null_padding=true", "sample_size=20480"]
    if index:
        options.append(f"skip={int(index)}")
    comma = not sample.empty and detect_decimal(sample, delimiter) == ","
    if comma:
        options.append("decimal_separator=','")
    date_format = detect_date_format(sample) if not sample.empty else None
    if date_format and date_format != "%Y-%m-%d":
        options.append(f"dateformat={sql_literal(date_format)}")
    # A line break seen inside a cell: read serially at once. One past the sample makes the
    # parallel read fail, and import_dataset reads the file again serially.
    multiline = any("\n" in cell or "\r" in cell for row in sample_rows for cell in row)
    return CsvSource(path, tuple(options), comma, date_format if date_format != "%Y-%m-%d" else None,
                     parallel=not multiline)


class _ReadAgain(Exception):
    """The load was rolled back; `source` reads the file in a way that gets past `reason`."""

    def __init__(self, source: CsvSource, reason: str) -> None:
        super().__init__(reason)
        self.source = source


# Each read again either turns parallel reading off or reads one more column as text.
_READS = 8
# DuckDB's words for a cell that does not fit its column's sniffed type (and ours, in _marked_columns).
_CONVERSION = re.compile(r'Error when converting column "(?P<name>[^"]+)"\.')


def _read_again(source: CsvSource, originals: list[str], error: BaseException | None) -> CsvSource | None:
    """How to read `source` past `error`, or None when reading again cannot help."""
    message = str(error)
    if source.parallel and "parallel scanner does not support null_padding" in message:
        # A quoted line break past the sample.
        return replace(source, parallel=False)
    found = _CONVERSION.search(message)
    if isinstance(error, (duckdb.ConversionException, duckdb.InvalidInputException)) and found \
            and found["name"] in originals and found["name"] not in source.as_text:
        # A cell past the sniffer's 20,480-row sample (a "-" at the end of a sorted export, a
        # word among numbers): the column is read as text and typed after the load if it can be.
        return replace(source, as_text=(*source.as_text, found["name"]))
    return None


def import_dataset(store: Store, name: str, path: str, actor: Actor, *, mode: str = "replace",
                   file_name: str | None = None, sheet: str | None = None,
                   encoding: str | None = None, header_row: int | None = None) -> DatasetResult:
    """Load the file at `path` as table ds_<name> (replacing or appending to it) in one transaction; admins.

    `encoding` overrides the detected encoding of a text file; `header_row` (1-based) the row found to hold
    the column names (a report's title, filters and blank lines above its table are skipped).
    """
    require(actor, "import")
    if mode not in MODES:
        raise keyed_error(ValidationError, "data.dataset.error.mode", mode=mode)
    table = dataset_table(name)
    file_name = file_name or os.path.basename(path)
    if not os.path.isfile(path):
        raise keyed_error(ImportRefused, "data.dataset.error.no_file", file=file_name)
    if os.path.getsize(path) == 0:
        raise keyed_error(ImportRefused, "data.read.error.empty", file=file_name)
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if not head.strip():
        raise keyed_error(ImportRefused, "data.read.error.empty", file=file_name)
    kind = sniff_kind(head, file_name)
    # Hashed while DuckDB reads the file (both let go of the GIL): 0.05 s of a 1M-row file's import.
    with ThreadPoolExecutor(max_workers=1) as hashing, tempfile.TemporaryDirectory(prefix="vantage-ds-") as workdir:
        sha256 = hashing.submit(_file_sha256, path)
        if kind == "csv":
            source, reason = _csv_source(path, head, file_name, workdir, encoding, header_row), ""
            for _ in range(_READS):
                try:
                    return _load(store, table, source, None, mode, actor, file_name, sha256)
                except _ReadAgain as again:
                    source, reason = again.source, str(again)
            raise keyed_error(ImportRefused, "data.dataset.error.not_imported", file=file_name,
                              reason=reason.splitlines()[0])
        if kind == "parquet":
            check_columns(parquet_column_count(path, file_name), file_name)
            return _load(store, table, f"read_parquet({sql_literal(path)})", None, mode, actor, file_name, sha256)
        with open(path, "rb") as handle:
            raw = read_upload(handle.read(), file_name, sheet=sheet, header_row=header_row)
        return _load(store, table, "_vantage_dataset", _typed(raw.frame), mode, actor, file_name, sha256)


def _is_missing(value: object) -> bool:
    return value is None or isinstance(value, str) and value.strip() in ("", *MISSING_MARKERS)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheet text cells as numbers or dates where a whole column reads as such.

    Missing-value markers count as empty there; whole numbers stay integers (Int64) with
    empty cells, where float64 would have made them DOUBLE. A text column keeps every cell.
    """
    out = {}
    for column in frame.columns:
        values = frame[column]
        present = values.mask(values.map(_is_missing))
        if present.notna().any():
            numbers = pd.to_numeric(present, errors="coerce")
            if numbers.notna().sum() == present.notna().sum():
                whole = numbers.dropna()
                integral = bool((whole == whole.round()).all() and (whole.abs() < 2**53).all())
                out[column] = numbers.astype("Int64") if integral else numbers
                continue
            dates = pd.to_datetime(present, format="ISO8601", errors="coerce")
            if dates.notna().sum() == present.notna().sum():
                out[column] = dates
                continue
        out[column] = values.astype("string")
    return pd.DataFrame(out)


# The types a text column can take after the load, each with its bit in _text_kinds' masks.
_KINDS = ("BIGINT", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN")
_INTEGER = r"[+-]?(0|[1-9][0-9]*)"  # "01067" is a code (the sniffer agrees), not the number 1067
_DECIMAL = r"[+-]?(0|[1-9][0-9]*)?\.[0-9]+([eE][+-]?[0-9]+)?|[+-]?(0|[1-9][0-9]*)[eE][+-]?[0-9]+"
# Decimal comma, thousands dots: "1.234,56", "-0,5", "1.234".
_COMMA_INTEGER = r"[+-]?(0|[1-9][0-9]{0,2}(\.[0-9]{3})+|[1-9][0-9]*)"
_COMMA_DECIMAL = r"[+-]?(0|[1-9][0-9]{0,2}(\.[0-9]{3})+|[1-9][0-9]*),[0-9]+"
_DATE_LIKE = r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}\.?"
_TIMESTAMP_LIKE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"


def _text_as(kind: str, value: str, source: CsvSource, *, strict: bool = True) -> str:
    """SQL converting the trimmed, present text `value` to `kind`; not `strict`: NULL where it does not."""
    number = f"replace(replace({value}, '.', ''), ',', '.')" if source.comma else value
    cast = "CAST" if strict else "TRY_CAST"
    if kind == "DATE" and source.date_format:
        # try_strptime costs ~20x a cast per cell; only date formats other than ISO need it.
        return f"CAST({'strptime' if strict else 'try_strptime'}({value}, {sql_literal(source.date_format)}) AS DATE)"
    if kind == "BOOLEAN":
        return f"{cast}(lower({value}) AS BOOLEAN)"
    return f"{cast}({number if kind in ('BIGINT', 'DOUBLE') else value} AS {kind})"


def _text_kinds(tx: Transaction, relation: str, columns: list[str], source: CsvSource) -> dict[str, str | None]:
    """The type of _KINDS that every present cell of each text column of `relation` reads as, or None.

    Blank cells and MISSING_MARKERS are absent (a column without a present cell is left out);
    integers and decimals together read as DOUBLE, dates and timestamps as TIMESTAMP. One
    unpivoted query whatever the width: a statement with an expression per column took
    DuckDB 5 s to plan for 2,000 columns.
    """
    integer, decimal = (_COMMA_INTEGER, _COMMA_DECIMAL) if source.comma else (_INTEGER, _DECIMAL)
    looks = [integer, f"{integer}|{decimal}", _DATE_LIKE, _TIMESTAMP_LIKE]
    tests = [f"regexp_full_match(v, '{pattern}') AND {_text_as(kind, 'v', source, strict=False)} IS NOT NULL"
             for pattern, kind in zip(looks, _KINDS)]
    tests.append("lower(v) IN ('true', 'false')")
    # Each cell counts for the first kind that reads it (bit 0: none), so a column of integers
    # costs one regular expression per cell and a text column usually none past its first test.
    classify = "CASE " + " ".join(f"WHEN {test} THEN {1 << bit}" for bit, test in enumerate(tests, start=1))
    rows = tx.execute(
        f"SELECT name, bit_or({classify} ELSE 1 END) FROM (SELECT name, trim(value) AS v FROM "
        f"(UNPIVOT (SELECT {', '.join(quote_ident(c) for c in columns)} FROM {relation}) "
        f"ON COLUMNS(*) INTO NAME name VALUE value)) WHERE v NOT IN {_MISSING} GROUP BY name").fetchall()
    bits = {kind: 1 << bit for bit, kind in enumerate(_KINDS, start=1)}
    found: dict[str, str | None] = {}
    for name, mask in rows:
        found[name] = None
        for kind, allowed in (("BIGINT", bits["BIGINT"]), ("DOUBLE", bits["BIGINT"] | bits["DOUBLE"]),
                              ("DATE", bits["DATE"]), ("TIMESTAMP", bits["DATE"] | bits["TIMESTAMP"]),
                              ("BOOLEAN", bits["BOOLEAN"])):
            if mask & ~allowed == 0:
                found[name] = kind
                break
    return found


def _first_rows_typed(tx: Transaction, first_rows: str, text: list[str], source: CsvSource | None) -> list[str]:
    """The `text` columns whose cells in the relation `first_rows` all read as one type, or are all missing."""
    if not (source and text):
        return []
    kinds = _text_kinds(tx, first_rows, text, source)
    return [c for c in text if c not in kinds or kinds[c]]


def _retype(tx: Transaction, table: str, candidates: list[str], source: CsvSource) -> None:
    """Retype the text columns of `table` that read in full as one type, blank cells and markers as NULL.

    Only `candidates` (text columns whose first rows read so, or hold no value) are checked over all rows.
    """
    for column, kind in _text_kinds(tx, quote_ident(table), candidates, source).items():
        if not kind:
            continue
        value = f"trim({quote_ident(column)})"
        tx.execute(f"ALTER TABLE {quote_ident(table)} ALTER {quote_ident(column)} SET DATA TYPE {kind} USING "
                   f"CASE WHEN {value} IN {_MISSING} THEN NULL ELSE {_text_as(kind, value, source)} END").fetchall()


# The types the sniffer may give a column once markers are NULL, and how a cell `{v}` of its
# text becomes one (NULL where it does not).
_SNIFFED = {
    "BIGINT": "CASE WHEN regexp_full_match(trim({v}), '[+-]?[0-9]+') THEN TRY_CAST({v} AS BIGINT) END",
    "DOUBLE": "TRY_CAST({v} AS DOUBLE)",
    "BOOLEAN": "TRY_CAST({v} AS BOOLEAN)",
    "DATE": "TRY_CAST({v} AS DATE)",
    "TIMESTAMP": "TRY_CAST({v} AS TIMESTAMP)",
    "TIMESTAMP WITH TIME ZONE": "TRY_CAST({v} AS TIMESTAMPTZ)",
    "TIME": "TRY_CAST({v} AS TIME)",
}


def _marked_columns(tx: Transaction, source: CsvSource, originals: list[str], columns: list[str],
                    types: list[str]) -> dict[str, str]:
    """{column: SQL typing its text}, for the text columns that the sniffer types once markers are NULL."""
    if "VARCHAR" not in types:
        return {}
    # Not one read with nullstr for all columns: that also empties "-" in a real text column,
    # and force_not_null turns it into '' rather than keeping it (DuckDB 2.0.1).
    sniffed, date_format, timestamp_format = single_row(tx.execute(
        f"SELECT Columns, DateFormat, TimestampFormat FROM {source.call('sniff_csv', markers_as_null=True)}"))
    if [c["name"] for c in sniffed] != originals:
        return {}
    marked = {}
    for original, column, plain, typed in zip(originals, columns, types, (c["type"] for c in sniffed)):
        if plain != "VARCHAR" or typed not in _SNIFFED:
            continue
        cell = quote_ident(column)
        if typed == "DOUBLE" and source.comma:
            conversion = f"TRY_CAST(replace({cell}, ',', '.') AS DOUBLE)"
        elif typed == "DATE" and date_format:
            conversion = f"CAST(try_strptime({cell}, {sql_literal(date_format)}) AS DATE)"
        elif typed == "TIMESTAMP" and timestamp_format:
            conversion = f"try_strptime({cell}, {sql_literal(timestamp_format)})"
        else:
            # Not CAST: CAST('1.5' AS BIGINT) is 2, where the CSV reader refuses the cell.
            conversion = _SNIFFED[typed].format(v=cell)
        # A cell past the sniffer's sample that is no such value fails like DuckDB's own
        # conversions (_CONVERSION), and the file is read again with this column as text.
        refused = sql_literal(f'Error when converting column "{original}". Could not convert string "')
        marked[column] = (f"CASE WHEN {cell} IS NULL OR trim({cell}) IN {_MISSING} THEN NULL "
                          f"ELSE coalesce({conversion}, error({refused} || {cell} || '\" to {typed}')) END")
    return marked


def _load(store: Store, table: str, source: str | CsvSource, frame: pd.DataFrame | None, mode: str, actor: Actor,
          file_name: str, sha256: Future[str]) -> DatasetResult:
    csv_file = source if isinstance(source, CsvSource) else None
    read = csv_file.call("read_csv") if csv_file else source
    originals: list[str] = []
    try:
        with store.transaction(actor) as tx:
            if frame is not None:
                tx.register("_vantage_dataset", frame)
            try:
                described = tx.execute(f"DESCRIBE SELECT * FROM {read}").fetchall()
            except duckdb.Error as e:
                raise keyed_error(ImportRefused, "data.dataset.error.unreadable", file=file_name,
                                  reason=str(e).splitlines()[0]) from e
            originals = [r[0] for r in described]
            columns = sanitize_columns(originals)
            types = [r[1] for r in described]
            # Renamed by position (a column alias list), so the file's own names never reach SQL.
            renamed = f"{read} AS _src({', '.join(quote_ident(c) for c in columns)})"
            marked = _marked_columns(tx, csv_file, originals, columns, types) if csv_file else {}
            select = ", ".join(f"{marked[c]} AS {quote_ident(c)}" if c in marked else quote_ident(c) for c in columns)
            # Columns read again as text are typed in the sample: only the full check can tell.
            reread = [c for c, o in zip(columns, originals) if csv_file and o in csv_file.as_text]
            text = [c for c, t in zip(columns, types) if t == "VARCHAR" and c not in marked and c not in reread]
            exists = bool(single_value(tx.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary AND table_name = ?",
                [table])))
            before_rows = int(single_value(tx.execute(f"SELECT count(*) FROM {quote_ident(table)}"))) if exists else 0
            if mode == "append" and exists:
                have = [r[0] for r in tx.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
                if sorted(have) != sorted(columns):
                    raise keyed_error(ImportRefused, "data.dataset.error.other_columns", file=file_name,
                                      columns=", ".join(columns), dataset=table, have=", ".join(have))
                # Checked on the file's first rows before anything is written: most text columns are text.
                candidates = reread + _first_rows_typed(tx, f"(SELECT * FROM {renamed} LIMIT {_FIRST_ROWS})", text,
                                                        csv_file)
                if candidates and csv_file:
                    # Typed in a private staging table first: the dataset's own columns keep their types.
                    staging = f"_vantage_ds_{uuid.uuid4().hex}"
                    tx.execute(f"CREATE TEMP TABLE {quote_ident(staging)} AS SELECT {select} FROM {renamed}").fetchall()
                    _retype(tx, staging, candidates, csv_file)
                    tx.execute(
                        f"INSERT INTO {quote_ident(table)} BY NAME SELECT * FROM {quote_ident(staging)}").fetchall()
                    tx.execute(f"DROP TABLE {quote_ident(staging)}").fetchall()
                else:
                    tx.execute(f"INSERT INTO {quote_ident(table)} BY NAME SELECT {select} FROM {renamed}").fetchall()
            else:
                if exists:
                    tx.execute(f"DROP TABLE {quote_ident(table)}").fetchall()
                tx.execute(f"CREATE TABLE {quote_ident(table)} AS SELECT {select} FROM {renamed}").fetchall()
                # The first rows of the table, not of the file: a LIMIT on read_csv still starts the parallel scan.
                candidates = reread + _first_rows_typed(
                    tx, f"(SELECT * FROM {quote_ident(table)} LIMIT {_FIRST_ROWS})", text, csv_file)
                if candidates and csv_file:
                    _retype(tx, table, candidates, csv_file)
            rows = int(single_value(tx.execute(f"SELECT count(*) FROM {quote_ident(table)}")))
            if rows == before_rows and mode == "append" or rows == 0:
                raise keyed_error(ImportRefused, "data.read.error.no_rows", file=file_name)
            # A dataset linked to accounts (research/data/links.py): its account fields follow the new rows.
            from research.data.links import refresh_links_of

            refresh_links_of(tx, table)
            tx.audit(table, None, "bulk", {"dataset": table, "rows": before_rows} if exists else None,
                     {"dataset": table, "mode": mode, "rows": rows, "created": not exists, "file": file_name})
            tx.insert("data_imports", {
                "batch_id": tx.batch_id, "target": table, "file_name": file_name[:255], "file_sha256": sha256.result(),
                "mode": mode, "inserted": rows - (before_rows if mode == "append" else 0), "actor": tx.actor,
            })
            batch_id = tx.batch_id
    except StoreError as e:
        # A conversion failure surfaces when the statement runs: say which file could not be read.
        cause = e.__cause__
        retry = _read_again(csv_file, originals, cause) if csv_file else None
        if retry:
            raise _ReadAgain(retry, str(cause)) from e
        if isinstance(cause, (duckdb.ConversionException, duckdb.InvalidInputException)):
            raise keyed_error(ImportRefused, "data.dataset.error.not_imported", file=file_name,
                              reason=str(cause).splitlines()[0]) from e
        raise
    return DatasetResult(table, rows, columns, not exists, batch_id)
