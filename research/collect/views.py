"""Tables and charts of the Collect page, localized and ready to show (no streamlit here)."""

from __future__ import annotations

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler

from research.charts.collect import price_history_chart
from research.collect.extract import Extraction
from research.collect.observations import latest_changes, price_history
from research.collect.watchers import get_watcher, watchers_table
from research.i18n import fmt_datetime, fmt_percent, t
from research.store import Store


# Badge colours per status (background, text), readable on a projector and in print.
STATUS_COLORS = {
    "new": ("#E3EEFA", "#1C4E80"),
    "changed": ("#FDE5CF", "#8A3B00"),
    "unchanged": ("#E3F2E6", "#1E6B34"),
    "blocked": ("#EFE3F5", "#5B1A78"),
    "error": ("#FBE0E2", "#A4161A"),
    "skipped": ("#ECEFF1", "#495057"),
    "postponed": ("#FFF4D6", "#7A5B00"),
    "fetched": ("#E3EEFA", "#1C4E80"),
    "never": ("#F4F5F6", "#6C757D"),
}


def status_label(status: object, lang: str) -> str:
    known = status if isinstance(status, str) and status else "never"  # NaN when a watcher never ran
    return t(f"collect.status.{known}", lang)


def _when(value: object, lang: str) -> str:
    if value is None or value != value or pd.isna(value):  # type: ignore[arg-type]
        return "–"
    return fmt_datetime(pd.Timestamp(value).to_pydatetime(), lang)


def status_badges(table: pd.DataFrame, lang: str) -> Styler:
    """The watchers table with its status column drawn as coloured badges."""
    css = {
        status_label(status, lang): f"background-color: {bg}; color: {fg}; font-weight: 600"
        for status, (bg, fg) in STATUS_COLORS.items()
    }
    return table.style.map(lambda v: css.get(v, ""), subset=[t("collect.col.status", lang)])


def watchers_view(store: Store, lang: str) -> pd.DataFrame:
    """The watchers table with status labels and localized headers; the id column stays first."""
    df = watchers_table(store)
    return pd.DataFrame(
        {
            t("collect.col.id", lang): df["id"].astype(int),
            t("collect.col.status", lang): [status_label(s, lang) for s in df["last_status"]],
            t("collect.col.watcher", lang): df["watcher"],
            t("collect.col.company", lang): df["company"].fillna("–"),
            t("collect.col.product", lang): df["product"].fillna("–"),
            t("collect.col.kind", lang): [t(f"collect.kind.{k}", lang) for k in df["kind"]],
            t("collect.col.schedule", lang): [t(f"collect.schedule.{s}", lang) for s in df["schedule"]],
            t("collect.col.enabled", lang): [t("collect.yes" if e else "collect.no", lang) for e in df["enabled"]],
            t("collect.col.checked", lang): [_when(v, lang) for v in df["last_checked"]],
            t("collect.col.message", lang): df["last_message"].fillna(""),
        }
    )


def changes_view(store: Store, lang: str, *, company_id: int | None, prices_only: bool, limit: int = 200) -> tuple[pd.DataFrame, str | None]:
    """(table, text diff of the newest whole-page change or None)."""
    df = latest_changes(store, company_id, limit, prices_only=prices_only)
    table = pd.DataFrame(
        {
            t("collect.col.when", lang): [_when(v, lang) for v in df["detected_at"]],
            t("collect.col.watcher", lang): df["watcher"],
            t("collect.col.company", lang): df["company"].fillna("–"),
            t("collect.col.field", lang): df["field"],
            t("collect.col.old", lang): df["old_value"].fillna("–"),
            t("collect.col.new", lang): df["new_value"].fillna("–"),
            t("collect.col.change", lang): [
                fmt_percent(p, lang, 1) if p == p and p is not None else "" for p in df["change_pct"]
            ],
        }
    )
    diffs = df["diff"].dropna()
    return table, (diffs.iloc[0] if len(diffs) else None)


def history_view(store: Store, watcher_id: int, lang: str) -> alt.TopLevelMixin | None:
    """The watcher's price history chart, or None when it has no collected prices."""
    history = price_history(store, watcher_id)
    if history.empty or history["price"].isna().all():
        return None
    watcher = get_watcher(store, watcher_id)
    company = store.query_rows("SELECT name, is_us FROM companies WHERE id = ?", [watcher.company_id]) if watcher.company_id else []
    name, is_us = (company[0]["name"], bool(company[0]["is_us"])) if company else ("–", False)
    currency = history["currency"].dropna().iloc[-1] if history["currency"].notna().any() else "–"
    return price_history_chart(
        history, company=name, is_us=is_us,
        title=t("collect.chart.title", lang, watcher=watcher.title[:60]),
        subtitle=t("collect.chart.subtitle", lang),
        date_title=t("collect.chart.date", lang),
        price_title=t("collect.chart.price", lang, currency=currency),
        changed_title=t("collect.chart.changed", lang),
        company_title=t("collect.chart.company", lang),
    )


def extraction_view(extraction: Extraction, lang: str) -> pd.DataFrame:
    """Field / value / found rows for the Test result (listing items are counted, not listed)."""
    rows = []
    for key, value in extraction.values.items():
        if key == "items":
            continue
        shown = "" if value is None else str(value)
        rows.append({t("collect.col.field", lang): key, t("collect.col.value", lang): shown,
                     t("collect.col.found", lang): "✅" if value is not None else "❌"})
    return pd.DataFrame(rows)


def items_view(extraction: Extraction, limit: int = 50) -> pd.DataFrame:
    return pd.DataFrame(extraction.values.get("items", [])[:limit])
