"""Slides from the Overview page: share of served accounts by segment (industry, country or region)."""

from __future__ import annotations

from typing import Any

from research import market
from research.i18n import t
from research.present.model import RenderContext, SlideContent
from research.present.views import DataGone, category_native, now, register, share_stack
from research.store import Store


@register("overview.share", "overview", "present.view.overview.share")
def share_by_segment(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"dimension": "industry" | "country" | "region"} — the page's segment picker."""
    lang = ctx.language
    dimension = str(params.get("dimension") or "industry")
    if dimension not in market.SEGMENT_DIMENSIONS:
        raise DataGone(f"no dimension {dimension!r}")
    title = t("overview.share.title", lang)
    share = market.labelled_share(store, dimension, lang)
    chart, lead, total = market.share_chart(share, dimension, lang)
    source = t("present.source.accounts", lang)
    if chart is None:
        return SlideContent(title=title, text=t("overview.share.empty", lang), source=source, as_of=now())
    segments, companies, colours = share_stack(share)
    native = category_native(
        share, kind="stacked_bar", category="segment_label", series="company_label", value="share",
        categories=segments, series_order=companies, colours=colours, fill=0.0,
        x_title=t(f"dimension.{dimension}", lang), y_title=t("col.share", lang), number_format="0%",
    )
    table = share[["segment_label", "company_label", "accounts", "share"]].rename(columns={
        "segment_label": t(f"dimension.{dimension}", lang), "company_label": t("col.company", lang),
        "accounts": t("col.accounts", lang), "share": t("col.share", lang),
    })
    return SlideContent(
        title=title,
        subtitle=t("overview.share.subtitle", lang, lead=lead, total=total),
        chart=chart.to_dict(),
        native=native,
        table=table.reset_index(drop=True),
        source=source,
        as_of=now(),
    )

