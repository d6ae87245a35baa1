"""Monthly report benchmark: build the report for the demo's last full month, export it as PPTX and Markdown.

Run from the project root:  python bench/bench_report.py [--scales 1,10] [--month 2026-10] [--keep DIR]
Prints a Markdown table (figures quoted in README). Target: the whole report (build + PPTX +
Markdown) under 15 s on the demo workspace. Workspaces go to a temporary folder that is
removed afterwards unless --keep names one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import run_scales, timed  # noqa: E402
from research import demo  # noqa: E402
from research.present.markdown import markdown_text  # noqa: E402
from research.present.model import RenderContext  # noqa: E402
from research.present.pptx import pptx_bytes  # noqa: E402
from research.present.report import build_report  # noqa: E402
from research.store import Store  # noqa: E402

TARGET_SECONDS = 15.0


def bench_scale(scale: int, month: str, folder: Path, rows: list[tuple[str, str, str]]) -> None:
    path = folder / f"report-scale{scale}.duckdb"
    store = Store.open(str(path))
    started = time.perf_counter()
    summary = demo.build_demo(store, seed=42, scale=scale)
    rows.append((f"demo generation, scale {scale}", f"{time.perf_counter() - started:.2f} s",
                 f"{summary.counts['accounts']:,} accounts, {summary.counts['price_observations']:,} prices"))
    try:
        ctx = RenderContext(language="en")
        deck = build_report(store, month, ctx)
        sizes = {"pptx": len(pptx_bytes(deck)), "md": len(markdown_text(deck).encode("utf-8"))}
        build = timed(lambda: build_report(store, month, ctx), repeat=3)
        pptx = timed(lambda: pptx_bytes(deck), repeat=3)
        md = timed(lambda: markdown_text(deck), repeat=3)
        total = timed(lambda: (pptx_bytes(d := build_report(store, month, ctx)), markdown_text(d)), repeat=3)
        serbian = timed(lambda: pptx_bytes(build_report(store, month, RenderContext(language="sr"))), repeat=3)
    finally:
        store.close()
    slides = len(deck.slides)
    rows += [
        (f"build the report ({month}), scale {scale}", f"{build * 1000:.0f} ms", f"median of 3; {slides} slides, all sections"),
        (f"PPTX export, scale {scale}", f"{pptx * 1000:.0f} ms", f"median of 3; native charts, {sizes['pptx'] / 1024:.0f} KB"),
        (f"Markdown export, scale {scale}", f"{md * 1000:.0f} ms", f"median of 3; {sizes['md'] / 1024:.0f} KB"),
        (f"report total (build + PPTX + Markdown), scale {scale}", f"{total:.2f} s",
         f"median of 3; target < {TARGET_SECONDS:.0f} s {'✓' if total < TARGET_SECONDS else '✗'}"),
        (f"report in Serbian (build + PPTX), scale {scale}", f"{serbian:.2f} s", "median of 3"),
    ]
    # What a user waits for from the shell: a fresh interpreter, imports, open, build, write.
    out = folder / f"report-scale{scale}.pptx"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "research", "report", "--db", str(path), "--month", month, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    rows.append((f"CLI `report --out FILE.pptx`, scale {scale}", f"{seconds:.2f} s",
                 f"fresh process: imports, open, build, write; target < {TARGET_SECONDS:.0f} s "
                 f"{'✓' if seconds < TARGET_SECONDS else '✗'}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--month", default="2026-10", help="the demo's last full month (default: %(default)s)")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    run_scales(args, lambda scale, folder, rows: bench_scale(scale, args.month, folder, rows))


if __name__ == "__main__":
    main()
