"""What a row's values depend on in the workspace: the region of a country, the exchange rate of a currency.

A missing region is filled from the country as the workspace already uses it and,
for a country the workspace has never seen, from its UN M49 sub-region
(`research.data.regions`); only the workspace's own usage makes a different region a
contradiction. Money in a currency the workspace has no exchange rate for is refused
with the command that adds the rate: it is never taken 1:1 as EUR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from research.data.entities import Entity, Problem, problem
from research.data.regions import m49_region
from research.store.core import Store


@dataclass(frozen=True)
class WorkspaceFacts:
    """What an entity's rows depend on in the workspace: region per country, currencies with a rate."""

    regions: Mapping[str, str] = field(default_factory=dict)  # country -> region as the workspace uses it
    rated: frozenset[str] = frozenset({"EUR"})  # currencies money can be converted from (EUR needs no rate)
    checks_rates: bool = False


def money_fields(entity: Entity) -> dict[str, str]:
    """Amount field -> the field naming its currency (money the workspace converts to EUR by its rates)."""
    return {f.name: f.currency_field for f in entity.fields if f.currency_field}


def dependent_values(store: Store, entity: Entity) -> WorkspaceFacts:
    """The workspace's country -> region usage (accounts) and the currencies it has a rate for."""
    regions: dict[str, str] = {}
    if entity.table == "accounts":
        rows = store.query_rows("SELECT country, mode(region) AS region FROM accounts GROUP BY country")
        regions = {r["country"]: r["region"] for r in rows if r["country"]}
    checks = bool(money_fields(entity))
    rated = frozenset({"EUR"})
    if checks:
        rated |= {r["currency"] for r in store.query_rows("SELECT DISTINCT currency FROM exchange_rates")}
    return WorkspaceFacts(regions, rated, checks)


def rate_command(currency: str, today: dt.date | None = None) -> str:
    """The exact CLI lines that add a rate (per EUR) for `currency`; RATE is the one number to fill in."""
    day = (today or dt.date.today()).isoformat()
    return (f"printf 'currency,valid_on,per_eur\\n{currency},{day},RATE\\n' > rates.csv && "
            "python -m research import exchange_rates rates.csv")


def apply_dependent(entity: Entity, frame: pd.DataFrame, facts: WorkspaceFacts | Mapping[str, str],
                    rows: pd.Series, problems: list[Problem]) -> pd.DataFrame:
    """Fill a missing region from the country, flag a region that contradicts the workspace's usage,
    and refuse money in a currency the workspace has no exchange rate for."""
    if not isinstance(facts, WorkspaceFacts):
        facts = WorkspaceFacts(dict(facts))
    if entity.table == "accounts" and "country" in frame.columns:
        _fill_regions(frame, facts.regions, rows, problems)
    if facts.checks_rates:
        _check_rates(entity, frame, facts.rated, rows, problems)
    return frame


def _fill_regions(frame: pd.DataFrame, regions: Mapping[str, str], rows: pd.Series, problems: list[Problem]) -> None:
    countries = frame["country"].astype(object)
    known = pd.Series([regions.get(c) if isinstance(c, str) else None for c in countries], index=frame.index,
                      dtype=object)
    # A country the workspace has never seen: its UN M49 sub-region, which the file (or a later
    # edit) may override; only the workspace's own usage makes a different region a contradiction.
    fill = pd.Series([k if k is not None else (m49_region(c) if isinstance(c, str) else None)
                      for k, c in zip(known, countries)], index=frame.index, dtype=object)
    if "region" not in frame.columns:
        frame["region"] = fill
    else:
        missing = frame["region"].isna() & fill.notna()
        frame.loc[missing, "region"] = fill[missing]
        clash = frame["region"].notna() & known.notna() & (frame["region"].astype(str) != known.astype(str))
        for idx in frame.index[clash.fillna(False)]:
            problems.append(problem(int(rows[idx]), "region", str(frame.at[idx, "region"]), "data.problem.region_clash",
                                    country=frame.at[idx, "country"], region=known[idx]))
    # A required region that the country could now supply is no longer missing.
    for p in list(problems):
        if p.column == "region" and p.reason == "required":
            idx = rows.index[rows == p.row]
            if len(idx) and pd.notna(cast(Any, frame.at[idx[0], "region"])):  # stubs: .at's union > notna's
                problems.remove(p)


def _check_rates(entity: Entity, frame: pd.DataFrame, rated: frozenset[str], rows: pd.Series,
                 problems: list[Problem]) -> None:
    for amount, currency_field in money_fields(entity).items():
        if amount not in frame.columns:
            continue
        default = entity.field(currency_field).default
        if currency_field in frame.columns:
            currency = frame[currency_field].astype("string").fillna(default) if default else frame[currency_field]
        else:
            currency = pd.Series(default, index=frame.index, dtype="string")
        unrated = frame[amount].notna() & currency.notna() & ~currency.isin(rated).fillna(True)
        if not unrated.any():
            continue
        counts = currency[unrated].value_counts()
        for idx in frame.index[unrated]:
            code = str(currency[idx])
            problems.append(problem(
                int(rows[idx]), amount, f"{frame.at[idx, amount]!s} {code}", "data.problem.no_rate",
                code=code, rows=int(counts[code]), base="EUR", command=rate_command(code)))
