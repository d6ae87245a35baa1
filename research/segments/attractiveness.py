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
- win_rate: won / (won + lost) deals; 0.5 when nothing was decided yet;
- capability: our mean capability score against the rivals present, weighted by their accounts
  (0.5 = level, each point of difference = 0.125).

Attractiveness and strength are the weighted means of their factors, on 0–100.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from research.errors import ValidationError
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

CAPABILITIES_SQL = """
SELECT c.id AS company_id, c.is_us, avg(cap.score) AS score
FROM capabilities cap JOIN companies c ON c.id = cap.company_id
WHERE NOT c.archived
GROUP BY ALL
"""


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    clean = {f: float(weights.get(f, DEFAULT_WEIGHTS[f])) for f in FACTORS}
    if any(v < 0 or not np.isfinite(v) for v in clean.values()):
        raise ValidationError("Factor weights cannot be negative.")
    if sum(clean[f] for f in ATTRACTIVENESS_FACTORS) == 0 or sum(clean[f] for f in STRENGTH_FACTORS) == 0:
        raise ValidationError("Give at least one attractiveness factor and one strength factor a weight above zero.")
    return clean


def segment_factors(store: Store, conditions: Sequence[Compiled]) -> pd.DataFrame:
    """One row per condition (`seg`) with the raw figures and the seven factors on 0–1."""
    frame = profile.compare(store, conditions)
    share = profile.suppliers(store, conditions)
    competitors = int(store.query_value("SELECT count(*) FROM companies WHERE NOT is_us AND NOT archived") or 0)
    caps = store.query_df(CAPABILITIES_SQL)
    our_cap = caps.loc[caps["is_us"], "score"].mean() if not caps.empty else np.nan
    rival_cap = caps[~caps["is_us"]].set_index("company_id")["score"] if not caps.empty else pd.Series(dtype=float)

    rows = []
    for seg in frame["seg"]:
        mine = share[share["seg"] == seg]
        rivals = mine[~mine["is_us"]]
        ours = int(mine.loc[mine["is_us"], "accounts"].sum())
        top_rival = int(rivals["accounts"].max()) if not rivals.empty else 0
        served = int(mine["accounts"].sum())
        premium = mine.loc[mine["price_positioning"] == "premium", "accounts"].sum()
        budget = mine.loc[mine["price_positioning"] == "budget", "accounts"].sum()
        strong = int((rivals["share"] >= STRONG_RIVAL_SHARE).sum()) if served else 0
        weights = rivals.set_index("company_id")["accounts"]
        scored = rival_cap.reindex(weights.index).dropna()
        rival_mean = float(np.average(scored, weights=weights[scored.index])) if len(scored) else np.nan
        rows.append(
            {
                "seg": seg,
                "margin": (premium - budget) / served / 2 + 0.5 if served else 0.5,
                "intensity": 1 - strong / competitors if competitors else 0.5,
                "share": ours / (ours + top_rival) if ours + top_rival else 0.0,
                "capability": (
                    float(np.clip(0.5 + (our_cap - rival_mean) / 8, 0, 1))
                    if np.isfinite(our_cap) and np.isfinite(rival_mean) else 0.5
                ),
                "top_rival": rivals.iloc[0]["company"] if not rivals.empty else None,
            }
        )
    frame = frame.merge(pd.DataFrame(rows), on="seg", how="left")
    biggest = frame["accounts"].max()
    frame["size"] = frame["accounts"] / biggest if biggest else 0.0
    recent, prior = frame["deals_recent"].astype(float), frame["deals_prior"].astype(float)
    growth = np.where(prior > 0, recent / prior.where(prior > 0, 1) - 1, np.where(recent > 0, 1.0, 0.0))
    frame["growth_rate"] = np.where(prior > 0, growth, np.nan)
    frame["growth"] = np.clip(0.5 + growth / 2, 0, 1)
    frame["win_rate_factor"] = frame["win_rate"].fillna(0.5)
    return frame


def score(frame: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Attractiveness and strength (0–100) from the factors and weights; cheap, so sliders rerun it live."""
    w = check_weights(weights)
    out = frame.copy()
    values = {f: out["win_rate_factor"] if f == "win_rate" else out[f] for f in FACTORS}
    a_total = sum(w[f] for f in ATTRACTIVENESS_FACTORS)
    s_total = sum(w[f] for f in STRENGTH_FACTORS)
    out["attractiveness"] = 100 * sum(w[f] * values[f] for f in ATTRACTIVENESS_FACTORS) / a_total
    out["strength"] = 100 * sum(w[f] * values[f] for f in STRENGTH_FACTORS) / s_total
    out["zone"] = [zone(a, s) for a, s in zip(out["attractiveness"], out["strength"])]
    return out


def zone(attractiveness: float, strength: float) -> str:
    """invest (top-right), harvest (bottom-left) or selective (the diagonal) — GE-McKinsey's three zones."""
    level = lambda v: 2 if v >= HIGH else (0 if v < LOW else 1)  # noqa: E731
    total = level(attractiveness) + level(strength)
    return "invest" if total >= 3 else ("harvest" if total <= 1 else "selective")
