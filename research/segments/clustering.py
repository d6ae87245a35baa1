"""Clustered segments: features named by column, shape-aware scaling, k-means with a suggested k, clusters in words.

A feature is a named column: a built-in account field, a custom account field
(research.data.fields: int, number, percent and money — money in EUR, converted like
revenue — as numbers with their label and units; choice and yes/no as categories), or
any other numeric column of the `accounts` table found in the schema.
Numeric features are imputed (median) and scaled by their shape: log only for
strongly right-skewed, strictly positive values (a log that actually reduces the
skew), otherwise standardised (z-score, or median/IQR when skewed but not
log-able); the choice per feature comes back with the result and can be
overridden. Categorical features are one-hot encoded, a missing value being a
category of its own. The silhouette scan that suggests k runs on a seeded sample
of at most VANTAGE_SEGMENT_SAMPLE accounts; the final fit uses every account
(MiniBatchKMeans above FULL_KMEANS_ROWS). Each cluster is described by its
distinguishing traits, its typical ranges in the field's units and what sets it
apart from its nearest neighbour cluster; no two descriptions are the same.

A market larger than VANTAGE_SEGMENT_FIT_SAMPLE accounts (millions) is never held in
memory whole: the scaling, the k scan and the model are fitted on a seeded sample of
that many accounts, every account is then assigned to its nearest centre in chunks of
VANTAGE_SEGMENT_CHUNK streamed from DuckDB (only ids and labels are kept), and the
clusters are described from the sample (ClusterResult.sample says so). Up to that
size nothing changes: every account is loaded and fitted on, as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import duckdb
import numpy as np
import pandas as pd
from babel.numbers import format_compact_currency

from research import config
from research.errors import StoreError, ValidationError
from research.i18n import MESSAGES, country_name, fmt_number, fmt_percent, keyed_error, locale_of, t
from research.segments.rules import ACCOUNTS_SQL, MATCH_ALL, RATE_COLUMN, Compiled, Named
from research.store import Store, quote_ident

# scikit-learn is imported where it is used: it takes ~1 s to load, and every CLI
# command (and every page) imports this module through the segment commands.


@dataclass(frozen=True)
class Feature:
    """One clustering feature: its name, the SQL that reads it, numeric or categorical, and its unit for texts."""

    name: str
    sql: str  # expression over ACCOUNTS_SQL `s` and the supplier `c`; identifiers only from code, the registry or the schema
    kind: str  # "number" | "category"
    unit: str = "number"  # "count" | "money" | "years" | "percent" | "number" | "bool" (how values are written)
    labels: Mapping[str, str] = field(default_factory=dict)  # language -> name, for custom fields
    join: str = ""  # the join `sql` reads from, added only when the feature is read

    def label(self, lang: str) -> str | None:
        return self.labels.get(lang) or self.labels.get("en") or None


_DEALS_JOIN = "LEFT JOIN (SELECT account_id, count(*) AS deals FROM deals GROUP BY account_id) dc ON dc.account_id = s.id "
_SUPPLIER_JOIN = "LEFT JOIN companies c ON c.id = s.supplier_id "
BUILTIN_FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("employees", "s.employees", "number", "count"),
        Feature("annual_revenue", "s.revenue_eur", "number", "money"),
        Feature("relationship_years", "date_diff('day', s.first_contact, current_date) / 365.25", "number", "years"),
        # A join on counted deals, not a correlated subquery: DuckDB plans that one as a join that
        # holds every account before the first row comes out (8 s and 0.5 GB at 5 M accounts).
        Feature("deals", "coalesce(dc.deals, 0)", "number", "count", join=_DEALS_JOIN),
        Feature("industry", "s.industry", "category"),
        Feature("country", "s.country", "category"),
        Feature("region", "s.region", "category"),
        Feature("status", "s.status", "category"),
        Feature("supplier", "c.name", "category", join=_SUPPLIER_JOIN),
        Feature("owner", "s.owner", "category"),
    )
}
NUMERIC_FEATURES: dict[str, str] = {n: f.sql for n, f in BUILTIN_FEATURES.items() if f.kind == "number"}
CATEGORICAL_FEATURES: dict[str, str] = {n: f.sql for n, f in BUILTIN_FEATURES.items() if f.kind == "category"}
FEATURES = tuple(BUILTIN_FEATURES)
# Columns of `accounts` that are bookkeeping, not attributes of the market (or already a built-in feature).
_NOT_FEATURES = {"id", "version", "supplier_company_id", "annual_revenue", "employees"}
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "FLOAT", "DOUBLE", "REAL")

SCALINGS = ("log", "z", "robust")
FULL_KMEANS_ROWS = 20_000
DUCKDB_VECTOR = 2048  # rows in one DuckDB vector: a streamed chunk is a whole number of them
MISSING = "(missing)"
MIN_K = 2
MAX_CATEGORIES = 15
# The scan takes the best silhouette, but a smaller k within this much of it wins: two k whose
# scores differ in the third decimal fit equally well, and fewer clusters are easier to act on.
K_TOLERANCE = 0.01
# A cluster's median at or beyond these percentiles of the market earns a word ("large", "high revenue").
LOW_PERCENTILE, HIGH_PERCENTILE = 0.3, 0.7
# A numeric gap between neighbouring centroids (in scaled units) that is preferred to a category switch.
NUMERIC_CONTRAST = 0.5


# How a custom field's kind clusters: (feature kind, unit); text fields are left out (free text).
_CUSTOM_FEATURES = {"int": ("number", "count"), "number": ("number", "number"), "money": ("number", "money"),
                    "percent": ("number", "percent"), "choice": ("category", "category"), "bool": ("category", "bool")}


def available_features(store: Store | None = None) -> dict[str, Feature]:
    """The built-in features, the custom account fields that can cluster (with their labels and units),
    then every other numeric column of `accounts` (read from the schema)."""
    features = dict(BUILTIN_FEATURES)
    if store is None:
        return features
    from research.data.fields import list_fields

    for custom in list_fields(store, "accounts"):
        if custom.kind not in _CUSTOM_FEATURES or custom.name in features:  # a built-in feature keeps its name
            continue
        kind, unit = _CUSTOM_FEATURES[custom.kind]
        column = f"s.{quote_ident(custom.name)}"
        sql = f"CAST({column} / s.{quote_ident(RATE_COLUMN)} AS DOUBLE)" if custom.kind == "money" else column
        if custom.kind == "bool":  # yes/no as words: one-hot columns and descriptions read them as values
            sql = f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' END"
        features[custom.name] = Feature(custom.name, sql, kind, unit, {"en": custom.label_en, "sr": custom.label_sr})
    rows = store.query_rows(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE table_name = 'accounts' AND schema_name = 'main' AND database_name = current_database() "
        "ORDER BY column_index"
    )
    for row in rows:
        name, kind = str(row["column_name"]), str(row["data_type"]).upper()
        if name in features or name in _NOT_FEATURES:
            continue
        if kind in _NUMERIC_TYPES or kind.startswith("DECIMAL"):
            # ACCOUNTS_SQL passes every non-built-in column through under its own name.
            features[name] = Feature(name, f"s.{quote_ident(name)}", "number", "number")
    return features


def numeric_features(store: Store | None = None) -> list[str]:
    """The names of the features that are numbers (the ones a scaling applies to)."""
    return [n for n, f in available_features(store).items() if f.kind == "number"]


def parse_features(text: str | Sequence[str], allowed: Mapping[str, Feature] | None = None) -> list[str]:
    """Feature names from "a,b" or a list; unknown names are refused with the list of allowed ones."""
    allowed = BUILTIN_FEATURES if allowed is None else allowed
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n and n.strip()]
    if not names:
        raise keyed_error(ValidationError, "segments.error.no_features")
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise keyed_error(ValidationError, "segments.error.unknown_features", unknown=", ".join(unknown),
                          known=", ".join(allowed))
    return list(dict.fromkeys(names))


def parse_scaling(text: str | Mapping[str, str] | None, features: Sequence[str] = ()) -> dict[str, str]:
    """`"annual_revenue=log,employees=z"` as a dict; unknown methods, or features not being clustered, are refused."""
    if not text:
        return {}
    pairs = text.items() if isinstance(text, Mapping) else (
        part.split("=", 1) if "=" in part else (part, "") for part in text.split(",") if part.strip()
    )
    out: dict[str, str] = {}
    for name, method in pairs:
        name, method = str(name).strip(), str(method).strip().lower()
        if method in ("", "auto"):
            continue
        if method not in SCALINGS:
            raise ValidationError(f"Unknown scaling {method!r} for “{name}”; choose from auto, {', '.join(SCALINGS)}.")
        if features and name not in features:
            raise ValidationError(f"“{name}” is not one of the features clustered ({', '.join(features)}).")
        out[name] = method
    return out


# ---- scaling by shape ------------------------------------------------------------------------


def skewness(values: np.ndarray) -> float:
    """Sample skewness (third standardised moment); 0 for a constant."""
    v = values[np.isfinite(values)].astype(float)
    if len(v) < 3:
        return 0.0
    d = v - v.mean()
    m2 = float(np.mean(d * d))
    return float(np.mean(d**3) / m2**1.5) if m2 > 0 else 0.0


def choose_scaling(values: np.ndarray | pd.Series) -> str:
    """"log" only for strongly right-skewed (skew > 1), strictly positive values whose log is less skewed;
    "robust" for other strongly skewed values (zeros or negatives: a log would be undefined or distorting);
    "z" otherwise."""
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    v = v[np.isfinite(v)]
    if len(v) < 3:
        return "z"
    raw = skewness(v)
    if raw > 1 and v.min() > 0 and abs(skewness(np.log(v))) < abs(raw):
        return "log"
    return "robust" if abs(raw) > 1 else "z"


@dataclass(frozen=True)
class NumericScale:
    """How one numeric feature becomes its model column, fitted once and applied to any rows:
    missing values take the fitted median, then log (log1p when zeros occur), then centre and spread."""

    fill: float
    log: str  # "" | "log" | "log1p"
    centre: float
    spread: float

    def apply(self, values: np.ndarray) -> np.ndarray:
        v = np.where(np.isfinite(values), values, self.fill)
        if self.log:
            v = np.log(v) if self.log == "log" else np.log1p(v)
        return (v - self.centre) / self.spread


def fit_scale(values: np.ndarray, method: str, name: str = "", *, floor: float | None = None) -> NumericScale:
    """The scale of one numeric column (NaN = missing) by `method`; applied to the same values it
    centres them with unit spread.

    `floor` is the smallest known value of the whole column when `values` are a sample of it: a
    zero or a negative anywhere decides log1p or a refusal, as it would on every row. `name`
    names the feature in an error (a `feature_named` one says it in both languages)."""
    values = np.asarray(values, dtype=float)
    fill = float(np.nanmedian(values)) if not np.isnan(values).all() else (floor or 0.0)
    v = np.where(np.isfinite(values), values, fill)
    log = ""
    if method == "log":
        low = float(v.min()) if floor is None else min(floor, float(v.min()))
        if low < 0:
            raise keyed_error(ValidationError, "segments.error.log_negative", field=name)
        # A user may ask for log on a column with zeros: log1p keeps them finite.
        log = "log" if low > 0 else "log1p"
        v = np.log(v) if log == "log" else np.log1p(v)
    # No spread: every row is the centre, unless `values` are a sample (a feature known for a handful
    # of accounts, none sampled): then it weighs nothing, rather than entering unscaled.
    flat = 1.0 if floor is None else math.inf
    if method == "robust":
        q1, median, q3 = np.percentile(v, [25, 50, 75])
        return NumericScale(fill, log, float(median), float((q3 - q1) or float(np.std(v)) or flat))
    return NumericScale(fill, log, float(v.mean()), float(np.std(v)) or flat)


def scale_column(values: np.ndarray, method: str, name: str = "") -> np.ndarray:
    """One imputed numeric column scaled by `method`; the result is centred with unit spread."""
    return fit_scale(values, method, name).apply(np.asarray(values, dtype=float))


# ---- result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trait:
    """One distinguishing feature of a cluster: ("employees", "large"), ("industry", "Pharma", "mostly")…"""

    feature: str
    value: str
    strength: str = ""  # for categories: "all" or "mostly"


@dataclass(frozen=True)
class Contrast:
    """What sets a cluster apart from its nearest neighbour: the feature that differs most between them."""

    neighbour: int  # index of the nearest cluster
    feature: str
    direction: str  # "higher" / "lower" for numbers, "more" for categories
    value: str = ""  # for categories: the cluster's own dominant value


@dataclass
class ClusterResult:
    features: list[str]
    k: int
    suggested_k: int
    scan: pd.DataFrame  # k, silhouette
    ids: np.ndarray
    labels: np.ndarray
    sizes: list[int]
    traits: list[list[Trait]]
    imputed: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    silhouette: float | None = None
    scaling: dict[str, str] = field(default_factory=dict)  # numeric feature -> method used
    auto_scaling: dict[str, str] = field(default_factory=dict)  # numeric feature -> method the shape suggests
    ranges: list[dict[str, tuple[float, float]]] = field(default_factory=list)  # per cluster: feature -> (p25, p75)
    medians: list[dict[str, float]] = field(default_factory=list)
    contrasts: list[Contrast | None] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)
    currency: str = "EUR"
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # feature -> language -> label (custom fields)
    # feature -> language -> stored value -> its name (industries, regions: research.data.labels)
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    # Accounts the model was fitted on and the clusters described from, when fewer than `rows`
    # (a market above VANTAGE_SEGMENT_FIT_SAMPLE); 0 = every account.
    sample: int = 0
    _texts: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def describe(self, cluster: int, lang: str) -> str:
        return self.descriptions(lang)[cluster]

    def descriptions(self, lang: str) -> list[str]:
        """One distinct description per cluster (computed once per language)."""
        if lang not in self._texts:
            self._texts[lang] = describe_clusters(self, lang)
        return self._texts[lang]

    def members(self, cluster: int) -> list[int]:
        return self.ids[self.labels == cluster].tolist()

    def sample_note(self, lang: str) -> str:
        """"Clusters found and described from a sample of 200,000 accounts…", or "" when fitted on all."""
        if not self.sample:
            return ""
        return t("segments.cluster.sampled", lang, n=fmt_number(self.sample, lang), total=fmt_number(self.rows, lang))


# ---- loading and encoding ------------------------------------------------------------------


def _features_sql(
    catalogue: Mapping[str, Feature], features: Sequence[str], condition: Compiled,
    columns: Mapping[str, str] | None = None,
) -> str:
    """`SELECT s.id, <one column per feature>` over the accounts matching `condition` (its `?` come
    after any in `columns`); `columns` replaces a feature's expression (codes, casts), and a
    feature's join is added only when it is read."""
    columns = columns or {}
    select = ", ".join(f"{columns.get(f, catalogue[f].sql)} AS {quote_ident(f)}" for f in features)
    joins = "".join(dict.fromkeys(catalogue[f].join for f in features if catalogue[f].join))
    return f"SELECT s.id, {select} FROM ({ACCOUNTS_SQL}) s {joins}WHERE {condition.sql}"


def load_features(
    store: Store, features: Sequence[str], condition: Compiled = MATCH_ALL,
    catalogue: Mapping[str, Feature] | None = None,
) -> pd.DataFrame:
    """id plus one column per feature for the accounts matching `condition`, in id order."""
    catalogue = catalogue or available_features(store)
    features = parse_features(features, catalogue)
    return store.query_df(_features_sql(catalogue, features, condition) + " ORDER BY s.id", condition.params)


def feature_named(feature: str, names: Mapping[str, Mapping[str, str]] | None = None) -> Named:
    """A feature for keyed errors: its column name in English (as the CLI takes it), its label in Serbian."""
    own = (names or {}).get(feature, {})
    key = f"segments.field.{feature}"
    return Named(feature, own.get("sr") or own.get("en") or (t(key, "sr") if key in MESSAGES else feature))


def _count(n: int) -> Named:
    return Named(f"{n:,}", fmt_number(n, "sr"))


def _check_shape(rows: int, k_max: int, features: Sequence[str], missing: Mapping[str, int],
                 distinct: Mapping[str, bool], names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, int]:
    """Refuse too few rows, an empty or a constant feature (`distinct`: at least two known values);
    the missing values per feature that will be filled in."""
    if rows < MIN_K + 1 or rows <= k_max:
        raise keyed_error(ValidationError, "segments.error.few_accounts_up_to", accounts=_count(rows), k=k_max)
    imputed = {}
    for f in features:
        if missing[f] == rows:
            raise keyed_error(ValidationError, "segments.error.feature_empty", field=feature_named(f, names))
        if not distinct[f]:
            raise keyed_error(ValidationError, "segments.error.feature_constant", field=feature_named(f, names))
        if missing[f]:
            imputed[f] = missing[f]
    return imputed


def _check(df: pd.DataFrame, features: Sequence[str], k_max: int,
           names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, int]:
    return _check_shape(len(df), k_max, features, {f: int(df[f].isna().sum()) for f in features},
                        {f: df[f].nunique(dropna=True) >= 2 for f in features}, names)


@dataclass(frozen=True)
class CategoryColumns:
    """How one categorical feature becomes indicator columns: one per kept value (None = missing),
    in this order, plus one shared by the rest when there are more than MAX_CATEGORIES values."""

    values: tuple[Any, ...]
    other: bool

    @property
    def width(self) -> int:
        return len(self.values) + int(self.other)

    @property
    def missing_column(self) -> int:
        """The column of a missing value: its own when kept, else the shared one (-1: none)."""
        return self.values.index(None) if None in self.values else self.other_column

    @property
    def other_column(self) -> int:
        return len(self.values) if self.other else -1

    def codes(self, values: pd.Series) -> np.ndarray:
        """Each value's column (-1 for a value never seen when fitting and no shared column)."""
        lookup = {v: i for i, v in enumerate(self.values) if v is not None}
        column = values.astype(object)
        missing = column.isna().to_numpy()
        codes = np.array(column.map(lookup).fillna(self.other_column), dtype=np.int64)
        codes[missing] = self.missing_column
        return codes

    def one_hot(self, codes: np.ndarray) -> np.ndarray:
        out = np.zeros((len(codes), self.width), dtype=float)
        rows = np.flatnonzero(codes >= 0)
        out[rows, codes[rows]] = 1.0
        return out


def fit_categories(values: pd.Series) -> CategoryColumns:
    """The most frequent categories (missing is one), ties in order of first appearance; the rest share a column."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    counts = np.bincount(codes)
    keep = np.argsort(-counts, kind="stable")[: MAX_CATEGORIES - 1] if len(counts) > MAX_CATEGORIES else np.arange(len(counts))
    return CategoryColumns(tuple(None if pd.isna(uniques[j]) else uniques[j] for j in keep), len(counts) > len(keep))


def categories_from_counts(counts: Sequence[tuple[Any, int]]) -> CategoryColumns:
    """CategoryColumns from (value, accounts) pairs of a whole market (None = missing): the most
    frequent kept, ties by value, so that it does not depend on the order rows were read in."""
    ranked = sorted(counts, key=lambda pair: (-pair[1], pair[0] is not None, str(pair[0])))
    kept = ranked[: MAX_CATEGORIES - 1] if len(ranked) > MAX_CATEGORIES else ranked
    return CategoryColumns(tuple(value for value, _ in kept), len(ranked) > len(kept))


@dataclass(frozen=True)
class Encoding:
    """The model matrix's recipe, fitted once (on every account, or on the sample) and applied to any
    rows: each numeric feature's scale, each category's columns, in feature order."""

    features: tuple[str, ...]
    scales: dict[str, NumericScale]
    categories: dict[str, CategoryColumns]
    used: dict[str, str]  # numeric feature -> scaling used
    auto: dict[str, str]  # numeric feature -> scaling its shape suggests

    @property
    def spans(self) -> dict[str, slice]:
        spans, start = {}, 0
        for f in self.features:
            width = self.categories[f].width if f in self.categories else 1
            spans[f] = slice(start, start + width)
            start += width
        return spans

    def transform(self, df: pd.DataFrame, *, coded: bool = False) -> np.ndarray:
        """The model matrix of `df`'s rows; `coded`: the categorical columns already hold column
        indices (computed in SQL by `_code_sql`), not values."""
        blocks = []
        for f in self.features:
            if f in self.scales:
                values = pd.to_numeric(df[f], errors="coerce").astype(float).to_numpy()
                blocks.append(self.scales[f].apply(values)[:, None])
            else:
                columns = self.categories[f]
                codes = df[f].to_numpy(dtype=np.int64) if coded else columns.codes(df[f])
                blocks.append(columns.one_hot(codes))
        return np.hstack(blocks)


def fit_encoding(
    df: pd.DataFrame, features: Sequence[str], kinds: Mapping[str, str], scaling: Mapping[str, str],
    names: Mapping[str, Mapping[str, str]] | None = None, *, floors: Mapping[str, float] | None = None,
    categories: Mapping[str, CategoryColumns] | None = None,
) -> Encoding:
    """Fit the encoding on `df`. When `df` is a sample, `floors` (each numeric feature's smallest
    known value) and `categories` (from the counts of the whole market) come from every row."""
    scales, columns, used, auto = {}, {}, {}, {}
    for f in features:
        if kinds[f] == "number":
            v = pd.to_numeric(df[f], errors="coerce").astype(float).to_numpy()
            auto[f] = choose_scaling(v)
            used[f] = scaling.get(f, auto[f])
            scales[f] = fit_scale(v, used[f], feature_named(f, names), floor=(floors or {}).get(f))
        else:
            columns[f] = (categories or {}).get(f) or fit_categories(df[f])
    return Encoding(tuple(features), scales, columns, used, auto)


def encode(
    df: pd.DataFrame, features: Sequence[str], kinds: Mapping[str, str], scaling: Mapping[str, str],
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[np.ndarray, dict[str, slice], dict[str, str], dict[str, str]]:
    """The model matrix, each feature's columns in it, and the scaling used / suggested per numeric feature."""
    encoding = fit_encoding(df, features, kinds, scaling, names)
    return encoding.transform(df), encoding.spans, encoding.used, encoding.auto


def _model(k: int, rows: int, seed: int, init: Any = "k-means++") -> Any:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    n_init = 1 if not isinstance(init, str) else 3
    if rows > FULL_KMEANS_ROWS:
        return MiniBatchKMeans(n_clusters=k, random_state=seed, init=init, n_init=n_init, batch_size=8192,
                               max_no_improvement=10)
    return KMeans(n_clusters=k, random_state=seed, init=init, n_init=n_init)


def suggest_k(scan: pd.DataFrame, tolerance: float = K_TOLERANCE) -> int:
    """The smallest k whose silhouette is within `tolerance` of the best one."""
    best = float(scan["silhouette"].max())
    return int(scan.loc[scan["silhouette"] >= best - tolerance, "k"].min())


# ---- clustering ----------------------------------------------------------------------------


def cluster_accounts(
    store: Store,
    features: Sequence[str],
    *,
    k: int | None = None,
    k_max: int | None = None,
    condition: Compiled = MATCH_ALL,
    scaling: Mapping[str, str] | str | None = None,
    currency: str = "EUR",
    progress: Callable[[float, str], None] | None = None,
) -> ClusterResult:
    """Cluster the accounts; `k=None` suggests k from the silhouette scan over 2…k_max (see suggest_k).

    Up to VANTAGE_SEGMENT_FIT_SAMPLE accounts every one is loaded and fitted on; a larger market
    is fitted on a sample of that many and assigned in chunks (see the module's docstring)."""
    catalogue = available_features(store)
    features = parse_features(features, catalogue)
    report = progress or (lambda _f, _m: None)
    report(0.05, "load")
    options: dict[str, Any] = {
        "kinds": {f: catalogue[f].kind for f in features}, "units": {f: catalogue[f].unit for f in features},
        "k": k, "k_max": k_max, "scaling": scaling, "currency": currency, "progress": report,
        "names": {f: dict(catalogue[f].labels) for f in features if catalogue[f].labels},
    }
    limit = max(100, config.SEGMENT_FIT_SAMPLE.value())
    accounts = int(store.query_value(f"SELECT count(*) FROM ({ACCOUNTS_SQL}) s WHERE {condition.sql}", condition.params))
    if accounts <= limit:
        result = cluster_frame(load_features(store, features, condition, catalogue), features, **options)
    else:
        result = _cluster_sampled(store, catalogue, features, condition, limit, **options)
    result.values = value_names(store, features)
    return result


def value_names(store: Store, features: Sequence[str]) -> dict[str, dict[str, dict[str, str]]]:
    """The names of the features' values in each language, for features that are domains of
    research.data.labels (industry, region): descriptions read "Храна и пиће", not "Food & beverage"."""
    from research.data.labels import DOMAINS, labels_for
    from research.i18n import LANGUAGES

    domains = [f for f in features if DOMAINS.get(f, ("", ""))[0] == "accounts" and DOMAINS[f][1] == f]
    out: dict[str, dict[str, dict[str, str]]] = {}
    for lang in (LANGUAGES if domains else ()):
        labels = labels_for(store, lang)
        for f in domains:
            out.setdefault(f, {})[lang] = dict(labels.names.get(f, {}))
    return out


@dataclass(frozen=True)
class _Options:
    """The settled inputs of one clustering run."""

    features: list[str]
    kinds: dict[str, str]
    units: dict[str, str]
    overrides: dict[str, str]
    k: int | None
    top: int  # the largest k the scan tries
    seed: int
    scan_sample: int


def _settle(
    features: Sequence[str], kinds: Mapping[str, str], units: Mapping[str, str] | None, k: int | None,
    k_max: int | None, scaling: Mapping[str, str] | str | None,
) -> _Options:
    features = list(dict.fromkeys(features))
    units = {f: (units or {}).get(f, "number" if kinds[f] == "number" else "category") for f in features}
    overrides = parse_scaling(scaling, features)
    categorical = [f for f in overrides if kinds[f] != "number"]
    if categorical:
        raise ValidationError(f"Only numeric features are scaled; {', '.join(categorical)} is a category.")
    k_max = k_max or config.SEGMENT_K_MAX.value()
    if k is not None and k < MIN_K:
        raise keyed_error(ValidationError, "segments.error.min_k", k=MIN_K)
    return _Options(features, dict(kinds), units, overrides, k, max(k or MIN_K, k_max),
                    config.SEGMENT_SEED.value(), max(100, config.SEGMENT_SAMPLE.value()))


def cluster_frame(
    df: pd.DataFrame,
    features: Sequence[str],
    *,
    kinds: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    k: int | None = None,
    k_max: int | None = None,
    scaling: Mapping[str, str] | str | None = None,
    currency: str = "EUR",
    progress: Callable[[float, str], None] | None = None,
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> ClusterResult:
    """Cluster the rows of `df` (an `id` column plus one column per feature).

    `kinds` says which features are numbers (default: numeric dtype → number); any
    table with named columns — accounts, a linked dataset — clusters the same way.
    `units` says how each feature's values are written (money, percent, count…; "bool" for a
    yes/no category) and `names` gives a feature its label per language (custom fields).
    """
    from sklearn.cluster import MiniBatchKMeans

    kinds = dict(kinds or {})
    for f in dict.fromkeys(features):
        kinds.setdefault(f, "number" if pd.api.types.is_numeric_dtype(df[f]) else "category")
    o = _settle(features, kinds, units, k, k_max, scaling)
    report = progress or (lambda _f, _m: None)
    df = df.reset_index(drop=True)
    imputed = _check(df, o.features, k or MIN_K, names)
    report(0.15, "encode")
    encoding = fit_encoding(df, o.features, o.kinds, o.overrides, names)
    X = encoding.transform(df)
    scan, suggested, model = _fit(X, o, len(X), report)
    labels = model.predict(X) if isinstance(model, MiniBatchKMeans) else model.labels_
    # Order clusters by size (largest first) so "Cluster 1" is stable and meaningful.
    labels = _by_size(np.bincount(labels, minlength=model.n_clusters))[labels]
    report(0.95, "explain")
    return _result(df, X, labels, model.n_clusters, o, encoding, scan, suggested, ids=df["id"].to_numpy(),
                   labels=labels, imputed=imputed, currency=currency, names=names)


def _fit(X: np.ndarray, o: _Options, accounts: int, report: Callable[[float, str], None]) -> tuple[pd.DataFrame, int, Any]:
    """The silhouette scan (k = None) on a seeded sample of X's rows, then the model fitted on all of X
    (every account, or the fit sample of a large market); `accounts` is what an error counts."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(o.seed)
    sample = rng.choice(len(X), size=min(o.scan_sample, len(X)), replace=False)
    Xs = X[np.sort(sample)]
    scan_rows, centers = [], {}
    ks = list(range(MIN_K, min(o.top, len(Xs) - 1) + 1)) if o.k is None else []
    for i, k_ in enumerate(ks):
        model = _model(k_, len(Xs), o.seed).fit(Xs)
        labels, centers[k_] = model.labels_, model.cluster_centers_
        score = silhouette_score(Xs, labels) if len(set(labels)) > 1 else -1.0
        scan_rows.append({"k": k_, "silhouette": float(score)})
        report(0.2 + 0.5 * (i + 1) / len(ks), "scan")
    scan = pd.DataFrame(scan_rows, columns=["k", "silhouette"])
    suggested = suggest_k(scan) if not scan.empty else int(o.k)  # type: ignore[arg-type]
    chosen = o.k or suggested
    if len(X) <= chosen:
        raise keyed_error(ValidationError, "segments.error.few_accounts", accounts=_count(accounts), k=chosen)
    report(0.75, "fit")
    # The full fit starts from the sample's centres for that k: far fewer passes over all rows.
    return scan, suggested, _model(chosen, len(X), o.seed, init=centers.get(chosen, "k-means++")).fit(X)


def _by_size(counts: np.ndarray) -> np.ndarray:
    """old label -> new label, the largest cluster first (ties keep their order)."""
    order = np.argsort(-counts, kind="stable")
    remap = np.empty(len(counts), dtype=int)
    remap[order] = np.arange(len(counts))
    return remap


def _result(
    df: pd.DataFrame, X: np.ndarray, described: np.ndarray, chosen: int, o: _Options, encoding: Encoding,
    scan: pd.DataFrame, suggested: int, *, ids: np.ndarray, labels: np.ndarray, imputed: dict[str, int],
    currency: str, names: Mapping[str, Mapping[str, str]] | None, sample: int = 0,
) -> ClusterResult:
    """The result for every account (`ids`, `labels`), its clusters described from `df`'s rows (every
    account, or the sample) and their labels (`described`)."""
    traits = [explain_cluster(df, described == c, o.features, o.kinds) for c in range(chosen)]
    ranges, medians = _ranges(df, described, chosen, [f for f in o.features if o.kinds[f] == "number"])
    contrasts = _contrasts(df, X, described, chosen, encoding.spans, o.kinds)
    silhouette = scan.loc[scan["k"] == chosen, "silhouette"]
    return ClusterResult(
        features=list(o.features), k=chosen, suggested_k=suggested, scan=scan, ids=ids, labels=labels,
        sizes=np.bincount(labels, minlength=chosen).tolist(), traits=traits, imputed=imputed, rows=len(ids),
        silhouette=float(silhouette.iloc[0]) if len(silhouette) else None,
        scaling=encoding.used, auto_scaling=encoding.auto, ranges=ranges, medians=medians, contrasts=contrasts,
        units=o.units, currency=currency, names={f: dict(v) for f, v in (names or {}).items()}, sample=sample,
    )


# ---- clustering a large market: fitted on a sample, every account assigned in chunks -------------


@contextmanager
def _snapshot(store: Store) -> Iterator[_Snapshot]:
    """One cursor in one read transaction: the market's shape, the sample and the chunked pass
    all see the same accounts, whatever is written meanwhile."""
    with store.cursor() as cur:
        read = _Snapshot(cur)
        read.execute("BEGIN TRANSACTION")
        try:
            yield read
        finally:
            read.execute("ROLLBACK")  # it only read


class _Snapshot:
    """Reads on one cursor, driver errors worded as the store words them."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur

    def _run(self, sql: str, params: Sequence[Any]) -> duckdb.DuckDBPyConnection:
        try:
            return self._cur.execute(sql, list(params))
        except duckdb.Error as e:
            raise StoreError(f"A workspace query failed: {str(e).splitlines()[0]}") from e

    def execute(self, sql: str) -> None:
        self._run(sql, ())

    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self._run(sql, params).df()

    def chunks(self, sql: str, params: Sequence[Any], rows: int) -> Iterator[pd.DataFrame]:
        """The result in frames of about `rows` rows (whole DuckDB vectors of 2,048), streamed:
        only one chunk is ever held."""
        vectors = max(1, -(-rows // DUCKDB_VECTOR))
        self._run(sql, params)
        while True:
            try:
                frame = self._cur.fetch_df_chunk(vectors)
            except duckdb.Error as e:
                raise StoreError(f"A workspace query failed: {str(e).splitlines()[0]}") from e
            if not len(frame):
                return
            yield frame


def _code_sql(expression: str, columns: CategoryColumns) -> tuple[str, list[Any]]:
    """SQL giving each row's indicator column for a categorical feature (what CategoryColumns.codes
    gives in pandas), so that a chunk arrives as small integers instead of millions of strings."""
    value = f"CAST(({expression}) AS VARCHAR)"
    kept = [str(v) for v in columns.values if v is not None]
    index = [i for i, v in enumerate(columns.values) if v is not None]
    sql = (f"CAST(CASE WHEN ({expression}) IS NULL THEN {columns.missing_column} "
           f"ELSE coalesce(list_extract(?::INTEGER[], list_position(?::VARCHAR[], {value})), "
           f"{columns.other_column}) END AS INTEGER)")
    return sql, [index, kept]


def _shape(
    read: _Snapshot, catalogue: Mapping[str, Feature], o: _Options, condition: Compiled, accounts: int,
    names: Mapping[str, Mapping[str, str]] | None,
) -> tuple[dict[str, int], dict[str, float], dict[str, CategoryColumns]]:
    """The whole market's shape, in DuckDB: the same checks as on a loaded frame (missing values,
    empty or constant features), each numeric feature's smallest value, each category's counts."""
    numeric = [f for f in o.features if o.kinds[f] == "number"]
    missing: dict[str, int] = {}
    distinct: dict[str, bool] = {}
    floors: dict[str, float] = {}
    categories: dict[str, CategoryColumns] = {}
    if numeric:
        aggregates = ", ".join(f"count(q.{quote_ident(f)}), min(q.{quote_ident(f)}), max(q.{quote_ident(f)})"
                               for f in numeric)
        row = read.df(f"SELECT {aggregates} FROM ({_features_sql(catalogue, numeric, condition)}) q",
                      condition.params).iloc[0].tolist()
        for i, f in enumerate(numeric):
            known, low, high = row[3 * i: 3 * i + 3]
            missing[f] = accounts - int(known)
            distinct[f] = bool(known) and float(low) < float(high)
            if known:
                floors[f] = float(low)
    for f in o.features:
        if f in numeric:
            continue
        counts = read.df(
            f"SELECT CAST(q.{quote_ident(f)} AS VARCHAR) AS value, count(*) AS n "
            f"FROM ({_features_sql(catalogue, [f], condition)}) q GROUP BY ALL", condition.params)
        pairs = [(None if pd.isna(v) else str(v), int(n)) for v, n in zip(counts["value"], counts["n"])]
        missing[f] = sum(n for v, n in pairs if v is None)
        distinct[f] = sum(1 for v, _ in pairs if v is not None) >= 2
        categories[f] = categories_from_counts(pairs)
    return _check_shape(accounts, o.k or MIN_K, o.features, missing, distinct, names), floors, categories


def _cluster_sampled(
    store: Store, catalogue: Mapping[str, Feature], features: Sequence[str], condition: Compiled, limit: int, *,
    kinds: Mapping[str, str], units: Mapping[str, str], k: int | None, k_max: int | None,
    scaling: Mapping[str, str] | str | None, currency: str, progress: Callable[[float, str], None],
    names: Mapping[str, Mapping[str, str]] | None,
) -> ClusterResult:
    """cluster_accounts for a market of more than `limit` accounts, in bounded memory."""
    o = _settle(features, kinds, units, k, k_max, scaling)
    numeric = [f for f in o.features if o.kinds[f] == "number"]
    chunk = max(1, config.SEGMENT_CHUNK.value())
    with _snapshot(store) as read:
        accounts = int(cast(int, read.df(f"SELECT count(*) FROM ({ACCOUNTS_SQL}) s WHERE {condition.sql}",
                                         condition.params).iloc[0, 0]))  # stubs: any scalar
        imputed, floors, categories = _shape(read, catalogue, o, condition, accounts, names)
        # The sample: the `limit` accounts whose hash with the seed is smallest. Unlike USING SAMPLE
        # reservoir … REPEATABLE, which differs from run to run once DuckDB reads in parallel, it is
        # the same for the same seed and accounts, however the rows are read.
        as_text = {f: f"CAST(({catalogue[f].sql}) AS VARCHAR)" for f in o.features if f not in numeric}
        sample = read.df(
            f"SELECT * FROM ({_features_sql(catalogue, o.features, condition, as_text)}) q WHERE q.id IN ("
            f"SELECT s.id FROM ({ACCOUNTS_SQL}) s WHERE {condition.sql} ORDER BY hash(s.id, ?), s.id LIMIT ?"
            ") ORDER BY q.id", [*condition.params, *condition.params, o.seed, limit])
        progress(0.15, "encode")
        encoding = fit_encoding(sample, o.features, o.kinds, o.overrides, names, floors=floors,
                                categories=categories)
        X = encoding.transform(sample)
        scan, suggested, model = _fit(X, o, accounts, progress)
        # Every account, chunk by chunk: categories arrive as their column numbers, and only the
        # ids and labels are kept (8 to 12 bytes an account).
        coded, params = {}, []
        for f in o.features:
            if f not in numeric:
                coded[f], bound = _code_sql(catalogue[f].sql, encoding.categories[f])
                params += bound
        ids, labels, done = [], [], 0
        for frame in read.chunks(_features_sql(catalogue, o.features, condition, coded),
                                 [*params, *condition.params], chunk):
            ids.append(frame["id"].to_numpy())
            labels.append(model.predict(encoding.transform(frame, coded=True)).astype(np.int32))
            done += len(frame)
            progress(min(0.95, 0.8 + 0.15 * done / accounts), "assign")
    all_ids, all_labels = np.concatenate(ids), np.concatenate(labels)
    if len(all_ids) > 1 and not bool(np.all(all_ids[1:] > all_ids[:-1])):  # in id order, as a loaded frame is
        order = np.argsort(all_ids, kind="stable")
        all_ids, all_labels = all_ids[order], all_labels[order]
    remap = _by_size(np.bincount(all_labels, minlength=model.n_clusters)).astype(np.int32)
    all_labels = remap[all_labels]
    progress(0.95, "explain")
    return _result(sample, X, remap[model.predict(X)], model.n_clusters, o, encoding, scan, suggested, ids=all_ids,
                   labels=all_labels, imputed=imputed, currency=currency, names=names, sample=len(sample))


def _ranges(
    df: pd.DataFrame, labels: np.ndarray, k: int, numeric: Sequence[str]
) -> tuple[list[dict[str, tuple[float, float]]], list[dict[str, float]]]:
    """Per cluster, the middle half (25th–75th percentile) and median of each numeric feature's known values."""
    ranges: list[dict[str, tuple[float, float]]] = [{} for _ in range(k)]
    medians: list[dict[str, float]] = [{} for _ in range(k)]
    for f in numeric:
        values = pd.to_numeric(df[f], errors="coerce").astype(float)
        # Columns 0.25, 0.5, 0.75 in that order, one row per cluster.
        quantiles = values.groupby(labels).quantile(np.array([0.25, 0.5, 0.75])).unstack()
        for c in range(k):
            if c in quantiles.index and not quantiles.loc[c].isna().any():
                low, median, high = (float(q) for q in quantiles.loc[c].to_numpy())
                ranges[c][f] = (low, high)
                medians[c][f] = median
    return ranges, medians


def _contrasts(
    df: pd.DataFrame, X: np.ndarray, labels: np.ndarray, k: int, spans: Mapping[str, slice], kinds: Mapping[str, str]
) -> list[Contrast | None]:
    """For each cluster, its nearest cluster (centroid distance in the model's space) and the feature
    that separates the two most there: the distance k-means itself saw."""
    centroids = np.vstack([X[labels == c].mean(axis=0) for c in range(k)])
    out: list[Contrast | None] = []
    for c in range(k):
        distance = np.linalg.norm(centroids - centroids[c], axis=1)
        distance[c] = np.inf
        n = int(np.argmin(distance))
        gaps = {f: float(np.linalg.norm(centroids[c, s] - centroids[n, s])) for f, s in spans.items()}
        feature = max(gaps, key=lambda f: gaps[f])
        numeric = [f for f in gaps if kinds[f] == "number"]
        # A category switch weighs 1.41 in the model's space and usually wins, but its value is
        # already in the description ("Chemicals firms"); a clear numeric gap says more.
        if numeric and kinds[feature] != "number":
            best_number = max(numeric, key=lambda f: gaps[f])
            if gaps[best_number] >= NUMERIC_CONTRAST:
                feature = best_number
        if gaps[feature] == 0:
            out.append(None)
        elif kinds[feature] == "number":
            higher = centroids[c, spans[feature]][0] > centroids[n, spans[feature]][0]
            out.append(Contrast(n, feature, "higher" if higher else "lower"))
        else:
            mine, theirs = df[feature][labels == c], df[feature][labels == n]
            # The value whose share differs most between the two, taken from the side that has more of it.
            shares = pd.concat([mine.value_counts(normalize=True, dropna=False),
                                theirs.value_counts(normalize=True, dropna=False)], axis=1).fillna(0.0)
            diff = shares.iloc[:, 0] - shares.iloc[:, 1]
            value = diff.idxmax()
            out.append(Contrast(n, feature, "more", MISSING if pd.isna(value) else str(value)))
    return out


# ---- explaining ----------------------------------------------------------------------------


_NUMERIC_WORDS = {
    "employees": ("large", "small"),
    "annual_revenue": ("high_revenue", "low_revenue"),
    "relationship_years": ("long_relationship", "new_relationship"),
    "deals": ("many_deals", "few_deals"),
}


def explain_cluster(
    df: pd.DataFrame, mask: np.ndarray, features: Sequence[str], kinds: Mapping[str, str] | None = None
) -> list[Trait]:
    """The traits that set the cluster apart: numeric medians in the market's top or bottom 30 %
    (a percentile, so it holds whatever the scaling), and dominant categories."""
    kinds = kinds or {f: "number" if f in NUMERIC_FEATURES else "category" for f in features}
    traits: list[Trait] = []
    inside, outside = df[mask], df
    for f in features:
        if kinds[f] == "number":
            values = pd.to_numeric(outside[f], errors="coerce").astype(float).dropna().to_numpy()
            here = float(np.nanmedian(pd.to_numeric(inside[f], errors="coerce").astype(float)))
            if not len(values) or not math.isfinite(here):
                continue
            percentile = (np.sum(values < here) + 0.5 * np.sum(values == here)) / len(values)
            high, low = _NUMERIC_WORDS.get(f, ("high", "low"))
            if percentile >= HIGH_PERCENTILE:
                traits.append(Trait(f, high))
            elif percentile <= LOW_PERCENTILE:
                traits.append(Trait(f, low))
        else:
            shares = inside[f].value_counts(normalize=True, dropna=False)
            if shares.empty:
                continue
            value, share = shares.index[0], float(shares.iloc[0])
            base = float((outside[f] == value).mean()) if pd.notna(value) else float(outside[f].isna().mean())
            if share >= 0.5 and (share >= 0.95 or share >= 1.5 * base):
                traits.append(Trait(f, MISSING if pd.isna(value) else str(value), "all" if share >= 0.95 else "mostly"))
    return traits


Names = Mapping[str, Mapping[str, str]]  # feature -> language -> label (custom fields)


def _noun(feature: str, lang: str, names: Names | None = None) -> str:
    """A feature as a noun inside a sentence: the catalog's word, a custom field's label, or the column name."""
    label = (names or {}).get(feature, {})
    text = label.get(lang) or label.get("en")
    if text:
        # "Profit" reads "profit" mid-sentence; an acronym ("EBITDA", "HQ state") keeps its capitals.
        return text[:1].lower() + text[1:] if len(text) > 1 and text[1:2].islower() else text
    key = f"segments.noun.{feature}"
    return t(key, lang) if key in MESSAGES else feature.replace("_", " ")


def _round_sig(value: float, digits: int = 2) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def format_value(value: float, unit: str, lang: str, currency: str = "EUR", digits: int = 2) -> str:
    """A number in the field's unit, rounded to `digits` significant digits: €9.4M, 450, 3.5."""
    value = _round_sig(value, digits)
    if unit == "money":
        return format_compact_currency(value, currency, locale=locale_of(lang), fraction_digits=digits - 1)
    decimals = 0 if float(value).is_integer() or abs(value) >= 10 ** (digits - 1) else min(3, digits - 1 - int(math.floor(math.log10(abs(value)))))
    if unit == "percent":  # stored in points: 12.5 is 12.5 %
        return fmt_percent(value / 100, lang, decimals)
    return fmt_number(value, lang, decimals)


def format_range(low: float, high: float, unit: str, lang: str, currency: str = "EUR", digits: int = 2) -> str:
    a, b = format_value(low, unit, lang, currency, digits), format_value(high, unit, lang, currency, digits)
    return a if a == b else f"{a}–{b}"


def _range_text(feature: str, unit: str, text: str, lang: str, names: Names | None = None) -> str:
    key = f"segments.range.{feature}"
    if key in MESSAGES and feature not in (names or {}):
        return t(key, lang, range=text)
    return t("segments.range.other", lang, field=_noun(feature, lang, names), range=text)


Values = Mapping[str, Mapping[str, Mapping[str, str]]]  # feature -> language -> value -> name


def _shown(feature: str, value: str, lang: str, values: Values | None) -> str:
    """A stored value as the viewer reads it: its name in `lang` where the workspace gives one."""
    return (values or {}).get(feature, {}).get(lang, {}).get(value, value)


def _value_label(feature: str, value: str, lang: str, names: Names | None = None,
                 units: Mapping[str, str] | None = None, values: Values | None = None) -> str:
    if value == MISSING:
        return t("segments.value.missing", lang)
    if (units or {}).get(feature) == "bool":  # "listed: yes"
        return t("segments.trait.flag", lang, field=_noun(feature, lang, names), value=t(f"segments.value.{value}", lang))
    if feature == "country":
        return country_name(value, lang)
    if feature == "status":
        return t(f"segments.status.{value}", lang)
    return _shown(feature, value, lang, values)


def _contrast_text(contrast: Contrast, lang: str, names: Names | None = None,
                   units: Mapping[str, str] | None = None, values: Values | None = None) -> str:
    n = contrast.neighbour + 1
    if contrast.direction in ("higher", "lower"):
        # A custom field's label has no grammatical gender the catalog could agree with: a neutral form.
        named = "_named" if contrast.feature in (names or {}) else ""
        return t(f"segments.vs.{contrast.direction}{named}", lang, field=_noun(contrast.feature, lang, names), n=n)
    return t("segments.vs.more", lang, value=_value_label(contrast.feature, contrast.value, lang, names, units, values),
             n=n)


def describe_clusters(result: ClusterResult, lang: str) -> list[str]:
    """Plain words per cluster: traits, typical ranges in the field's units, and the contrast with the
    nearest cluster. Should two texts still coincide, the ranges are written more precisely, and as a
    last resort the cluster's medians are added, so no two clusters ever read the same."""
    texts = []
    for c in range(result.k):
        head = describe_traits(result.traits[c], lang, with_numbers=False, names=result.names, units=result.units,
                               values=result.values)
        contrast = result.contrasts[c] if c < len(result.contrasts) else None
        texts.append((head, contrast))

    def render(c: int, digits: int, medians: bool) -> str:
        head, contrast = texts[c]
        parts = [head]
        for f, (low, high) in (result.ranges[c].items() if c < len(result.ranges) else []):
            unit = result.units.get(f, "number")
            parts.append(_range_text(f, unit, format_range(low, high, unit, lang, result.currency, digits), lang,
                                     result.names))
        if medians:
            for f, median in result.medians[c].items():
                unit = result.units.get(f, "number")
                parts.append(t("segments.median", lang, field=_noun(f, lang, result.names),
                               value=format_value(median, unit, lang, result.currency, 4)))
        if contrast is not None:
            parts.append(_contrast_text(contrast, lang, result.names, result.units, result.values))
        return ", ".join(parts)

    out = [render(c, 2, False) for c in range(result.k)]
    for digits, medians in ((3, False), (3, True)):
        clashes = {c for c in range(result.k) if out.count(out[c]) > 1}
        for c in clashes:
            out[c] = render(c, digits, medians)
    for c in range(result.k):  # identical data in two clusters: say which is which rather than repeat
        if out.count(out[c]) > 1:
            out[c] = t("segments.numbered", lang, text=out[c], n=c + 1)
    return out


def describe_traits(traits: Sequence[Trait], lang: str, *, with_numbers: bool = True, names: Names | None = None,
                    units: Mapping[str, str] | None = None, values: Values | None = None) -> str:
    """Plain words, e.g. "Large Automotive firms in Serbia, mostly served by PackPro International".

    Without `with_numbers` a cluster with no trait is just "Firms" (its ranges follow); with it,
    such a cluster is "A mixed group…" as before. `names` and `units` say how custom fields read,
    `values` how industries and regions are named in `lang` (ClusterResult.values).
    """
    adjectives = [t(f"segments.trait.{tr.value}", lang) for tr in traits if tr.feature == "employees"]
    by = {tr.feature: tr for tr in traits if tr.feature in CATEGORICAL_FEATURES}
    noun = (
        t("segments.trait.industry_firms", lang, industry=_shown("industry", by["industry"].value, lang, values))
        if "industry" in by and by["industry"].value != MISSING
        else t("segments.trait.firms", lang)
    )
    head = " ".join([*adjectives, noun])
    extras = []
    where = by.get("country") or by.get("region")
    if where and where.value != MISSING:
        place = (country_name(where.value, lang) if where.feature == "country"
                 else _shown(where.feature, where.value, lang, values))
        head += " " + t(f"segments.trait.in_{where.strength}", lang, place=place)
    if "status" in by:
        status = by["status"].value
        key = f"segments.trait.status.{status}"
        extras.append(t(f"segments.trait.status_{by['status'].strength}", lang,
                        status=t(key, lang) if key in MESSAGES else status))
    if "supplier" in by:
        supplier = by["supplier"]
        if supplier.value == MISSING:
            extras.append(t("segments.trait.no_supplier", lang))
        else:
            extras.append(t(f"segments.trait.served_{supplier.strength}", lang, supplier=supplier.value))
    if "owner" in by and by["owner"].value != MISSING:
        extras.append(t("segments.trait.owner", lang, owner=by["owner"].value))
    for tr in traits:
        if tr.feature in CATEGORICAL_FEATURES or tr.feature == "employees":
            continue
        if tr.strength and (units or {}).get(tr.feature) == "bool" and tr.value != MISSING:  # "mostly listed: yes"
            extras.append(t(f"segments.trait.flag_{tr.strength}", lang,
                            value=_value_label(tr.feature, tr.value, lang, names, units, values)))
            continue
        if tr.strength:  # a category without words of its own (a dataset column): "mostly Retail (channel)"
            extras.append(t(f"segments.trait.value_{tr.strength}", lang, field=_noun(tr.feature, lang, names),
                            value=_value_label(tr.feature, tr.value, lang, names, units, values)))
            continue
        key = f"segments.trait.{tr.value}"
        if key in MESSAGES:
            extras.append(t(key, lang))
        else:  # a feature without its own words (a schema column): "high floor space"
            kind = "named" if tr.feature in (names or {}) else "generic"
            extras.append(t(f"segments.trait.{kind}_{tr.value}", lang, field=_noun(tr.feature, lang, names)))
    if with_numbers and not adjectives and "industry" not in by and not extras:
        return t("segments.trait.mixed", lang)
    return ", ".join([head[:1].upper() + head[1:], *extras])


def scan_table(result: ClusterResult) -> pd.DataFrame:
    return result.scan.assign(suggested=result.scan["k"] == result.suggested_k)
