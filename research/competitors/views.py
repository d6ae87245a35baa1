"""Display shapes of the competitor area: localized tables and ready charts for the UI,
the exports and the CLI. Pages call these instead of reshaping DataFrames.

Domain values (product categories, units, industries) are shown by the workspace's names
in the viewer's language (`names`, research.data.labels); codes (positioning, confidence,
actions) by their catalog labels; a missing value as "–", never "None".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd

from research.charts.competitors import swot_board_chart, swot_heatmap_chart
from research.competitors.profiles import Company
from research.competitors.states import Quadrant
from research.competitors.swot import SwotItem, items_frame
from research.data.labels import Labels
from research.i18n import MESSAGES, country_name, fmt_date, fmt_datetime, fmt_money, fmt_money_round, fmt_number, t
from research.market import change_thing

BLANK = "–"


def _shown(names: Labels | None, domain: str, value: Any) -> str:
    """A domain value (a DataFrame cell) by its name (the value itself without `names`), "–" when there is none."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return BLANK
    return names(domain, value) if names is not None else str(value)


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
    # An estimate, rounded for its size (€38.5M), not to the cent.
    revenue = (
        fmt_money_round(company.revenue_estimate, company.revenue_currency or "EUR", lang)
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


def products_table(df: pd.DataFrame, lang: str, names: Labels | None = None) -> pd.DataFrame:
    """A company's products; category and unit by their names in `lang` (`names`)."""
    return pd.DataFrame(
        {
            t("competitors.col.product", lang): [_shown(None, "", n) for n in df["name"]],
            t("competitors.col.category", lang): [_shown(names, "category", c) for c in df["category"]],
            t("competitors.col.unit", lang): [_shown(names, "unit", u) for u in df["unit"]],
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


def served_table(df: pd.DataFrame, lang: str, names: Labels | None = None) -> pd.DataFrame:
    """Accounts served per industry; industries by their names in `lang` (`names`), none as "not set"."""
    return pd.DataFrame(
        {
            t("dimension.industry", lang): [
                t("overview.share.not_set", lang) if _shown(None, "", i) == BLANK else _shown(names, "industry", i)
                for i in df["industry"]
            ],
            t("col.accounts", lang): df["accounts"].astype(int).tolist(),
        }
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
            t("swot.col.evidence", lang): [i.evidence or BLANK for i in items],
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
            t("swot.col.evidence", lang): [i.evidence or BLANK for i in items],
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
        quadrant_titles={q: quadrant_name(q, lang) for q in Quadrant},
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


# A changed column by the label its form shows: (table, column) first, then the column alone.
_FIELD_KEYS = {
    ("products", "name"): "competitors.col.product",
    ("products", "category"): "competitors.col.category",
    ("products", "unit"): "competitors.col.unit",
    ("products", "list_price"): "competitors.col.list_price",
    ("products", "currency"): "competitors.fact.currency",
    ("tows_strategies", "statement"): "tows.col.statement",
    ("tows_strategies", "status"): "tows.col.status",
    ("tows_links", "swot_item_id"): "tows.col.items",
    "name": "competitors.fact.name",
    "website": "competitors.fact.website",
    "hq_country": "competitors.fact.country",
    "founded": "competitors.fact.founded",
    "employees": "competitors.fact.employees",
    "revenue_estimate": "competitors.fact.revenue",
    "revenue_currency": "competitors.fact.currency",
    "price_positioning": "competitors.fact.positioning",
    "description": "competitors.fact.description",
    "segments": "competitors.fact.segments",
    "channels": "competitors.fact.channels",
    "key_customers": "competitors.fact.key_customers",
    "notes": "competitors.fact.notes",
    "notes_private": "competitors.field.notes_private",
    "notes_author": "competitors.field.notes_author",
    "archived": "competitors.field.archived",
    "is_us": "competitors.field.is_us",
    "quadrant": "swot.col.quadrant",
    "statement": "swot.col.statement",
    "impact": "swot.col.impact",
    "confidence": "swot.col.confidence",
    "source_id": "swot.col.evidence",
    "source_url": "swot.source_url",
    "source_note": "competitors.field.source_note",
    "observed_on": "swot.col.observed",
    "tags": "swot.col.tags",
    "author": "swot.col.author",
    "private": "competitors.field.private",
    "position": "competitors.field.position",
    "kind": "tows.col.kind",
    "owner": "tows.col.owner",
    "status": "tows.col.status",
}


def field_name(table: str, field: str, lang: str, custom: dict[str, str] | None = None) -> str:
    """A changed column in words: the label its form shows, a custom field's own label, else the column name."""
    key = _FIELD_KEYS.get((table, field)) or _FIELD_KEYS.get(field)
    if key in MESSAGES:
        return t(key, lang)
    return (custom or {}).get(field, field)


def _changed_fields(table: str, before: str | None, after: str | None, lang: str, custom: dict[str, str] | None) -> str:
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    skip = {"version", "updated_at", "created_at", "id"}
    changed = sorted({field_name(table, k, lang, custom) for k in set(old) | set(new)
                      if k not in skip and old.get(k) != new.get(k)}, key=str.casefold)
    return ", ".join(changed[:8]) + ("…" if len(changed) > 8 else "")


def _thing(table: str, lang: str) -> str:
    """What a history row touched as a capitalised noun ("SWOT item", "Strategy"), never a table name."""
    noun = change_thing(table, 1, lang)
    return noun[:1].upper() + noun[1:]


def history_table(df: pd.DataFrame, lang: str, custom: dict[str, str] | None = None) -> pd.DataFrame:
    """A company's audit trail in words; `custom`: custom company fields' labels in `lang` by column name."""
    return pd.DataFrame(
        {
            t("col.when", lang): [fmt_datetime(v, lang) for v in df["changed_at"]],
            t("col.who", lang): [a if isinstance(a, str) and a else BLANK for a in df["actor"]],
            t("col.what", lang): [t(f"action.{a}", lang) for a in df["action"]],
            t("competitors.col.record", lang): [_thing(name, lang) for name in df["table_name"]],
            t("col.item", lang): [v if isinstance(v, str) and v else BLANK for v in df["item"]],
            t("competitors.col.fields", lang): [
                _changed_fields(table, b, a, lang, custom) if action == "update" else ""
                for table, b, a, action in zip(df["table_name"], df["before"], df["after"], df["action"])
            ],
        }
    )
