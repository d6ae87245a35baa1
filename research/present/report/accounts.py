"""The monthly report's accounts section: accounts won, lost and new by segment (saved segments when
there are any, else industries), the value won, who took the lost accounts, and the reasons recorded
with the month's decided deals."""

from __future__ import annotations

from typing import Any

import pandas as pd

from research.competitors import winloss, winloss_views
from research.data.labels import Labels
from research.i18n import fmt_money_round, t
from research.present.model import ExportSlide, RenderContext, SlideContent, SlideKind
from research.present.report.common import (
    LIGHT_BLUE, MAX_BARS, TEAL, VIOLET, Section, count_text, euro_text, grouped_bar_chart, grouped_native,
    join_sentences, section_subtitle, text_section,
)
from research.present.report.month import Month
from research.segments import saved
from research.segments.profile import members_sql
from research.store import Store

# `{membership}` defines mm(seg, id): which accounts belong to which segment. Wins and losses
# are accounts with a deal won/lost in the month; new accounts are first contacted (else
# entered) in the month. Values in EUR at each currency's newest rate.
ACCOUNTS_SQL = """
{membership},
rates AS (SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY currency),
d AS (
    SELECT d.account_id, d.outcome, d.competitor_id,
           CAST(d.value / coalesce(r.per_eur, 1) AS DOUBLE) AS value_eur
    FROM deals d LEFT JOIN rates r ON r.currency = d.currency
    WHERE d.outcome IN ('won', 'lost') AND d.closed_on >= ? AND d.closed_on < ?
),
n AS (
    SELECT id FROM accounts
    WHERE NOT archived AND coalesce(first_contact, CAST(created_at AS DATE)) >= ?
      AND coalesce(first_contact, CAST(created_at AS DATE)) < ?
)
SELECT mm.seg,
       count(DISTINCT d.account_id) FILTER (WHERE d.outcome = 'won') AS won,
       count(DISTINCT d.account_id) FILTER (WHERE d.outcome = 'lost') AS lost,
       count(DISTINCT n.id) AS new_accounts,
       coalesce(sum(d.value_eur) FILTER (WHERE d.outcome = 'won'), 0) AS won_value
FROM mm
LEFT JOIN d ON d.account_id = mm.id
LEFT JOIN n ON n.id = mm.id
GROUP BY mm.seg
"""

# Per segment: the competitors that won the accounts we lost in the month.
LOST_BY_SQL = """
{membership}
SELECT mm.seg, c.name AS company, count(DISTINCT d.account_id) AS accounts
FROM mm
JOIN deals d ON d.account_id = mm.id
JOIN companies c ON c.id = d.competitor_id
WHERE d.outcome = 'lost' AND d.closed_on >= ? AND d.closed_on < ?
GROUP BY ALL
"""

LOST_TO_SQL = """
SELECT c.name, count(DISTINCT d.account_id) AS accounts
FROM deals d JOIN accounts a ON a.id = d.account_id JOIN companies c ON c.id = d.competitor_id
WHERE d.outcome = 'lost' AND d.closed_on >= ? AND d.closed_on < ? AND NOT a.archived
GROUP BY c.name ORDER BY accounts DESC, c.name LIMIT 1
"""

_ALL_ACCOUNTS = "WITH mm AS (SELECT 0 AS seg, id FROM accounts WHERE NOT archived)"
_BY_INDUSTRY = "WITH mm AS (SELECT coalesce(nullif(trim(industry), ''), '') AS seg, id FROM accounts WHERE NOT archived)"


# Per segment: the reasons recorded with the deals lost in the month (a deal counts under each of its reasons).
LOST_REASONS_SQL = """
{membership}
SELECT mm.seg, r.id AS reason_id, r.code, r.label_en, r.label_sr, r.position, count(DISTINCT d.id) AS deals
FROM mm
JOIN deals d ON d.account_id = mm.id
JOIN deal_reason_links l ON l.deal_id = d.id
JOIN deal_reasons r ON r.id = l.reason_id
WHERE d.outcome = 'lost' AND d.closed_on >= ? AND d.closed_on < ?
GROUP BY ALL
"""


def _membership(store: Store) -> tuple[str, list[Any], list[saved.Segment]]:
    """The `{membership}` of the accounts queries and its parameters: saved segments when any exist, else industries."""
    segments = saved.list_segments(store)
    if not segments:
        return _BY_INDUSTRY, [], []
    members, params = members_sql([s.condition for s in segments])
    return members + ", mm AS (SELECT seg, id FROM m)", list(params), segments


def lost_reasons_by_segment(store: Store, month: Month) -> pd.DataFrame:
    """Per segment (`seg` as in accounts_by_segment) and reason: the deals lost in `month` that name it."""
    membership, params, _ = _membership(store)
    return store.query_df(LOST_REASONS_SQL.format(membership=membership), [*params, month.start, month.end])


def accounts_by_segment(store: Store, month: Month) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """(won/lost/new per segment, totals, "saved" | "industry"): saved segments when any exist."""
    window = [month.start, month.end, month.start, month.end]
    membership, params, segments = _membership(store)
    if segments:
        frame = store.query_df(ACCOUNTS_SQL.format(membership=membership), [*params, *window])
        frame = pd.DataFrame({"seg": range(len(segments))}).merge(frame, on="seg", how="left")
        lost_by = store.query_df(LOST_BY_SQL.format(membership=membership), [*params, month.start, month.end])
        frame["segment"] = [s.name for s in segments]
        kind = "saved"
    else:
        frame = store.query_df(ACCOUNTS_SQL.format(membership=_BY_INDUSTRY), window)
        lost_by = store.query_df(LOST_BY_SQL.format(membership=_BY_INDUSTRY), [month.start, month.end])
        frame["segment"] = frame["seg"]
        kind = "industry"
    frame = frame.fillna({"won": 0, "lost": 0, "new_accounts": 0, "won_value": 0.0})
    for column in ("won", "lost", "new_accounts"):
        frame[column] = frame[column].astype(int)
    # the competitor that took most of the segment's lost accounts; ties by name, so every run agrees
    top = lost_by.sort_values(["seg", "accounts", "company"], ascending=[True, False, True]).drop_duplicates("seg")
    lost_to = dict(zip(top["seg"], top["company"]))
    frame["lost_to"] = [lost_to.get(seg, "") for seg in frame["seg"]]
    frame = frame.sort_values(["won", "lost", "new_accounts", "segment"], ascending=[False, False, False, True])
    totals = store.query_rows(ACCOUNTS_SQL.format(membership=_ALL_ACCOUNTS), window)
    total = totals[0] if totals else {"won": 0, "lost": 0, "new_accounts": 0, "won_value": 0.0}
    taker = store.query_rows(LOST_TO_SQL, [month.start, month.end])
    summary = {k: total[k] or 0 for k in ("won", "lost", "new_accounts", "won_value")}
    summary["lost_to"] = (taker[0]["name"], int(taker[0]["accounts"])) if taker else None
    return frame.reset_index(drop=True), summary, kind


def accounts_section(store: Store, month: Month, ctx: RenderContext, lang: str, names: Labels) -> Section:
    frame, total, kind = accounts_by_segment(store, month)
    in_month = month.in_month(lang)
    unknown = t("report.unknown_segment", lang)
    if kind == "industry":  # industries by their names in the viewer's language; saved segments by their own
        frame["segment"] = names.series("industry", frame["segment"])
    frame["segment"] = [s if s else unknown for s in frame["segment"]]
    title = t("report.accounts.title", lang)
    subtitle = section_subtitle(month, lang, t(f"report.accounts.subtitle.{kind}", lang))
    source = t("report.accounts.source", lang)
    notes = t("report.accounts.notes", lang, in_month=in_month)
    won, lost, new = int(total["won"]), int(total["lost"]), int(total["new_accounts"])
    if won + lost + new == 0:
        text = t("report.accounts.none", lang, in_month=in_month)
        return text_section(title, subtitle, text, source, notes)

    sentences = [t("report.accounts.total", lang, won=count_text(won, lang), lost=count_text(lost, lang), new=count_text(new, lang),
                   in_month=in_month)]
    if won:
        sentences.append(t("report.accounts.won_value", lang, value=fmt_money_round(float(total["won_value"]), "EUR", lang)))
    if lost:
        top = frame.sort_values(["lost", "segment"], ascending=[False, True]).iloc[0]
        company, m = total["lost_to"] or ("–", 0)
        sentences.append(t("report.accounts.lost_lead", lang, segment=top["segment"], k=count_text(top["lost"], lang),
                           company=company, m=count_text(m, lang)))
    elif won:
        top = frame.sort_values(["won", "segment"], ascending=[False, True]).iloc[0]
        sentences.append(t("report.accounts.won_lead", lang, segment=top["segment"], k=count_text(top["won"], lang)))
    else:
        top = frame.sort_values(["new_accounts", "segment"], ascending=[False, True]).iloc[0]
        sentences.append(t("report.accounts.new_lead", lang, segment=top["segment"], k=count_text(top["new_accounts"], lang)))
    # Why: the reasons recorded with the month's decided deals (research/competitors/winloss.py), most deals
    # first. The slide's caption has room for the two most named in losses; the speaker notes take the wins.
    reasons = winloss.reasons(store, since=month.start, until=month.end)
    lost_on = winloss_views.top_reasons_text(reasons, "lost", lang, limit=2)
    if lost_on:
        sentences.append(t("report.accounts.lost_reasons", lang, reasons=lost_on, in_month=in_month))
    won_on = winloss_views.top_reasons_text(reasons, "won", lang)
    if won_on:
        notes = join_sentences(notes, t("report.accounts.won_reasons", lang, reasons=won_on, in_month=in_month))

    active = frame[(frame["won"] + frame["lost"] + frame["new_accounts"]) > 0]
    lost_by_segment = _lost_on(lost_reasons_by_segment(store, month), lang)
    table = pd.DataFrame({
        t("col.segment", lang): active["segment"],
        t("report.col.won", lang): active["won"],
        t("report.col.lost", lang): active["lost"],
        t("report.col.new_accounts", lang): active["new_accounts"],
        t("report.col.won_value", lang): [euro_text(float(v), lang) if v else "–" for v in active["won_value"]],
        t("report.col.lost_to", lang): [c or "–" for c in active["lost_to"]],
        t("report.col.lost_reasons", lang): [lost_by_segment.get(seg, "–") for seg in active["seg"]],
    })
    drawn = active.head(MAX_BARS).rename(columns={"segment": "category", "new_accounts": "new"})
    series = [("won", t("report.series.won", lang), TEAL), ("lost", t("report.series.lost", lang), VIOLET),
              ("new", t("report.series.new", lang), LIGHT_BLUE)]
    slide = ExportSlide(SlideKind.VIEW, SlideContent(
        title=title, subtitle=subtitle, text=join_sentences(*sentences), source=source, table=table.reset_index(drop=True),
        chart=grouped_bar_chart(drawn, t("col.segment", lang), series, title, subtitle),
        native=grouped_native(drawn, series),
    ), notes)
    return Section((slide,), sentences[0])


def _lost_on(reasons: pd.DataFrame, lang: str, limit: int = 2) -> dict[Any, str]:
    """seg -> "Price (3), Lead time (1)": the reasons most named by the segment's deals lost in the month."""
    ranked = reasons.sort_values(["seg", "deals", "position", "reason_id"], ascending=[True, False, True, True])
    return {seg: ", ".join(f"{winloss.reason_label(row, lang, '')} ({count_text(row['deals'], lang)})"
                           for row in group.head(limit).to_dict("records"))
            for seg, group in ranked.groupby("seg", sort=False)}
