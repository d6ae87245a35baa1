"""The member preview picks its first ids over the few columns it needs, then builds those rows in full
(issue 19: 5 M accounts); it must list exactly the rows the one-pass export lists first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from research.data import fields
from research.segments import export
from research.segments.rules import compile_rule
from research.store import Store

RULES = [
    {"op": "and", "items": []},
    {"op": "and", "items": [{"field": "region", "in": ["Western Balkans"]}, {"field": "employees", "min": 50}]},
    {"op": "or", "items": [{"field": "industry", "in": ["Pharma"]}, {"field": "status", "in": ["lost"]}]},
    {"op": "and", "items": [{"field": "fortune_rank", "max": 40}]},
]


@pytest.mark.parametrize("rule", RULES)
def test_the_preview_lists_the_same_first_members_as_one_pass(demo_copy: Path, rule: dict) -> None:
    store = Store.open(str(demo_copy))
    try:
        fields.add_field(store, "ana", "accounts", "fortune_rank", "int")
        with store.transaction("ana") as tx:
            tx.execute("UPDATE accounts SET fortune_rank = id % 97 WHERE id % 3 = 0")
        condition = compile_rule(rule, store)
        preview = export.members(store, condition, limit=25)
        one_pass = export.members(store, condition, limit=export.IDS_FIRST_MAX + 1).head(25)
        assert len(preview) == min(25, len(one_pass)) > 0
        assert preview.to_dict("records") == one_pass.reset_index(drop=True).to_dict("records")
    finally:
        store.close()


# Revenues in other currencies (a rate far from 1, one without any rate, so counted as EUR), EUR
# ties broken by name, and members without a revenue: the bounded first-ids query must still list
# exactly the one-pass order.
MIXED_RULES = [
    {"op": "and", "items": []},
    {"op": "and", "items": [{"field": "status", "in": ["lost"]}]},
    {"op": "and", "items": [{"field": "fortune_rank", "max": 3}]},  # few members, most without revenue
]


@pytest.mark.parametrize("rule", MIXED_RULES)
def test_the_preview_order_holds_with_other_currencies_ties_and_missing_revenue(demo_copy: Path, rule: dict) -> None:
    store = Store.open(str(demo_copy))
    try:
        fields.add_field(store, "ana", "accounts", "fortune_rank", "int")
        with store.transaction("ana") as tx:
            tx.execute("UPDATE accounts SET fortune_rank = id % 97 WHERE id % 3 = 0")
            rate = store.query_value("SELECT arg_max(per_eur, valid_on) FROM exchange_rates WHERE currency = 'RSD'")
            assert rate is not None and rate > 50  # far from 1, so stored and EUR orders differ
            top = store.query_value("SELECT max(annual_revenue) FROM accounts WHERE revenue_currency = 'EUR'")
            # The largest stored amounts, but in dinars: small in EUR.
            tx.execute("UPDATE accounts SET revenue_currency = 'RSD', annual_revenue = ? * 10 + id WHERE id % 5 = 1",
                       [top])
            # Equal EUR revenues at the top: the name decides.
            tx.execute("UPDATE accounts SET revenue_currency = 'EUR', annual_revenue = ? * 2 WHERE id % 7 = 2", [top])
            tx.execute("UPDATE accounts SET revenue_currency = 'XTS', annual_revenue = ? WHERE id % 11 = 4", [top])
            tx.execute("UPDATE accounts SET annual_revenue = NULL WHERE id % 13 = 6 OR fortune_rank < 3")
        condition = compile_rule(rule, store)
        preview = export.members(store, condition, limit=25)
        one_pass = export.members(store, condition, limit=export.IDS_FIRST_MAX + 1).head(25)
        assert len(preview) == min(25, len(one_pass)) > 0
        pd.testing.assert_frame_equal(preview, one_pass.reset_index(drop=True))  # NaN revenues equal here
    finally:
        store.close()
