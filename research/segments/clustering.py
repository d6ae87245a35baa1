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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from babel.numbers import format_compact_currency

from research import config
from research.errors import ValidationError
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

    def label(self, lang: str) -> str | None:
        return self.labels.get(lang) or self.labels.get("en") or None


BUILTIN_FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("employees", "s.employees", "number", "count"),
        Feature("annual_revenue", "s.revenue_eur", "number", "money"),
        Feature("relationship_years", "date_diff('day', s.first_contact, current_date) / 365.25", "number", "years"),
        Feature("deals", "(SELECT count(*) FROM deals d WHERE d.account_id = s.id)", "number", "count"),
        Feature("industry", "s.industry", "category"),
        Feature("country", "s.country", "category"),
        Feature("region", "s.region", "category"),
        Feature("status", "s.status", "category"),
        Feature("supplier", "c.name", "category"),
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


def scale_column(values: np.ndarray, method: str, name: str = "") -> np.ndarray:
    """One imputed numeric column scaled by `method`; the result is centred with unit spread.

    `name` names the feature in an error (a `feature_named` one says it in both languages)."""
    v = values.astype(float)
    if method == "log":
        if v.min() < 0:
            raise keyed_error(ValidationError, "segments.error.log_negative", field=name)
        # A user may ask for log on a column with zeros: log1p keeps them finite.
        v = np.log(v) if v.min() > 0 else np.log1p(v)
    if method == "robust":
        q1, median, q3 = np.percentile(v, [25, 50, 75])
        spread = (q3 - q1) or float(np.std(v)) or 1.0
        return (v - median) / spread
    return (v - v.mean()) / (float(np.std(v)) or 1.0)


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


# ---- loading and encoding ------------------------------------------------------------------


def load_features(
    store: Store, features: Sequence[str], condition: Compiled = MATCH_ALL,
    catalogue: Mapping[str, Feature] | None = None,
) -> pd.DataFrame:
    """id plus one column per feature for the accounts matching `condition`, in id order."""
    catalogue = catalogue or available_features(store)
    features = parse_features(features, catalogue)
    columns = ", ".join(f"{catalogue[f].sql} AS {quote_ident(f)}" for f in features)
    # The supplier's name is joined only when it is a feature.
    supplier = any(catalogue[f].sql.startswith("c.") for f in features)
    sql = (
        f"SELECT s.id, {columns} FROM ({ACCOUNTS_SQL}) s "
        + ("LEFT JOIN companies c ON c.id = s.supplier_id " if supplier else "")
        + f"WHERE {condition.sql} ORDER BY s.id"
    )
    return store.query_df(sql, condition.params)


def feature_named(feature: str, names: Mapping[str, Mapping[str, str]] | None = None) -> Named:
    """A feature for keyed errors: its column name in English (as the CLI takes it), its label in Serbian."""
    own = (names or {}).get(feature, {})
    key = f"segments.field.{feature}"
    return Named(feature, own.get("sr") or own.get("en") or (t(key, "sr") if key in MESSAGES else feature))


def _count(n: int) -> Named:
    return Named(f"{n:,}", fmt_number(n, "sr"))


def _check(df: pd.DataFrame, features: Sequence[str], k_max: int,
           names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, int]:
    if len(df) < MIN_K + 1 or len(df) <= k_max:
        raise keyed_error(ValidationError, "segments.error.few_accounts_up_to", accounts=_count(len(df)), k=k_max)
    imputed = {}
    for f in features:
        column = df[f]
        missing = int(column.isna().sum())
        if missing == len(df):
            raise keyed_error(ValidationError, "segments.error.feature_empty", field=feature_named(f, names))
        if column.nunique(dropna=True) < 2:
            raise keyed_error(ValidationError, "segments.error.feature_constant", field=feature_named(f, names))
        if missing:
            imputed[f] = missing
    return imputed


def _one_hot(values: pd.Series) -> np.ndarray:
    """Indicator columns for the most frequent categories (missing is one); the rest share one column."""
    codes, _ = pd.factorize(values.astype(object), use_na_sentinel=False)
    counts = np.bincount(codes)
    keep = np.argsort(-counts, kind="stable")[: MAX_CATEGORIES - 1] if len(counts) > MAX_CATEGORIES else np.arange(len(counts))
    column = np.full(len(counts), len(keep), dtype=np.int64)
    column[keep] = np.arange(len(keep))
    width = len(keep) + (1 if len(counts) > len(keep) else 0)
    out = np.zeros((len(codes), width), dtype=float)
    out[np.arange(len(codes)), column[codes]] = 1.0
    return out


def encode(
    df: pd.DataFrame, features: Sequence[str], kinds: Mapping[str, str], scaling: Mapping[str, str],
    names: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[np.ndarray, dict[str, slice], dict[str, str], dict[str, str]]:
    """The model matrix, each feature's columns in it, and the scaling used / suggested per numeric feature."""
    blocks, spans, used, auto = [], {}, {}, {}
    start = 0
    for f in features:
        if kinds[f] == "number":
            v = pd.to_numeric(df[f], errors="coerce").astype(float).to_numpy()
            auto[f] = choose_scaling(v)
            used[f] = scaling.get(f, auto[f])
            v = np.where(np.isfinite(v), v, np.nanmedian(v))
            block = scale_column(v, used[f], feature_named(f, names))[:, None]
        else:
            block = _one_hot(df[f])
        blocks.append(block)
        spans[f] = slice(start, start + block.shape[1])
        start += block.shape[1]
    return np.hstack(blocks), spans, used, auto


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
    """Cluster the accounts; `k=None` suggests k from the silhouette scan over 2…k_max (see suggest_k)."""
    catalogue = available_features(store)
    features = parse_features(features, catalogue)
    report = progress or (lambda _f, _m: None)
    report(0.05, "load")
    df = load_features(store, features, condition, catalogue)
    result = cluster_frame(
        df, features, kinds={f: catalogue[f].kind for f in features}, units={f: catalogue[f].unit for f in features},
        k=k, k_max=k_max, scaling=scaling, currency=currency, progress=report,
        names={f: dict(catalogue[f].labels) for f in features if catalogue[f].labels},
    )
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
    from sklearn.metrics import silhouette_score

    features = list(dict.fromkeys(features))
    kinds = dict(kinds or {})
    for f in features:
        kinds.setdefault(f, "number" if pd.api.types.is_numeric_dtype(df[f]) else "category")
    units = {f: (units or {}).get(f, "number" if kinds[f] == "number" else "category") for f in features}
    overrides = parse_scaling(scaling, features)
    categorical = [f for f in overrides if kinds[f] != "number"]
    if categorical:
        raise ValidationError(f"Only numeric features are scaled; {', '.join(categorical)} is a category.")
    seed = config.get_int("VANTAGE_SEGMENT_SEED")
    sample_size = max(100, config.get_int("VANTAGE_SEGMENT_SAMPLE"))
    k_max = k_max or config.get_int("VANTAGE_SEGMENT_K_MAX")
    if k is not None and k < MIN_K:
        raise keyed_error(ValidationError, "segments.error.min_k", k=MIN_K)
    top = max(k or MIN_K, k_max)
    report = progress or (lambda _f, _m: None)
    df = df.reset_index(drop=True)
    imputed = _check(df, features, k or MIN_K, names)
    report(0.15, "encode")
    X, spans, used, auto = encode(df, features, kinds, overrides, names)
    rng = np.random.default_rng(seed)
    sample = rng.choice(len(X), size=min(sample_size, len(X)), replace=False)
    Xs = X[np.sort(sample)]
    scan_rows, centers = [], {}
    ks = list(range(MIN_K, min(top, len(Xs) - 1) + 1)) if k is None else []
    for i, k_ in enumerate(ks):
        model = _model(k_, len(Xs), seed).fit(Xs)
        labels, centers[k_] = model.labels_, model.cluster_centers_
        score = silhouette_score(Xs, labels) if len(set(labels)) > 1 else -1.0
        scan_rows.append({"k": k_, "silhouette": float(score)})
        report(0.2 + 0.5 * (i + 1) / len(ks), "scan")
    scan = pd.DataFrame(scan_rows, columns=["k", "silhouette"])
    suggested = suggest_k(scan) if not scan.empty else int(k)  # type: ignore[arg-type]
    chosen = k or suggested
    if len(X) <= chosen:
        raise keyed_error(ValidationError, "segments.error.few_accounts", accounts=_count(len(X)), k=chosen)
    report(0.75, "fit")
    # The full fit starts from the sample's centres for that k: far fewer passes over all rows.
    model = _model(chosen, len(X), seed, init=centers.get(chosen, "k-means++")).fit(X)
    labels = model.predict(X) if isinstance(model, MiniBatchKMeans) else model.labels_
    # Order clusters by size (largest first) so "Cluster 1" is stable and meaningful.
    counts = np.bincount(labels, minlength=chosen)
    order = np.argsort(-counts, kind="stable")
    remap = np.empty(chosen, dtype=int)
    remap[order] = np.arange(chosen)
    labels = remap[labels]
    sizes = np.bincount(labels, minlength=chosen).tolist()
    report(0.95, "explain")
    traits = [explain_cluster(df, labels == c, features, kinds) for c in range(chosen)]
    ranges, medians = _ranges(df, labels, chosen, [f for f in features if kinds[f] == "number"])
    contrasts = _contrasts(df, X, labels, chosen, spans, kinds)
    silhouette = scan.loc[scan["k"] == chosen, "silhouette"]
    return ClusterResult(
        features=list(features), k=chosen, suggested_k=suggested, scan=scan, ids=df["id"].to_numpy(),
        labels=labels, sizes=sizes, traits=traits, imputed=imputed, rows=len(df),
        silhouette=float(silhouette.iloc[0]) if len(silhouette) else None,
        scaling=used, auto_scaling=auto, ranges=ranges, medians=medians, contrasts=contrasts, units=units,
        currency=currency, names={f: dict(v) for f, v in (names or {}).items()},
    )


def _ranges(
    df: pd.DataFrame, labels: np.ndarray, k: int, numeric: Sequence[str]
) -> tuple[list[dict[str, tuple[float, float]]], list[dict[str, float]]]:
    """Per cluster, the middle half (25th–75th percentile) and median of each numeric feature's known values."""
    ranges: list[dict[str, tuple[float, float]]] = [{} for _ in range(k)]
    medians: list[dict[str, float]] = [{} for _ in range(k)]
    for f in numeric:
        values = pd.to_numeric(df[f], errors="coerce").astype(float)
        quantiles = values.groupby(labels).quantile([0.25, 0.5, 0.75]).unstack()
        for c in range(k):
            if c in quantiles.index and not quantiles.loc[c].isna().any():
                ranges[c][f] = (float(quantiles.loc[c, 0.25]), float(quantiles.loc[c, 0.75]))
                medians[c][f] = float(quantiles.loc[c, 0.5])
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
