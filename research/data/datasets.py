"""Free research datasets: any CSV, Excel or Parquet file as a `ds_<name>` table for the Query page.

CSV and Parquet files are read by DuckDB itself (`read_csv` / `read_parquet`), so a
million rows load at DuckDB's own speed; we only choose the delimiter, decimal mark
and date format (the same detection as entity imports), transcode non-UTF-8 text
first, and rename columns to safe lower-case identifiers. Replace and append run in
one transaction with one bulk audit row; a refused or failed import changes nothing.
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
from dataclasses import dataclass

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
    parquet_column_count,
    read_upload,
    sniff_kind,
)
from research.errors import StoreError, ValidationError
from research.store.core import Store, Transaction, quote_ident

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
        raise ValidationError(f"{name!r} cannot name a dataset: use letters and digits (e.g. trade_fair_2026).")
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


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_source(path: str, head: bytes, file_name: str, workdir: str,
                encoding: str | None = None) -> tuple[str, bool]:
    """A `read_csv(...)` expression for the file, transcoded to UTF-8 in `workdir` if needed."""
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
    body = sample_rows[1:-1] if len(sample_rows) > 2 else sample_rows[1:]  # the last row may be cut by the head
    width = max((len(r) for r in body), default=0)
    sample = pd.DataFrame([r + [None] * (width - len(r)) for r in body]) if width else pd.DataFrame()
    # parallel=false: DuckDB's parallel scanner refuses null_padding together with quoted line
    # breaks ("CSV Error on Line: 3"); the single-threaded one reads both.
    options = [f"delim={_sql_literal(delimiter)}", "header=true", "null_padding=true", "parallel=false",
               "sample_size=20480"]
    comma = not sample.empty and detect_decimal(sample, delimiter) == ","
    if comma:
        options.append("decimal_separator=','")
    date_format = detect_date_format(sample) if not sample.empty else None
    if date_format and date_format != "%Y-%m-%d":
        options.append(f"dateformat={_sql_literal(date_format)}")
    return f"read_csv({_sql_literal(path)}, {', '.join(options)})", comma


def import_dataset(store: Store, name: str, path: str, actor: Actor, *, mode: str = "replace",
                   file_name: str | None = None, sheet: str | None = None,
                   encoding: str | None = None) -> DatasetResult:
    """Load the file at `path` as table ds_<name> (replacing or appending to it) in one transaction; admins.

    `encoding` overrides the detected encoding of a text file.
    """
    require(actor, "import")
    if mode not in MODES:
        raise ValidationError(f"A dataset import replaces or appends, not {mode!r}.")
    table = dataset_table(name)
    file_name = file_name or os.path.basename(path)
    if not os.path.isfile(path):
        raise ImportRefused(f"{file_name} does not exist or is not a file.")
    if os.path.getsize(path) == 0:
        raise ImportRefused(f"{file_name} is empty: there is nothing to import.")
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    if not head.strip():
        raise ImportRefused(f"{file_name} is empty: there is nothing to import.")
    kind = sniff_kind(head, file_name)
    sha256 = _file_sha256(path)
    with tempfile.TemporaryDirectory(prefix="vantage-ds-") as workdir:
        frame = None
        comma = False
        if kind == "csv":
            source, comma = _csv_source(path, head, file_name, workdir, encoding)
        elif kind == "parquet":
            check_columns(parquet_column_count(path, file_name), file_name)
            source = f"read_parquet({_sql_literal(path)})"
        else:
            with open(path, "rb") as handle:
                raw = read_upload(handle.read(), file_name, sheet=sheet)
            frame = _typed(raw.frame)
            source = "_vantage_dataset"
        return _load(store, table, source, frame, mode, actor, file_name, sha256, comma)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheet text cells as numbers or dates where a whole column reads as such."""
    out = {}
    for column in frame.columns:
        values = frame[column]
        numbers = pd.to_numeric(values, errors="coerce")
        if values.notna().any() and numbers.notna().sum() == values.notna().sum():
            out[column] = numbers
            continue
        dates = pd.to_datetime(values, format="ISO8601", errors="coerce")
        if values.notna().any() and dates.notna().sum() == values.notna().sum():
            out[column] = dates
        else:
            out[column] = values.astype("string")
    return pd.DataFrame(out)


# "1.234,56": DuckDB's decimal_separator=',' reads "1234,56" but not thousands dots.
_COMMA_NUMBER = r"-?\d{1,3}(\.\d{3})+(,\d+)?|-?\d+(,\d+)?"


def _comma_numbers(tx: Transaction, renamed: str, columns: list[str], types: list[str]) -> list[str]:
    """Text columns whose every value is a number written with a decimal comma (and thousands dots)."""
    text = [c for c, t in zip(columns, types) if t == "VARCHAR"]
    if not text:
        return []
    checks = ", ".join(
        f"bool_and({quote_ident(c)} IS NULL OR regexp_full_match(trim({quote_ident(c)}), '{_COMMA_NUMBER}')) "
        f"AND count({quote_ident(c)}) > 0" for c in text)
    flags = tx.execute(f"SELECT {checks} FROM {renamed}").fetchone()
    return [c for c, ok in zip(text, flags) if ok]


def _load(store: Store, table: str, source: str, frame: pd.DataFrame | None, mode: str, actor: Actor,
          file_name: str, sha256: str, comma: bool = False) -> DatasetResult:
    try:
        with store.transaction(actor) as tx:
            if frame is not None:
                tx.register("_vantage_dataset", frame)
            try:
                described = tx.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            except duckdb.Error as e:
                raise ImportRefused(f"{file_name} cannot be read as a table: {str(e).splitlines()[0]}") from e
            originals = [r[0] for r in described]
            columns = sanitize_columns(originals)
            # Renamed by position (a column alias list), so the file's own names never reach SQL.
            renamed = f"{source} AS _src({', '.join(quote_ident(c) for c in columns)})"
            numbers = _comma_numbers(tx, renamed, columns, [r[1] for r in described]) if comma else []
            select = ", ".join(
                f"CAST(replace(replace(trim({quote_ident(c)}), '.', ''), ',', '.') AS DOUBLE) AS {quote_ident(c)}"
                if c in numbers else quote_ident(c) for c in columns)
            exists = bool(tx.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary AND table_name = ?",
                [table]).fetchone()[0])
            before_rows = int(tx.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0]) if exists else 0
            if mode == "append" and exists:
                have = [r[0] for r in tx.execute(f"DESCRIBE {quote_ident(table)}").fetchall()]
                if sorted(have) != sorted(columns):
                    raise ImportRefused(
                        f"{file_name} has columns ({', '.join(columns)}) other than {table} "
                        f"({', '.join(have)}); replace the dataset instead of appending."
                    )
                tx.execute(f"INSERT INTO {quote_ident(table)} BY NAME SELECT {select} FROM {renamed}").fetchall()
            else:
                if exists:
                    tx.execute(f"DROP TABLE {quote_ident(table)}").fetchall()
                tx.execute(f"CREATE TABLE {quote_ident(table)} AS SELECT {select} FROM {renamed}").fetchall()
            rows = int(tx.execute(f"SELECT count(*) FROM {quote_ident(table)}").fetchone()[0])
            if rows == before_rows and mode == "append" or rows == 0:
                raise ImportRefused(f"{file_name} has a header but no rows: there is nothing to import.")
            tx.audit(table, None, "bulk", {"dataset": table, "rows": before_rows} if exists else None,
                     {"dataset": table, "mode": mode, "rows": rows, "created": not exists, "file": file_name})
            tx.insert("data_imports", {
                "batch_id": tx.batch_id, "target": table, "file_name": file_name[:255], "file_sha256": sha256,
                "mode": mode, "inserted": rows - (before_rows if mode == "append" else 0), "actor": tx.actor,
            })
            batch_id = tx.batch_id
    except StoreError as e:
        # A conversion failure surfaces when the statement runs: say which file could not be read.
        cause = e.__cause__
        if isinstance(cause, (duckdb.ConversionException, duckdb.InvalidInputException)):
            raise ImportRefused(f"{file_name} could not be imported: {str(cause).splitlines()[0]}") from e
        raise
    return DatasetResult(table, rows, columns, not exists, batch_id)
