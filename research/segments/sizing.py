"""Bottom-up market sizing: TAM, SAM and SOM from accounts × expected annual contract value.

TAM = accounts in the segment × ACV; SAM = TAM × serviceable share; SOM = SAM ×
obtainable share. Each figure carries a ± sensitivity band. The assumptions are
stored with the segment; until someone edits them they default to the segment's
median won deal (else VANTAGE_SEGMENT_ACV), 60 % serviceable, our current share
of served accounts as obtainable (at least 5 %), and ±20 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from research import config
from research.errors import ValidationError

DEFAULT_SAM_SHARE = 0.6
DEFAULT_SENSITIVITY = 0.2
MIN_SOM_SHARE = 0.05


@dataclass(frozen=True)
class Assumptions:
    acv: float
    sam_share: float
    som_share: float
    sensitivity: float
    currency: str = "EUR"


@dataclass(frozen=True)
class Sizing:
    accounts: int
    assumptions: Assumptions
    tam: float
    sam: float
    som: float

    def band(self, value: float) -> tuple[float, float]:
        s = self.assumptions.sensitivity
        return value * (1 - s), value * (1 + s)

    def frame(self) -> pd.DataFrame:
        """stage, value, low, high — ready for the funnel chart."""
        rows = []
        for stage, value in (("TAM", self.tam), ("SAM", self.sam), ("SOM", self.som)):
            low, high = self.band(value)
            rows.append({"stage": stage, "value": value, "low": low, "high": high})
        return pd.DataFrame(rows)


def default_assumptions(
    *, median_won_value: float | None, our_share: float | None, acv: float | None = None,
    sam_share: float | None = None, som_share: float | None = None, sensitivity: float | None = None,
) -> Assumptions:
    """Stored assumptions where they exist, else the defaults derived from the segment's own data."""
    if acv is None:
        acv = median_won_value if median_won_value and median_won_value > 0 else float(config.get_int("VANTAGE_SEGMENT_ACV"))
    if som_share is None:
        som_share = round(max(MIN_SOM_SHARE, our_share or 0.0), 2)
    return Assumptions(
        acv=float(acv),
        sam_share=DEFAULT_SAM_SHARE if sam_share is None else float(sam_share),
        som_share=float(som_share),
        sensitivity=DEFAULT_SENSITIVITY if sensitivity is None else float(sensitivity),
    )


def size_segment(accounts: int, assumptions: Assumptions) -> Sizing:
    if accounts < 0:
        raise ValidationError("A segment cannot have a negative number of accounts.")
    a = assumptions
    if a.acv < 0:
        raise ValidationError("The expected annual contract value cannot be negative.")
    for share in (a.sam_share, a.som_share, a.sensitivity):
        if not 0 <= share <= 1:
            raise ValidationError("Shares and the sensitivity band must be between 0 % and 100 %.")
    tam = accounts * a.acv
    sam = tam * a.sam_share
    return Sizing(accounts=accounts, assumptions=a, tam=tam, sam=sam, som=sam * a.som_share)
