"""Segmentation benchmarks on `demo --scale 100` (≈500,000 accounts).

Run from the project root:  python bench/bench_segments.py [--scale 100] [--keep DIR | --db FILE]
                                                         [--cluster-only] [--full-fit]
Prints a Markdown table. Measures, side by side in one run, a rule segment's live
count + profile in DuckDB against the same profile in pandas on the same data
(already loaded in memory, so pandas pays no load time), then k-means with a
suggested k on every account × 6 features, the attractiveness factors, prospect
scoring, saving clusters and a CSV export. The workspace goes to a temporary folder
that is removed afterwards unless --keep names one; --db runs on an existing workspace
(e.g. one built by `python -m research demo --scale 100`) and leaves it in place.

Clustering and saving the clusters run in a child process, as the app would run them,
so that its peak memory (ru_maxrss) is theirs alone. At `--scale 1000` (5 M accounts)
the market is above VANTAGE_SEGMENT_FIT_SAMPLE: fitted on a sample, assigned in chunks.
`--full-fit` also measures fitting on every account (the way up to issue 19:
VANTAGE_SEGMENT_FIT_SAMPLE raised above the account count), `--cluster-only` skips the
profile comparison (which loads every account into pandas: gigabytes at scale 1000).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cluster_child(path: Path) -> None:
    """In the child: cluster every account on FEATURES, then save the clusters as segments "Bench N",
    and print the times and the peak memory after each as JSON."""
    store = Store.open(str(path))
    try:
        started = time.perf_counter()
        result = clustering.cluster_accounts(store, FEATURES)
        seconds, peak = time.perf_counter() - started, _peak_mb()
        started = time.perf_counter()
        saved.save_cluster_segments(
            store, "bench", names=[f"Bench {i + 1}" for i in range(result.k)],
            descriptions=[result.describe(i, "en") for i in range(result.k)],
            members=[result.members(i) for i in range(result.k)], definitions=[{} for _ in range(result.k)],
            colours=["#5D6D7E"] * result.k, overwrite=True,
        )
        print(json.dumps({
            "seconds": seconds, "peak_mb": peak, "save_seconds": time.perf_counter() - started,
            "save_peak_mb": _peak_mb(), "rows": result.rows, "sample": result.sample, "k": result.k,
            "suggested_k": result.suggested_k, "scan_max": int(result.scan["k"].max()), "sizes": result.sizes,
        }))
    finally:
        store.close()


def run_cluster_child(path: Path, env: dict[str, str] | None = None) -> dict:
    """cluster_child in a fresh process (the caller has closed its own connection: one writer per file)."""
    done = subprocess.run(
        [sys.executable, __file__, "--cluster-child", str(path)], env={**os.environ, **(env or {})},
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"clustering child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cluster_rows(path: Path, rows: list[tuple[str, str, str]], *, full_fit: bool) -> None:
    """Clustering and saving the clusters, each run in a child process, with its peak memory."""
    runs = [("", None)]
    if full_fit:
        runs.append((" — fitted on every account (the way up to issue 19)", {"VANTAGE_SEGMENT_FIT_SAMPLE": "1000000000"}))
    for label, env in runs:
        load = os.getloadavg()[0]
        r = run_cluster_child(path, env)
        how = (f"fitted and described from a {r['sample']:,}-account sample, every account assigned in chunks of "
               f"{config.SEGMENT_CHUNK.value():,}" if r["sample"] else "fitted on every account")
        scan = min(r["rows"], config.SEGMENT_SAMPLE.value())
        notes = (f"peak memory {r['peak_mb']:,.0f} MB (child process); {r['rows']:,} rows; silhouette scan "
                 f"k=2…{r['scan_max']} on a {scan:,} sample; suggested k={r['suggested_k']}; {how}; "
                 f"load average {load:.1f} on {os.cpu_count()} cores")
        rows.append((f"k-means, suggested k, all accounts × 6 features{label}", f"{r['seconds']:.1f} s", notes))
        rows.append((f"save clusters as segments{label}", f"{r['save_seconds']:.2f} s",
                     f"{r['rows']:,} member rows in one transaction; peak memory {r['save_peak_mb']:,.0f} MB"))


def profile_rows(store: Store, rows: list[tuple[str, str, str]]) -> None:
    """A rule segment's live count and profile in DuckDB against the same in pandas; compare."""
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


def segment_rows(store: Store, rows: list[tuple[str, str, str]]) -> None:
    """Attractiveness, prospect scores and an export, over the saved clusters."""
    cond = compile_rule(RULE)
    largest = next(s for s in saved.list_segments(store) if s.name == "Bench 1")
    saved.save_rule_segment(store, "bench", name="Balkan manufacturing prospects", rule=RULE, overwrite=True)
    conds = [s.condition for s in saved.list_segments(store)]
    t_matrix, _ = median_time(lambda: attractiveness.segment_factors(store, conds), 3)
    rows.append(("attractiveness factors", f"{t_matrix * 1000:.0f} ms", f"median of 3; {len(conds)} segments"))
    t_prospects, scored = median_time(lambda: prospects.score_prospects(store, [cond]), 3)
    rows.append(("prospect scores (all prospects, top 200 shown)", f"{t_prospects * 1000:.0f} ms",
                 f"median of 3; {int(scored['scored'].iloc[0]):,} prospects scored"))
    started = time.perf_counter()
    members = export.members(store, largest.condition)
    data = export.to_csv_bytes(members)
    rows.append(("CSV export of the largest cluster", f"{time.perf_counter() - started:.1f} s",
                 f"{len(members):,} rows, {len(data) / 1e6:.0f} MB, every account's segments listed"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--db", type=Path, default=None, help="an existing workspace to measure (kept)")
    parser.add_argument("--cluster-only", action="store_true", help="only clustering and saving the clusters")
    parser.add_argument("--full-fit", action="store_true", help="also cluster fitting on every account")
    parser.add_argument("--cluster-child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cluster_child is not None:
        cluster_child(args.cluster_child)
        return
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
        if not args.cluster_only:
            profile_rows(store, rows)
        store.close()  # the child process writes the clusters: one writer per workspace file
        cluster_rows(path, rows, full_fit=args.full_fit)
        store = Store.open(str(path))
        if not args.cluster_only:
            segment_rows(store, rows)
    finally:
        store.close()
        if args.keep is None and args.db is None:
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()
    print_table(rows, (f"measurement (scale {args.scale})", "time", "notes"))


if __name__ == "__main__":
    main()
