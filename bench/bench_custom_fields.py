"""Segmentation on custom fields at demo scale 100 (≈500,000 accounts), issue 15's performance targets.

Run from the project root:  python bench/bench_custom_fields.py [--scale 100] [--fresh] [--db FILE]
Prints a Markdown table. The demo workspace is built once and cached in the temporary folder
(`<tmp>/vantage-bench-custom-fields/scale<N>.duckdb`, reused by later runs; --fresh rebuilds it,
--db measures an existing workspace and leaves it in place). Three custom account fields are
added and filled for every account — profit (money, in each account's currency), margin
(percent) and tier (choice) — then the script measures:

- the builder's live count for a rule with three conditions on those fields (target < 100 ms),
  with and without the builder's per-run reading of the workspace's fields and bands (cached,
  and once more as the first click after a write, when the automatic bands are worked out again);
- the segment profile of that rule, including the summaries of the custom fields (< 300 ms);
- k-means with a suggested k on every account × 6 features, three of them custom (< 20 s).
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

from benchkit import print_table  # noqa: E402

from research import config, demo  # noqa: E402
from research.data import fields  # noqa: E402
from research.segments import bands, clustering, profile  # noqa: E402
from research.segments.rules import compile_rule, fields_of, parse_rule_text  # noqa: E402
from research.store import Store  # noqa: E402

RULE_TEXT = 'profit >= 1000000 AND margin between 5 and 20 AND tier in ("A", "B")'
FEATURES = ["employees", "annual_revenue", "profit", "margin", "tier", "region"]
ROUNDS = 15
# The fields as an import would keep them; values derived from each account's own size, with noise.
FILL_SQL = """
UPDATE accounts SET
    profit = round(annual_revenue * (0.02 + 0.12 * (hash(id, 'p') % 1000 / 1000.0)), 2),
    margin = round(2 + 30 * (hash(id, 'm') % 1000 / 1000.0), 1),
    tier = ['A', 'B', 'C', 'D'][CAST(hash(id, 't') % 4 AS INTEGER) + 1]
"""


def median_ms(fn, rounds: int = ROUNDS) -> tuple[float, float, object]:
    runs, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), min(runs), result


def prepare(store: Store, scale: int, rows: list[tuple[str, str, str]]) -> None:
    if demo.is_empty(store):
        summary = demo.build_demo(store, seed=42, scale=scale)
        rows.append(("demo generation", f"{summary.seconds:.1f} s", f"{summary.counts['accounts']:,} accounts"))
    if {f.name for f in fields.list_fields(store, "accounts")} >= {"profit", "margin", "tier"}:
        return
    started = time.perf_counter()
    fields.add_field(store, "bench", "accounts", "profit", "money", label_en="Profit", label_sr="Добит")
    fields.add_field(store, "bench", "accounts", "margin", "percent", label_en="Margin", label_sr="Маржа")
    fields.add_field(store, "bench", "accounts", "tier", "choice", label_en="Tier", label_sr="Ниво",
                     choices=["A", "B", "C", "D"])
    with store.transaction("bench") as tx:
        tx.execute(FILL_SQL).fetchall()
    rows.append(("add 3 custom fields and fill them", f"{time.perf_counter() - started:.1f} s",
                 "one audited transaction each; one UPDATE for every account"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached workspace")
    parser.add_argument("--db", type=Path, default=None, help="an existing workspace to measure (kept)")
    args = parser.parse_args()
    if args.db is not None:
        path = args.db
    else:
        folder = Path(tempfile.gettempdir()) / "vantage-bench-custom-fields"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"scale{args.scale}.duckdb"
        if args.fresh:
            for stale in (path, path.with_name(path.name + ".wal")):
                stale.unlink(missing_ok=True)
    rows: list[tuple[str, str, str]] = []
    store = Store.open(str(path))
    try:
        prepare(store, args.scale, rows)
        total = profile.count_members(store, compile_rule(None))
        workspace = fields_of(store)
        rule = parse_rule_text(RULE_TEXT, fields=workspace)
        condition = compile_rule(rule, store)
        profile.count_members(store, condition)  # warm the buffer pool, as an open page has it warm

        t_count, best, matching = median_ms(lambda: profile.count_members(store, condition))
        rows.append(("live count, 3 conditions on custom fields", f"{t_count:.1f} ms",
                     f"median of {ROUNDS} (best {best:.1f} ms); {matching:,} of {total:,} accounts; `{RULE_TEXT}`"))

        def builder_run() -> int:
            # What the builder does on every click: read the workspace's fields and bands, compile, count.
            return profile.count_members(store, compile_rule(rule, fields=fields_of(store)))

        t_builder, best, _ = median_ms(builder_run)
        rows.append(("the builder's click: fields + bands + compile + count", f"{t_builder:.1f} ms",
                     f"median of {ROUNDS} (best {best:.1f} ms); bands: "
                     + ", ".join(f"{b.field} {b.mode}" for b in bands.workspace_bands(store).values())))

        def first_click() -> int:
            bands._CACHE.clear()  # as after a write: the automatic bands read every account again
            return builder_run()

        t_first, best, _ = median_ms(first_click, 5)
        rows.append(("  the same, first click after a write (bands worked out again)", f"{t_first:.1f} ms",
                     f"median of 5 (best {best:.1f} ms); the bands are cached per workspace and data version"))

        def full_profile() -> tuple[profile.SegmentProfile, list[profile.FieldSummary]]:
            return profile.profile(store, condition), profile.field_summaries(store, condition)

        t_profile, best, (p, summaries) = median_ms(full_profile)
        rows.append(("segment profile + custom field summaries", f"{t_profile:.1f} ms",
                     f"median of {ROUNDS} (best {best:.1f} ms); {p.accounts:,} members; "
                     + "; ".join(f"{s.field.name}: {profile.summary_text(s, p.accounts, 'en')}" for s in summaries)))
        t_summaries, best, _ = median_ms(lambda: profile.field_summaries(store, condition))
        rows.append(("  of which the custom field summaries", f"{t_summaries:.1f} ms", f"median of {ROUNDS}, one statement"))

        started = time.perf_counter()
        result = clustering.cluster_accounts(store, FEATURES)
        t_cluster = time.perf_counter() - started
        rows.append(("k-means, suggested k, all accounts × 6 features (3 custom)", f"{t_cluster:.1f} s",
                     f"{result.rows:,} rows; {', '.join(FEATURES)}; scaling "
                     + ", ".join(f"{f}={m}" for f, m in result.scaling.items())
                     + f"; silhouette scan k=2…{int(result.scan['k'].max())} on a "
                       f"{min(result.rows, config.SEGMENT_SAMPLE.value()):,} sample; suggested k={result.suggested_k}"))
        for i, text in enumerate(result.descriptions("en")):
            rows.append((f"  cluster {i + 1}", f"{result.sizes[i]:,}", text))
    finally:
        store.close()
    print_table(rows, (f"measurement (scale {args.scale})", "time", "notes"))


if __name__ == "__main__":
    main()
