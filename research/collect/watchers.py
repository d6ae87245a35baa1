"""Watchers in the workspace: what to fetch, how to read it, and the tables people look at.

Writes go through `Store.transaction` (audited, versioned). A watcher's last
status comes from its newest snapshot, so runs never edit watcher rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from research.access import Actor, require
from research.collect.extract import ExtractError, FieldSpec, check_selector
from research.collect.fetch import FetchError, check_scheme
from research.collect.states import Schedule, WatcherKind
from research.errors import ValidationError
from research.i18n import keyed_error
from research.store import Store
from research.store.core import single_value


@dataclass(frozen=True)
class Watcher:
    id: int
    url: str
    kind: WatcherKind = WatcherKind.PRODUCT
    label: str | None = None
    company_id: int | None = None
    product_id: int | None = None
    fields: tuple[FieldSpec, ...] = ()
    item_selector: str | None = None
    ignore_selectors: tuple[str, ...] = ()
    min_change_pct: float = 0.0
    schedule: Schedule = Schedule.DAILY
    enabled: bool = True
    version: int = 1
    updated_at: dt.datetime | None = None

    @property
    def title(self) -> str:
        return self.label or self.url

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "url": self.url, "kind": self.kind, "label": self.label, "company_id": self.company_id,
            "product_id": self.product_id, "fields": [f.to_dict() for f in self.fields],
            "item_selector": self.item_selector, "ignore_selectors": list(self.ignore_selectors),
            "min_change_pct": self.min_change_pct, "schedule": self.schedule, "enabled": self.enabled,
            "version": self.version, "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Watcher:
        raw_fields = row.get("fields")
        if isinstance(raw_fields, str):
            raw_fields = json.loads(raw_fields or "[]")
        updated = row.get("updated_at")
        if isinstance(updated, str):
            updated = dt.datetime.fromisoformat(updated)
        return cls(
            id=int(row["id"]), url=row["url"], kind=WatcherKind(row.get("kind") or WatcherKind.PRODUCT),
            label=row.get("label"),
            company_id=row.get("company_id"), product_id=row.get("product_id"),
            fields=tuple(_spec(f) for f in (raw_fields or [])),
            item_selector=row.get("item_selector"), ignore_selectors=tuple(row.get("ignore_selectors") or ()),
            min_change_pct=float(row.get("min_change_pct") or 0),
            schedule=Schedule(row.get("schedule") or Schedule.DAILY),
            enabled=bool(row.get("enabled", True)), version=int(row.get("version") or 1), updated_at=updated,
        )


def _spec(data: dict[str, Any]) -> FieldSpec:
    # Stored specs were validated on save; rebuild without re-checking so an old one cannot stop a run.
    return FieldSpec(name=data.get("name", ""), css=data.get("css", ""), attr=data.get("attr"),
                     regex=data.get("regex"), type=data.get("type") or "text")


@dataclass(frozen=True)
class WatcherDraft:
    """What a person types to create a watcher, validated by `validate`."""

    url: str
    kind: str = WatcherKind.PRODUCT
    label: str | None = None
    company_id: int | None = None
    product_id: int | None = None
    fields: Sequence[FieldSpec] = ()
    item_selector: str | None = None
    ignore_selectors: Sequence[str] = ()
    min_change_pct: float = 0.0
    schedule: str = Schedule.DAILY
    enabled: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> WatcherDraft:
        url = (self.url or "").strip()
        try:
            check_scheme(url)
        except FetchError as e:
            raise _as_validation(e) from None
        if self.kind not in tuple(WatcherKind):  # Python 3.11: `str in WatcherKind` raises TypeError
            raise keyed_error(ValidationError, "watchers.error.kind", kinds=", ".join(WatcherKind), kind=self.kind)
        if self.schedule not in tuple(Schedule):
            raise keyed_error(ValidationError, "watchers.error.schedule", schedules=", ".join(Schedule),
                              schedule=self.schedule)
        if self.kind == "selectors" and not self.fields:
            raise keyed_error(ValidationError, "watchers.error.no_fields")
        if self.kind == "listing" and not (self.item_selector or "").strip():
            raise keyed_error(ValidationError, "watchers.error.no_item_selector")
        try:
            if self.item_selector:
                check_selector(self.item_selector)
            for css in self.ignore_selectors:
                check_selector(css)
        except ExtractError as e:
            raise _as_validation(e) from None
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise keyed_error(ValidationError, "watchers.error.field_twice")
        if not 0 <= float(self.min_change_pct) <= 1000:
            raise keyed_error(ValidationError, "watchers.error.min_change")
        label = (self.label or "").strip() or None
        return WatcherDraft(
            url=url, kind=self.kind, label=label, company_id=self.company_id, product_id=self.product_id,
            fields=tuple(self.fields), item_selector=(self.item_selector or "").strip() or None,
            ignore_selectors=tuple(c.strip() for c in self.ignore_selectors if c.strip()),
            min_change_pct=float(self.min_change_pct), schedule=self.schedule, enabled=self.enabled,
        )


def _as_validation(error: FetchError | ExtractError) -> ValidationError:
    """A refused address or selector as the draft's ValidationError, keeping its catalog message."""
    return ValidationError(error.message, key=error.key, params=error.params)


def _row_values(draft: WatcherDraft) -> dict[str, Any]:
    return {
        "url": draft.url, "label": draft.label, "company_id": draft.company_id, "product_id": draft.product_id,
        "kind": draft.kind, "fields": json.dumps([f.to_dict() for f in draft.fields]),
        "item_selector": draft.item_selector, "ignore_selectors": list(draft.ignore_selectors),
        "min_change_pct": Decimal(str(round(draft.min_change_pct, 2))), "schedule": draft.schedule,
        "enabled": draft.enabled,
    }


def add_watcher(store: Store, actor: Actor, draft: WatcherDraft) -> Watcher:
    require(actor, "watchers")
    draft = draft.validate()
    if draft.product_id is not None and draft.company_id is None:
        draft = WatcherDraft(**{**draft.__dict__, "company_id": product_company(store, draft.product_id)})
    with store.transaction(actor) as tx:
        row = tx.insert("watchers", _row_values(draft))
    _export_quietly(store)
    return Watcher.from_row(row)


def set_enabled(store: Store, actor: Actor, watcher_id: int, enabled: bool, *, expected_version: int | None = None) -> None:
    require(actor, "watchers")
    with store.transaction(actor) as tx:
        tx.update("watchers", watcher_id, {"enabled": enabled}, expected_version=expected_version)
    _export_quietly(store)


def remove_watcher(store: Store, actor: Actor, watcher_id: int, *, expected_version: int | None = None) -> dict[str, int]:
    """Delete a watcher with its snapshots and change log (price observations stay with the product)."""
    require(actor, "watchers")
    with store.transaction(actor) as tx:
        counts = {}
        for table in ("changes", "snapshots"):
            counts[table] = int(single_value(tx.execute(f"SELECT count(*) FROM {table} WHERE watcher_id = ?", [watcher_id])))
            tx.execute(f"DELETE FROM {table} WHERE watcher_id = ?", [watcher_id])
        if any(counts.values()):
            tx.audit("watchers", watcher_id, "bulk", {"deleted_history": counts}, None)
        tx.delete("watchers", watcher_id, expected_version=expected_version)
    _export_quietly(store)
    return counts


def product_company(store: Store, product_id: int) -> int:
    company = store.query_value("SELECT company_id FROM products WHERE id = ?", [product_id])
    if company is None:
        raise keyed_error(ValidationError, "watchers.error.no_product", product_id=product_id)
    return int(company)


def get_watcher(store: Store, watcher_id: int) -> Watcher:
    rows = store.query_rows("SELECT * FROM watchers WHERE id = ?", [watcher_id])
    if not rows:
        raise keyed_error(ValidationError, "watchers.error.no_watcher", watcher_id=watcher_id)
    return Watcher.from_row(rows[0])


def list_watchers(store: Store, ids: Iterable[int] | None = None, *, enabled_only: bool = False) -> list[Watcher]:
    rows = store.query_rows("SELECT * FROM watchers ORDER BY id")
    wanted = None if ids is None else {int(i) for i in ids}
    if wanted is not None:
        missing = wanted - {int(r["id"]) for r in rows}
        if missing:
            raise keyed_error(ValidationError, "watchers.error.no_watchers", ids=", ".join(map(str, sorted(missing))))
    return [
        Watcher.from_row(r)
        for r in rows
        if (wanted is None or int(r["id"]) in wanted) and (not enabled_only or r["enabled"])
    ]


DUE_SQL = """
SELECT w.id
FROM watchers w
LEFT JOIN (SELECT watcher_id, max(fetched_at) AS last FROM snapshots GROUP BY watcher_id) s ON s.watcher_id = w.id
WHERE w.enabled AND w.schedule <> 'manual'
  AND (s.last IS NULL OR s.last <= $now - to_hours(CAST(CASE w.schedule WHEN 'hourly' THEN 1 WHEN 'daily' THEN 24
                                                          ELSE 168 END AS BIGINT)) + INTERVAL 5 MINUTE)
ORDER BY w.id
"""


def due_watchers(store: Store, now: dt.datetime | None = None) -> list[Watcher]:
    """Enabled watchers whose schedule hint says they are due (a few minutes' slack for cron jitter)."""
    ids = [int(r["id"]) for r in store.query_rows(DUE_SQL, {"now": now or dt.datetime.now()})]
    return list_watchers(store, ids) if ids else []


WATCHERS_TABLE_SQL = """
WITH last AS (
    SELECT DISTINCT ON (watcher_id) watcher_id, status, fetched_at, message, http_status
    FROM snapshots ORDER BY watcher_id, fetched_at DESC, id DESC
)
SELECT w.id, coalesce(w.label, w.url) AS watcher, w.url, c.name AS company, p.name AS product,
       w.kind, w.schedule, w.enabled, l.status AS last_status, l.fetched_at AS last_checked,
       l.http_status, l.message AS last_message, w.version
FROM watchers w
LEFT JOIN companies c ON c.id = w.company_id
LEFT JOIN products p ON p.id = w.product_id
LEFT JOIN last l ON l.watcher_id = w.id
ORDER BY w.id
"""


def watchers_table(store: Store) -> pd.DataFrame:
    """One row per watcher with company, product and the status of its last run."""
    return store.query_df(WATCHERS_TABLE_SQL)


CONDITIONAL_SQL = """
SELECT DISTINCT ON (s.watcher_id) s.watcher_id, s.etag, s.last_modified
FROM snapshots s JOIN watchers w ON w.id = s.watcher_id
WHERE s.status IN ('new', 'changed', 'unchanged') AND s.fetched_at >= w.updated_at
ORDER BY s.watcher_id, s.fetched_at DESC, s.id DESC
"""


def conditional_headers(store: Store) -> dict[int, dict[str, str | None]]:
    """ETag / Last-Modified of each watcher's last good fetch made with its current settings."""
    return {
        int(r["watcher_id"]): {"etag": r["etag"], "last_modified": r["last_modified"]}
        for r in store.query_rows(CONDITIONAL_SQL)
        if r["etag"] or r["last_modified"]
    }


def companies_and_products(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Choices for the watcher form: companies, and products with their company."""
    companies = store.query_df("SELECT id, name, is_us FROM companies WHERE NOT archived ORDER BY is_us DESC, name")
    products = store.query_df(
        "SELECT p.id, p.name, p.sku, p.company_id, c.name AS company, p.url FROM products p "
        "JOIN companies c ON c.id = p.company_id WHERE NOT p.archived ORDER BY c.name, p.name"
    )
    return companies, products


def find_company(store: Store, name_or_id: str) -> int:
    text = name_or_id.strip()
    if text.isdigit():
        found = store.query_value("SELECT id FROM companies WHERE id = ?", [int(text)])
    else:
        found = store.query_value("SELECT min(id) FROM companies WHERE lower(name) = lower(?)", [text])
    if found is None:
        raise keyed_error(ValidationError, "watchers.error.no_company", company=text)
    return int(found)


def _export_quietly(store: Store) -> None:
    # The cron collector reads watchers from this file while the app holds the workspace.
    from research.collect import inbox

    inbox.export_watchers_quietly(store)
