"""The advantage summary: our top advantages and gaps per competitor, each with the data behind it.

Built from the same frames the charts draw (feature matrix, capability scores,
price index, share of served accounts), so the list always matches the charts.
Items are ranked by a comparable weight: a capability point, a feature step
(yes > partial > no) and ten index points of price each weigh 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from research.compare import data
from research.store import Store

TOP_ITEMS = 3
PRICE_MARGIN = 2.0  # index points within which prices count as level
SHARE_MARGIN = 0.01  # share of served accounts within which shares count as level


@dataclass(frozen=True)
class Item:
    """One advantage (side="advantage") or gap (side="gap") against one competitor."""

    competitor: str
    side: str
    kind: str  # feature / capability / price / share
    subject: str  # the feature, capability, category or "overall"
    ours: float | str | None
    theirs: float | str | None
    weight: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class CompetitorSummary:
    competitor: str
    advantages: list[Item]
    gaps: list[Item]
    no_data: list[str]  # kinds of evidence missing for this competitor (scores, prices, features)


def _feature_items(matrix: pd.DataFrame, competitor: str) -> list[Item]:
    if matrix.empty:
        return []
    ours = matrix[matrix["is_us"]].set_index("feature_id")
    our_values, our_ranks = ours["value"].to_dict(), ours["rank"].to_dict()
    theirs = matrix[(matrix["company"] == competitor) & matrix["edge"].notna()]
    items = []
    for feature_id, edge, feature, value, rank in zip(
        theirs["feature_id"], theirs["edge"], theirs["feature"], theirs["value"], theirs["rank"]
    ):
        weight = abs(float(our_ranks[feature_id]) - float(rank))
        items.append(Item(competitor, edge, "feature", feature, our_values[feature_id], value, weight))
    return items


def _capability_items(scores: pd.DataFrame, competitor: str) -> list[Item]:
    if scores.empty:
        return []
    ours = scores[scores["is_us"]].set_index("capability")["score"]
    theirs = scores[scores["company"] == competitor].set_index("capability")["score"]
    items = []
    for capability in sorted(ours.index.intersection(theirs.index)):
        diff = float(ours[capability]) - float(theirs[capability])
        if diff:
            side = "advantage" if diff > 0 else "gap"
            items.append(Item(competitor, side, "capability", capability, float(ours[capability]), float(theirs[capability]), abs(diff)))
    return items


def _price_items(index: pd.DataFrame, competitor: str) -> list[Item]:
    """Overall index and the category with the widest difference; above 100 they are dearer (our advantage)."""
    theirs = index[(index["company"] == competitor)]
    if theirs.empty:
        return []
    items = []
    overall = data.overall_price_index(index)
    value = float(overall.loc[overall["company"] == competitor, "price_index"].iloc[0])
    if abs(value - 100) > PRICE_MARGIN:
        side = "advantage" if value > 100 else "gap"
        items.append(Item(competitor, side, "price", "overall", 100.0, round(value, 1), abs(value - 100) / 10))
    for category, price_index in zip(theirs["category"], theirs["price_index"]):
        if abs(price_index - 100) > PRICE_MARGIN:
            side = "advantage" if price_index > 100 else "gap"
            items.append(Item(competitor, side, "price", category, 100.0, round(float(price_index), 1),
                              abs(price_index - 100) / 10 * 0.9))  # a category counts a little less than overall
    return items


def _share_items(share: pd.DataFrame, competitor: str) -> list[Item]:
    ours = share.loc[share["is_us"], "share"]
    theirs = share.loc[share["company"] == competitor, "share"]
    if ours.empty or theirs.empty or pd.isna(ours.iloc[0]) or pd.isna(theirs.iloc[0]):
        return []
    diff = float(ours.iloc[0]) - float(theirs.iloc[0])
    if abs(diff) <= SHARE_MARGIN:
        return []
    side = "advantage" if diff > 0 else "gap"
    return [Item(competitor, side, "share", "overall", float(ours.iloc[0]), float(theirs.iloc[0]), abs(diff) * 10)]


def summarize(
    matrix: pd.DataFrame,
    scores: pd.DataFrame,
    index: pd.DataFrame,
    share: pd.DataFrame,
    competitors: Sequence[str],
    *,
    top: int = TOP_ITEMS,
) -> list[CompetitorSummary]:
    """Top `top` advantages and gaps per competitor, strongest first (ties: kind, subject)."""
    result = []
    for name in competitors:
        items = (
            _feature_items(matrix, name) + _capability_items(scores, name) + _price_items(index, name) + _share_items(share, name)
        )
        items.sort(key=lambda i: (-i.weight, i.kind, i.subject))
        no_data = []
        if scores.empty or not (scores["company"] == name).any():
            no_data.append("capability")
        if index.empty or not (index["company"] == name).any():
            no_data.append("price")
        if matrix.empty or not ((matrix["company"] == name) & (matrix["value"] != "unknown")).any():
            no_data.append("feature")
        result.append(
            CompetitorSummary(
                name,
                [i for i in items if i.side == "advantage"][:top],
                [i for i in items if i.side == "gap"][:top],
                no_data,
            )
        )
    return result


def advantage_summary(
    store: Store, competitors: Sequence[str] | None = None, *, top: int = TOP_ITEMS
) -> list[CompetitorSummary]:
    """The summary straight from the workspace, for the named competitors (all when None)."""
    return summary_for(store, data.pick_companies(store, competitors), top=top)


def summary_for(store: Store, chosen: Sequence[data.Company], *, top: int = TOP_ITEMS) -> list[CompetitorSummary]:
    """The summary for chosen companies (ours among them or not; competitors are summarised)."""
    rivals = [c.name for c in chosen if not c.is_us]
    return summarize(
        data.feature_matrix(store, chosen),
        data.capability_scores(store, chosen),
        data.price_index(store, chosen),
        data.company_share(store),
        rivals,
        top=top,
    )
