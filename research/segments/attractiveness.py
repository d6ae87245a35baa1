"""The GE-McKinsey matrix: market attractiveness against our competitive strength, per segment.

Every factor is a number from 0 to 1 computed in DuckDB from the workspace, so the
scores can be explained:

- size: the segment's accounts relative to the largest segment compared;
- growth: deals closed in the last year against the year before (−100 % → 0, flat → 0.5, doubled → 1);
- margin: accounts buying from premium-priced suppliers minus those buying from budget ones
  (price tolerance as a margin proxy), mapped to 0–1;
- intensity: 1 − the share of active competitors holding at least 5 % of the served accounts
  (fewer strong rivals = more attractive);
- share: our accounts against ours plus the strongest rival's (0.5 = level with the leader);
- win_rate: won / (won + lost) deals;
- capability: our mean capability score against the rivals present, weighted by their accounts
  (0.5 = level, each point of difference = 0.125; 0.5 too where the known suppliers are all us).

A factor the workspace holds no data for is unknown (NaN), never a guessed 0, 0.5 or 1:
a freshly imported customer list without deals or suppliers would otherwise land every
segment on "harvest or exit". `UNKNOWN_REASONS` says what each factor is missing; the
frame carries the reasons per segment in `unknown` (factor -> reason).

Attractiveness and strength are the weighted means of their known factors, on 0–100 (the
weights of unknown factors drop out and the rest are re-normalised). A segment with no
known, weighted factor on an axis gets no score there and no zone: "not enough data".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from research.errors import ValidationError
from research.i18n import keyed_error, t
from research.segments import profile
from research.segments.rules import Compiled
from research.store import Store

ATTRACTIVENESS_FACTORS = ("size", "growth", "margin", "intensity")
STRENGTH_FACTORS = ("share", "win_rate", "capability")
FACTORS = ATTRACTIVENESS_FACTORS + STRENGTH_FACTORS
DEFAULT_WEIGHTS: dict[str, float] = {
    "size": 40, "growth": 20, "margin": 20, "intensity": 20,
    "share": 40, "win_rate": 30, "capability": 30,
}
STRONG_RIVAL_SHARE = 0.05
HIGH, LOW = 200 / 3, 100 / 3  # the matrix's thirds
UNPLACED = "unknown"  # the zone of a segment that has no score on an axis
# Why a factor can be unknown (message `segments.unknown.<reason>`).
UNKNOWN_REASONS = (
    "no_supplier", "no_positioning", "no_competitors", "no_dated_deals", "no_decided_deals",
    "no_our_capability", "no_rival_capability",
)

CAPABILITIES_SQL = """
SELECT c.id AS company_id, c.is_us, avg(cap.score) AS score
FROM capabilities cap JOIN companies c ON c.id = cap.company_id
WHERE NOT c.archived
GROUP BY ALL
"""


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    clean = {f: float(weights.get(f, DEFAULT_WEIGHTS[f])) for f in FACTORS}
    if any(v < 0 or not np.isfinite(v) for v in clean.values()):
        raise keyed_error(ValidationError, "segments.error.weights_negative")
    if sum(clean[f] for f in ATTRACTIVENESS_FACTORS) == 0 or sum(clean[f] for f in STRENGTH_FACTORS) == 0:
        raise keyed_error(ValidationError, "segments.error.weights_zero")
    return clean


def segment_factors(store: Store, conditions: Sequence[Compiled]) -> pd.DataFrame:
    """One row per condition (`seg`) with the raw figures, the seven factors on 0–1 (NaN = unknown)
    and `unknown`: factor -> reason code (see UNKNOWN_REASONS) for the factors without data."""
    frame = profile.compare(store, conditions)
    share = profile.suppliers(store, conditions)
    competitors = int(store.query_value("SELECT count(*) FROM companies WHERE NOT is_us AND NOT archived") or 0)
    caps = store.query_df(CAPABILITIES_SQL)
    our_cap = caps.loc[caps["is_us"], "score"].mean() if not caps.empty else np.nan
    rival_cap = caps[~caps["is_us"]].set_index("company_id")["score"] if not caps.empty else pd.Series(dtype=float)

    # Typed columns rather than itertuples(): pandas-stubs type a row's attributes as any scalar at all.
    dated = (frame["deals_recent"] + frame["deals_prior"]).astype(int)
    decided = (frame["won"] + frame["lost_deals"]).astype(int)
    rows = []
    for seg, dated_deals, decided_deals in zip(frame["seg"], dated, decided):
        mine = share[share["seg"] == seg]
        rivals = mine[~mine["is_us"]]
        ours = int(mine.loc[mine["is_us"], "accounts"].sum())
        top_rival = int(rivals["accounts"].max()) if not rivals.empty else 0
        served = int(mine["accounts"].sum())
        premium = mine.loc[mine["price_positioning"] == "premium", "accounts"].sum()
        budget = mine.loc[mine["price_positioning"] == "budget", "accounts"].sum()
        positioned = mine.loc[mine["price_positioning"].notna(), "accounts"].sum()
        strong = int((rivals["share"] >= STRONG_RIVAL_SHARE).sum()) if served else 0
        weights = rivals.set_index("company_id")["accounts"]
        scored = rival_cap.reindex(weights.index).dropna()
        rival_mean = float(np.average(scored, weights=weights[scored.index])) if len(scored) else np.nan
        unknown = _unknown_reasons(
            served=served, positioned=int(positioned), competitors=competitors, our_cap=float(our_cap),
            rivals_present=not rivals.empty, rivals_scored=bool(len(scored)),
            dated_deals=int(dated_deals), decided_deals=int(decided_deals),
        )
        rows.append(
            {
                "seg": seg,
                "margin": (premium - budget) / served / 2 + 0.5 if served else np.nan,
                "intensity": 1 - strong / competitors if competitors else np.nan,
                "share": ours / (ours + top_rival) if ours + top_rival else np.nan,
                # Known suppliers that are all us: no rival to be stronger or weaker than, so level.
                "capability": (
                    float(np.clip(0.5 + (our_cap - rival_mean) / 8, 0, 1))
                    if np.isfinite(our_cap) and np.isfinite(rival_mean) else 0.5
                ),
                "top_rival": rivals.iloc[0]["company"] if not rivals.empty else None,
                "unknown": unknown,
            }
        )
    frame = frame.merge(pd.DataFrame(rows, columns=["seg", "margin", "intensity", "share", "capability", "top_rival", "unknown"]),
                        on="seg", how="left")
    biggest = frame["accounts"].max()
    frame["size"] = frame["accounts"] / biggest if biggest else 0.0
    recent, prior = frame["deals_recent"].astype(float), frame["deals_prior"].astype(float)
    growth = np.where(prior > 0, recent / prior.where(prior > 0, 1) - 1, np.where(recent > 0, 1.0, 0.0))
    frame["growth_rate"] = np.where(prior > 0, growth, np.nan)
    frame["growth"] = np.clip(0.5 + growth / 2, 0, 1)
    frame["win_rate_factor"] = frame["win_rate"].astype(float)
    for factor in FACTORS:
        blank = [factor in u for u in frame["unknown"]]
        frame.loc[blank, factor_column(factor)] = np.nan
    return frame


def _unknown_reasons(
    *, served: int, positioned: int, competitors: int, our_cap: float, rivals_present: bool, rivals_scored: bool,
    dated_deals: int, decided_deals: int,
) -> dict[str, str]:
    """Factor -> reason code for the factors one segment has no data for, in FACTORS order."""
    unknown: dict[str, str] = {}
    if not dated_deals:
        unknown["growth"] = "no_dated_deals"
    if not decided_deals:
        unknown["win_rate"] = "no_decided_deals"
    if not served:
        # Margin, intensity, share and capability all start from who supplies the accounts.
        unknown.update(dict.fromkeys(("margin", "intensity", "share", "capability"), "no_supplier"))
        return {f: unknown[f] for f in FACTORS if f in unknown}
    if not positioned:
        unknown["margin"] = "no_positioning"
    if not competitors:
        unknown["intensity"] = "no_competitors"
    if not np.isfinite(our_cap):
        unknown["capability"] = "no_our_capability"
    elif rivals_present and not rivals_scored:
        unknown["capability"] = "no_rival_capability"
    return {f: unknown[f] for f in FACTORS if f in unknown}


def factor_column(factor: str) -> str:
    """The frame column holding a factor's 0–1 value (the win rate's raw figure keeps the name `win_rate`)."""
    return "win_rate_factor" if factor == "win_rate" else factor


def _axis(frame: pd.DataFrame, factors: Sequence[str], weights: Mapping[str, float]) -> np.ndarray:
    """The weighted mean of the known factors on 0–100; NaN where no weighted factor is known."""
    values = np.column_stack([frame[factor_column(f)].to_numpy(dtype=float) for f in factors])
    w = np.array([weights[f] for f in factors], dtype=float)
    known = ~np.isnan(values)
    total = (known * w).sum(axis=1)
    weighted = (np.where(known, values, 0.0) * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100 * weighted / total, np.nan)


def score(frame: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Attractiveness and strength (0–100, NaN = not enough data) from the factors and weights;
    cheap, so sliders rerun it live."""
    w = check_weights(weights)
    out = frame.copy()
    out["attractiveness"] = _axis(out, ATTRACTIVENESS_FACTORS, w)
    out["strength"] = _axis(out, STRENGTH_FACTORS, w)
    out["zone"] = [zone(a, s) for a, s in zip(out["attractiveness"], out["strength"])]
    return out


def zone(attractiveness: float, strength: float) -> str:
    """invest (top-right), harvest (bottom-left) or selective (the diagonal) — GE-McKinsey's three zones;
    UNPLACED when either score is unknown (a NaN would otherwise read as the middle)."""
    if not (np.isfinite(attractiveness) and np.isfinite(strength)):
        return UNPLACED
    level = lambda v: 2 if v >= HIGH else (0 if v < LOW else 1)  # noqa: E731
    total = level(attractiveness) + level(strength)
    return "invest" if total >= 3 else ("harvest" if total <= 1 else "selective")


def unknown_note(unknown: Mapping[str, str], lang: str) -> str:
    """One segment's unknown factors in words: "Our share unknown: no supplier recorded for these accounts; …"."""
    return "; ".join(
        t("segments.unknown.note", lang, factor=t(f"segments.factor.{f}", lang), reason=t(f"segments.unknown.{reason}", lang))
        for f, reason in unknown.items()
    )
