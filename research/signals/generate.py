"""Finding events and storing each as one signal, idempotently.

Sources, each within its rule's window (research/signals/rules.py) that ends `today`:
- price moves: the Overview's rule (`research.market.price_moves`, with the workspace's threshold),
  one signal per price observation that moved; collected price changes of pages not linked to a
  product (listings, unlinked product and selector pages) count with the same threshold;
- the collect change log (`changes`, migration 0004): items added to or removed from a listing
  page, an availability that became OutOfStock, a watched page's text (or a selector field) changed;
- deals lost (`deals.outcome = 'lost'`, by close date);
- SWOT items that went stale (the rule of `research.competitors.swot.stale_items`), keyed by the
  evidence date, so an item re-verified and stale again later makes a new signal.

Each event has a natural key (`source_key`); the insert skips keys already stored, so running this
again — after every collect run, on `signals refresh`, after merging the inbox twice — adds nothing.
Private SWOT items never make signals (the inbox is shared).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from research import market
from research.access import Actor, require
from research.competitors import profiles, swot
from research.data.reasons import reasons_for_deals
from research.data.writes import staged
from research.errors import VantageError
from research.signals.rules import Rule, draft_quadrant, list_rules
from research.signals.states import SignalKind
from research.store import Store, Transaction
from research.store.core import to_json

log = logging.getLogger(__name__)

CHANGE_KINDS = (SignalKind.PRICE_MOVE, SignalKind.PRODUCT_ADDED, SignalKind.PRODUCT_REMOVED, SignalKind.STOCK_OUT,
                SignalKind.PAGE_CHANGE)
MAX_DIFF_CHARS = 1_500  # of a page's text diff kept as evidence (the change log keeps the whole diff)
MAX_TEXT = 400

_COLUMNS = ("kind", "source_key", "source_table", "source_id", "occurred_at", "company_id", "product_id", "watcher_id",
            "source_url", "evidence", "draft_quadrant", "draft_key", "draft_params", "reasons")


@dataclass(frozen=True)
class Generated:
    added: dict[str, int] = field(default_factory=dict)  # kind -> signals added by this run
    considered: int = 0  # events found, including those already in the inbox
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.added.values())


def _web_address(value: Any) -> str | None:
    text = str(value or "").strip()
    return text[:2000] if text.lower().startswith(("http://", "https://")) and " " not in text else None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text[:limit] or None


def _candidate(kind: str, source_table: str, source_id: int, occurred_at: dt.datetime, *, key_suffix: str = "",
               company_id: int | None, company: str | None, is_us: bool, quadrant: str | None = None,
               direction: str = "", draft_key: str, params: Mapping[str, Any], evidence: Mapping[str, Any],
               product_id: int | None = None, watcher_id: int | None = None, url: str | None = None,
               reasons: list[Any] | None = None) -> dict[str, Any]:
    return {
        "kind": kind, "source_key": f"{source_table}:{source_id}{key_suffix}", "source_table": source_table,
        "source_id": int(source_id), "occurred_at": occurred_at, "company_id": company_id, "product_id": product_id,
        "watcher_id": watcher_id, "source_url": url,
        "evidence": json.dumps(dict(evidence), ensure_ascii=False, default=str),
        "draft_quadrant": quadrant or draft_quadrant(kind, is_us, direction), "draft_key": draft_key,
        "draft_params": json.dumps({"company": company, **params}, ensure_ascii=False, default=str),
        "reasons": json.dumps(reasons, ensure_ascii=False) if reasons is not None else None,
    }


# ---- price moves (the Overview's rule) ---------------------------------------------------------

# market.price_moves names companies and products; this finds the observation each move is, for its
# id (the natural key) and its source address. Two observations of a product can share a second and a
# price (two watchers of one product in one run): a move is then always the first of them (lowest id),
# so the same move keeps the same key on every run.
MOVE_OBSERVATIONS_SQL = """
WITH m AS (
    SELECT unnest($n) AS n, unnest($company) AS company, unnest($product) AS product,
           unnest($observed_at) AS observed_at, unnest($price) AS price, unnest($currency) AS currency,
           unnest($previous_price) AS previous_price, unnest($change) AS change
)
SELECT DISTINCT ON (m.n) po.id AS observation_id, po.observed_at, po.source, p.id AS product_id,
       p.name AS product, p.url AS product_url, c.id AS company_id, c.name AS company, c.is_us, m.previous_price,
       po.price, po.currency, m.change
FROM m
JOIN companies c ON c.name = m.company
JOIN products p ON p.company_id = c.id AND p.name = m.product AND NOT p.archived
JOIN price_observations po ON po.product_id = p.id AND po.observed_at = CAST(m.observed_at AS TIMESTAMP)
     AND po.price = CAST(m.price AS DECIMAL(14, 2)) AND po.currency = m.currency
WHERE po.observed_at BETWEEN $since AND $until  -- a constant range the scan can skip by (3.3 M rows at scale 100)
ORDER BY m.n, po.id
"""


def _price_moves(store: Store, rule: Rule) -> list[dict[str, Any]]:
    moves = market.price_moves(store, days=rule.window_days, threshold=float(rule.threshold or 0))
    if moves.empty:
        return []
    observed = [pd.Timestamp(v).to_pydatetime() for v in moves["observed_at"]]
    rows = store.query_rows(MOVE_OBSERVATIONS_SQL, {
        "n": list(range(len(moves))), "company": moves["company"].tolist(), "product": moves["product"].tolist(),
        "observed_at": observed, "since": min(observed), "until": max(observed),
        "price": [float(v) for v in moves["price"]], "currency": moves["currency"].tolist(),
        "previous_price": [float(v) for v in moves["previous_price"]], "change": [float(v) for v in moves["change"]],
    })
    out, seen = [], set()
    for row in rows:
        if row["observation_id"] in seen:  # two moves read as one observation (see above): one signal
            continue
        seen.add(row["observation_id"])
        change = float(row["change"])
        old, new = f"{row['previous_price']:.2f}", str(row["price"])
        params = {"product": row["product"], "pct": change, "old": old, "new": new, "currency": row["currency"]}
        out.append(_candidate(
            "price_move", "price_observations", row["observation_id"], row["observed_at"],
            company_id=row["company_id"], company=row["company"], is_us=bool(row["is_us"]),
            direction="down" if change < 0 else "up",
            draft_key="signals.draft.price_cut" if change < 0 else "signals.draft.price_rise", params=params,
            evidence={**params, "source": _text(row["source"], 2000)},
            product_id=row["product_id"], url=_web_address(row["source"]) or _web_address(row["product_url"]),
        ))
    return out


# ---- the collect change log -----------------------------------------------------------------

CHANGES_SQL = """
SELECT ch.id, ch.detected_at, ch.watcher_id, w.kind AS watcher_kind, w.product_id,
       coalesce(p.name, json_extract_string(s.extracted, '$.name')) AS product_name,
       coalesce(w.label, w.url) AS page, coalesce(s.final_url, w.url) AS url, w.company_id, c.name AS company,
       coalesce(c.is_us, false) AS is_us, ch.field, ch.old_value, ch.new_value, ch.change_pct,
       left(ch.diff, $diff_chars) AS diff
FROM changes ch
JOIN watchers w ON w.id = ch.watcher_id
LEFT JOIN snapshots s ON s.id = ch.snapshot_id
LEFT JOIN products p ON p.id = w.product_id
LEFT JOIN companies c ON c.id = w.company_id
WHERE ch.detected_at >= $since AND ch.detected_at < $until
ORDER BY ch.id
"""

_ADDED, _REMOVED = "item added: ", "item removed: "


def classify_change(row: Mapping[str, Any], price_threshold: float | None) -> tuple[str, dict[str, Any]] | None:
    """(kind, facts) of one change-log row, or None when it makes no signal.

    A product or selectors page linked to a product records its price in the price history, where the
    price-move rule finds it: its price change here would be the same event twice.
    """
    name = str(row["field"])
    page = _text(row["page"]) or ""
    if name == "text":
        return "page_change", {"page": page, "field": "text", "diff": _text(row["diff"], MAX_DIFF_CHARS)}
    if name.startswith(_ADDED):
        return "product_added", {"page": page, "product": name[len(_ADDED):], "price": _text(row["new_value"])}
    if name.startswith(_REMOVED):
        return "product_removed", {"page": page, "product": name[len(_REMOVED):], "price": _text(row["old_value"])}
    label, _, leaf = name.rpartition(": ")
    product = label or _text(row["product_name"]) or page
    pct = _number(row["change_pct"])
    if pct is not None:
        linked = row["watcher_kind"] in ("product", "selectors") and _number(row["product_id"]) is not None
        if linked or price_threshold is None or abs(pct) < price_threshold:
            return None
        return "price_move", {"page": page, "product": product, "pct": pct, "old": _text(row["old_value"]),
                              "new": _text(row["new_value"])}
    if leaf == "availability":
        if row["new_value"] == "OutOfStock" and row["old_value"] != "OutOfStock":
            return "stock_out", {"page": page, "product": product}
        return None
    if row["watcher_kind"] == "selectors":
        return "page_change", {"page": page, "field": name, "old": _text(row["old_value"]),
                               "new": _text(row["new_value"])}
    return None


_CHANGE_DRAFTS = {
    "product_added": "signals.draft.product_added",
    "product_removed": "signals.draft.product_removed",
    "stock_out": "signals.draft.stock_out",
    "page_change": "signals.draft.page_change",
}


def _collected_changes(store: Store, rules: Mapping[str, Rule], today: dt.date) -> list[dict[str, Any]]:
    kinds = [k for k in CHANGE_KINDS if k in rules]
    if not kinds:
        return []
    widest = max(rules[k].window_days for k in kinds)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    rows = store.query_rows(CHANGES_SQL, {"since": dt.datetime.combine(today - dt.timedelta(days=widest), dt.time()),
                                          "until": until, "diff_chars": MAX_DIFF_CHARS})
    threshold = rules["price_move"].threshold if "price_move" in rules else None
    out = []
    for row in rows:
        found = classify_change(row, threshold)
        if found is None or found[0] not in rules:
            continue
        kind, facts = found
        if row["detected_at"].date() < today - dt.timedelta(days=rules[kind].window_days):
            continue
        if kind == "price_move":
            pct = float(facts["pct"])
            params = {"product": facts["product"], "pct": pct, "old": facts["old"], "new": facts["new"]}
            draft_key = "signals.draft.price_cut" if pct < 0 else "signals.draft.price_rise"
            direction = "down" if pct < 0 else "up"
        else:
            params = {"product": facts.get("product"), "page": facts["page"]}
            draft_key, direction = _CHANGE_DRAFTS[kind], ""
        out.append(_candidate(
            kind, "changes", row["id"], row["detected_at"], company_id=row["company_id"], company=row["company"],
            is_us=bool(row["is_us"]), direction=direction, draft_key=draft_key, params=params, evidence=facts,
            watcher_id=row["watcher_id"], product_id=row["product_id"], url=_web_address(row["url"]),
        ))
    return out


# ---- lost deals ---------------------------------------------------------------------------------

LOST_DEALS_SQL = """
SELECT d.id, coalesce(d.closed_on, CAST(d.updated_at AS DATE)) AS closed_on, d.value, d.currency, d.note,
       a.name AS account, d.competitor_id, c.name AS competitor, coalesce(c.is_us, false) AS competitor_is_us
FROM deals d
JOIN accounts a ON a.id = d.account_id
LEFT JOIN companies c ON c.id = d.competitor_id
WHERE d.outcome = 'lost'
  AND coalesce(d.closed_on, CAST(d.updated_at AS DATE)) BETWEEN $since AND $today
ORDER BY d.id
"""


def lost_deal_reasons(store: Store, deal_ids: list[int]) -> dict[int, list[Any]]:
    """The reasons recorded with each lost deal (research.data.reasons): per deal, each reason's code, its
    names in both languages and its note, copied into the signal as evidence (NULL for a deal without any)."""
    return reasons_for_deals(store, deal_ids)


def _lost_deals(store: Store, rule: Rule, today: dt.date) -> list[dict[str, Any]]:
    rows = store.query_rows(LOST_DEALS_SQL, {"since": today - dt.timedelta(days=rule.window_days), "today": today})
    reasons = lost_deal_reasons(store, [int(r["id"]) for r in rows]) if rows else {}
    # A deal lost without a named rival is about us: the signal is filed under our company.
    us = profiles.our_company(store, include_private=False) if rows else None
    ours = (us.id, us.name) if us is not None else (None, None)
    out = []
    for row in rows:
        rival = row["competitor_id"] is not None and not row["competitor_is_us"]
        company_id, company = (row["competitor_id"], row["competitor"]) if rival else ours
        value = None if row["value"] is None else str(row["value"])
        key = "signals.draft.lost_deal" + ("" if rival else "_no_rival") + ("" if value is not None else "_no_value")
        params = {"account": row["account"], "value": value, "currency": row["currency"]}
        evidence = {**params, "deal_id": int(row["id"]), "closed_on": row["closed_on"].isoformat(),
                    "note": _text(row["note"])}
        out.append(_candidate(
            "lost_deal", "deals", row["id"], dt.datetime.combine(row["closed_on"], dt.time()),
            company_id=company_id, company=company, is_us=not rival, draft_key=key, params=params, evidence=evidence,
            reasons=reasons.get(int(row["id"])),
        ))
    return out


# ---- SWOT items going stale (research.competitors.swot's rule) ---------------------------------


def _stale_items(store: Store, rule: Rule, today: dt.date) -> list[dict[str, Any]]:
    days = swot.stale_days()
    # Private items stay out: the inbox is shared (viewer None sees no private item).
    items = swot.stale_items(store, today=today, days=days, viewer=None, include_private=False)
    since = today - dt.timedelta(days=rule.window_days)
    out = []
    for item in items:
        stale_since = item.evidence_on + dt.timedelta(days=days + 1)  # the first day the rule calls it stale
        if stale_since < since:
            continue
        facts = {"item_id": item.id, "statement": item.statement, "quadrant": item.quadrant,
                 "evidence_on": item.evidence_on.isoformat(), "stale_since": stale_since.isoformat()}
        out.append(_candidate(
            "stale_item", "swot_items", item.id, dt.datetime.combine(stale_since, dt.time()),
            key_suffix=f"@{item.evidence_on.isoformat()}", company_id=item.company_id, company=item.company,
            is_us=item.is_us, quadrant=item.quadrant, draft_key="signals.draft.stale_item",
            params={"statement": item.statement}, evidence=facts, url=_web_address(item.source_url),
        ))
    return out


# ---- storing ----------------------------------------------------------------------------------

INSERT_SQL = """
INSERT INTO signals (kind, source_key, source_table, source_id, occurred_at, company_id, product_id, watcher_id,
                     source_url, evidence, draft_quadrant, draft_key, draft_params, reasons)
SELECT kind, source_key, source_table, CAST(source_id AS BIGINT), CAST(occurred_at AS TIMESTAMP),
       CAST(company_id AS INTEGER), CAST(product_id AS INTEGER), CAST(watcher_id AS INTEGER),
       CAST(source_url AS VARCHAR), CAST(evidence AS JSON), draft_quadrant, draft_key, CAST(draft_params AS JSON),
       CAST(CAST(reasons AS VARCHAR) AS JSON)
FROM _signal_candidates
ORDER BY occurred_at, source_key
ON CONFLICT DO NOTHING
RETURNING id, kind
"""


def _audit_inserted(tx: Transaction, ids: list[int]) -> None:
    """One audit row per new signal, written in one statement (a first run may add hundreds)."""
    cur = tx.execute("SELECT * FROM signals WHERE list_contains(?, id) ORDER BY id", [ids])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, values)) for values in cur.fetchall()]
    audit = pd.DataFrame({
        "batch_id": tx.batch_id, "actor": tx.actor, "table_name": "signals", "row_id": [str(r["id"]) for r in rows],
        "action": "insert", "before": None, "after": [to_json(r) for r in rows],
    })
    with staged(tx, "_signal_audit", audit):
        tx.execute("INSERT INTO audit_log (batch_id, actor, table_name, row_id, action, before, after) "
                   "SELECT batch_id, actor, table_name, row_id, action, CAST(before AS JSON), CAST(after AS JSON) "
                   "FROM _signal_audit").fetchall()


def _not_stored(store: Store, events: pd.DataFrame) -> pd.DataFrame:
    """The events that are not signals yet."""
    if events.empty:
        return events
    stored = store.query_rows(
        "SELECT kind || ' ' || source_key AS k FROM signals WHERE list_contains($keys, kind || ' ' || source_key)",
        {"keys": (events["kind"] + " " + events["source_key"]).tolist()},
    )
    known = {row["k"] for row in stored}
    return events[[f"{k} {s}" not in known for k, s in zip(events["kind"], events["source_key"])]]


def find_events(store: Store, *, today: dt.date | None = None) -> pd.DataFrame:
    """Every event the workspace's rules see now, as candidate signal rows (stored or not)."""
    today = today or dt.date.today()
    rules = {kind: rule for kind, rule in list_rules(store).items() if rule.enabled}
    found: list[dict[str, Any]] = []
    if "price_move" in rules:
        found += _price_moves(store, rules["price_move"])
    found += _collected_changes(store, rules, today)
    if "lost_deal" in rules:
        found += _lost_deals(store, rules["lost_deal"], today)
    if "stale_item" in rules:
        found += _stale_items(store, rules["stale_item"], today)
    return pd.DataFrame(found, columns=list(_COLUMNS))


def generate_signals(store: Store, actor: Actor, *, today: dt.date | None = None) -> Generated:
    """Store every event the rules see (up to `today`, default the clock's) that is not a signal yet.

    One transaction, one audit row per new signal. Needs the right to write (editors and admins).
    """
    require(actor, "write")  # also when nothing is new: a viewer never runs it
    started = time.perf_counter()
    events = find_events(store, today=today)
    fresh = _not_stored(store, events)
    added: dict[str, int] = {}
    if not fresh.empty:  # nothing new, no write: a run that found only known events changes nothing
        with store.transaction(actor) as tx:
            with staged(tx, "_signal_candidates", fresh):
                # ON CONFLICT: another session may have stored the same event since _not_stored looked.
                inserted = tx.execute(INSERT_SQL).fetchall()
            if inserted:
                _audit_inserted(tx, [int(row[0]) for row in inserted])
        for _, kind in inserted:
            added[kind] = added.get(kind, 0) + 1
    result = Generated(added, len(events), time.perf_counter() - started)
    log.info("signals: %d new of %d events in %.2f s (%s)", result.total, result.considered, result.seconds,
             ", ".join(f"{n} {kind}" for kind, n in sorted(added.items())) or "nothing new")
    return result


def generate_after_collect(store: Store, actor: Actor) -> Generated | None:
    """The hook of collect runs and inbox merges: new signals from what was just recorded.

    Never fails the run that calls it: what was collected is already stored, and a refusal here (a
    write conflict with another session, a read-only workspace) is logged; the next run or
    `signals refresh` finds the same events again, because generation is idempotent.
    """
    try:
        return generate_signals(store, actor)
    except VantageError as error:
        log.warning("signals were not generated after the collect run (the next run catches up): %s", error.message)
        return None
