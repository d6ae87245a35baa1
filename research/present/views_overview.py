"""Slides from the Overview page: share of served accounts by segment (industry, country, region, status
or a categorical custom field of the accounts)."""

from __future__ import annotations

from typing import Any

from research import market
from research.data.labels import DOMAINS, labels_for
from research.i18n import t
from research.present.model import RenderContext, SlideContent
from research.present.views import DataGone, category_native, now, register, share_stack
from research.store import Store


@register("overview.share", "overview", "present.view.overview.share")
def share_by_segment(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"dimension": one of market.segment_dimensions} — the page's segment picker.

    A custom field is named by its column under "dimension", so renaming the field rewrites
    the slide (research.data.fields) and removing it leaves "data no longer available".
    """
    lang = ctx.language
    dimension = str(params.get("dimension") or "industry")
    if dimension not in market.segment_dimensions(store):
        raise DataGone(f"no dimension {dimension!r}")
    title = t("overview.share.title", lang)
    dimension_title = market.dimension_label(store, dimension, lang)
    share = market.labelled_share(store, dimension, lang)
    if dimension in DOMAINS and DOMAINS[dimension][0] == "accounts" and not share.empty:
        # Industries and regions by the workspace's names in the viewer's language (a blank stays "not set").
        names = labels_for(store, lang)
        share["segment_label"] = [names(dimension, value) if isinstance(value, str) and value else label
                                  for value, label in zip(share["segment"], share["segment_label"])]
    chart, lead, total = market.share_chart(share, dimension, lang, dimension_title=dimension_title)
    source = t("present.source.accounts", lang)
    if chart is None:
        return SlideContent(title=title, text=t("overview.share.empty", lang), source=source, as_of=now())
    segments, companies, colours = share_stack(share)
    native = category_native(
        share, kind="stacked_bar", category="segment_label", series="company_label", value="share",
        categories=segments, series_order=companies, colours=colours, fill=0.0,
        x_title=dimension_title, y_title=t("col.share", lang), number_format="0%",
    )
    table = share[["segment_label", "company_label", "accounts", "share"]].rename(columns={
        "segment_label": dimension_title, "company_label": t("col.company", lang),
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

