"""Segmentation benchmarks on `demo --scale 100` (≈500,000 accounts).

Run from the project root:  python bench/bench_segments.py [--scale 100] [--keep DIR | --db FILE]
Prints a Markdown table. Measures, side by side in one run, a rule segment's live
count + profile in DuckDB against the same profile in pandas on the same data
(already loaded in memory, so pandas pays no load time), then k-means with a
suggested k on every account × 6 features, the attractiveness factors, prospect
scoring, saving clusters and a CSV export. The workspace goes to a temporary folder
that is removed afterwards unless --keep names one; --db runs on an existing workspace
(e.g. one built by `python -m research demo --scale 100`) and leaves it in place.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from benchkit import print_table  # noqa: E402
from research import config, demo  # noqa: E402
from research.segments import attractiveness, clustering, export, profile, prospects, saved  # noqa: E402
from research.segments.rules import compile_rule  # noqa: E402
from research.store import Store  # noqa: E402

RULE = {
    "op": "and",
    "items": [
        {"field": "region", "in": ["Western Balkans"]},
        {"field": "industry", "in": ["Automotive", "Chemicals", "Electronics", "Construction materials"]},
        {"field": "status", "in": ["prospect"]},
        {"field": "employees", "min": 250},
    ],
}
ROUNDS = 25  # interleaved DuckDB / pandas rounds of the profile comparison
FEATURES = ["employees", "annual_revenue", "relationship_years", "deals", "industry", "region"]


def median_time(fn, repeat: int = 5) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def pandas_profile(accounts: pd.DataFrame, deals: pd.DataFrame, companies: pd.DataFrame) -> dict:
    """The same figures as profile.count_members + profile.profile, computed in pandas (vectorised)."""
    a = accounts
    m = a[
        (a["region"] == "Western Balkans")
        & a["industry"].isin(["Automotive", "Chemicals", "Electronics", "Construction materials"])
        & (a["status"] == "prospect")
        & (a["employees"] >= 250)
    ]
    count = len(m)
    not_contacted = int(((m["status"] == "prospect") & m["contact_person"].isna() & ~m["id"].isin(deals["account_id"])).sum())
    us = int(companies.loc[companies["is_us"], "id"].min())
    sizes = {
        "accounts": len(m), "employees": m["employees"].sum(), "revenue": m["revenue_eur"].sum(),
        "customers": int((m["status"] == "customer").sum()), "prospects": int((m["status"] == "prospect").sum()),
        "lost": int((m["status"] == "lost").sum()), "not_contacted": not_contacted,
        "served": int(m["supplier_company_id"].notna().sum()), "ours": int((m["supplier_company_id"] == us).sum()),
    }
    outcome = deals.loc[deals["account_id"].isin(m["id"]), "outcome"].value_counts()
    share = (
        m["supplier_company_id"].value_counts().rename("accounts").reset_index()
        .merge(companies, left_on="supplier_company_id", right_on="id")
        .sort_values(["accounts", "name"], ascending=[False, True])
    )
    share["share"] = share["accounts"] / share["accounts"].sum()
    top = m.sort_values(["revenue_eur", "employees", "name"], ascending=[False, False, True]).head(10)
    top = top.assign(supplier=top["supplier_company_id"].map(companies.set_index("id")["name"]),
                     is_us=top["supplier_company_id"] == us)
    return {"count": count, **sizes, "won": int(outcome.get("won", 0)), "lost_deals": int(outcome.get("lost", 0)),
            "open_deals": int(outcome.get("open", 0)), "share": share, "top": top}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--db", type=Path, default=None, help="an existing workspace to measure (kept)")
    args = parser.parse_args()
    if args.db is not None:
        folder, path = args.db.parent, args.db
    else:
        folder = args.keep or Path(tempfile.mkdtemp(prefix="vantage-bench-segments-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"segments-scale{args.scale}.duckdb"
    rows: list[tuple[str, str, str]] = []
    store = Store.open(str(path))
    try:
        if demo.is_empty(store):
            summary = demo.build_demo(store, seed=42, scale=args.scale)
            rows.append(("demo generation", f"{summary.seconds:.1f} s", f"{summary.counts['accounts']:,} accounts"))
        total = profile.count_members(store, compile_rule(None))
        cond = compile_rule(RULE)

        def duck() -> tuple[int, profile.SegmentProfile]:
            # The profile carries the live count (accounts); the builder's count alone is timed below.
            p = profile.profile(store, cond)
            return p.accounts, p

        duck()  # warm the buffer pool, as a page that is already open has it warm
        started = time.perf_counter()
        accounts = store.query_df(
            "SELECT a.*, CAST(a.annual_revenue AS DOUBLE) AS revenue_eur FROM accounts a WHERE NOT archived"
        )
        deals = store.query_df("SELECT * FROM deals")
        companies = store.query_df("SELECT id, name, is_us FROM companies")
        t_load = time.perf_counter() - started
        # Interleaved, so that both sides see the same machine load.
        duck_runs, pandas_runs = [], []
        for _ in range(ROUNDS):
            t_d, (count, p) = median_time(duck, 1)
            t_p, pp = median_time(lambda: pandas_profile(accounts, deals, companies), 1)
            duck_runs.append(t_d)
            pandas_runs.append(t_p)
        t_duck, t_pandas = statistics.median(duck_runs), statistics.median(pandas_runs)
        # Both sides computed the same profile.
        for key in ("customers", "prospects", "lost", "not_contacted", "served", "ours", "won", "lost_deals", "open_deals"):
            assert pp[key] == getattr(p, key), key
        assert pp["count"] == count == p.accounts and int(pp["employees"]) == p.employees
        assert list(pp["share"]["accounts"]) == list(p.suppliers["accounts"]) and list(pp["share"]["name"]) == list(p.suppliers["company"])
        assert list(pp["top"]["id"]) == list(p.top["id"]) and list(pp["top"]["supplier"].fillna("-")) == list(p.top["supplier"].fillna("-"))
        per_round = statistics.median(tp / td for tp, td in zip(pandas_runs, duck_runs))
        rows.append(("rule segment: live count + profile, DuckDB", f"{t_duck * 1000:.1f} ms",
                     f"median of {ROUNDS} (best {min(duck_runs) * 1000:.1f} ms); {count:,} of {total:,} accounts match; one statement: count, sizes, suppliers, deals, not contacted, top 10"))
        t_count, _ = median_time(lambda: profile.count_members(store, cond))
        rows.append(("rule segment: live count only (the builder)", f"{t_count * 1000:.1f} ms", "median of 5"))
        rows.append(("same profile in pandas (data already in memory)", f"{t_pandas * 1000:.0f} ms",
                     f"median of {ROUNDS} (best {min(pandas_runs) * 1000:.0f} ms), interleaved; DuckDB is {t_pandas / t_duck:.1f}× faster "
                     f"(median of the per-round ratios {per_round:.1f}×, best/best {min(pandas_runs) / min(duck_runs):.1f}×); "
                     f"loading the frames took {t_load:.1f} s more"))

        t_compare, _ = median_time(lambda: profile.compare(store, [compile_rule({"field": "region", "in": [r]})
                                                                  for r in ("Western Balkans", "Central Europe", "South-East EU")]), 3)
        rows.append(("compare 3 segments side by side", f"{t_compare * 1000:.0f} ms", "median of 3"))

        started = time.perf_counter()
        result = clustering.cluster_accounts(store, FEATURES)
        t_cluster = time.perf_counter() - started
        rows.append(("k-means, suggested k, all accounts × 6 features", f"{t_cluster:.1f} s",
                     f"{result.rows:,} rows; silhouette scan k=2…{int(result.scan['k'].max())} on a "
                     f"{min(result.rows, config.get_int('VANTAGE_SEGMENT_SAMPLE')):,} sample; suggested k={result.suggested_k}; MiniBatchKMeans fit on all"))

        started = time.perf_counter()
        segments = saved.save_cluster_segments(
            store, "bench", names=[f"Bench {i + 1}" for i in range(result.k)],
            descriptions=[result.describe(i, "en") for i in range(result.k)],
            members=[result.members(i) for i in range(result.k)], definitions=[{} for _ in range(result.k)],
            colours=["#5D6D7E"] * result.k, overwrite=True,
        )
        rows.append(("save clusters as segments", f"{time.perf_counter() - started:.2f} s",
                     f"{result.rows:,} member rows in one transaction"))
        saved.save_rule_segment(store, "bench", name="Balkan manufacturing prospects", rule=RULE, overwrite=True)
        conds = [s.condition for s in saved.list_segments(store)]
        t_matrix, _ = median_time(lambda: attractiveness.segment_factors(store, conds), 3)
        rows.append(("attractiveness factors", f"{t_matrix * 1000:.0f} ms", f"median of 3; {len(conds)} segments"))
        t_prospects, scored = median_time(lambda: prospects.score_prospects(store, [cond]), 3)
        rows.append(("prospect scores (all prospects, top 200 shown)", f"{t_prospects * 1000:.0f} ms",
                     f"median of 3; {int(scored['scored'].iloc[0]):,} prospects scored"))
        started = time.perf_counter()
        members = export.members(store, segments[0].condition)
        data = export.to_csv_bytes(members)
        rows.append(("CSV export of the largest cluster", f"{time.perf_counter() - started:.1f} s",
                     f"{len(members):,} rows, {len(data) / 1e6:.0f} MB, every account's segments listed"))
    finally:
        store.close()
        if args.keep is None and args.db is None:
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()
    print_table(rows, (f"measurement (scale {args.scale})", "time", "notes"))


if __name__ == "__main__":
    main()
