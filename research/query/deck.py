"""The hook the presentation capability calls to put a query result on a slide ("Add to deck").

The query workbench has no deck UI of its own: it hands over a `DeckItem` — title,
the SQL and parameter values that made it, when the data was taken, the chart
spec and the first rows of the table — and the Present page decides how to lay it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from research.query.sandbox import QueryResult

DECK_TABLE_ROWS = 15  # a slide holds a short table, not a result


@dataclass(frozen=True)
class DeckItem:
    title: str
    sql: str
    params: dict[str, Any]
    data_as_of: dt.datetime
    table: pd.DataFrame
    chart_spec: dict[str, Any] | None = None  # Vega-Lite JSON; render with vl-convert
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def deck_item(
    result: QueryResult,
    *,
    title: str,
    sql: str,
    params: Mapping[str, Any] | None = None,
    chart: alt.TopLevelMixin | None = None,
    notes: str = "",
) -> DeckItem:
    """What the Present issue needs to add a query result (and its chart) to a deck."""
    return DeckItem(
        title=title.strip() or "Query",
        sql=sql,
        params=dict(params or {}),
        data_as_of=result.snapshot_at,
        table=result.frame.head(DECK_TABLE_ROWS).copy(),
        chart_spec=chart.to_dict() if chart is not None else None,
        notes=notes,
    )
