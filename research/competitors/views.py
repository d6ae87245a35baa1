"""Display shapes of the competitor area: localized tables and ready charts for the UI,
the exports and the CLI. Pages call these instead of reshaping DataFrames.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

import altair as alt
import pandas as pd

from research.charts.competitors import swot_board_chart, swot_heatmap_chart
from research.competitors.profiles import Company
from research.competitors.swot import SwotItem, items_frame
from research.i18n import country_name, fmt_date, fmt_datetime, fmt_money, fmt_number, t


def company_label(name: str, is_us: bool, lang: str) -> str:
    return name + t("chart.us_suffix", lang) if is_us else name


def quadrant_name(quadrant: str, lang: str) -> str:
    return t(f"swot.quadrant.{quadrant}", lang)


def companies_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("competitors.col.company", lang): [company_label(n, u, lang) for n, u in zip(df["name"], df["is_us"])],
            t("competitors.col.country", lang): [country_name(c if isinstance(c, str) else None, lang) for c in df["hq_country"]],
            t("competitors.col.positioning", lang): [
                t(f"competitors.positioning.{p}", lang) if isinstance(p, str) else "–" for p in df["price_positioning"]
            ],
            t("competitors.col.products", lang): df["products"].astype(int).tolist(),
            t("competitors.col.swot_items", lang): df["swot_items"].astype(int).tolist(),
            t("competitors.col.stale", lang): df["stale_items"].astype(int).tolist(),
            t("competitors.col.latest_evidence", lang): [
                fmt_date(d.date() if hasattr(d, "date") else d, lang) if pd.notna(d) else "–" for d in df["latest_evidence"]
            ],
            t("competitors.col.status", lang): [
                t("competitors.archived" if a else "competitors.active", lang) for a in df["archived"]
            ],
        }
    )


def facts(company: Company, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the profile's core facts, as display text."""
    revenue = (
        fmt_money(company.revenue_estimate, company.revenue_currency or "EUR", lang)
        if company.revenue_estimate is not None
        else "–"
    )
    positioning = t(f"competitors.positioning.{company.price_positioning}", lang) if company.price_positioning else "–"
    return [
        (t("competitors.fact.website", lang), company.website or "–"),
        (t("competitors.fact.country", lang), country_name(company.hq_country, lang)),
        (t("competitors.fact.founded", lang), str(company.founded) if company.founded else "–"),
        (t("competitors.fact.employees", lang), fmt_number(company.employees, lang)),
        (t("competitors.fact.revenue", lang), revenue),
        (t("competitors.fact.positioning", lang), positioning),
        (t("competitors.fact.segments", lang), ", ".join(company.segments) or "–"),
        (t("competitors.fact.channels", lang), ", ".join(company.channels) or "–"),
        (t("competitors.fact.key_customers", lang), ", ".join(company.key_customers) or "–"),
    ]


def products_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("competitors.col.product", lang): df["name"].tolist(),
            t("competitors.col.category", lang): df["category"].tolist(),
            t("competitors.col.unit", lang): df["unit"].tolist(),
            t("competitors.col.list_price", lang): [
                fmt_money(p, c, lang) if pd.notna(p) else "–" for p, c in zip(df["list_price"], df["currency"])
            ],
            t("competitors.col.last_price", lang): [
                fmt_money(p, c, lang) if pd.notna(p) else "–" for p, c in zip(df["last_price"], df["last_currency"])
            ],
            t("competitors.col.last_seen", lang): [
                fmt_date(d.date(), lang) if pd.notna(d) else "–" for d in df["last_seen"]
            ],
        }
    )


def served_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {t("dimension.industry", lang): df["industry"].tolist(), t("col.accounts", lang): df["accounts"].tolist()}
    )


def items_table(items: Iterable[SwotItem], lang: str) -> pd.DataFrame:
    items = list(items)
    return pd.DataFrame(
        {
            t("swot.col.label", lang): [i.label or "–" for i in items],
            t("swot.col.quadrant", lang): [quadrant_name(i.quadrant, lang) for i in items],
            t("swot.col.statement", lang): [i.statement for i in items],
            t("swot.col.impact", lang): [i.impact for i in items],
            t("swot.col.confidence", lang): [t(f"swot.confidence.{i.confidence}", lang) for i in items],
            t("swot.col.evidence", lang): [i.evidence for i in items],
            t("swot.col.observed", lang): [fmt_date(i.evidence_on, lang) for i in items],
            t("swot.col.stale", lang): [t("swot.stale", lang) if i.stale else "" for i in items],
            t("swot.col.tags", lang): [", ".join(i.tags) for i in items],
            t("swot.col.author", lang): [i.author or "–" for i in items],
            t("swot.col.changed", lang): [
                f"{i.changed_by} · {fmt_datetime(i.changed_at, lang)}" if i.changed_by else fmt_datetime(i.created_at, lang)
                for i in items
            ],
            t("swot.col.status", lang): [
                t("competitors.archived" if i.archived else "competitors.active", lang)
                + (f" · {t('swot.private_marker', lang)}" if i.private else "")
                for i in items
            ],
        }
    )


def stale_table(items: Iterable[SwotItem], lang: str, today: dt.date | None = None) -> pd.DataFrame:
    today = today or dt.date.today()
    items = list(items)
    return pd.DataFrame(
        {
            t("competitors.col.company", lang): [company_label(i.company, i.is_us, lang) for i in items],
            t("swot.col.label", lang): [i.label or "–" for i in items],
            t("swot.col.statement", lang): [i.statement for i in items],
            t("swot.col.observed", lang): [fmt_date(i.evidence_on, lang) for i in items],
            t("swot.col.age", lang): [(today - i.evidence_on).days for i in items],
            t("swot.col.evidence", lang): [i.evidence for i in items],
        }
    )


def item_choice(item: SwotItem) -> str:
    text = item.statement if len(item.statement) <= 70 else item.statement[:69] + "…"
    return f"{item.label or '–'} · {text}"


def board_chart(
    company: Company, items: list[SwotItem], lang: str, today: dt.date | None = None
) -> alt.VConcatChart:
    """The SWOT board of one company in `lang` (the same chart on screen and in the PNG)."""
    today = today or dt.date.today()
    frame = items_frame(items)
    frame["marker"] = [t("swot.board.stale_marker", lang, date=fmt_date(d, lang)) for d in frame["evidence_on"]]
    stale = int(frame["stale"].sum()) if not frame.empty else 0
    return swot_board_chart(
        frame,
        title=t("swot.board.title", lang, company=company_label(company.name, company.is_us, lang)),
        subtitle=t("swot.board.subtitle", lang, items=len(items), stale=stale, date=fmt_date(today, lang)),
        quadrant_titles={q: quadrant_name(q, lang) for q in "SWOT"},
        empty=t("swot.board.empty", lang),
    )


def heatmap_chart(heat: pd.DataFrame, lang: str) -> alt.LayerChart | None:
    if heat.empty:
        return None
    data = heat.copy()
    data["company_label"] = [company_label(n, u, lang) for n, u in zip(data["company"], data["is_us"])]
    data["quadrant_label"] = [quadrant_name(q, lang) for q in data["quadrant"]]
    return swot_heatmap_chart(
        data,
        title=t("swot.heatmap.title", lang),
        subtitle=t("swot.heatmap.subtitle", lang),
        company_title=t("competitors.col.company", lang),
        quadrant_title=t("swot.col.quadrant", lang),
        impact_title=t("swot.heatmap.impact", lang),
        items_title=t("competitors.col.swot_items", lang),
        stale_title=t("competitors.col.stale", lang),
    )


def talking_points_table(df: pd.DataFrame, lang: str, *, with_company: bool = True) -> pd.DataFrame:
    columns = {
        t("battlecard.col.our_strength", lang): df["our_strength"].tolist(),
        t("battlecard.col.their_weakness", lang): df["their_weakness"].tolist(),
        t("battlecard.col.shared_tags", lang): [", ".join(tags) for tags in df["shared_tags"]],
        t("battlecard.col.score", lang): df["score"].astype(int).tolist(),
    }
    if with_company:
        columns = {t("competitors.col.company", lang): df["company"].tolist(), **columns}
    return pd.DataFrame(columns)


def _changed_fields(before: str | None, after: str | None) -> str:
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    skip = {"version", "updated_at", "created_at", "id"}
    changed = sorted(k for k in set(old) | set(new) if k not in skip and old.get(k) != new.get(k))
    return ", ".join(changed[:8]) + ("…" if len(changed) > 8 else "")


def history_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.when", lang): [fmt_datetime(v, lang) for v in df["changed_at"]],
            t("col.who", lang): df["actor"].tolist(),
            t("col.what", lang): [t(f"action.{a}", lang) for a in df["action"]],
            t("col.table", lang): df["table_name"].tolist(),
            t("col.item", lang): [v if isinstance(v, str) else "" for v in df["item"]],
            t("competitors.col.fields", lang): [
                _changed_fields(b, a) if action == "update" else "" for b, a, action in zip(df["before"], df["after"], df["action"])
            ],
        }
    )
