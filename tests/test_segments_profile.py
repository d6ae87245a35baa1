"""The one-statement segment profile equals the same figures computed the plain way.

`profile.profile` is the fast path (one statement over a narrow base, deals counted per
member, top accounts by `max_by`). The reference here is computed independently: the
multi-segment queries of the compare view (`sizes`, `deals`, `suppliers`, over the full
ACCOUNTS_SQL) and a plain ORDER BY … LIMIT for the top accounts. The workspace gets the
awkward cases first: unknown revenue and employees, another currency, archived accounts
with deals, a prospect whose only deal is lost, and ties in the top list.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from research.segments import profile, saved
from research.segments.rules import ACCOUNTS_SQL, Compiled, accounts_sql, compile_rule, condition_columns
from research.store import Store

RULES = [
    None,  # every account
    {"field": "country", "in": ["RS"]},
    {"op": "and", "items": [
        {"field": "region", "in": ["Western Balkans"]},
        {"field": "industry", "in": ["Automotive", "Chemicals", "Electronics"]},
        {"field": "status", "in": ["prospect"]},
        {"field": "employees", "min": 250},
    ]},
    {"op": "or", "items": [
        {"op": "and", "items": [{"field": "country", "in": ["AT"]}]},
        {"op": "and", "items": [{"field": "supplier", "in": [0]}, {"field": "industry", "not_in": ["Pharma"]}]},
    ]},
    {"op": "and", "items": [{"field": "revenue_band", "in": ["lt2m", "2m_10m"]}, {"field": "owner", "not_in": [""]}]},
    {"field": "revenue_eur", "min": 5_000_000, "max": 80_000_000},
    {"field": "employee_band", "in": ["1000plus"]},
    {"field": "industry", "in": ["No such industry"]},  # matches nothing
]


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory, demo_workspace_file: Path):
    """The demo workspace with the cases the demo data lacks."""
    path = tmp_path_factory.mktemp("awkward") / "workspace.duckdb"
    path.write_bytes(demo_workspace_file.read_bytes())
    store = Store.open(str(path))
    rs = [r["id"] for r in store.query_rows("SELECT id FROM accounts WHERE country = 'RS' ORDER BY id LIMIT 12")]
    best = store.query_rows(
        "SELECT id, annual_revenue, employees FROM accounts WHERE country = 'RS' ORDER BY annual_revenue DESC LIMIT 1"
    )[0]
    with store.transaction("test") as tx:
        tx.update("accounts", rs[0], {"annual_revenue": None})
        tx.update("accounts", rs[1], {"employees": None})
        tx.update("accounts", rs[2], {"annual_revenue": None, "employees": None})
        tx.update("accounts", rs[3], {"revenue_currency": "RSD"})
        tx.update("accounts", rs[4], {"archived": True})
        tx.insert("deals", {"account_id": rs[4], "outcome": "won", "value": 1000})
        # a prospect with no contact whose only deal was lost: contacted after all
        tx.update("accounts", rs[5], {"status": "prospect", "contact_person": None})
        tx.insert("deals", {"account_id": rs[5], "outcome": "lost", "value": 500})
        # three-way tie at the top on revenue and employees: the lower ids win, names order the display
        for i, rid in enumerate(rs[6:9]):
            tx.update("accounts", rid, {"annual_revenue": best["annual_revenue"] * 3, "employees": best["employees"],
                                        "name": f"Tie {3 - i}", "revenue_currency": "EUR"})
        # same revenue, one more employee: first, although its id is the highest of the four
        tx.update("accounts", rs[9], {"annual_revenue": best["annual_revenue"] * 3, "employees": best["employees"] + 1,
                                      "name": "Tie 9 more staff", "revenue_currency": "EUR"})
    yield store
    store.close()


def reference(store: Store, cond: Compiled, top: int = profile.TOP_ACCOUNTS) -> profile.SegmentProfile:
    size = profile.sizes(store, [cond]).iloc[0]
    deal = profile.deals(store, [cond]).iloc[0]
    share = profile.suppliers(store, [cond]).drop(columns="seg").reset_index(drop=True)
    us = store.query_value("SELECT min(id) FROM companies WHERE is_us")
    share["is_us"] = share["company_id"] == us
    picked = store.query_df(
        f"""SELECT s.id, s.name, s.country, s.industry, s.employees, s.revenue_eur, s.status, c.name AS supplier,
                   coalesce(s.supplier_id = ?, FALSE) AS is_us
            FROM ({ACCOUNTS_SQL}) s LEFT JOIN companies c ON c.id = s.supplier_id
            WHERE {cond.sql}
            ORDER BY coalesce(s.revenue_eur, -1) DESC, coalesce(s.employees, -1) DESC, s.id LIMIT ?""",
        [us, *cond.params, top],
    )
    shown = picked.assign(_r=picked["revenue_eur"].fillna(-1), _e=picked["employees"].fillna(-1))
    shown = shown.sort_values(["_r", "_e", "name"], ascending=[False, False, True]).drop(columns=["_r", "_e"])
    return profile.SegmentProfile(
        accounts=int(size["accounts"]), employees=int(size["employees"]), revenue_eur=float(size["revenue_eur"]),
        customers=int(size["customers"]), prospects=int(size["prospects"]), lost=int(size["lost"]),
        not_contacted=int(size["not_contacted"]), served=int(size["served"]), ours=int(size["ours"]),
        won=int(deal["won"]), lost_deals=int(deal["lost_deals"]), open_deals=int(deal["open_deals"]),
        suppliers=share, top=shown.reset_index(drop=True),
    )


def assert_same(fast: profile.SegmentProfile, ref: profile.SegmentProfile) -> None:
    for name in ("accounts", "employees", "customers", "prospects", "lost", "not_contacted", "served", "ours",
                 "won", "lost_deals", "open_deals"):
        assert getattr(fast, name) == getattr(ref, name), name
    assert fast.revenue_eur == pytest.approx(ref.revenue_eur, rel=1e-12)
    cols = ["company_id", "company", "is_us", "price_positioning", "accounts", "share"]
    pd.testing.assert_frame_equal(fast.suppliers[cols], ref.suppliers[cols], check_dtype=False)
    pd.testing.assert_frame_equal(fast.top, ref.top[fast.top.columns], check_dtype=False)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: "all" if r is None else str(r)[:40])
def test_profile_equals_the_reference(awkward: Store, rule) -> None:
    cond = compile_rule(rule)
    fast, ref = profile.profile(awkward, cond), reference(awkward, cond)
    assert_same(fast, ref)
    assert fast.accounts == profile.count_members(awkward, cond)


def test_the_awkward_cases_are_really_covered(awkward: Store) -> None:
    rs = profile.profile(awkward, compile_rule({"field": "country", "in": ["RS"]}))
    assert rs.accounts > 0 and rs.top["revenue_eur"].isna().sum() == 0  # unknown revenue sorts last
    # revenue tie: more employees first; then a full tie, shown by name
    assert list(rs.top["name"][:4]) == ["Tie 9 more staff", "Tie 1", "Tie 2", "Tie 3"]
    all_top = profile.profile(awkward, compile_rule(None), top=3)
    # of the three full ties only two fit: the lower ids (Tie 3 < Tie 2 < Tie 1), shown by name
    assert list(all_top.top["name"]) == ["Tie 9 more staff", "Tie 2", "Tie 3"]
    everything = profile.profile(awkward, compile_rule(None), top=100_000)
    assert everything.top["revenue_eur"].isna().sum() == 2 and len(everything.top) == everything.accounts


def test_cluster_segments_and_full_base_conditions_profile_the_same(awkward: Store) -> None:
    ids = [r["id"] for r in awkward.query_rows("SELECT id FROM accounts WHERE NOT archived ORDER BY id LIMIT 40")]
    [seg] = saved.save_cluster_segments(
        awkward, "test", names=["Forty"], descriptions=[""], members=[ids], definitions=[{}], colours=["#123456"],
    )
    assert_same(profile.profile(awkward, seg.condition), reference(awkward, seg.condition))
    # A condition naming a column without `s.` runs over the full base (the narrow one lacks it).
    bare = Compiled("country = ? AND s.employees >= ?", ["RS", 100])
    assert condition_columns(bare.sql) is None
    assert_same(profile.profile(awkward, bare), reference(awkward, bare))


def test_the_narrow_base_is_the_full_base_restricted() -> None:
    assert condition_columns(compile_rule({"field": "revenue_band", "in": ["lt2m"]}).sql) == {"revenue_band"}
    assert condition_columns('s."nope" = ?') is None
    narrow = accounts_sql(["id", "region"])
    assert "exchange_rates" not in narrow and "exchange_rates" in accounts_sql(["id", "revenue_eur"])
    with pytest.raises(ValueError):
        accounts_sql(["nope"])


def test_narrow_and_full_bases_hold_the_same_rows(awkward: Store) -> None:
    cols = ["id", "revenue_eur", "revenue_band", "owner_key", "supplier_key", "employee_band"]
    narrow = awkward.query_df(f"SELECT * FROM ({accounts_sql(cols)}) ORDER BY id")
    full = awkward.query_df(f"SELECT {', '.join(cols)} FROM ({ACCOUNTS_SQL}) ORDER BY id")
    pd.testing.assert_frame_equal(narrow[cols], full)
