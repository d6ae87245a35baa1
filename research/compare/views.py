"""The Compare page's charts in one language: data, wording, highlight colour and exports.

Each `*_view` returns a `ChartView`: the Altair chart, the aggregated rows behind
it (what the CSV download holds), and the visible notes (companies without data,
prices left out for want of an exchange rate). Pages and the CLI call these; the
chart builders in research/charts/compare.py stay free of wording and SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
from babel import Locale
from babel.numbers import format_currency

from research import exports
from research.access import Actor
from research.charts import compare as charts
from research.charts.theme import US_COLOR, company_colors, is_hex_color
from research.compare import data
from research.compare.summary import CompetitorSummary, Item, summarize
from research.data.fields import CustomField
from research.data.labels import DOMAINS, Labels, labels_for
from research.errors import ValidationError
from research.i18n import country_name, fmt_date, fmt_money_round, fmt_number, fmt_percent, keyed_error, locale_of, t
from research.market import company_label, segment_label
from research.store import Store

HIGHLIGHT_KEY = "highlight_color"
CHART_KINDS = ("matrix", "canvas", "radar", "positioning", "price-index", "price-distribution", "price-history", "share")
POSITION_ATTRIBUTES = ("price_index", "capability_avg", "feature_coverage", "share")
SIZE_ATTRIBUTES = ("share", "revenue")


@dataclass
class ChartView:
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    name: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChartSpec:
    """A view as the page keeps it: the validated Vega-Lite spec (data inlined), its rows and notes.

    Plain data, so a page cache can hold it and a chart can be drawn (and exported)
    again without rebuilding the Altair objects.
    """

    spec: dict
    data: pd.DataFrame
    name: str
    notes: tuple[str, ...]

    @property
    def stretch(self) -> bool:
        """True when the chart fills the page width; fixed-size charts (radar, matrix) keep their size."""
        return self.spec.get("width") == "container"

    @property
    def selectable(self) -> bool:
        """True when the chart carries the click-to-focus selection (a "no data" chart does not)."""
        return any(p.get("name") == charts.FOCUS for p in self.spec.get("params", []))

    def focused(self, label: str | None) -> dict:
        """The spec with `label`'s company pre-selected (others faded), or the spec as is."""
        if not label or not self.selectable:
            return self.spec
        params = [
            {**p, "value": [{"company_label": label}]} if p.get("name") == charts.FOCUS else p for p in self.spec["params"]
        ]
        return {**self.spec, "params": params}


def chart_spec(store: Store, kind: str, chosen: Sequence[data.Company], lang: str, **options: object) -> ChartSpec:
    """`chart_view` rendered to its spec: what the page draws and caches, and what the benchmark times."""
    view = chart_view(store, kind, chosen, lang, **options)
    spec = view.chart.to_dict()
    # Sizes are the plot's, titles and legends come on top: page-wide charts fit only
    # their width to the page, fixed ones (the radar must stay round) keep their size.
    # Streamlit would otherwise squeeze title, axes and legend into the given height.
    spec.setdefault("autosize", {"type": "fit-x" if spec.get("width") == "container" else "pad", "contains": "padding"})
    return ChartSpec(spec, view.data, view.name, tuple(view.notes))


# ---- workspace highlight colour ---------------------------------------------------------------


def highlight_color(store: Store) -> str:
    """Our company's colour in this workspace's charts (`workspace_meta.highlight_color`, else the theme's)."""
    value = store.meta(HIGHLIGHT_KEY)
    return value if is_hex_color(value) else US_COLOR


def set_highlight_color(store: Store, actor: Actor, colour: str) -> str:
    """Save the workspace highlight colour (#RRGGBB), audited; returns it normalised to upper case."""
    colour = (colour or "").strip()
    if not is_hex_color(colour):
        raise keyed_error(ValidationError, "compare.error.colour", colour=colour[:20], form="#RRGGBB", example="#D9480F")
    colour = colour.upper()
    before = store.meta(HIGHLIGHT_KEY)
    with store.transaction(actor) as tx:
        tx.execute("DELETE FROM workspace_meta WHERE key = ?", [HIGHLIGHT_KEY])
        tx.execute("INSERT INTO workspace_meta (key, value) VALUES (?, ?)", [HIGHLIGHT_KEY, colour])
        tx.audit("workspace_meta", HIGHLIGHT_KEY, "update" if before else "insert",
                 {"key": HIGHLIGHT_KEY, "value": before} if before else None, {"key": HIGHLIGHT_KEY, "value": colour})
    return colour


# ---- exports --------------------------------------------------------------------------------


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The chart's rows as formula-safe UTF-8 CSV (see research.exports)."""
    return exports.csv_bytes(df)


def image_bytes(chart: alt.TopLevelMixin | dict, fmt: str) -> bytes:
    """PNG (2x scale) or SVG of a chart or spec (see research.exports)."""
    return exports.chart_bytes(chart, fmt)


# ---- shared wording -------------------------------------------------------------------------


def _labelled(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.assign(company_label=[company_label(n, u, lang) for n, u in zip(df["company"], df["is_us"])])


def _scale(store: Store, lang: str, us_color: str) -> alt.Scale:
    """Colours over every active company, so a company keeps its colour whichever are chosen."""
    return company_colors(((company_label(c.name, c.is_us, lang), c.is_us) for c in data.companies(store)), us_color=us_color)


def _no_data_note(names: Sequence[str], lang: str) -> list[str]:
    return [t("compare.note.no_data", lang, companies=", ".join(names))] if names else []


def _source(key: str, lang: str, when: dt.date | None) -> str:
    """The data's as-of line; `when` may be NaT, a column's max when all of it is empty."""
    return t(key, lang, date="–" if when is None or pd.isna(when) else fmt_date(when, lang))


def _empty(title: str, subtitle: str, lang: str, name: str, notes: list[str] | None = None) -> ChartView:
    return ChartView(charts.no_data_chart(title, subtitle, t("compare.no_data", lang)), pd.DataFrame(), name, notes or [])


# ---- the views ------------------------------------------------------------------------------


def matrix_view(store: Store, chosen: Sequence[data.Company], lang: str, *, product_category: str | None = None) -> ChartView:
    df = data.feature_matrix(store, chosen, product_category=product_category)
    title = t("compare.matrix.title", lang)
    if df.empty:
        return _empty(title, t("compare.matrix.empty", lang), lang, "feature-matrix")
    df = _labelled(df, lang)
    value_labels = {v: t(f"compare.value.{v}", lang) for v in data.FEATURE_VALUES}
    df["value_label"] = df["value"].map(value_labels)
    names = labels_for(store, lang)
    rivals = df[~df["is_us"]]
    advantages = int((rivals["edge"] == "advantage").sum())
    gaps = int((rivals["edge"] == "gap").sum())
    features = df["feature_id"].nunique()
    labels = {k: t(f"compare.label.{k}", lang) for k in ("feature", "company", "value", "note", "advantage", "gap", "edge")}
    updated = store.query_value("SELECT CAST(max(updated_at) AS DATE) FROM company_features")
    # Features and their groups by their names in `lang`; the CSV below keeps the stored values.
    shown = names.frame(df, {"feature": "feature", "category": "feature_category"})
    chart = charts.feature_matrix_chart(
        shown,
        companies=list(dict.fromkeys(df["company_label"])),
        value_labels=value_labels,
        title=title,
        subtitle=[t("compare.matrix.subtitle", lang, advantages=advantages, gaps=gaps, features=features),
                  _source("compare.source.features", lang, updated)],
        labels=labels,
        us_color=highlight_color(store),
    )
    table = df[["category", "feature", "company", "value", "edge", "note", "source_url", "source_title"]]
    notes = _no_data_note(
        [c.name for c in chosen if not (df.loc[df["company_id"] == c.id, "value"] != "unknown").any()], lang
    )
    return ChartView(chart, table.reset_index(drop=True), "feature-matrix", notes)


def _capability_frame(store: Store, chosen: Sequence[data.Company], lang: str) -> tuple[pd.DataFrame, list[str], list[str]]:
    scores = data.capability_scores(store, chosen)
    missing = data.missing_companies(chosen, scores["company"])
    if scores.empty:
        return scores, [], missing
    return _labelled(scores, lang), data.capability_order(scores), missing


def _named_capabilities(store: Store, scores: pd.DataFrame, order: Sequence[str], lang: str) -> tuple[pd.DataFrame, list[str]]:
    """The chart's copy of `scores` and `order` with each capability by its name in `lang` (stored values stay keys)."""
    names = labels_for(store, lang)
    return names.frame(scores, {"capability": "capability"}), names.values("capability", order)


def _capability_labels(lang: str) -> dict[str, str]:
    return {k: t(f"compare.label.{k}", lang) for k in ("capability", "score", "company")}


def canvas_view(store: Store, chosen: Sequence[data.Company], lang: str) -> ChartView:
    scores, order, missing = _capability_frame(store, chosen, lang)
    title = t("compare.canvas.title", lang)
    if scores.empty:
        return _empty(title, t("compare.capabilities.empty", lang), lang, "strategy-canvas", _no_data_note(missing, lang))
    when = scores["assessed_on"].max()
    subtitle = [_capability_story(scores, lang), _source("compare.source.capabilities", lang, when)]
    shown, shown_order = _named_capabilities(store, scores, order, lang)
    chart = charts.capability_canvas_chart(
        shown, order=shown_order, scale=_scale(store, lang, highlight_color(store)), title=title, subtitle=subtitle,
        labels=_capability_labels(lang),
    )
    return ChartView(chart, scores[["company", "capability", "score", "assessed_on", "note"]], "strategy-canvas",
                     _no_data_note(missing, lang))


def radar_view(store: Store, chosen: Sequence[data.Company], lang: str) -> ChartView:
    scores, order, missing = _capability_frame(store, chosen, lang)
    title = t("compare.radar.title", lang)
    if scores.empty or len(order) < 3:
        return _empty(title, t("compare.capabilities.empty", lang), lang, "capability-radar", _no_data_note(missing, lang))
    subtitle = [_capability_story(scores, lang), _source("compare.source.capabilities", lang, scores["assessed_on"].max())]
    shown, shown_order = _named_capabilities(store, scores, order, lang)
    chart = charts.capability_radar_chart(
        shown, order=shown_order, scale=_scale(store, lang, highlight_color(store)), title=title, subtitle=subtitle,
        labels=_capability_labels(lang),
    )
    return ChartView(chart, scores[["company", "capability", "score", "assessed_on", "note"]], "capability-radar",
                     _no_data_note(missing, lang))


def _capability_story(scores: pd.DataFrame, lang: str) -> str:
    """"We lead on N of M factors": where our score beats every chosen competitor's."""
    ours = scores[scores["is_us"]].set_index("capability")["score"]
    best = scores[~scores["is_us"]].groupby("capability")["score"].max()
    common = ours.index.intersection(best.index)
    lead = int((ours[common] > best[common]).sum())
    return t("compare.capabilities.subtitle", lang, lead=lead, total=len(common))


# positioning: what each attribute means for the quadrant split and the axis format
# Scores split at the scale's middle; everything else at the median of the plotted
# companies (a price index split at 100 would put our own bubble on the line).
_SPLITS = {"capability_avg": 3.0}
_FORMATS = {"price_index": ",.0f", "capability_avg": ",.1f", "feature_coverage": ".0%", "share": ".0%", "revenue": ",.0f"}
_CUSTOM_FORMAT = ",.4~g"  # a custom field's own units: at most four significant digits, no trailing zeros


# Names a custom field cannot take as an axis: the built-in attributes and the plot's own columns.
_PLOT_COLUMNS = frozenset({*POSITION_ATTRIBUTES, *SIZE_ATTRIBUTES, "company", "company_label", "is_us", "x", "y", "size"})


def numeric_company_fields(store: Store) -> list[CustomField]:
    """Custom company fields that can be an axis or a bubble size: the numeric ones (int, number, money, percent)."""
    return [f for f in data.company_fields(store) if f.kind in data.NUMERIC_KINDS and f.name not in _PLOT_COLUMNS]


def position_attributes(store: Store) -> list[str]:
    """What the positioning map's axes can show: the built-in attributes, then numeric custom company fields."""
    return [*POSITION_ATTRIBUTES, *(f.name for f in numeric_company_fields(store))]


def size_attributes(store: Store) -> list[str]:
    """What the bubbles can be sized by: share, revenue, then numeric custom company fields."""
    return [*SIZE_ATTRIBUTES, *(f.name for f in numeric_company_fields(store))]


def attribute_label(store: Store, attribute: str, lang: str) -> str:
    """An attribute's name in `lang`: the catalog's for a built-in one, the field's own (money: in EUR) for a custom one."""
    if attribute in POSITION_ATTRIBUTES or attribute in SIZE_ATTRIBUTES:
        return t(f"compare.attr.{attribute}", lang)
    custom = next((f for f in data.company_fields(store) if f.name == attribute), None)
    if custom is None:
        return attribute
    return t("compare.attr.in_eur", lang, name=custom.label(lang)) if custom.kind == "money" else custom.label(lang)


def attribute_labels(store: Store, lang: str) -> dict[str, str]:
    """Every axis or size attribute -> its label in `lang` (the pickers' format_func)."""
    return {a: attribute_label(store, a, lang) for a in dict.fromkeys([*position_attributes(store), *size_attributes(store)])}


def positioning_frame(store: Store, chosen: Sequence[data.Company]) -> pd.DataFrame:
    """One row per chosen company: price index, mean capability score, feature coverage, share, revenue (EUR),
    then each numeric custom company field (money fields in EUR at the newest rate)."""
    frame = pd.DataFrame({"company": [c.name for c in chosen], "is_us": [c.is_us for c in chosen]})
    overall = data.overall_price_index(data.price_index(store, chosen)).set_index("company")["price_index"]
    scores = data.capability_scores(store, chosen)
    caps = scores.groupby("company")["score"].mean() if not scores.empty else pd.Series(dtype=float)
    matrix = data.feature_matrix(store, chosen)
    known = matrix[matrix["value"] != "unknown"] if not matrix.empty else matrix
    coverage = known.groupby("company")["rank"].mean() / 2 if not known.empty else pd.Series(dtype=float)
    share = data.company_share(store).set_index("company")["share"]
    revenue = store.query_df(
        """SELECT c.name AS company, CAST(c.revenue_estimate AS DOUBLE) / CASE WHEN upper(c.revenue_currency) = 'EUR'
                  THEN 1.0 ELSE CAST(r.per_eur AS DOUBLE) END AS revenue
           FROM companies c
           LEFT JOIN (SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY ALL) r
                  ON r.currency = upper(c.revenue_currency)
           WHERE NOT c.archived"""
    ).set_index("company")["revenue"]
    for name, series in (("price_index", overall), ("capability_avg", caps), ("feature_coverage", coverage),
                         ("share", share), ("revenue", revenue)):
        frame[name] = frame["company"].map(series).astype(float)
    numeric = numeric_company_fields(store)
    if numeric:
        profile = data.company_profile(store, chosen)
        for custom in numeric:
            values = pd.to_numeric(profile[custom.name], errors="coerce").astype(float)
            frame[custom.name] = (values / profile["per_eur"] if custom.kind == "money" else values).to_numpy()
    return frame


def positioning_view(
    store: Store, chosen: Sequence[data.Company], lang: str, *, x: str = "price_index", y: str = "capability_avg",
    size: str = "share",
) -> ChartView:
    axes, sizes = position_attributes(store), size_attributes(store)
    if x not in axes or y not in axes or x == y:
        raise keyed_error(ValidationError, "compare.error.axes", axes=", ".join(axes))
    if size not in sizes:
        raise keyed_error(ValidationError, "compare.error.size", sizes=", ".join(sizes))
    names = {a: attribute_label(store, a, lang) for a in (x, y, size)}
    frame = positioning_frame(store, chosen)
    title = t("compare.positioning.title", lang)
    placed = frame.dropna(subset=[x, y]).copy()
    missing = frame.loc[~frame.index.isin(placed.index), "company"].tolist()
    if len(placed) < 2:
        return _empty(title, t("compare.positioning.empty", lang), lang, "positioning-map", _no_data_note(missing, lang))
    placed["size"] = placed[size].fillna(0.0)
    x_split = _SPLITS.get(x, float(placed[x].median()))
    y_split = _SPLITS.get(y, float(placed[y].median()))
    quadrants = _quadrant_names(x, y, names[x], names[y], lang)
    occupied = {("t" if r[y] >= y_split else "b") + ("r" if r[x] >= x_split else "l") for _, r in placed.iterrows()}
    white = [q for q in ("tl", "tr", "bl", "br") if q not in occupied]
    plotted = _labelled(placed.rename(columns={x: "x", y: "y"}), lang)[["company", "company_label", "is_us", "x", "y", "size"]]
    subtitle = [
        t("compare.positioning.subtitle_white", lang, quadrants=", ".join(quadrants[q] for q in white)) if white
        else t("compare.positioning.subtitle_full", lang),
        t("compare.positioning.size", lang, size=names[size]),
    ]
    chart = charts.positioning_chart(
        plotted,
        scale=_scale(store, lang, highlight_color(store)),
        x_split=x_split, y_split=y_split, quadrants=quadrants, white_space=white,
        white_space_label=t("compare.positioning.white_space", lang),
        title=title, subtitle=subtitle,
        labels={"x": names[x], "y": names[y], "size": names[size],
                "company": t("compare.label.company", lang), "size_format": _FORMATS.get(size, _CUSTOM_FORMAT)},
        x_format=_FORMATS.get(x, _CUSTOM_FORMAT), y_format=_FORMATS.get(y, _CUSTOM_FORMAT), us_color=highlight_color(store),
    )
    table = placed.rename(columns={"size": f"size_{size}"})
    return ChartView(chart, table.reset_index(drop=True), "positioning-map", _no_data_note(missing, lang))


# ---- the companies side by side ---------------------------------------------------------------


def _money(value: float, currency: str, lang: str) -> str:
    """Money in whole units (a company's revenue in cents reads as noise): €38,500,000 / 38.500.000 €."""
    locale = Locale.parse(locale_of(lang))
    pattern = locale.currency_formats["standard"].pattern.replace(".00", "")
    return format_currency(round(value), currency, format=pattern, locale=locale, currency_digits=False)


def _cell(value: Any, kind: str, lang: str, currency: object = "EUR") -> str:
    """A profile cell as text in `lang` by its kind ("–" when empty); `value` is a DataFrame cell of that kind."""
    if value is None or (not isinstance(value, (str, bool)) and pd.isna(value)):
        return "–"
    if kind == "bool":
        return t("compare.profile.yes" if value else "compare.profile.no", lang)
    if kind == "int":
        return fmt_number(int(value), lang)
    if kind == "number":
        return fmt_number(float(value), lang, 0 if float(value).is_integer() else 2)
    if kind == "percent":
        return fmt_percent(float(value) / 100, lang, 1)  # stored in points: 12.5 is 12.5 %
    if kind == "money":
        return _money(float(value), str(currency).upper() if isinstance(currency, str) and currency else "EUR", lang)
    if kind == "date":
        return fmt_date(pd.Timestamp(value).date(), lang)
    if kind == "country":
        return country_name(str(value), lang)
    return str(value)


# How positioning_frame's built-in attributes read in a table (share and coverage are fractions).
_ATTRIBUTE_CELLS = {
    "price_index": lambda v, lang: fmt_number(v, lang),
    "capability_avg": lambda v, lang: fmt_number(v, lang, 1),
    "feature_coverage": lambda v, lang: fmt_percent(v, lang),
    "share": lambda v, lang: fmt_percent(v, lang),
    "revenue": lambda v, lang: fmt_money_round(v, "EUR", lang),  # an estimate: €38.5M, not €38,500,000
}


def profile_table(store: Store, chosen: Sequence[data.Company], lang: str, *,
                  attributes: Sequence[str] = POSITION_ATTRIBUTES) -> pd.DataFrame:
    """The chosen companies side by side: one column per company in `chosen`'s order (ours first),
    one row per attribute, so a slide keeps every custom field however many there are.

    Rows: the comparison `attributes` (positioning_frame's, custom numeric fields
    included), country, employees and revenue, then every custom company field not
    already shown; named in `lang` in the first column, values written as text in `lang`.
    """
    custom = {f.name: f for f in data.company_fields(store)}
    profile = data.company_profile(store, chosen)
    rows: dict[str, list[str]] = {}
    attributes = list(dict.fromkeys(attributes))
    if attributes:
        frame = positioning_frame(store, chosen)
        for attribute in attributes:
            if attribute in _ATTRIBUTE_CELLS:
                cells = ["–" if pd.isna(v) else _ATTRIBUTE_CELLS[attribute](v, lang) for v in frame[attribute]]
            else:  # a numeric custom field, money already in EUR
                cells = [_cell(v, custom[attribute].kind, lang) for v in frame[attribute]]
            rows[attribute_label(store, attribute, lang)] = cells
    rows[t("compare.profile.country", lang)] = [_cell(v, "country", lang) for v in profile["hq_country"]]
    rows[t("compare.profile.employees", lang)] = [_cell(v, "int", lang) for v in profile["employees"]]
    rows[t("compare.profile.revenue", lang)] = [
        "–" if v is None or pd.isna(v) else fmt_money_round(float(v), str(c or "EUR").upper(), lang)
        for v, c in zip(profile["revenue_estimate"], profile["revenue_currency"])]
    for name, own in custom.items():
        if name in attributes:
            continue
        label = own.label(lang)
        if label in rows:  # a custom field named like a row already shown: tell them apart
            label = f"{label} ({name})"
        rows[label] = [_cell(v, own.kind, lang, c) for v, c in zip(profile[name], profile["revenue_currency"])]
    table = {t("compare.profile.attribute", lang): list(rows)}
    for i, company in enumerate(chosen):
        table[company_label(company.name, company.is_us, lang)] = [cells[i] for cells in rows.values()]
    return pd.DataFrame(table)


def _quadrant_names(x: str, y: str, xn: str, yn: str, lang: str) -> dict[str, str]:
    """Named quadrants for price against quality; "high X · high Y" style names (`xn`, `yn`) for other pairs."""
    if x == "price_index" and y in ("capability_avg", "feature_coverage"):
        return {q: t(f"compare.quadrant.{q}", lang) for q in ("tl", "tr", "bl", "br")}
    hi, lo = t("compare.quadrant.high", lang), t("compare.quadrant.low", lang)
    return {"tl": f"{lo} {xn} · {hi} {yn}", "tr": f"{hi} {xn} · {hi} {yn}", "bl": f"{lo} {xn} · {lo} {yn}", "br": f"{hi} {xn} · {lo} {yn}"}


def _price_notes(excluded: dict[str, int], lang: str) -> list[str]:
    if not excluded:
        return []
    listed = ", ".join(f"{fmt_number(n, lang)} × {cur}" for cur, n in excluded.items())
    return [t("compare.note.unconverted", lang, products=listed)]


def _prices_as_of(store: Store) -> dt.date | None:
    return store.query_value("SELECT CAST(max(observed_at) AS DATE) FROM price_observations")


def _has_rivals(compared: pd.DataFrame) -> bool:
    """True when some competitor has comparable prices (our own rows alone compare nothing)."""
    return not compared.empty and bool((~compared["is_us"]).any())


def _our_line(chosen: Sequence[data.Company], lang: str) -> str:
    """The label of the line at 100 in price charts: our company, whose price is the yardstick."""
    us = next((c for c in chosen if c.is_us), None)
    return t("compare.prices.our_line", lang, company=company_label(us.name, True, lang) if us else "")


def cheaper_sentence(index: pd.DataFrame, lang: str) -> str:
    """"We are cheaper in N of M categories" against the chosen competitors combined."""
    market = data.market_price_index(index)
    return t("compare.prices.cheaper", lang, n=int(market["we_are_cheaper"].sum()), m=len(market))


def price_index_view(store: Store, chosen: Sequence[data.Company], lang: str, *, category: str | None = None) -> ChartView:
    compared = data.compare_price_index(store, chosen, category=category)
    index, title, notes = compared.rows, t("compare.prices.index_title", lang), _price_notes(compared.excluded, lang)
    if not _has_rivals(index):
        return _empty(title, t("compare.prices.empty", lang), lang, "price-index", notes)
    # Every chosen company in every category we sell: a missing pair is drawn as "no data".
    grid = pd.MultiIndex.from_product([index["category"].unique(), [c.name for c in chosen]], names=["category", "company"])
    full = index.set_index(["category", "company"]).reindex(grid).reset_index()
    full["is_us"] = full["company"].map({c.name: c.is_us for c in chosen})
    full = _labelled(full, lang)
    missing = [c.name for c in chosen if c.name not in set(index["company"])]
    labels = {"category": t("col.category", lang), "company": t("compare.label.company", lang),
              "index": t("compare.label.index", lang), "products": t("compare.label.products", lang),
              "no_data": t("compare.no_data", lang), "us": _our_line(chosen, lang)}
    colour = highlight_color(store)
    chart = charts.price_index_chart(
        labels_for(store, lang).frame(full, {"category": "category"}), scale=_scale(store, lang, colour), title=title,
        subtitle=[cheaper_sentence(index, lang), _source("compare.source.prices", lang, _prices_as_of(store))], labels=labels,
        us_color=colour,
    )
    return ChartView(chart, full[["category", "company", "price_index", "products"]], "price-index",
                     notes + _no_data_note(missing, lang))


def price_distribution_view(store: Store, chosen: Sequence[data.Company], lang: str, *, category: str | None = None) -> ChartView:
    compared = data.compare_price_distribution(store, chosen, category=category)
    dist, title, notes = compared.rows, t("compare.prices.distribution_title", lang), _price_notes(compared.excluded, lang)
    if not _has_rivals(dist):
        return _empty(title, t("compare.prices.empty", lang), lang, "price-distribution", notes)
    dist = _labelled(dist, lang)
    labels = {"category": t("col.category", lang), "company": t("compare.label.company", lang),
              "index": t("compare.label.index_log", lang), "products": t("compare.label.products", lang)}
    labels.update({k: t(f"compare.label.{k}", lang) for k in ("low", "q1", "median", "q3", "high")})
    labels["us"] = _our_line(chosen, lang)
    colour = highlight_color(store)
    chart = charts.price_distribution_chart(
        labels_for(store, lang).frame(dist, {"category": "category"}), scale=_scale(store, lang, colour), title=title,
        subtitle=[t("compare.prices.distribution_subtitle", lang), _source("compare.source.prices", lang, _prices_as_of(store))],
        labels=labels, us_color=colour,
    )
    missing = [c.name for c in chosen if c.name not in set(dist["company"])]
    return ChartView(chart, dist.drop(columns=["company_label"]), "price-distribution", notes + _no_data_note(missing, lang))


def price_history_view(
    store: Store, chosen: Sequence[data.Company], lang: str, *, category: str, threshold: float = data.PRICE_MOVE_THRESHOLD
) -> ChartView:
    history = data.price_history(store, chosen, category, threshold=threshold)
    title = t("compare.prices.history_title", lang, category=labels_for(store, lang)("category", category))
    if history.empty:
        return _empty(title, t("compare.prices.history_empty", lang), lang, "price-history")
    history = _labelled(history, lang)
    moves = int(history["is_move"].sum())
    labels = {"week": t("compare.label.week", lang), "level": t("compare.label.level", lang),
              "company": t("compare.label.company", lang), "change": t("col.change", lang)}
    chart = charts.price_history_chart(
        history, scale=_scale(store, lang, highlight_color(store)), title=title,
        subtitle=[t("compare.prices.history_subtitle", lang, moves=moves, threshold=fmt_percent(threshold, lang)),
                  _source("compare.source.prices", lang, _prices_as_of(store))],
        labels=labels,
    )
    missing = [c.name for c in chosen if c.name not in set(history["company"])]
    return ChartView(chart, history.drop(columns=["company_label"]), "price-history", _no_data_note(missing, lang))


def segment_names(store: Store, source: str, segments: Iterable[object], lang: str) -> list[str]:
    """Segments by their names in `lang`: saved segments as named, industries and regions by the workspace's
    labels (research.data.labels), countries and blanks as market.segment_label writes them."""
    if source == "saved":
        return [str(v) for v in segments]
    names = labels_for(store, lang)
    return [names(source, v) if source in DOMAINS and isinstance(v, str) and v else segment_label(source, v, lang)
            for v in segments]


def share_view(store: Store, chosen: Sequence[data.Company], lang: str, *, source: str = "industry") -> ChartView:
    share = data.share_by_segment_for(store, source, chosen)
    title = t("compare.share.title", lang)
    notes = [] if source == "saved" or data.saved_segments_available(store) else [t("compare.share.no_saved", lang)]
    if share.empty:
        return _empty(title, t("compare.share.empty", lang), lang, "share-by-segment", notes)
    dimension = "segment" if source == "saved" else source
    share["segment_label"] = segment_names(store, source, share["segment"], lang)
    share = _labelled(share, lang)
    lead = int((share.drop_duplicates("segment")["lead"] > 0).sum())
    labels = {"segment": t(f"dimension.{dimension}", lang) if dimension != "segment" else t("col.segment", lang),
              "company": t("compare.label.company", lang), "share": t("col.share", lang),
              "accounts": t("col.accounts", lang), "lead": t("compare.label.lead", lang)}
    # The chart gets the shown names only: a raw segment value would ride along in its data.
    chart = charts.segment_share_chart(
        share[["segment_label", "company_label", "is_us", "accounts", "share", "lead"]], scale=_scale(store, lang, highlight_color(store)), title=title,
        subtitle=[t("compare.share.subtitle", lang, lead=lead, total=share["segment"].nunique()),
                  t("compare.source.accounts", lang)],
        labels=labels,
    )
    return ChartView(chart, share[["segment", "company", "accounts", "share", "lead"]], "share-by-segment", notes)


def chart_view(store: Store, kind: str, chosen: Sequence[data.Company], lang: str, **options: object) -> ChartView:
    """Any chart by its CLI name (see CHART_KINDS); `options` go to that view."""
    views: dict[str, Callable[..., ChartView]] = {
        "matrix": matrix_view, "canvas": canvas_view, "radar": radar_view, "positioning": positioning_view,
        "price-index": price_index_view, "price-distribution": price_distribution_view,
        "price-history": price_history_view, "share": share_view,
    }
    if kind not in views:
        raise keyed_error(ValidationError, "compare.error.chart", kind=repr(kind), kinds=", ".join(CHART_KINDS))
    if kind == "price-history" and not options.get("category"):
        options["category"] = next(iter(data.price_categories(store, ours_only=True)), "")
    return views[kind](store, chosen, lang, **{k: v for k, v in options.items() if v is not None})


# ---- the advantage summary in words ---------------------------------------------------------


def _value(value: float | str | None, kind: str, lang: str) -> str:
    if kind == "feature":
        return t(f"compare.value.{value}", lang)
    if value is None:
        return "–"
    if kind == "share":
        return fmt_percent(float(value), lang, 1)
    if kind == "capability":
        return fmt_number(float(value), lang)
    return fmt_number(float(value), lang)


# What an item's subject names, by its kind: shown by the workspace's names in the viewer's language.
_SUBJECT_DOMAINS = {"feature": "feature", "capability": "capability", "price": "category"}


def item_sentence(item: Item, lang: str, names: Labels | None = None) -> str:
    """One line for a slide: what the item is, then the data behind it; `names` gives features,
    capabilities and categories their names in `lang` (research.data.labels)."""
    if item.subject == "overall":
        subject = t("compare.summary.overall", lang)
    elif names is not None and item.kind in _SUBJECT_DOMAINS:
        subject = names(_SUBJECT_DOMAINS[item.kind], item.subject)
    else:
        subject = item.subject
    key = f"compare.summary.{item.kind}.{item.side}"
    return t(key, lang, subject=subject, competitor=item.competitor, ours=_value(item.ours, item.kind, lang),
             theirs=_value(item.theirs, item.kind, lang))


@dataclass(frozen=True)
class SummarySection:
    """One competitor's part of the summary as plain sentences: heading, advantages, gaps, what has no data."""

    heading: str
    advantages: list[str]
    gaps: list[str]
    no_data: str | None


def summary_sections(summaries: Sequence[CompetitorSummary], lang: str, names: Labels | None = None) -> list[SummarySection]:
    """The summary's wording in `lang`, shared by the Markdown and the plain text; an empty side says so."""
    none = [t("compare.summary.none", lang)]
    return [
        SummarySection(
            t("compare.summary.versus", lang, competitor=s.competitor),
            [item_sentence(i, lang, names) for i in s.advantages] or none,
            [item_sentence(i, lang, names) for i in s.gaps] or none,
            t("compare.summary.no_data", lang, kinds=", ".join(t(f"compare.summary.kind.{k}", lang) for k in s.no_data))
            if s.no_data else None,
        )
        for s in summaries
    ]


def summary_markdown(
    summaries: Sequence[CompetitorSummary], lang: str, *, escape: Callable[[str], str] = lambda text: text,
    names: Labels | None = None,
) -> str:
    """The advantage summary as Markdown (headings and bullets).

    Feature, capability and company names are workspace text: a caller rendering the
    Markdown passes `escape` so they show literally. Blocks are separated by a blank
    line: a line right after a list item is a lazy continuation of that item in
    CommonMark, which once put "Our gaps" and every gap under "Our advantages".
    """
    blocks = []
    for section in summary_sections(summaries, lang, names):
        blocks.append(f"#### {escape(section.heading)}")
        for side, sentences in (("advantages", section.advantages), ("gaps", section.gaps)):
            blocks.append(f"**{escape(t(f'compare.summary.{side}', lang))}**")
            blocks.append("\n".join(f"- {escape(sentence)}" for sentence in sentences))
        if section.no_data:
            blocks.append(f"_{escape(section.no_data)}_")
    return "\n\n".join(blocks) + "\n"


BULLET = "•"


def summary_text(summaries: Sequence[CompetitorSummary], lang: str, *, names: Labels | None = None) -> str:
    """The advantage summary as plain text to paste into a slide: no Markdown marks, one bullet (•) per item,
    a blank line between blocks."""
    blocks = []
    for section in summary_sections(summaries, lang, names):
        lines = [section.heading]
        for side, sentences in (("advantages", section.advantages), ("gaps", section.gaps)):
            lines += ["", t(f"compare.summary.{side}", lang), *(f"{BULLET} {sentence}" for sentence in sentences)]
        if section.no_data:
            lines += ["", section.no_data]
        blocks.append("\n".join(lines))
    return "\n\n\n".join(blocks) + "\n"
