"""Reading signals: typed records, the inbox with its filters, and counts per status and per company."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research.competitors.states import Quadrant
from research.errors import ValidationError
from research.i18n import keyed_error
from research.signals.rules import check_kind
from research.signals.states import SignalKind, SignalStatus
from research.store import Store

MAX_LIST = 5_000


@dataclass(frozen=True)
class Signal:
    id: int
    kind: SignalKind
    source_key: str
    source_table: str
    source_id: int
    occurred_at: dt.datetime
    company_id: int | None
    company: str | None  # the company's name today (the draft keeps the name it had at the event)
    is_us: bool
    product_id: int | None
    watcher_id: int | None
    source_url: str | None
    evidence: dict[str, Any]
    draft_quadrant: Quadrant
    draft_key: str
    draft_params: dict[str, Any]
    reasons: list[Any] | None
    status: SignalStatus
    item_id: int | None
    item_statement: str | None
    dismiss_reason: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    version: int
    created_at: dt.datetime

    @property
    def occurred_on(self) -> dt.date:
        return self.occurred_at.date()

    @property
    def is_new(self) -> bool:
        return self.status == SignalStatus.NEW


SIGNALS_SQL = """
SELECT s.id, s.kind, s.source_key, s.source_table, s.source_id, s.occurred_at, s.company_id,
       c.name AS company, coalesce(c.is_us, false) AS is_us, s.product_id, s.watcher_id, s.source_url,
       s.evidence, s.draft_quadrant, s.draft_key, s.draft_params, s.reasons, s.status, s.item_id,
       i.statement AS item_statement, s.dismiss_reason, s.decided_by, s.decided_at, s.version, s.created_at
FROM signals s
LEFT JOIN companies c ON c.id = s.company_id
LEFT JOIN swot_items i ON i.id = s.item_id
WHERE ($status IS NULL OR s.status = $status)
  AND ($company_id IS NULL OR s.company_id = $company_id)
  AND ($kind IS NULL OR s.kind = $kind)
  AND ($ids IS NULL OR list_contains($ids, s.id))
ORDER BY s.occurred_at DESC, s.id DESC
LIMIT $limit
"""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _record(row: dict[str, Any]) -> Signal:
    return Signal(**{**row, "kind": SignalKind(row["kind"]), "status": SignalStatus(row["status"]),
                     "draft_quadrant": Quadrant(row["draft_quadrant"]), "evidence": _json(row["evidence"]) or {},
                     "draft_params": _json(row["draft_params"]) or {}, "reasons": _json(row["reasons"])})


def check_status(status: str) -> str:
    if status not in tuple(SignalStatus):  # Python 3.11: `str in SignalStatus` raises TypeError
        raise keyed_error(ValidationError, "signals.error.status", value=repr(status), allowed=", ".join(SignalStatus))
    return status


def list_signals(
    store: Store,
    *,
    status: str | None = None,
    company_id: int | None = None,
    kind: str | None = None,
    ids: Iterable[int] | None = None,
    limit: int = 500,
) -> list[Signal]:
    """Signals newest first (by the date of the event), filtered by status, company, kind or ids."""
    if status is not None:
        check_status(status)
    if kind is not None:
        check_kind(kind)
    if not 1 <= int(limit) <= MAX_LIST:
        raise keyed_error(ValidationError, "signals.error.limit", max=f"{MAX_LIST:,}")
    wanted = None if ids is None else [int(i) for i in ids]
    rows = store.query_rows(SIGNALS_SQL, {"status": status, "company_id": company_id, "kind": kind, "ids": wanted,
                                          "limit": int(limit)})
    return [_record(row) for row in rows]


def get_signal(store: Store, signal_id: int) -> Signal:
    found = list_signals(store, ids=[signal_id], limit=1)
    if not found:
        raise keyed_error(ValidationError, "signals.error.no_signal", id=signal_id)
    return found[0]


def status_counts(store: Store, *, company_id: int | None = None, kind: str | None = None) -> dict[str, int]:
    """How many signals have each status (every status present, 0 when none)."""
    rows = store.query_rows(
        "SELECT status, count(*) AS n FROM signals WHERE ($company_id IS NULL OR company_id = $company_id) "
        "AND ($kind IS NULL OR kind = $kind) GROUP BY status",
        {"company_id": company_id, "kind": kind},
    )
    found = {row["status"]: int(row["n"]) for row in rows}
    return {status: found.get(status, 0) for status in SignalStatus}


COUNTS_BY_COMPANY_SQL = """
SELECT c.id AS company_id, c.name AS company, c.is_us,
       count(s.id) FILTER (WHERE s.status = 'new') AS new,
       count(s.id) FILTER (WHERE s.status = 'accepted') AS accepted,
       count(s.id) FILTER (WHERE s.status = 'attached') AS attached,
       count(s.id) FILTER (WHERE s.status = 'dismissed') AS dismissed,
       count(s.id) AS total
FROM companies c
LEFT JOIN signals s ON s.company_id = c.id
     AND ($start IS NULL OR s.occurred_at >= $start)
     AND ($end IS NULL OR s.occurred_at < $end)
WHERE NOT c.archived
GROUP BY ALL
ORDER BY c.is_us DESC, total DESC, c.name
"""


def counts_by_company(store: Store, *, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Signals per active company (ours first) by status, for events in [start, end) (either open).

    Columns: company_id, company, is_us, new, accepted, attached, dismissed, total — one row per
    active company, zeros included. Overview shows it for all time; the monthly report for its month.
    """
    frame = store.query_df(COUNTS_BY_COMPANY_SQL, {"start": start, "end": end})
    for column in ("new", "accepted", "attached", "dismissed", "total"):
        frame[column] = frame[column].astype(int)
    return frame


def kind_counts(store: Store, *, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, int]:
    """Signals per kind for events in [start, end) (every kind present)."""
    rows = store.query_rows(
        "SELECT kind, count(*) AS n FROM signals WHERE ($start IS NULL OR occurred_at >= $start) "
        "AND ($end IS NULL OR occurred_at < $end) GROUP BY kind",
        {"start": start, "end": end},
    )
    found = {row["kind"]: int(row["n"]) for row in rows}
    return {kind: found.get(kind, 0) for kind in SignalKind}


def signal_ids(values: Sequence[Any]) -> list[int]:
    """Signal ids from user input (CLI words, a page's picks): whole numbers, each once, in order."""
    out: list[int] = []
    for value in values:
        try:
            number = int(str(value).strip().lstrip("#"))
        except ValueError:
            raise keyed_error(ValidationError, "signals.error.id", value=repr(value)) from None
        if number not in out:
            out.append(number)
    if not out:
        raise keyed_error(ValidationError, "signals.error.none_chosen")
    return out
