"""Slides from the Compare page: feature matrix, strategy canvas, radar, positioning, prices and share by segment.

Params freeze what the page showed: the picked competitors and the focused one (by
company id, so a rename keeps the slide), plus the chart's own options. The chart
is research.compare.views.chart_spec — the very spec the page draws — with the
workspace highlight colour for our company. Its data keeps the stored values; the
slide's table, board and PowerPoint chart show features, capabilities and categories
by the workspace's names in the viewer's language (research.data.labels) and codes
(yes/partial/no, which side has more) by their catalog labels.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from research.charts.theme import company_colors
from research.compare import data, views
from research.data.labels import Labels, labels_for
from research.errors import ValidationError
from research.i18n import MESSAGES, fmt_date, t
from research.market import company_label
from research.present.model import Board, NativeChart, RenderContext, Series, SlideContent
from research.present.views import (
    DataGone, as_datetime, category_native, frame_columns, now, register, scale_colours,
)
from research.store import Store


def chosen_companies(store: Store, params: dict[str, Any]) -> tuple[list[data.Company], data.Company | None]:
    """Us plus the picked competitors (by id), and the focused one; DataGone if any was deleted or archived."""
    everyone = data.companies(store)
    by_id = {c.id: c for c in everyone}
    try:
        wanted = [int(i) for i in params.get("competitors") or []]
        focus_id = params.get("focus")
        focus_id = None if focus_id in (None, "") else int(focus_id)
    except (TypeError, ValueError):
        raise DataGone("unreadable competitor ids") from None
    gone = [i for i in wanted + ([focus_id] if focus_id is not None else []) if i not in by_id]
    if gone:
        raise DataGone(f"companies {gone} are gone or archived")
    chosen = [c for c in everyone if c.is_us or c.id in set(wanted)]
    return chosen, by_id.get(focus_id) if focus_id is not None else None


def _colours(store: Store, lang: str) -> dict[str, str]:
    """label -> colour over every active company, exactly as the Compare charts colour them."""
    scale = company_colors(((company_label(c.name, c.is_us, lang), c.is_us) for c in data.companies(store)),
                           us_color=views.highlight_color(store))
    return scale_colours(scale)


def _title_text(spec: dict[str, Any]) -> tuple[str, str]:
    title = spec.get("title")
    if isinstance(title, dict):
        subtitle = title.get("subtitle") or ""
        return str(title.get("text") or ""), " · ".join(subtitle) if isinstance(subtitle, list) else str(subtitle)
    return (str(title or ""), "")


def _labels(frame: pd.DataFrame, chosen: list[data.Company], lang: str) -> pd.Series:
    us = {c.name: c.is_us for c in chosen}
    return pd.Series([company_label(n, us.get(n, False), lang) for n in frame["company"]], index=frame.index)


def _series_order(chosen: list[data.Company], lang: str, present: set[str]) -> list[str]:
    labels = [company_label(c.name, c.is_us, lang) for c in chosen]
    return [label for label in labels if label in present]


def _by_company(store: Store, frame: pd.DataFrame, chosen: list[data.Company], lang: str, **chart: Any) -> NativeChart:
    """category_native with one series per picked company (`company_label`), in the page's order and colours."""
    return category_native(frame, series="company_label", series_order=_series_order(chosen, lang, set(frame["company_label"])),
                           colours=_colours(store, lang), **chart)


def shown_data(frame: pd.DataFrame, kind: str, names: Labels, lang: str) -> pd.DataFrame:
    """A chart's data as the slide shows it: domain values by their names in `lang`, codes by their labels
    (the chart keeps the stored values; they are its keys)."""
    columns = {"feature": "feature", "capability": "capability",
               "category": "feature_category" if kind == "matrix" else "category"}
    out = names.frame(frame, columns)
    if "value" in out.columns and kind == "matrix":
        out["value"] = [_label("compare.value", v, lang) for v in out["value"]]
    if "edge" in out.columns:
        out["edge"] = [_label("compare.label", v, lang) for v in out["edge"]]
    return out


def _label(prefix: str, value: Any, lang: str) -> Any:
    """A code (yes/partial/no, advantage/gap) by its catalog label; anything else as it is."""
    key = f"{prefix}.{value}"
    if isinstance(value, str) and key in MESSAGES:
        return t(key, lang)
    return value


def _content(store: Store, kind: str, params: dict[str, Any], ctx: RenderContext, options: dict[str, Any]) -> tuple[
        SlideContent, views.ChartSpec, list[data.Company]]:
    lang = ctx.language
    chosen, focus = chosen_companies(store, params)
    try:
        spec = views.chart_spec(store, kind, chosen, lang, **options)
    except ValidationError:
        raise DataGone(f"the {kind} chart can no longer be drawn with these settings") from None
    shown = spec.focused(company_label(focus.name, focus.is_us, lang) if focus else None)
    title, subtitle = _title_text(shown)
    content = SlideContent(
        title=title or t(f"present.view.compare.{kind.replace('-', '_')}", lang), subtitle=subtitle, chart=shown,
        text=" ".join(spec.notes), source=t(f"present.source.compare.{kind.replace('-', '_')}", lang), as_of=now(),
        links={"competitor_id": focus.id} if focus else {},
    )
    if not spec.data.empty:
        content.table = frame_columns(shown_data(spec.data, kind, labels_for(store, lang), lang), lang)
    return content, spec, chosen


def _competitor_options(params: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: params[n] for n in names if params.get(n) not in (None, "")}


@register("compare.matrix", "compare", "present.view.compare.matrix")
def feature_matrix(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors": [id…], "focus": id | None, "category": product category | None} — the feature matrix."""
    options = {"product_category": params.get("category") or None}
    content, spec, chosen = _content(store, "matrix", params, ctx, options)
    frame = spec.data
    if not frame.empty:
        lang = ctx.language
        frame = labels_for(store, lang).frame(frame, {"feature": "feature"}).assign(company_label=_labels(frame, chosen, lang))
        companies = _series_order(chosen, lang, set(frame["company_label"]))
        features = list(dict.fromkeys(frame["feature"]))
        cells = {(r["feature"], r["company_label"]): t(f"compare.value.{r['value']}", lang) for r in frame.to_dict("records")}
        columns = [(t("compare.label.feature", lang), tuple(features))]
        columns += [(label, tuple(cells.get((f, label), "–") for f in features)) for label in companies]
        content.board = Board(tuple(columns))
        updated = store.query_value("SELECT max(updated_at) FROM company_features")
        content.as_of = as_datetime(updated) or content.as_of
    return content


@register("compare.canvas", "compare", "present.view.compare.canvas")
def strategy_canvas(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors": [id…], "focus": id | None} — capability scores as value curves."""
    content, spec, chosen = _content(store, "canvas", params, ctx, {})
    frame = spec.data
    if not frame.empty:
        lang = ctx.language
        frame = frame.assign(company_label=_labels(frame, chosen, lang),
                             is_us=frame["company"].map({c.name: c.is_us for c in chosen}).fillna(False))
        names = labels_for(store, lang)
        order = names.values("capability", data.capability_order(frame))
        frame = names.frame(frame, {"capability": "capability"})
        content.native = _by_company(
            store, frame, chosen, lang, kind="line", category="capability", value="score", categories=order,
            x_title=t("compare.label.capability", lang), y_title=t("compare.label.score", lang), number_format="0.0",
        )
        content.as_of = as_datetime(frame["assessed_on"].max()) or content.as_of
    return content


@register("compare.radar", "compare", "present.view.compare.radar")
def capability_radar(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors": [id…], "focus": id | None} — the capability radar (a picture in PowerPoint)."""
    content, spec, _ = _content(store, "radar", params, ctx, {})
    if not spec.data.empty:
        content.as_of = as_datetime(spec.data["assessed_on"].max()) or content.as_of
    return content


@register("compare.positioning", "compare", "present.view.compare.positioning")
def positioning_map(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors", "focus", "x", "y", "size"} — axes and bubble size as picked on the page
    (a built-in attribute or a numeric custom company field by its name).

    The table is the companies side by side (views.profile_table): the plotted attributes,
    then the companies' own fields, custom ones by their names in the deck's language.
    """
    options = {"x": params.get("x") or "price_index", "y": params.get("y") or "capability_avg",
               "size": params.get("size") or "share"}
    content, spec, chosen = _content(store, "positioning", params, ctx, options)
    frame = spec.data
    if not frame.empty:
        lang = ctx.language
        colours = _colours(store, lang)
        x, y = options["x"], options["y"]
        frame = frame.assign(company_label=_labels(frame, chosen, lang))
        content.native = NativeChart(
            "scatter", tuple(frame["company_label"]),  # one point per company; the categories name the points
            tuple(Series(r["company_label"], (float(r[y]),), colours.get(r["company_label"]), (float(r[x]),))
                  for r in frame.to_dict("records")),
            x_title=views.attribute_label(store, x, lang), y_title=views.attribute_label(store, y, lang),
        )
        content.table = views.profile_table(store, chosen, lang, attributes=(x, y, options["size"]))
    return content


def _prices_as_of(store: Store) -> Any:
    return as_datetime(data.newest_observation(store))


@register("compare.price_index", "compare", "present.view.compare.price_index")
def price_index(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors": [id…], "focus": id | None} — price index by category (ours = 100)."""
    content, spec, chosen = _content(store, "price-index", params, ctx, {})
    frame = spec.data
    if not frame.empty:
        lang = ctx.language
        frame = labels_for(store, lang).frame(frame, {"category": "category"}).assign(
            company_label=_labels(frame, chosen, lang))
        content.native = _by_company(
            store, frame, chosen, lang, kind="bar", category="category", value="price_index",
            categories=list(dict.fromkeys(frame["category"])),
            x_title=t("col.category", lang), y_title=t("compare.label.index", lang), number_format="0",
        )
        content.as_of = _prices_as_of(store) or content.as_of
    return content


@register("compare.price_distribution", "compare", "present.view.compare.price_distribution")
def price_distribution(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors": [id…], "focus": id | None} — spread of product price indexes (a picture in PowerPoint)."""
    content, spec, _ = _content(store, "price-distribution", params, ctx, {})
    if not spec.data.empty:
        content.as_of = _prices_as_of(store) or content.as_of
    return content


@register("compare.price_history", "compare", "present.view.compare.price_history")
def price_history(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors", "focus", "category": product category, "threshold": 0.03} — weekly price level."""
    options = _competitor_options(params, "category", "threshold")
    if "threshold" in options:
        options["threshold"] = float(options["threshold"])
    content, spec, chosen = _content(store, "price-history", params, ctx, options)
    frame = spec.data
    if not frame.empty:
        lang = ctx.language
        frame = frame.assign(company_label=_labels(frame, chosen, lang),
                             week_label=[fmt_date(pd.Timestamp(w).date(), lang) for w in frame["week"]])
        weeks = sorted(frame["week"].unique())
        categories = [fmt_date(pd.Timestamp(w).date(), lang) for w in weeks]
        content.native = _by_company(
            store, frame, chosen, lang, kind="line", category="week_label", value="level", categories=categories,
            x_title=t("compare.label.week", lang), y_title=t("compare.label.level", lang), number_format="0",
        )
        content.table = frame_columns(shown_data(spec.data, "price-history", labels_for(store, lang), lang), lang,
                                      drop=("is_move",))
        content.as_of = _prices_as_of(store) or content.as_of
    return content


@register("compare.share", "compare", "present.view.compare.share")
def segment_share(store: Store, params: dict[str, Any], ctx: RenderContext) -> SlideContent:
    """params: {"competitors", "focus", "source": "saved" | "industry" | "country" | "region"} — share by segment."""
    source = str(params.get("source") or "industry")
    if source not in data.SEGMENT_SOURCES:
        raise DataGone(f"no segment source {source!r}")
    content, spec, chosen = _content(store, "share", params, ctx, {"source": source})
    frame = spec.data
    if not frame.empty:
        lang = ctx.language
        segments = list(dict.fromkeys(frame["segment"]))
        labels = dict(zip(segments, views.segment_names(store, source, segments, lang)))
        frame = frame.assign(company_label=_labels(frame, chosen, lang), segment_label=frame["segment"].map(labels))
        order = frame.drop_duplicates("segment_label").sort_values("lead", ascending=False)["segment_label"].tolist()
        content.native = _by_company(
            store, frame, chosen, lang, kind="bar", category="segment_label", value="share", categories=order,
            x_title=t("col.segment", lang), y_title=t("col.share", lang), number_format="0%",
        )
        content.table = frame_columns(spec.data.assign(segment=spec.data["segment"].map(labels)), lang)
    return content
