"""Time each Compare chart on a workspace: DuckDB preparation + Altair spec (validated), as the page builds it.

    python -m research demo --db /tmp/c100.duckdb --scale 100
    python -m research compare seed-features --db /tmp/c100.duckdb
    python bench/bench_compare.py /tmp/c100.duckdb [repeats]

Prints a Markdown table: the median and worst of `repeats` cold builds per chart
(`views.chart_spec`: every query, the Altair chart and its validated `to_dict()`),
the rows that reach the spec, and the page's cached rerun (the data-version query
plus a cache hit). Exit code 1 when a chart's median is at or above the limit.
"""

from __future__ import annotations

import pickle
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from research.compare import data, views  # noqa: E402
from research.store import Store  # noqa: E402

LIMIT_MS = 500


def main(path: str, repeats: int = 7) -> int:
    store = Store.open(path)
    try:
        chosen = data.pick_companies(store, data.default_competitors(store))
        print(f"{len(chosen) - 1} competitors: {', '.join(c.name for c in chosen if not c.is_us)}\n")
        print(f"| chart | median ms | worst ms | rows in spec | cached rerun ms | under {LIMIT_MS} ms |")
        print("|---|---:|---:|---:|---:|---|")
        worst_median = 0.0
        for kind in views.CHART_KINDS:
            views.chart_spec(store, kind, chosen, "en")  # warm imports and DuckDB's caches once
            times, rows = [], 0
            for _ in range(repeats):
                started = time.perf_counter()
                built = views.chart_spec(store, kind, chosen, "en")
                times.append((time.perf_counter() - started) * 1000)
                rows = sum(len(v) for v in built.spec.get("datasets", {}).values())
            # The page's cached path: the data version query and st.cache_data's copy (a pickle round trip).
            frozen = pickle.dumps(built)
            started = time.perf_counter()
            data.data_version(store)
            pickle.loads(frozen)
            cached = (time.perf_counter() - started) * 1000
            median = statistics.median(times)
            worst_median = max(worst_median, median)
            print(f"| {kind} | {median:.0f} | {max(times):.0f} | {rows:,} | {cached:.1f} | {'yes' if median < LIMIT_MS else 'NO'} |")
    finally:
        store.close()
    return 0 if worst_median < LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/vantage-compare-100.duckdb",
                  int(sys.argv[2]) if len(sys.argv) > 2 else 7))
