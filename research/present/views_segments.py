"""Slides from the Segments page: one segment's suppliers, segments compared, sizing funnel, attractiveness matrix.

A segment is referenced in params as a saved segment id (int) or, for the rule being
built on the page and not saved, as {"rule": <rule JSON>}. A saved segment that was
deleted or archived makes the slide "data no longer available".
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from research.charts import segments as charts
from research.charts.market import share_by_segment_chart
from research.charts.theme import US_COLOR, company_colors
from research.errors import ValidationError
from research.i18n import fmt_money_round, fmt_number, fmt_percent, t
from research.market import company_label
from research.present.model import NativeChart, RenderContext, Series, SlideContent
from research.present.views import DataGone, category_native, int_param, now, register, scale_colours, share_stack
from research.segments import attractiveness, profile, saved, sizing
from research.segments.rules import Compiled, compile_rule
from research.store import Store

RULE_COLOUR = US_COLOR  # the rule being built, as the page colours it
SLIDE_FIELDS = 3  # custom-field summaries a profile slide has room for; the rest are counted ("and 2 more")


def _segment(store: Store, segment_id: Any) -> saved.Segment:
    """The saved segment a slide names (`segment_id` as the frozen params hold it: any JSON value); DataGone
    when it is not one, or was deleted or archived."""
    try:
        segment = saved.get_segment(store, int(segment_id))
    except (ValidationError, TypeError, ValueError):
        raise DataGone(f"segment {segment_id} is gone") from None
    if segment.archived:
        raise DataGone(f"segment {segment_id} is archived")
    return segment


def resolve(store: Store, refs: Any, lang: str) -> list[tuple[Compiled, str, str, int | None]]:
    """(condition, name, colour, saved id or None) for each segment reference in params."""
    if not isinstance(refs, list) or not refs:
        raise DataGone("no segments")
    out: list[tuple[Compiled, str, str, int | None]] = []
    for ref in refs:
        if isinstance(ref, dict) and "rule" in ref:
            try:
                condition = compile_rule(ref["rule"], store)  # custom fields and bands of this workspace
            except ValidationError:
                raise DataGone("the rule no longer compiles") from None
            out.append((condition, t("segments.current_rule", lang), RULE_COLOUR, None))
        else:
            segment = _segment(store, ref.get("id") if isinstance(ref, dict) else ref)
            out.append((segment.condition, segment.name, segment.colour, segment.id))
    return out


def _links(resolved: list[tuple[Compiled, str, str, int | None]]) -> dict[str, int]:
    ids = [r[3] for r in resolved if r[3] is not None]
    return {"segment_id": ids[0]} if len(resolved) == 1 and ids else {}


def _kpis(p: profile.SegmentProfile, lang: str) -> str:
    revenue = fmt_money_round(p.revenue_eur, "EUR", lang)
    parts = [
        (t("segments.kpi.accounts", lang), fmt_number(p.accounts, lang)),
        (t("segments.kpi.revenue", lang), revenue),
        (t("segments.kpi.our_share", lang), fmt_percent(p.our_share, lang)),
        (t("segments.kpi.won_lost", lang), f"{fmt_number(p.won, lang)} / {fmt_number(p.lost_deals, lang)}"),
        (t("segments.kpi.not_contacted", lang), fmt_number(p.not_contacted, lang)),
    ]
    return " · ".join(f"{label}: {value}" for label, value in parts)


def field_lines(summaries: list[profile.FieldSummary], members: int, lang: str, *,
                limit: int = SLIDE_FIELDS) -> list[str]:
    """The profile's custom-field summaries as the page words them, fitted to a slide: fields with
    values first (in the page's order), at most `limit` lines, then "and N more"."""
    ranked = sorted(summaries, key=lambda s: s.known == 0)  # stable: the page's order within each group
    lines = [f"{s.field.label(lang)}: {profile.summary_text(s, members, lang)}" for s in ranked[:limit]]
    if len(ranked) > limit:
        lines.append(t("segments.custom.more", lang, n=fmt_number(len(ranked) - limit, lang)))
    return lines


@register("segments.profile", "segments", "present.view.segments.profile")
def segment_profile(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"segment": id | {"rule": {...}}} — one segment's suppliers (the profile view's chart)."""
    lang = ctx.language
    resolved = resolve(store, [params.get("segment")], lang)
    condition, name, _, _ = resolved[0]
    p = profile.profile(store, condition)
    title = t("segments.share.title", lang)
    # The workspace's own fields, as the page's profile shows them (an imported list may have nothing else).
    fields = field_lines(profile.field_summaries(store, condition), p.accounts, lang) if p.accounts else []
    text = "\n".join([_kpis(p, lang), *fields])
    base = SlideContent(title=title, subtitle=name, text=text, source=t("present.source.accounts", lang),
                        as_of=now(), links=_links(resolved))
    if p.suppliers.empty:
        base.text = t("segments.empty", lang) if p.accounts == 0 else base.text
        return base
    data = p.suppliers.assign(company_label=[company_label(n, u, lang) for n, u in zip(p.suppliers["company"], p.suppliers["is_us"])])
    chart = charts.supplier_share_chart(
        data, title=title, subtitle=t("segments.share.subtitle", lang), company_title=t("segments.col.company", lang),
        share_title=t("segments.col.share_of_all", lang), accounts_title=t("segments.col.accounts", lang),
    )
    ranked = data.sort_values("share", ascending=False)
    colours = scale_colours(company_colors(zip(data["company_label"], data["is_us"])))
    # One bar per supplier in its own colour: a stacked bar whose every series fills only its own row.
    native = category_native(
        ranked, kind="stacked_bar", category="company_label", series="company_label", value="share",
        categories=ranked["company_label"].tolist(), series_order=ranked["company_label"].tolist(), colours=colours,
        x_title=t("segments.col.company", lang), y_title=t("segments.col.share_of_all", lang), number_format="0%",
    )
    base.chart = chart.to_dict()
    base.subtitle = f"{name} · {t('segments.share.subtitle', lang)}"
    base.native = native
    base.table = ranked[["company_label", "accounts", "share"]].rename(columns={
        "company_label": t("segments.col.company", lang), "accounts": t("segments.col.accounts", lang),
        "share": t("segments.col.share_of_all", lang),
    }).reset_index(drop=True)
    return base


@register("segments.compare", "segments", "present.view.segments.compare")
def segment_compare(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"segments": [id | {"rule": {...}}, …]} — segments side by side (the profile view with several)."""
    lang = ctx.language
    resolved = resolve(store, params.get("segments"), lang)
    conds, names = [r[0] for r in resolved], [r[1] for r in resolved]
    title = t("segments.share.title", lang)
    table = profile.compare(store, conds)
    summary = " · ".join(
        f"{n}: {fmt_number(a, lang)} / {fmt_percent(None if pd.isna(s) else s, lang)}"
        for n, a, s in zip(names, table["accounts"], table["our_share"])
    )
    caption = f"{t('segments.col.accounts', lang)} / {t('segments.col.our_share', lang)} — {summary}"
    share = profile.suppliers(store, conds)
    base = SlideContent(title=title, subtitle=t("segments.compare", lang), text=caption,
                        source=t("present.source.accounts", lang), as_of=now(), links=_links(resolved))
    if share.empty:
        return base
    share["segment_label"] = [names[i] for i in share["seg"]]
    share["company_label"] = [company_label(n, u, lang) for n, u in zip(share["company"], share["is_us"])]
    chart = share_by_segment_chart(
        share, title=title, subtitle=t("segments.share.subtitle", lang),
        segment_title=t("segments.col.segment", lang), share_title=t("segments.col.share_of_all", lang),
        company_title=t("segments.col.company", lang), accounts_title=t("segments.col.accounts", lang),
    )
    order, companies, colours = share_stack(share)
    base.chart = chart.to_dict()
    base.native = category_native(
        share, kind="stacked_bar", category="segment_label", series="company_label", value="share",
        categories=order, series_order=companies, colours=colours, fill=0.0,
        x_title=t("segments.col.segment", lang), y_title=t("segments.col.share_of_all", lang), number_format="0%",
    )
    base.table = share[["segment_label", "company_label", "accounts", "share"]].rename(columns={
        "segment_label": t("segments.col.segment", lang), "company_label": t("segments.col.company", lang),
        "accounts": t("segments.col.accounts", lang), "share": t("segments.col.share_of_all", lang),
    }).reset_index(drop=True)
    return base


@register("segments.sizing", "segments", "present.view.segments.sizing")
def segment_sizing(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"segment": id, "acv": EUR, "sam_share": 0–1, "som_share": 0–1, "sensitivity": 0–1,
    "contract": ContractValue.params()} — the sizing funnel (no "contract": the constant `acv`, as before)."""
    lang = ctx.language
    segment = _segment(store, int_param(params, "segment"))
    size = profile.compare(store, [segment.condition]).iloc[0]
    defaults = sizing.default_assumptions(
        median_won_value=None if pd.isna(size["median_won_value"]) else float(size["median_won_value"]),
        our_share=None if pd.isna(size["our_share"]) else float(size["our_share"]),
        acv=None if segment.acv is None else float(segment.acv), sam_share=segment.sam_share,
        som_share=segment.som_share, sensitivity=segment.sensitivity,
    )

    def pick(name: str, default: float) -> float:
        value = params.get(name)
        return default if value is None else float(value)

    assumptions = sizing.Assumptions(
        pick("acv", defaults.acv), pick("sam_share", defaults.sam_share), pick("som_share", defaults.som_share),
        pick("sensitivity", defaults.sensitivity),
    )
    raw = params.get("contract")
    raw = raw if isinstance(raw, dict) else {}
    try:
        contract = sizing.ContractValue.from_params(raw, amount=assumptions.acv)
        valuation = sizing.value_accounts(store, segment.condition, contract)
        result = sizing.size_segment(valuation.accounts, assumptions, valuation=valuation)
    except (ValidationError, TypeError, ValueError) as e:
        # A column dropped since, the last won deal deleted, or shares out of range.
        raise DataGone(f"the sizing can no longer be worked out: {e}") from None
    title = t("segments.sizing.title", lang)
    described = sizing.contract_text(valuation, lang)
    band = t("segments.sizing.band", lang, band=fmt_percent(assumptions.sensitivity, lang))
    frame = result.frame(lang)  # with the amounts written rounded for their size ("€38.5m")
    chart = charts.sizing_funnel_chart(
        frame, title=title, subtitle=[described, band], stage_title=t("segments.sizing.stage", lang),
        value_title=t("segments.sizing.value", lang), low_title=t("segments.sizing.low", lang),
        high_title=t("segments.sizing.high", lang),
    )
    native = NativeChart(
        "bar", tuple(frame["stage"]),
        (Series(t("segments.sizing.value", lang), tuple(float(v) for v in frame["value"]), "#5D6D7E"),),
        x_title=t("segments.sizing.stage", lang), y_title=t("segments.sizing.value", lang), number_format="#,##0",
    )
    table = frame.loc[:, ["stage", "value_text", "low_text", "high_text"]].rename(columns={
        "stage": t("segments.sizing.stage", lang), "value_text": t("segments.sizing.value", lang),
        "low_text": t("segments.sizing.low", lang), "high_text": t("segments.sizing.high", lang),
    })
    caption = " · ".join((
        described[:1].upper() + described[1:],
        f"{t('segments.sizing.sam', lang)}: {fmt_percent(assumptions.sam_share, lang)}",
        f"{t('segments.sizing.som', lang)}: {fmt_percent(assumptions.som_share, lang)}",
    ))
    return SlideContent(
        title=title, subtitle=f"{segment.name} · {described}; {band}", chart=chart.to_dict(), native=native, table=table,
        text=caption, source=t("present.source.sizing", lang), as_of=now(), links={"segment_id": segment.id},
    )


@register("segments.matrix", "segments", "present.view.segments.matrix")
def segment_matrix(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"segments": [id | {"rule": {...}}, …], "weights": {factor: 0–100}} — the GE-McKinsey matrix."""
    lang = ctx.language
    resolved = resolve(store, params.get("segments"), lang)
    conds, names, colours = [r[0] for r in resolved], [r[1] for r in resolved], [r[2] for r in resolved]
    raw = params.get("weights")
    raw = raw if isinstance(raw, dict) else {}
    weights = {f: float(raw.get(f, attractiveness.DEFAULT_WEIGHTS[f])) for f in attractiveness.FACTORS}
    try:
        scored = attractiveness.score(attractiveness.segment_factors(store, conds), weights)
    except ValidationError:
        raise DataGone("the weights are no longer valid") from None
    scored["label"] = names
    scored["zone_label"] = [t(f"segments.zone.{z}", lang) for z in scored["zone"]]
    title = t("segments.matrix.title", lang)
    chart = charts.matrix_chart(
        scored, title=title, subtitle=t("segments.matrix.subtitle", lang),
        x_title=t("segments.matrix.strength", lang), y_title=t("segments.matrix.attractiveness", lang),
        size_title=t("segments.col.accounts", lang), share_title=t("segments.col.our_share", lang),
        segment_title=t("segments.col.segment", lang), zone_title=t("segments.matrix.zone", lang),
        unknown_text=t("segments.matrix.unknown_value", lang), thirds=(attractiveness.LOW, attractiveness.HIGH),
    )
    # One point per placed segment, each its own series (its colour, its legend entry); the categories name
    # the points. A segment without a score on an axis has no point: the caption names it.
    placed = [(n, a, s, c) for n, a, s, c, z in zip(names, scored["attractiveness"], scored["strength"], colours, scored["zone"])
              if z != attractiveness.UNPLACED]
    native = NativeChart(
        "scatter", tuple(n for n, *_ in placed),
        tuple(Series(n, (float(a),), c, (float(s),)) for n, a, s, c in placed),
        x_title=t("segments.matrix.strength", lang), y_title=t("segments.matrix.attractiveness", lang), number_format="0",
    )

    def rounded(values: pd.Series, digits: int) -> list[float | None]:
        return [None if pd.isna(v) else round(float(v), digits) for v in values]

    table: dict[str, list[Any]] = {t("segments.col.segment", lang): names}
    table[t("segments.col.accounts", lang)] = [int(v) for v in scored["accounts"]]
    table[t("segments.col.our_share", lang)] = rounded(scored["our_share"], 4)
    for factor in attractiveness.FACTORS:
        table[t(f"segments.factor.{factor}", lang)] = rounded(scored[attractiveness.factor_column(factor)], 3)
    table[t("segments.matrix.attractiveness", lang)] = rounded(scored["attractiveness"], 1)
    table[t("segments.matrix.strength", lang)] = rounded(scored["strength"], 1)
    table[t("segments.matrix.zone", lang)] = scored["zone_label"].tolist()
    caption = t("present.matrix.weights", lang, weights=" · ".join(
        f"{t(f'segments.factor.{f}', lang)} {fmt_number(weights[f], lang)}" for f in attractiveness.FACTORS
    ))
    if any(scored["unknown"]):
        table[t("segments.matrix.unknown", lang)] = [attractiveness.unknown_note(u, lang) for u in scored["unknown"]]
        unplaced = [n for n, z in zip(names, scored["zone"]) if z == attractiveness.UNPLACED]
        notes = [f"{n}: {attractiveness.unknown_note(u, lang)}" for n, u in zip(names, scored["unknown"]) if u]
        if unplaced:
            notes.insert(0, t("segments.matrix.unplaced", lang, segments=", ".join(unplaced)))
        caption = "\n".join([caption, *notes])
    return SlideContent(
        title=title, subtitle=t("segments.matrix.subtitle", lang), chart=chart.to_dict(), native=native,
        table=pd.DataFrame(table), text=caption, source=t("present.source.matrix", lang), as_of=now(),
        links=_links(resolved),
    )
