"""The member preview picks its first ids over the few columns it needs, then builds those rows in full
(issue 19: 5 M accounts); it must list exactly the rows the one-pass export lists first."""

from __future__ import annotations

from pathlib import Path

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
