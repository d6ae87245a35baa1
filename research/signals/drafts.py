"""A signal in words, in the viewer's language: the draft statement (a catalog template filled with the
stored parameters), the evidence in one line, and the inbox as a display table.

Parameters are stored raw (prices as decimal text with their currency, a change as a fraction, dates
as ISO text) and formatted here for the language asked, so one stored draft reads in English and in
Serbian. Company, product and account names are proper names and stay as stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from research.i18n import (
    MESSAGES,
    fmt_date,
    fmt_datetime,
    fmt_money,
    fmt_money_round,
    fmt_percent,
    placeholders,
    t,
)
from research.signals.records import Signal

MAX_EVIDENCE = 1_000


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _money(value: Any, currency: Any, lang: str, *, rounded: bool = False) -> str:
    """An amount in its currency; a value that is not an amount with a currency (a listing's price
    text, an availability) as it was read."""
    if value is None or value == "":
        return "–"
    amount = _decimal(value)
    if amount is None or not (isinstance(currency, str) and len(currency) == 3):
        return str(value)
    return fmt_money_round(amount, currency, lang) if rounded else fmt_money(amount, currency, lang)


def _signed_percent(value: Any, lang: str) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    return ("+" if number > 0 else "") + fmt_percent(number, lang, 1)


def format_params(params: Mapping[str, Any], lang: str) -> dict[str, str]:
    """A draft's stored parameters as text in `lang` (see the module docstring)."""
    currency = params.get("currency")
    out: dict[str, str] = {}
    for name, value in params.items():
        if name == "pct":
            out[name] = fmt_percent(abs(float(value)), lang, 1) if value is not None else "–"
        elif name in ("old", "new", "price"):
            out[name] = _money(value, currency, lang)
        elif name == "value":
            out[name] = _money(value, currency, lang, rounded=True)
        elif name in ("date", "evidence_on", "stale_since"):
            out[name] = fmt_date(_date(value), lang)
        elif name == "company" and not value:
            out[name] = t("signals.no_company", lang)
        else:
            out[name] = "–" if value is None else str(value)
    return out


def statement(signal: Signal, lang: str) -> str:
    """The draft SWOT statement in `lang`."""
    if signal.draft_key not in MESSAGES:  # a draft written by a newer Vantage: its facts, not a crash
        return ", ".join(f"{k}: {v}" for k, v in format_params(signal.draft_params, lang).items())
    return t(signal.draft_key, lang, **format_params(signal.draft_params, lang))


def kind_label(kind: str, lang: str) -> str:
    return t(f"signals.kind.{kind}", lang)


def status_label(status: str, lang: str) -> str:
    return t(f"signals.status.{status}", lang)


def quadrant_label(quadrant: str, lang: str) -> str:
    return t(f"swot.quadrant.{quadrant}", lang)


def evidence_line(signal: Signal, lang: str) -> str:
    """What was seen, in one line (the source note of an item made from the signal)."""
    evidence = dict(signal.evidence)
    key = f"signals.evidence.{signal.kind}"
    if signal.kind == "page_change" and evidence.get("field") not in (None, "text"):
        key = "signals.evidence.field_change"
    elif signal.kind == "lost_deal" and evidence.get("value") is None:
        key = "signals.evidence.lost_deal_no_value"
    values = format_params({"date": signal.occurred_on.isoformat(), **evidence}, lang)
    if signal.kind == "price_move":
        values["change"] = _signed_percent(evidence.get("pct"), lang)
    needed = {name: values.get(name, "–") for name in _placeholders(key)}
    return t(key, lang, **needed)[:MAX_EVIDENCE]


def _placeholders(key: str) -> set[str]:
    return placeholders(MESSAGES[key][0])


def decision_line(signal: Signal, lang: str) -> str:
    """What became of a triaged signal: the item it became or refreshed, or why it was dismissed."""
    when = fmt_datetime(signal.decided_at, lang) if signal.decided_at else "–"
    who = signal.decided_by or "–"
    if signal.status == "accepted":
        return t("signals.decided.accepted", lang, item=signal.item_id, statement=signal.item_statement or "–",
                 who=who, when=when)
    if signal.status == "attached":
        return t("signals.decided.attached", lang, item=signal.item_id, statement=signal.item_statement or "–",
                 who=who, when=when)
    if signal.status == "dismissed":
        return t("signals.decided.dismissed", lang, reason=signal.dismiss_reason or "–", who=who, when=when)
    return ""


def company_name(signal: Signal, lang: str) -> str:
    if signal.company is None:
        return t("signals.no_company", lang)
    return signal.company + (t("chart.us_suffix", lang) if signal.is_us else "")


def inbox_table(signals: Iterable[Signal], lang: str) -> pd.DataFrame:
    """The inbox as display text: number, date, kind, company, proposed quadrant and statement, evidence, status."""
    rows = list(signals)
    return pd.DataFrame(
        {
            t("signals.col.id", lang): [s.id for s in rows],
            t("signals.col.date", lang): [fmt_date(s.occurred_on, lang) for s in rows],
            t("signals.col.kind", lang): [kind_label(s.kind, lang) for s in rows],
            t("signals.col.company", lang): [company_name(s, lang) for s in rows],
            t("signals.col.quadrant", lang): [quadrant_label(s.draft_quadrant, lang) for s in rows],
            t("signals.col.statement", lang): [statement(s, lang) for s in rows],
            t("signals.col.evidence", lang): [evidence_line(s, lang) for s in rows],
            t("signals.col.status", lang): [status_label(s.status, lang) for s in rows],
        },
    )


def signal_json(signal: Signal, lang: str) -> dict[str, Any]:
    """A signal for `signals list --json`: its stored fields plus the draft and evidence in words."""
    return {
        "id": signal.id, "kind": signal.kind, "status": signal.status, "occurred_at": signal.occurred_at.isoformat(),
        "company_id": signal.company_id, "company": signal.company, "is_us": signal.is_us,
        "source_url": signal.source_url, "source_key": signal.source_key,
        "draft": {"quadrant": signal.draft_quadrant, "statement": statement(signal, lang),
                  "key": signal.draft_key, "params": signal.draft_params},
        "evidence": signal.evidence, "evidence_text": evidence_line(signal, lang), "reasons": signal.reasons,
        "item_id": signal.item_id, "dismiss_reason": signal.dismiss_reason, "decided_by": signal.decided_by,
        "decided_at": signal.decided_at.isoformat() if signal.decided_at else None,
    }


def company_counts_table(counts: pd.DataFrame, lang: str, *, competitors_only: bool = False,
                         with_signals_only: bool = True) -> pd.DataFrame:
    """`records.counts_by_company` as display text: company (ours marked), new, accepted, attached,
    dismissed, total — for Overview's signal counts per competitor and the monthly report."""
    rows = counts
    if competitors_only:
        rows = rows[~rows["is_us"]]
    if with_signals_only:
        rows = rows[rows["total"] > 0]
    return pd.DataFrame({
        t("signals.col.company", lang): [name + (t("chart.us_suffix", lang) if us else "")
                                         for name, us in zip(rows["company"], rows["is_us"])],
        **{t(f"signals.status.{status}", lang): rows[status].astype(int).tolist()
           for status in ("new", "accepted", "attached", "dismissed")},
        t("signals.col.total", lang): rows["total"].astype(int).tolist(),
    })
