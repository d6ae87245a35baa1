"""Bottom-up market sizing: TAM, SAM and SOM from the segment's accounts and their expected annual contract value.

TAM = the sum of the accounts' expected annual contract values; SAM = TAM × serviceable
share; SOM = SAM × obtainable share. Each figure carries a ± sensitivity band.

Where a contract value comes from (`ContractValue`):

- constant (the default): one value per account. Until someone edits it, it is the
  segment's median won deal, else VANTAGE_SEGMENT_ACV;
- share: a share of a numeric column of `accounts` (read from the table, so a column
  added later is offered too), e.g. 0.5 % of annual revenue. Money columns (those the
  entity registry gives a currency field) are converted to EUR at the newest rate of
  their currency; an account without a value or without a rate is counted and reported,
  never valued at 0;
- deals: the median won deal (the median, not the mean: a few very large contracts
  would lift a mean for every corner shop) of accounts in the same employee band;
  accounts whose band has no won deal, or without an employee count, take the median of
  all won deals, and the text says how many did.

The other assumptions are stored with the segment and default to 60 % serviceable, our
current share of served accounts as obtainable (at least 5 %), and ±20 %. A `Valuation`
says in words which source was used and how many accounts it valued (`contract_text`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from research import config
from research.data.dependents import money_fields
from research.data.entities import get_entity
from research.errors import ValidationError
from research.i18n import MESSAGES, fmt_money_round, fmt_number, fmt_percent, keyed_error, t
from research.segments.profile import base_sql
from research.segments.rules import BASE_COLUMNS, Compiled
from research.store import Store, quote_ident

DEFAULT_SAM_SHARE = 0.6
DEFAULT_SENSITIVITY = 0.2
MIN_SOM_SHARE = 0.05

CONTRACT_SOURCES = ("constant", "share", "deals")
DEFAULT_SHARE_COLUMN = "annual_revenue"
# Columns of `accounts` that are bookkeeping, never an amount to take a share of.
_NOT_AMOUNTS = frozenset({"id", "version", "supplier_company_id"})
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "FLOAT", "DOUBLE", "REAL")

# The newest rate per currency (units per EUR), as research.segments.rules converts revenue;
# EUR needs none. Unlike the rules' base, a currency without a rate stays NULL: not valued.
_RATES = "SELECT currency, arg_max(per_eur, valid_on) AS per_eur FROM exchange_rates GROUP BY currency"

SHARE_SQL = """
WITH m AS (SELECT s.id FROM ({base}) s WHERE {cond}),
rates AS ({rates}),
v AS (
    SELECT CAST(x.{column} AS DOUBLE) AS amount, {currency} AS currency, {per_eur} AS per_eur
    FROM m JOIN accounts x ON x.id = m.id {join}
)
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE amount IS NULL) AS no_value,
       count(*) FILTER (WHERE amount IS NOT NULL AND per_eur IS NULL) AS no_rate,
       list(DISTINCT currency) FILTER (WHERE amount IS NOT NULL AND per_eur IS NULL) AS missing_rates,
       coalesce(sum(amount / per_eur), 0) AS total
FROM v
"""

# Won deals in EUR by the employee band of their account; the grouping-set row (total = 1) is all won deals.
WON_BY_BAND_SQL = f"""
WITH rates AS ({_RATES}),
won AS (
    SELECT {BASE_COLUMNS["employee_band"]} AS band,
           CAST(d.value AS DOUBLE) / coalesce(r.per_eur, CASE WHEN d.currency = 'EUR' THEN 1 END) AS value_eur
    FROM deals d JOIN accounts a ON a.id = d.account_id
    LEFT JOIN rates r ON r.currency = d.currency
    WHERE d.outcome = 'won' AND d.value IS NOT NULL
)
SELECT band, grouping(band) AS total, median(value_eur) AS median, count(value_eur) AS deals,
       count(*) - count(value_eur) AS no_rate
FROM won GROUP BY GROUPING SETS ((band), ())
"""

MEMBERS_BY_BAND_SQL = "SELECT s.employee_band AS band, count(*) AS accounts FROM ({base}) s WHERE {cond} GROUP BY ALL"


@dataclass(frozen=True)
class Assumptions:
    acv: float
    sam_share: float
    som_share: float
    sensitivity: float
    currency: str = "EUR"


@dataclass(frozen=True)
class ContractValue:
    """Where each account's expected annual contract value comes from (see the module's docstring).

    constant: `amount` EUR per account; share: `share` (0–1) of the accounts' `column`;
    deals: the median won deal of the account's employee band.
    """

    source: str = "constant"
    amount: float | None = None
    share: float | None = None
    column: str | None = None

    def check(self) -> None:
        """Refuse what no workspace could value (the column itself is checked against the workspace)."""
        if self.source not in CONTRACT_SOURCES:
            raise ValidationError(f"The contract value comes from {', '.join(CONTRACT_SOURCES)}, not {self.source!r}.")
        if self.source == "constant":
            if self.amount is None or not math.isfinite(self.amount):
                raise keyed_error(ValidationError, "segments.error.acv_number")
            if self.amount < 0:
                raise keyed_error(ValidationError, "segments.error.acv_negative")
        if self.source == "share":
            if self.share is None or not math.isfinite(self.share):
                raise keyed_error(ValidationError, "segments.error.share_number")
            if self.share < 0:
                raise keyed_error(ValidationError, "segments.error.share_negative")
            if self.share > 1:
                raise keyed_error(ValidationError, "segments.error.share_above")
            if not self.column:
                raise keyed_error(ValidationError, "segments.error.share_column")

    def params(self) -> dict[str, Any]:
        """As a slide stores it (JSON)."""
        if self.source == "constant":
            return {"source": "constant", "amount": self.amount}
        if self.source == "share":
            return {"source": "share", "share": self.share, "column": self.column}
        return {"source": "deals"}

    @classmethod
    def from_params(cls, raw: Mapping[str, Any], *, amount: float) -> ContractValue:
        """From slide params; a constant without an amount takes `amount`."""
        source = str(raw.get("source", "constant"))
        number = lambda key: None if raw.get(key) is None else float(raw[key])  # noqa: E731
        contract = cls(source=source, amount=number("amount") if raw.get("amount") is not None else amount,
                       share=number("share"), column=None if raw.get("column") is None else str(raw["column"]))
        contract.check()
        return contract


@dataclass(frozen=True)
class Valuation:
    """A segment's accounts valued by one ContractValue: the TAM (EUR per year) and what it rests on."""

    contract: ContractValue
    accounts: int
    valued: int
    total: float
    no_value: int = 0  # share: the column is empty
    no_rate: int = 0  # share: the column's currency has no exchange rate
    missing_rates: tuple[str, ...] = ()
    converted: bool = True  # share: the column is money converted to EUR (False: taken as EUR)
    fallback: int = 0  # deals: valued at the median of all won deals
    deals: int = 0  # deals: won deals with a value in EUR the medians come from
    deals_no_rate: int = 0  # deals: won deals left out, their currency has no rate

    @property
    def mean(self) -> float | None:
        return self.total / self.valued if self.valued else None


@dataclass(frozen=True)
class Sizing:
    accounts: int
    assumptions: Assumptions
    tam: float
    sam: float
    som: float
    valuation: Valuation | None = None

    def band(self, value: float) -> tuple[float, float]:
        s = self.assumptions.sensitivity
        return value * (1 - s), value * (1 + s)

    def frame(self, lang: str | None = None) -> pd.DataFrame:
        """stage, value, low, high — ready for the funnel chart; with `lang`, also value_text, low_text
        and high_text: the amounts in EUR rounded for their size as labels read them ("€38.5m")."""
        rows = []
        for stage, value in (("TAM", self.tam), ("SAM", self.sam), ("SOM", self.som)):
            low, high = self.band(value)
            row: dict[str, object] = {"stage": stage, "value": value, "low": low, "high": high}
            if lang is not None:
                row.update({f"{k}_text": fmt_money_round(v, "EUR", lang) for k, v in (("value", value), ("low", low),
                                                                                      ("high", high))})
            rows.append(row)
        return pd.DataFrame(rows)


def default_assumptions(
    *, median_won_value: float | None, our_share: float | None, acv: float | None = None,
    sam_share: float | None = None, som_share: float | None = None, sensitivity: float | None = None,
) -> Assumptions:
    """Stored assumptions where they exist, else the defaults derived from the segment's own data."""
    if acv is None:
        acv = median_won_value if median_won_value and median_won_value > 0 else float(config.SEGMENT_ACV.value())
    if som_share is None:
        som_share = round(max(MIN_SOM_SHARE, our_share or 0.0), 2)
    return Assumptions(
        acv=float(acv),
        sam_share=DEFAULT_SAM_SHARE if sam_share is None else float(sam_share),
        som_share=float(som_share),
        sensitivity=DEFAULT_SENSITIVITY if sensitivity is None else float(sensitivity),
    )


def size_segment(accounts: int, assumptions: Assumptions, *, valuation: Valuation | None = None) -> Sizing:
    """TAM/SAM/SOM: accounts × the constant ACV, or, given a valuation, its total over the valued accounts."""
    if accounts < 0:
        raise ValidationError("A segment cannot have a negative number of accounts.")
    a = assumptions
    if a.acv < 0:
        raise keyed_error(ValidationError, "segments.error.acv_negative")
    for share in (a.sam_share, a.som_share, a.sensitivity):
        if not 0 <= share <= 1:
            raise keyed_error(ValidationError, "segments.error.shares")
    tam = accounts * a.acv if valuation is None else valuation.total
    sam = tam * a.sam_share
    return Sizing(accounts=accounts, assumptions=a, tam=tam, sam=sam, som=sam * a.som_share, valuation=valuation)


# ---- contract values -----------------------------------------------------------------------


def amount_columns(store: Store) -> dict[str, str | None]:
    """The numeric columns of `accounts` a contract value can be a share of -> the column naming
    their currency (money, converted to EUR) or None (taken as it is). Read from the table itself."""
    currencies = money_fields(get_entity("accounts"))
    rows = store.query_rows(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE table_name = 'accounts' AND schema_name = 'main' AND database_name = current_database() "
        "ORDER BY column_index"
    )
    out: dict[str, str | None] = {}
    for row in rows:
        name, kind = str(row["column_name"]), str(row["data_type"]).upper()
        if name not in _NOT_AMOUNTS and (kind in _NUMERIC_TYPES or kind.startswith("DECIMAL")):
            out[name] = currencies.get(name)
    return out


def _check_column(store: Store, column: str) -> str | None:
    """The column's currency column (or None); a clear error for an unknown or non-numeric column."""
    columns = amount_columns(store)
    if column in columns:
        return columns[column]
    known = ", ".join(columns) or "none"
    exists = store.query_value(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'accounts' AND schema_name = 'main' "
        "AND database_name = current_database() AND column_name = ?", [column],
    )
    if exists:
        raise ValidationError(f"“{column}” is not a numeric column of the accounts; numeric columns: {known}.")
    raise ValidationError(f"The accounts have no column “{column}”; numeric columns: {known}.")


def value_accounts(store: Store, condition: Compiled, contract: ContractValue) -> Valuation:
    """The segment's accounts valued by `contract`: how many, how many valued, and their total in EUR per year."""
    contract.check()
    if contract.source == "share":
        return _value_by_share(store, condition, contract)
    if contract.source == "deals":
        return _value_by_deals(store, condition, contract)
    base = base_sql(condition, "id")
    accounts = int(store.query_value(f"SELECT count(*) FROM ({base}) s WHERE {condition.sql}", condition.params))
    return Valuation(contract, accounts=accounts, valued=accounts, total=accounts * float(contract.amount or 0))


def _value_by_share(store: Store, condition: Compiled, contract: ContractValue) -> Valuation:
    column = str(contract.column)
    currency = _check_column(store, column)
    if currency is None:
        parts = {"currency": "NULL", "per_eur": "1", "join": ""}
    else:
        cur = f"x.{quote_ident(currency)}"
        parts = {"currency": cur, "per_eur": f"coalesce(r.per_eur, CASE WHEN {cur} = 'EUR' THEN 1 END)",
                 "join": f"LEFT JOIN rates r ON r.currency = {cur}"}
    sql = SHARE_SQL.format(base=base_sql(condition, "id"), cond=condition.sql, rates=_RATES,
                           column=quote_ident(column), **parts)
    row = store.query_rows(sql, condition.params)[0]
    accounts, no_value, no_rate = int(row["accounts"]), int(row["no_value"]), int(row["no_rate"])
    return Valuation(
        contract, accounts=accounts, valued=accounts - no_value - no_rate,
        total=float(contract.share or 0) * float(row["total"] or 0), no_value=no_value, no_rate=no_rate,
        missing_rates=tuple(sorted(c for c in row["missing_rates"] or [] if c)), converted=currency is not None,
    )


def _value_by_deals(store: Store, condition: Compiled, contract: ContractValue) -> Valuation:
    won = store.query_rows(WON_BY_BAND_SQL)
    overall = next((r for r in won if r["total"]), None)
    if overall is None or overall["median"] is None:
        raise keyed_error(ValidationError, "segments.error.no_won_deals")
    medians = {r["band"]: float(r["median"]) for r in won if not r["total"] and r["band"] is not None}
    members = store.query_rows(
        MEMBERS_BY_BAND_SQL.format(base=base_sql(condition, "employee_band"), cond=condition.sql), condition.params
    )
    total, fallback, accounts = 0.0, 0, 0
    for row in members:
        n = int(row["accounts"])
        accounts += n
        if row["band"] in medians:
            total += n * medians[row["band"]]
        else:
            fallback += n
            total += n * float(overall["median"])
    return Valuation(contract, accounts=accounts, valued=accounts, total=total, fallback=fallback,
                     deals=int(overall["deals"]), deals_no_rate=int(overall["no_rate"]))


# ---- in words ------------------------------------------------------------------------------


def _share_text(share: float, lang: str) -> str:
    """0.005 -> "0.5%": as many decimals as the share needs (at most three)."""
    decimals = next((d for d in range(4) if abs(round(share * 100, d) - share * 100) < 1e-9), 3)
    return fmt_percent(share, lang, decimals)


def column_label(column: str, lang: str) -> str:
    """A column as the contract text names it ("annual revenue"; any other column by its name)."""
    key = f"segments.contract.column.{column}"
    return t(key, lang) if key in MESSAGES else t("segments.contract.column", lang, column=column)


def contract_text(valuation: Valuation, lang: str) -> str:
    """Which source the contract value came from and how many accounts it valued, in words:
    "contract value: 0.5% of annual revenue (EUR), 4,812 of 5,000 accounts valued; 188 without a value"."""
    c = valuation.contract
    if c.source == "constant":
        head = t("segments.contract.constant", lang, amount=fmt_money_round(c.amount, "EUR", lang))
    elif c.source == "share":
        key = "segments.contract.share" if valuation.converted else "segments.contract.share_plain"
        head = t(key, lang, share=_share_text(float(c.share or 0), lang), column=column_label(str(c.column), lang))
    else:
        head = t("segments.contract.deals", lang, deals=fmt_number(valuation.deals, lang))
    details = []
    if valuation.no_value:
        details.append(t("segments.contract.no_value", lang, n=fmt_number(valuation.no_value, lang)))
    if valuation.no_rate:
        details.append(t("segments.contract.no_rate", lang, n=fmt_number(valuation.no_rate, lang),
                         currencies=", ".join(valuation.missing_rates) or "?"))
    if valuation.fallback:
        details.append(t("segments.contract.fallback", lang, n=fmt_number(valuation.fallback, lang)))
    if valuation.deals_no_rate:
        details.append(t("segments.contract.deals_no_rate", lang, n=fmt_number(valuation.deals_no_rate, lang)))
    valued = t("segments.contract.valued", lang, valued=fmt_number(valuation.valued, lang),
               accounts=fmt_number(valuation.accounts, lang))
    return f"{head}, {valued}" + (f"; {', '.join(details)}" if details else "")
