"""Clustered segments: a scikit-learn pipeline, k-means with a suggested k, and clusters explained in words.

Numeric features are imputed (median), log-scaled (sizes are heavy-tailed) and
standardised; categorical ones are one-hot encoded with missing values as their
own category. The silhouette scan that suggests k runs on a seeded sample of at
most VANTAGE_SEGMENT_SAMPLE accounts; the final fit uses every account
(MiniBatchKMeans above FULL_KMEANS_ROWS). Each cluster is described by the traits
that set it apart from the whole market.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from research import config
from research.errors import ValidationError
from research.i18n import country_name, t
from research.segments.rules import ACCOUNTS_SQL, Compiled, MATCH_ALL
from research.store import Store, quote_ident

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer

# scikit-learn is imported where it is used: it takes ~1 s to load, and every CLI
# command (and every page) imports this module through the segment commands.

# feature name -> (SQL expression over ACCOUNTS_SQL `s`, kind). Identifiers only from here.
NUMERIC_FEATURES: dict[str, str] = {
    "employees": "s.employees",
    "annual_revenue": "s.revenue_eur",
    "relationship_years": "date_diff('day', s.first_contact, current_date) / 365.25",
    "deals": "(SELECT count(*) FROM deals d WHERE d.account_id = s.id)",
}
CATEGORICAL_FEATURES: dict[str, str] = {
    "industry": "s.industry",
    "country": "s.country",
    "region": "s.region",
    "status": "s.status",
    "supplier": "c.name",
    "owner": "s.owner",
}
FEATURES = (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES)
FULL_KMEANS_ROWS = 20_000
MISSING = "(missing)"
MIN_K = 2


@dataclass(frozen=True)
class Trait:
    """One distinguishing feature of a cluster: ("size", "large"), ("category", "industry", "Pharma", "mostly")…"""

    feature: str
    value: str
    strength: str = ""  # for categories: "all" or "mostly"


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

    def describe(self, cluster: int, lang: str) -> str:
        return describe_traits(self.traits[cluster], lang)

    def members(self, cluster: int) -> list[int]:
        return self.ids[self.labels == cluster].tolist()


def parse_features(text: str | Sequence[str]) -> list[str]:
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n and n.strip()]
    if not names:
        raise ValidationError("Choose at least one feature to cluster on.")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValidationError(f"Cannot cluster on {', '.join(unknown)}; choose from {', '.join(FEATURES)}.")
    return list(dict.fromkeys(names))


def load_features(store: Store, features: Sequence[str], condition: Compiled = MATCH_ALL) -> pd.DataFrame:
    """id plus one column per feature for the accounts matching `condition`, in id order."""
    features = parse_features(features)
    columns = ", ".join(
        f"{NUMERIC_FEATURES.get(f) or CATEGORICAL_FEATURES[f]} AS {quote_ident(f)}" for f in features
    )
    sql = (
        f"SELECT s.id, {columns} FROM ({ACCOUNTS_SQL}) s LEFT JOIN companies c ON c.id = s.supplier_id "
        f"WHERE {condition.sql} ORDER BY s.id"
    )
    return store.query_df(sql, condition.params)


def _check(df: pd.DataFrame, features: Sequence[str], k_max: int) -> dict[str, int]:
    if len(df) < MIN_K + 1 or len(df) <= k_max:
        raise ValidationError(
            f"Clustering needs more accounts than clusters: {len(df):,} accounts for up to {k_max} clusters."
        )
    imputed = {}
    for f in features:
        column = df[f]
        missing = int(column.isna().sum())
        if missing == len(df):
            raise ValidationError(f"“{f}” is empty for every account; leave it out.")
        if column.nunique(dropna=True) < 2:
            raise ValidationError(f"“{f}” has the same value for every account, so it cannot separate clusters.")
        if missing:
            imputed[f] = missing
    return imputed


def build_pipeline(features: Sequence[str]) -> ColumnTransformer:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    numeric = [f for f in features if f in NUMERIC_FEATURES]
    categorical = [f for f in features if f in CATEGORICAL_FEATURES]
    steps = []
    if numeric:
        steps.append(
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median"),
                    # Company sizes span four orders of magnitude; log keeps giants from owning a cluster.
                    FunctionTransformer(lambda x: np.log1p(np.clip(x, 0, None)), feature_names_out="one-to-one"),
                    StandardScaler(),
                ),
                numeric,
            )
        )
    if categorical:
        # Categories arrive as integer codes (see _encode): one-hot on ints is ~10× faster than on strings.
        steps.append(("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False, max_categories=15), categorical))
    return ColumnTransformer(steps)


def _model(k: int, rows: int, seed: int, init: Any = "k-means++") -> Any:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    n_init = 1 if not isinstance(init, str) else 3
    if rows > FULL_KMEANS_ROWS:
        return MiniBatchKMeans(n_clusters=k, random_state=seed, init=init, n_init=n_init, batch_size=8192,
                               max_no_improvement=10)
    return KMeans(n_clusters=k, random_state=seed, init=init, n_init=n_init)


def _encode(df: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """Numbers as floats; categories as integer codes, a missing value being a category of its own (-1)."""
    data = pd.DataFrame(index=df.index)
    for f in features:
        if f in CATEGORICAL_FEATURES:
            data[f] = pd.Categorical(df[f].astype(object)).codes.astype(np.int32)
        else:
            data[f] = pd.to_numeric(df[f], errors="coerce").astype(float)
    return data


def cluster_accounts(
    store: Store,
    features: Sequence[str],
    *,
    k: int | None = None,
    k_max: int | None = None,
    condition: Compiled = MATCH_ALL,
    progress: Callable[[float, str], None] | None = None,
) -> ClusterResult:
    """Cluster the accounts; `k=None` takes the k with the best silhouette score over 2…k_max."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import silhouette_score

    features = parse_features(features)
    seed = config.get_int("VANTAGE_SEGMENT_SEED")
    sample_size = max(100, config.get_int("VANTAGE_SEGMENT_SAMPLE"))
    k_max = k_max or config.get_int("VANTAGE_SEGMENT_K_MAX")
    if k is not None and k < MIN_K:
        raise ValidationError(f"Choose at least {MIN_K} clusters.")
    top = max(k or MIN_K, k_max)
    report = progress or (lambda _f, _m: None)
    report(0.05, "load")
    df = load_features(store, features, condition)
    imputed = _check(df, features, k or MIN_K)
    report(0.15, "encode")
    X = build_pipeline(features).fit_transform(_encode(df, features))
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
    suggested = int(scan.loc[scan["silhouette"].idxmax(), "k"]) if not scan.empty else int(k)  # type: ignore[arg-type]
    chosen = k or suggested
    if len(X) <= chosen:
        raise ValidationError(f"Clustering needs more accounts than clusters: {len(X):,} accounts for {chosen} clusters.")
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
    traits = [explain_cluster(df, labels == c, features) for c in range(chosen)]
    silhouette = scan.loc[scan["k"] == chosen, "silhouette"]
    return ClusterResult(
        features=list(features), k=chosen, suggested_k=suggested, scan=scan, ids=df["id"].to_numpy(),
        labels=labels, sizes=sizes, traits=traits, imputed=imputed, rows=len(df),
        silhouette=float(silhouette.iloc[0]) if len(silhouette) else None,
    )


_NUMERIC_WORDS = {
    "employees": ("large", "small"),
    "annual_revenue": ("high_revenue", "low_revenue"),
    "relationship_years": ("long_relationship", "new_relationship"),
    "deals": ("many_deals", "few_deals"),
}


def explain_cluster(df: pd.DataFrame, mask: np.ndarray, features: Sequence[str]) -> list[Trait]:
    """The traits that set the cluster apart: numeric medians well above/below the market's, dominant categories."""
    traits: list[Trait] = []
    inside, outside = df[mask], df
    for f in features:
        if f in NUMERIC_FEATURES:
            values = pd.to_numeric(outside[f], errors="coerce").astype(float)
            mine = pd.to_numeric(inside[f], errors="coerce").astype(float)
            overall, here = np.nanmedian(np.log1p(values.clip(lower=0))), np.nanmedian(np.log1p(mine.clip(lower=0)))
            spread = np.nanstd(np.log1p(values.clip(lower=0))) or 1.0
            z = (here - overall) / spread
            if z >= 0.5:
                traits.append(Trait(f, _NUMERIC_WORDS[f][0]))
            elif z <= -0.5:
                traits.append(Trait(f, _NUMERIC_WORDS[f][1]))
        else:
            shares = inside[f].value_counts(normalize=True, dropna=False)
            if shares.empty:
                continue
            value, share = shares.index[0], float(shares.iloc[0])
            base = float((outside[f] == value).mean()) if pd.notna(value) else float(outside[f].isna().mean())
            if share >= 0.5 and (share >= 0.95 or share >= 1.5 * base):
                traits.append(Trait(f, MISSING if pd.isna(value) else str(value), "all" if share >= 0.95 else "mostly"))
    return traits


def describe_traits(traits: Sequence[Trait], lang: str) -> str:
    """Plain words, e.g. "large Automotive firms in Serbia, mostly served by PackPro International"."""
    adjectives = [t(f"segments.trait.{tr.value}", lang) for tr in traits if tr.feature == "employees"]
    by = {tr.feature: tr for tr in traits if tr.feature in CATEGORICAL_FEATURES}
    noun = (
        t("segments.trait.industry_firms", lang, industry=by["industry"].value)
        if "industry" in by and by["industry"].value != MISSING
        else t("segments.trait.firms", lang)
    )
    head = " ".join([*adjectives, noun])
    extras = []
    where = by.get("country") or by.get("region")
    if where and where.value != MISSING:
        place = country_name(where.value, lang) if where.feature == "country" else where.value
        head += " " + t(f"segments.trait.in_{where.strength}", lang, place=place)
    if "status" in by:
        extras.append(t(f"segments.trait.status_{by['status'].strength}", lang,
                        status=t(f"segments.status.{by['status'].value}", lang)))
    if "supplier" in by:
        supplier = by["supplier"]
        if supplier.value == MISSING:
            extras.append(t("segments.trait.no_supplier", lang))
        else:
            extras.append(t(f"segments.trait.served_{supplier.strength}", lang, supplier=supplier.value))
    if "owner" in by and by["owner"].value != MISSING:
        extras.append(t("segments.trait.owner", lang, owner=by["owner"].value))
    extras += [t(f"segments.trait.{tr.value}", lang) for tr in traits if tr.feature in NUMERIC_FEATURES and tr.feature != "employees"]
    if not adjectives and "industry" not in by and not extras:
        return t("segments.trait.mixed", lang)
    return ", ".join([head[:1].upper() + head[1:], *extras])


def scan_table(result: ClusterResult) -> pd.DataFrame:
    return result.scan.assign(suggested=result.scan["k"] == result.suggested_k)
