"""Recording run results: snapshots, the change log and price observations, all in one transaction.

A result is compared with the watcher's baseline (its last `new`/`changed`
snapshot), so price drifts below the watcher's minimum change still add up until
they count. Blocked, failed and skipped fetches are recorded with their reason
and never produce changes. Recording is idempotent per (run_id, watcher_id): an
inbox file merged twice is recorded once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import zlib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from research.access import Actor
from research.collect.run import PageResult
from research.collect.states import READ_STATUSES, FetchStatus, WatcherKind, WatcherStatus
from research.collect.watchers import Watcher
from research.errors import ValidationError
from research.store import Store, Transaction
from research.store.core import single_value

MAX_DIFF_CHARS = 20_000
MAX_DIFF_LINES = 3_000  # longer texts get a linear summary (see text_diff)
MAX_LISTING_CHANGES = 100


@dataclass(frozen=True)
class Recorded:
    watcher_id: int
    status: WatcherStatus
    changes: int
    snapshot_id: int | None
    price_observation: bool = False


@dataclass(frozen=True)
class Change:
    field: str
    old: str | None
    new: str | None
    pct: float | None = None
    diff: str | None = None


def content_hash(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _pct(old: Any, new: Any) -> float | None:
    a, b = _decimal(old), _decimal(new)
    if a is None or b is None or a == 0:
        return None
    return float(b / a - 1)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def value_changes(old: dict[str, Any], new: dict[str, Any], price_fields: set[str], min_pct: float) -> list[Change]:
    """Field-by-field changes; a price move below `min_pct` percent is not one."""
    found = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        pct = _pct(before, after) if key in price_fields else None
        if pct is not None and abs(pct) * 100 < min_pct:
            continue
        found.append(Change(key, _text(before), _text(after), pct))
    return found


def listing_changes(old: dict[str, Any], new: dict[str, Any], min_pct: float) -> list[Change]:
    """Items that appeared, disappeared or moved in price on a listing page."""

    def keyed(items: Any) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for item in items or []:
            if isinstance(item, dict):
                key = str(item.get("url") or item.get("name") or json.dumps(item, sort_keys=True))
                out.setdefault(key, item)
        return out

    before, after = keyed(old.get("items")), keyed(new.get("items"))
    found: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        label = str((after.get(key) or before.get(key) or {}).get("name") or key)
        if key not in before:
            found.append(Change(f"item added: {label}", None, _text(after[key].get("price"))))
        elif key not in after:
            found.append(Change(f"item removed: {label}", _text(before[key].get("price")), None))
        elif before[key] != after[key]:
            for change in value_changes(before[key], after[key], {"price"}, min_pct):
                found.append(Change(f"{label}: {change.field}", change.old, change.new, change.pct))
        if len(found) >= MAX_LISTING_CHANGES:
            break
    return found


def text_diff(old: str, new: str) -> str:
    """A unified diff of two page texts, at most MAX_DIFF_CHARS long.

    difflib is super-linear on long texts of repeating lines (a page of 70,000 short lines
    took 50 s in the app process in attack round 2), so texts over MAX_DIFF_LINES lines get
    a linear summary instead: the lines removed and the lines added, each in its own order.
    """
    before, after = old.splitlines(), new.splitlines()
    if len(before) > MAX_DIFF_LINES or len(after) > MAX_DIFF_LINES:
        lines = _lines_removed_and_added(before, after)
    else:
        lines = list(difflib.unified_diff(before, after, "before", "after", lineterm="", n=1))
    return "\n".join(lines)[:MAX_DIFF_CHARS]


def _lines_removed_and_added(before: list[str], after: list[str]) -> list[str]:
    removed, added = Counter(before) - Counter(after), Counter(after) - Counter(before)
    if not removed and not added:
        return []
    out = ["--- before", "+++ after", f"@@ {len(before):,} → {len(after):,} lines: removed and added lines @@"]
    size = 0
    for sign, lines, left in (("-", before, removed), ("+", after, added)):
        for line in lines:
            if left[line] > 0 and size <= MAX_DIFF_CHARS:
                left[line] -= 1
                out.append(sign + line)
                size += len(line) + 2
    return out


def _baseline(tx: Transaction, watcher_id: int) -> dict[str, Any] | None:
    row = tx.execute(
        "SELECT id, extracted, content_hash, page_text, etag, last_modified FROM snapshots "
        "WHERE watcher_id = ? AND status IN ('new', 'changed') ORDER BY fetched_at DESC, id DESC LIMIT 1",
        [watcher_id],
    ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "values": json.loads(row[1]) if row[1] else {}, "hash": row[2], "page_text": row[3]}


def _latest_good(tx: Transaction, watcher_id: int) -> dict[str, Any] | None:
    row = tx.execute(
        "SELECT extracted, content_hash, page_text FROM snapshots WHERE watcher_id = ? "
        "AND status IN ('new', 'changed', 'unchanged') ORDER BY fetched_at DESC, id DESC LIMIT 1",
        [watcher_id],
    ).fetchone()
    if row is None:
        return None
    return {"values": json.loads(row[0]) if row[0] else {}, "hash": row[1], "page_text": row[2]}


def _classify(tx: Transaction, watcher: Watcher, result: PageResult) -> tuple[WatcherStatus, dict[str, Any] | None, bytes | None, list[Change], str | None]:
    """(status, values, page_text, changes, message) of a result against the watcher's history."""
    message = result.message
    if result.fetch_status in (FetchStatus.BLOCKED, FetchStatus.ERROR, FetchStatus.SKIPPED):
        return WatcherStatus(result.fetch_status), None, None, [], message
    if result.fetch_status == FetchStatus.NOT_MODIFIED:
        latest = _latest_good(tx, watcher.id)
        if latest is None:
            return WatcherStatus.ERROR, None, None, [], "the server said 'not modified' but no earlier copy is stored"
        return WatcherStatus.UNCHANGED, latest["values"], latest["page_text"], [], "not modified since the last fetch"
    values = result.values or {}
    if result.warnings:
        message = "; ".join(result.warnings)
    baseline = _baseline(tx, watcher.id)
    if baseline is None:
        return WatcherStatus.NEW, values, result.page_text, [], message
    if watcher.kind == "text":
        if baseline["values"].get("text_hash") == values.get("text_hash"):
            return WatcherStatus.UNCHANGED, values, result.page_text, [], message
        old_text = zlib.decompress(baseline["page_text"]).decode("utf-8") if baseline["page_text"] else ""
        new_text = zlib.decompress(result.page_text).decode("utf-8") if result.page_text else ""
        diff = text_diff(old_text, new_text)
        return WatcherStatus.CHANGED, values, result.page_text, [Change("text", None, None, None, diff)], message
    if watcher.kind == "listing":
        changes = listing_changes(baseline["values"], values, watcher.min_change_pct)
    else:
        price_fields = {"price"} | {f.name for f in watcher.fields if f.type == "price"}
        changes = value_changes(baseline["values"], values, price_fields, watcher.min_change_pct)
    return (WatcherStatus.CHANGED if changes else WatcherStatus.UNCHANGED), values, result.page_text, changes, message


def record_result(store: Store, actor: Actor, watcher: Watcher, result: PageResult) -> Recorded | None:
    """Store one result (snapshot, changes, price observation) in one transaction; None if already recorded."""
    with store.transaction(actor) as tx:
        exists = single_value(tx.execute(
            "SELECT count(*) FROM snapshots WHERE run_id = ? AND watcher_id = ?", [result.run_id, watcher.id]
        ))
        if exists:
            return None
        if not single_value(tx.execute("SELECT count(*) FROM watchers WHERE id = ?", [watcher.id])):
            return None  # removed since the run started: nothing to attach the result to
        status, values, page_text, changes, message = _classify(tx, watcher, result)
        extracted = json.dumps(values, ensure_ascii=False, sort_keys=True) if values is not None else None
        snapshot_id = int(
            single_value(tx.execute(
                "INSERT INTO snapshots (watcher_id, run_id, fetched_at, status, http_status, final_url, content_hash, "
                "etag, last_modified, extracted, page_text, message, elapsed_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    watcher.id, result.run_id, result.fetched_at, status, result.http_status, result.final_url,
                    content_hash(values), result.etag, result.last_modified, extracted, page_text,
                    (message or "")[:2000] or None, result.elapsed_ms,
                ],
            ))
        )
        tx.audit(
            "snapshots", snapshot_id, "insert", None,
            {"watcher_id": watcher.id, "run_id": result.run_id, "status": status, "http_status": result.http_status},
        )
        for change in changes:
            tx.insert(
                "changes",
                {
                    "watcher_id": watcher.id, "snapshot_id": snapshot_id, "detected_at": result.fetched_at,
                    "field": change.field[:500], "old_value": change.old, "new_value": change.new,
                    "change_pct": change.pct, "diff": change.diff,
                },
            )
        observed = _price_observation(tx, watcher, result, status, values)
    return Recorded(watcher.id, status, len(changes), snapshot_id, observed)


def _price_observation(tx: Transaction, watcher: Watcher, result: PageResult, status: WatcherStatus, values: dict[str, Any] | None) -> bool:
    """A linked product's price, as seen on the page, joins its price history."""
    if (watcher.product_id is None or status not in READ_STATUSES or not values
            or watcher.kind not in (WatcherKind.PRODUCT, WatcherKind.SELECTORS)):
        return False
    price = _decimal(values.get("price"))
    if price is None or price < 0 or price >= Decimal("1e12"):
        return False
    currency = values.get("currency")
    if not (isinstance(currency, str) and len(currency) == 3):
        currency = tx.execute("SELECT currency FROM products WHERE id = ?", [watcher.product_id]).fetchone()
        currency = currency[0] if currency else None
    if not currency:
        return False
    tx.insert(
        "price_observations",
        {
            "product_id": watcher.product_id, "observed_at": result.fetched_at,
            "price": price.quantize(Decimal("0.01")), "currency": currency.upper(),
            "source": (result.final_url or watcher.url)[:1000],
        },
    )
    return True


# ---- reading ------------------------------------------------------------------------------

CHANGES_SQL = """
SELECT ch.id, ch.detected_at, ch.watcher_id, coalesce(w.label, w.url) AS watcher, w.url,
       co.name AS company, w.company_id, ch.field, ch.old_value, ch.new_value, ch.change_pct, ch.diff
FROM changes ch
JOIN watchers w ON w.id = ch.watcher_id
LEFT JOIN companies co ON co.id = w.company_id
WHERE ($company_id IS NULL OR w.company_id = $company_id)
  AND ($watcher_id IS NULL OR ch.watcher_id = $watcher_id)
  AND ($since IS NULL OR ch.detected_at >= $since)
  AND ($prices_only = false OR ch.change_pct IS NOT NULL)
ORDER BY ch.detected_at DESC, ch.id DESC
LIMIT $limit
"""


def latest_changes(
    store: Store,
    company_id: int | None = None,
    limit: int = 20,
    *,
    watcher_id: int | None = None,
    since: dt.datetime | None = None,
    prices_only: bool = False,
) -> pd.DataFrame:
    """The newest collected changes (optionally of one company or watcher), newest first.

    Columns: id, detected_at, watcher_id, watcher, url, company, company_id, field,
    old_value, new_value, change_pct (a fraction for prices, else NaN), diff.
    """
    if not 1 <= int(limit) <= 10_000:
        raise ValidationError("Show between 1 and 10,000 changes.")
    return store.query_df(
        CHANGES_SQL,
        {"company_id": company_id, "watcher_id": watcher_id, "since": since, "prices_only": prices_only, "limit": int(limit)},
    )


HISTORY_SQL = """
SELECT fetched_at, status,
       TRY_CAST(json_extract_string(extracted, '$.price') AS DOUBLE) AS price,
       json_extract_string(extracted, '$.currency') AS currency,
       status = 'changed' AS changed
FROM snapshots
WHERE watcher_id = ? AND status IN ('new', 'changed', 'unchanged')
ORDER BY fetched_at DESC, id DESC
LIMIT 4000
"""


def price_history(store: Store, watcher_id: int) -> pd.DataFrame:
    """A watcher's extracted price per good fetch (newest 4,000), oldest first, changes flagged."""
    df = store.query_df(HISTORY_SQL, [watcher_id])
    return df.iloc[::-1].reset_index(drop=True)
