"""Downloads of a query result: CSV, Excel and Parquet of the full result (up to the export cap), chart PNG/SVG.

The formula-safe writers live in research.exports (shared by every area); this
module re-runs the statement in the sandbox for the full result and names the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from research import exports
from research.access import Actor, require
from research.errors import ValidationError
from research.query.sandbox import export_rows, run_sandboxed
from research.query.statements import keyed
from research.store import Store

FORMATS = ("csv", "xlsx", "parquet")
CHART_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class Export:
    data: bytes
    file_name: str
    mime: str
    rows: int
    truncated: bool  # the result had more rows than the export cap


def csv_text(df: pd.DataFrame) -> str:
    """The formula-safe CSV as text (the CLI prints it)."""
    return exports.csv_bytes(df).decode("utf-8-sig")


def result_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "csv":
        return exports.csv_bytes(df)
    if fmt == "xlsx":
        return exports.xlsx_bytes(df, sheet="Result")
    if fmt == "parquet":
        return exports.parquet_bytes(df)
    raise keyed(ValidationError, "query.export.error.format", format=repr(fmt), known=", ".join(FORMATS))


def export_result(
    store: Store, sql: str, params: Mapping[str, Any] | None, fmt: str, *, title: str = "query", actor: Actor = "local"
) -> Export:
    """Run the statement again in the sandbox for up to the export cap and write it as `fmt` (raw data: editors)."""
    require(actor, "export")
    if fmt not in FORMATS:
        raise keyed(ValidationError, "query.export.error.format", format=repr(fmt), known=", ".join(FORMATS))
    result = run_sandboxed(store, sql, params, max_rows=export_rows(), actor=actor)
    name = exports.safe_filename(title, fmt, fallback="query")
    return Export(result_bytes(result.frame, fmt), name, exports.MIME[fmt], result.rows, result.truncated)


def chart_export(chart: alt.TopLevelMixin, fmt: str, *, title: str = "chart") -> Export:
    """The chart as PNG (2x, for slides) or SVG."""
    data = exports.chart_bytes(chart, fmt)
    return Export(data, exports.safe_filename(title, fmt, fallback="chart"), exports.MIME[fmt], 0, False)
