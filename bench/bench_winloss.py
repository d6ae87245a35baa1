"""Win/loss benchmarks: each chart of the Win/loss view (figures from the deals, the chart built and turned
into its Vega-Lite spec), each Present slide, the battlecard and the monthly report's accounts section.

Run from the project root:  python bench/bench_winloss.py [--scales 1,100] [--keep DIR]
Prints a Markdown table (figures quoted in docs/COMPETITORS.md). The issue's target: win/loss over
100,000 deals (demo scale 100) in under 500 ms per chart. A demo built before it records reasons with its
deals gets 1–3 reasons per decided deal here (noted in the table), so the reason queries have rows to join.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import run_scales, timed  # noqa: E402
from research import demo  # noqa: E402
from research.competitors import battlecard, profiles, winloss, winloss_views  # noqa: E402
from research.data.labels import labels_for  # noqa: E402
from research.present import report, views  # noqa: E402
from research.present.report.accounts import accounts_section  # noqa: E402
from research.present.model import RenderContext  # noqa: E402
from research.store import Store  # noqa: E402

# 1–3 reasons per decided deal, picked by hash: only when the demo brings none of its own.
_SYNTHETIC_REASONS = """
INSERT INTO deal_reason_links (deal_id, reason_id)
SELECT d.id, r.id FROM deals d JOIN deal_reasons r
  ON hash(d.id, r.id, 'bench') % 8 < 1 + hash(d.id, 'bench') % 3
WHERE d.outcome IN ('won', 'lost')
"""


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _reasons_note(store: Store) -> str:
    if store.query_value("SELECT count(*) FROM deal_reason_links"):
        return "the demo's reasons"
    with store.transaction("bench") as tx:
        tx.execute(_SYNTHETIC_REASONS)
    return "synthetic reasons (the demo had none)"


def bench_scale(scale: int, folder: Path, rows: list[tuple[str, str, str]]) -> None:
    path = folder / f"winloss-scale{scale}.duckdb"
    store = Store.open(str(path))
    demo.build_demo(store, seed=42, scale=scale)
    try:
        source = _reasons_note(store)
        deals = int(store.query_value("SELECT count(*) FROM deals"))
        links = int(store.query_value("SELECT count(*) FROM deal_reason_links"))
        rival = profiles.find_company(store, "PackPro International")
        note = f"{deals:,} deals, {links:,} reasons ({source})"
        charts: list[tuple[str, Callable[[], object]]] = [
            ("KPIs (totals)", lambda: winloss.totals(store)),
            ("chart: win rate per competitor", lambda: winloss_views.competitors_view(store, "en").chart.to_dict()),
            ("chart: win rate by industry", lambda: winloss_views.segments_view(store, "industry", "en").chart.to_dict()),
            ("chart: win rate by revenue band, against one", lambda: winloss_views.segments_view(
                store, "revenue_band", "en", competitor_id=rival.id).chart.to_dict()),
            ("chart: win rate by month", lambda: winloss_views.trend_view(store, "month", "en").chart.to_dict()),
            ("chart: win rate by quarter, Serbian", lambda: winloss_views.trend_view(store, "quarter", "sr").chart.to_dict()),
            ("chart: reasons per competitor (lost)", lambda: winloss_views.reason_matrix_view(store, "lost", "en").chart.to_dict()),
            ("chart: where and why we lose to X", lambda: winloss_views.lose_to_view(store, rival, "industry", "en").chart.to_dict()),
        ]
        for name, fn in charts:
            fn()  # warm: the first call pays imports and DuckDB's first plan
            rows.append((f"{name}, scale {scale}", ms(timed(fn)), f"median of 5; {note}"))
        ctx = RenderContext(language="sr")
        slides = {
            "competitors.winloss": {}, "competitors.winloss_segments": {"breakdown": "region", "competitor_id": None},
            "competitors.winloss_time": {"period": "quarter", "competitor_id": rival.id},
            "competitors.reasons": {"outcome": "won"}, "competitors.lossreasons": {"company_id": rival.id, "breakdown": "industry"},
        }
        for view_id, params in slides.items():
            render = views.VIEWS[view_id].render
            seconds = timed(lambda render=render, params=params: render(store, dict(params), ctx))
            rows.append((f"slide {view_id} (Serbian), scale {scale}", ms(seconds), "median of 5; chart, native chart, table"))
        rows.append((f"battlecard with its win/loss section, scale {scale}",
                     ms(timed(lambda: battlecard.build_battlecard(store, rival.id))), "median of 5"))
        month = report.parse_month(dt.date.today().replace(day=1) - dt.timedelta(days=1))
        names = labels_for(store, "en")
        rows.append((f"report: accounts section with reasons, scale {scale}",
                     ms(timed(lambda: accounts_section(store, month, RenderContext(), "en", names))),
                     f"median of 5; {month.key}"))
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    run_scales(args, bench_scale)


if __name__ == "__main__":
    main()
