"""The battlecard: one page per competitor for a sales conversation.

Why we win (our strengths against their weaknesses), their strengths to
neutralise (with our answer where one exists), pricing against ours, why we lose
to them and why we win from our deals (research/competitors/winloss.py: the
reasons recorded with the deals against them, with counts and value), their key
SWOT items and the freshest evidence. Rendered in the app, to Markdown here and
to PPTX in `exports`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from research.competitors import analysis, winloss
from research.competitors.profiles import Company, get_company, our_company
from research.competitors.states import Quadrant
from research.competitors.swot import SwotItem, list_items
from research.data.labels import labels_for
from research.errors import ValidationError
from research.i18n import LANGUAGES, fmt_date, fmt_money, fmt_money_round, fmt_number, fmt_percent, keyed_error, t
from research.store import Store

KEY_ITEMS_PER_QUADRANT = 3
DEAL_REASONS = 3  # reasons per side (lose / win) in the "why we lose to them / why we win" section


@dataclass(frozen=True)
class ReasonLine:
    """A reason recorded with deals against the competitor: its name per language, deals and their value in EUR."""

    names: Mapping[str, str]
    deals: int
    value_eur: float


@dataclass(frozen=True)
class DealRecord:
    """Our decided deals against one competitor and the reasons recorded with them (most deals first)."""

    won: int = 0
    lost: int = 0
    won_value: float = 0.0
    lost_value: float = 0.0
    lose_reasons: tuple[ReasonLine, ...] = ()
    win_reasons: tuple[ReasonLine, ...] = ()

    @property
    def win_rate(self) -> float | None:
        return self.won / (self.won + self.lost) if self.won + self.lost else None


@dataclass(frozen=True)
class Counter:
    their_strength: SwotItem
    our_answer: str | None  # our strength sharing a tag, if any


@dataclass(frozen=True)
class Battlecard:
    company: Company
    us: str
    as_of: dt.date
    why_we_win: pd.DataFrame  # analysis.talking_points rows
    neutralise: tuple[Counter, ...]
    pricing: pd.DataFrame  # analysis.price_comparison rows
    price_index: float | None
    key_items: dict[str, tuple[SwotItem, ...]]
    freshest: tuple[SwotItem, ...]
    stale: int
    total: int
    lost_deals: int
    highlight: str | None = None  # the workspace's colour for our company (its exports use it)
    # language -> product category -> its name (research.data.labels), so every rendering of the card
    # (page, slide, PPTX, Markdown) names categories in its own language without the store.
    category_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    deals: DealRecord = field(default_factory=DealRecord)  # why we lose to them / why we win


def build_battlecard(store: Store, company_id: int, *, today: dt.date | None = None, limit: int = 5) -> Battlecard:
    from research.compare.views import (
        highlight_color,  # the workspace colour's one owner
    )

    today = today or dt.date.today()
    # A battlecard is a shared output: private notes stay off it, even their author's (docs/ACCESS.md).
    company = get_company(store, company_id, include_private=False)
    us = our_company(store, include_private=False)
    if us is None:
        raise keyed_error(ValidationError, "competitors.error.battlecard_no_us")
    if company.is_us:
        raise keyed_error(ValidationError, "competitors.error.battlecard_us", name=company.name)
    items = list_items(store, company_id, today=today)
    ours = [i for i in list_items(store, us.id, today=today) if i.quadrant == Quadrant.STRENGTH]
    by_impact = sorted(items, key=lambda i: (-i.impact, i.position))
    strengths = [i for i in by_impact if i.quadrant == Quadrant.STRENGTH][:limit]
    neutralise = tuple(Counter(s, _answer(s, ours)) for s in strengths)
    pricing = analysis.price_comparison(store, company_id)
    lost = store.query_value(
        "SELECT count(*) FROM deals WHERE competitor_id = ? AND outcome = 'lost'", [company_id]
    )
    return Battlecard(
        company=company,
        us=us.name,
        as_of=today,
        why_we_win=analysis.talking_points(store, company_id, limit=limit),
        neutralise=neutralise,
        pricing=pricing,
        price_index=analysis.overall_price_index(pricing),
        key_items={q: tuple(i for i in by_impact if i.quadrant == q)[:KEY_ITEMS_PER_QUADRANT] for q in Quadrant},
        freshest=tuple(sorted(items, key=lambda i: (i.evidence_on, i.id), reverse=True)[:limit]),
        stale=sum(1 for i in items if i.stale),
        total=len(items),
        lost_deals=int(lost or 0),
        highlight=highlight_color(store),
        category_names={lang: {str(c): names("category", c) for c in pricing["category"]}
                        for lang, names in ((lang, labels_for(store, lang)) for lang in LANGUAGES)},
        deals=deal_record(store, company_id),
    )


def deal_record(store: Store, company_id: int, limit: int = DEAL_REASONS) -> DealRecord:
    """Won and lost deals against the competitor, with the `limit` reasons most often recorded on each side.

    Deals without a recorded reason are counted in the record, never shown as a reason of their own.
    """
    totals = winloss.totals(store, competitor_id=company_id)
    reasons = winloss.reasons(store, competitor_id=company_id)

    def lines(outcome: str) -> tuple[ReasonLine, ...]:
        summed = winloss.reason_totals(reasons, outcome)
        named = summed[summed["reason_id"] != winloss.NO_REASON].head(limit)
        return tuple(
            ReasonLine({lang: winloss.reason_label(row, lang, "") for lang in LANGUAGES}, int(row["deals"]),
                       float(row["value_eur"]))
            for row in named.to_dict("records")
        )

    return DealRecord(totals.won, totals.lost, totals.won_value, totals.lost_value, lines("lost"), lines("won"))


def _answer(strength: SwotItem, ours: list[SwotItem]) -> str | None:
    matches = [o for o in ours if set(o.tags) & set(strength.tags)]
    return max(matches, key=lambda o: (o.impact, -o.position)).statement if matches else None


def price_summary(card: Battlecard, lang: str) -> str:
    if card.price_index is None:
        return t("battlecard.price_unknown", lang)
    diff = card.price_index - 1
    if abs(diff) < 0.01:
        return t("battlecard.price_same", lang, us=card.us)
    key = "battlecard.price_above" if diff > 0 else "battlecard.price_below"
    return t(key, lang, percent=fmt_percent(abs(diff), lang), us=card.us)


def category_name(card: Battlecard, category: object, lang: str) -> str:
    """A product category of the card by its name in `lang` (as stored when the card has no names)."""
    return card.category_names.get(lang, {}).get(str(category), str(category))


def pricing_rows(card: Battlecard, lang: str) -> list[tuple[str, str, str, str, str]]:
    """(category, products, ours, theirs, index) as display text, categories by their names in `lang`."""
    return [
        (
            category_name(card, category, lang),
            fmt_number(int(products), lang),
            fmt_money(ours, "EUR", lang),
            fmt_money(theirs, "EUR", lang),
            fmt_percent(index, lang),
        )
        for category, products, ours, theirs, index in zip(
            card.pricing["category"], card.pricing["products"], card.pricing["our_median_eur"],
            card.pricing["their_median_eur"], card.pricing["price_index"],
        )
    ]


def deal_record_text(card: Battlecard, lang: str) -> str:
    """"Deals against them: 4 won, 6 lost (win rate 40%)." — or that there are none yet."""
    record = card.deals
    if not record.won + record.lost:
        return t("battlecard.deals.none", lang)
    return t("battlecard.deals.record", lang, won=fmt_number(record.won, lang), lost=fmt_number(record.lost, lang),
             rate=fmt_percent(record.win_rate, lang))


def reason_lines(card: Battlecard, side: str, lang: str) -> list[str]:
    """The reasons on one side ("lose" or "win"): "Price — 4 deals, €250k", most deals first."""
    reasons = card.deals.lose_reasons if side == "lose" else card.deals.win_reasons
    lines = []
    for r in reasons:
        deals = t("winloss.deals.one", lang) if r.deals == 1 else t("winloss.deals", lang, n=fmt_number(r.deals, lang))
        name = r.names.get(lang) or r.names.get("en", "")
        if r.value_eur:
            lines.append(t("battlecard.deals.line", lang, reason=name, deals=deals,
                           value=fmt_money_round(r.value_eur, "EUR", lang)))
        else:  # none of its deals could be valued (no value, or a currency without a rate)
            lines.append(t("battlecard.deals.line.no_value", lang, reason=name, deals=deals))
    return lines


def deal_sections(card: Battlecard, lang: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) of "why we lose to them" and "why we win", each "no reasons recorded" when empty;
    none at all without decided deals against them (the record says so)."""
    if not card.deals.won + card.deals.lost:
        return []
    none = [t("battlecard.deals.no_reasons", lang)]
    return [(t(f"battlecard.deals.{side}", lang), reason_lines(card, side, lang) or none) for side in ("lose", "win")]


def evidence_line(item: SwotItem, lang: str) -> str:
    where = item.evidence or t("swot.no_source", lang)
    return f"{fmt_date(item.evidence_on, lang)} · {where}"


def _md(text: str) -> str:
    """Markdown-inert text: characters that would format are escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|~" else ch for ch in text)


def to_markdown(card: Battlecard, lang: str) -> str:
    """The battlecard as a Markdown document (user text escaped, so it reads literally)."""
    lines = [
        f"# {_md(t('battlecard.title', lang, company=card.company.name))}",
        "",
        f"_{_md(t('battlecard.subtitle', lang, us=card.us, date=fmt_date(card.as_of, lang)))}_",
        "",
        f"## {t('battlecard.why_we_win', lang)}",
        "",
    ]
    if card.why_we_win.empty:
        lines.append(f"- {_md(t('battlecard.no_talking_points', lang))}")
    for strength, weakness in zip(card.why_we_win["our_strength"], card.why_we_win["their_weakness"]):
        lines.append(f"- **{_md(strength)}** — {_md(t('battlecard.versus', lang))} {_md(weakness)}")
    lines += ["", f"## {t('battlecard.neutralise', lang)}", ""]
    if not card.neutralise:
        lines.append(f"- {_md(t('battlecard.no_strengths', lang))}")
    for counter in card.neutralise:
        answer = counter.our_answer or t("battlecard.no_answer", lang)
        lines.append(f"- {_md(counter.their_strength.statement)} → {_md(answer)}")
    lines += ["", f"## {t('battlecard.pricing', lang)}", "", _md(price_summary(card, lang)), ""]
    rows = pricing_rows(card, lang)
    if rows:
        header = [t(f"battlecard.col.{c}", lang) for c in ("category", "products", "ours", "theirs", "index")]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
        lines.append("")
    lines += [f"## {t('battlecard.deals', lang)}", "", _md(deal_record_text(card, lang)), ""]
    for heading, entries in deal_sections(card, lang):
        lines += [f"**{_md(heading)}**", ""]
        lines += [f"- {_md(entry)}" for entry in entries]
        lines.append("")
    lines += [f"## {t('battlecard.key_items', lang)}", ""]
    for quadrant, group in card.key_items.items():
        lines.append(f"**{t(f'swot.quadrant.{quadrant}', lang)}**")
        lines.append("")
        lines += [f"- {_md(i.label or '')} {_md(i.statement)} ({t('swot.impact_short', lang, impact=i.impact)})" for i in group]
        if not group:
            lines.append("- –")
        lines.append("")
    lines += [f"## {t('battlecard.freshest', lang)}", ""]
    lines += [f"- {_md(i.statement)} — {_md(evidence_line(i, lang))}" for i in card.freshest]
    lines += [
        "",
        f"_{_md(t('battlecard.footer', lang, stale=card.stale, total=card.total, lost=card.lost_deals))}_",
        "",
    ]
    return "\n".join(lines)
