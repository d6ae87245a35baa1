"""What every bench script shares: a median timer, the loop over demo scales, and the Markdown table it prints."""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

Rows = list[tuple[str, str, str]]


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `repeat` calls, in seconds."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def scan_components_once() -> None:
    """Scan the installed packages for Streamlit components once per process, as a running server does.

    A server scans them once when it starts (streamlit/runtime/runtime.py); AppTest scans them at
    the first run of every new AppTest (0.2–0.5 s of reading package metadata), which a page's first
    server-side run would otherwise be charged with. tests/conftest.py does the same for the suite.
    """
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # a Streamlit without v2 components: nothing to scan
        return
    if getattr(manifest_scanner.scan_component_manifests, "cache_info", None):
        return
    scan = functools.cache(manifest_scanner.scan_component_manifests)

    def once(*args: object, **kwargs: object) -> list[object]:
        return list(scan(*args, **kwargs))

    once.cache_info = scan.cache_info  # type: ignore[attr-defined]  # marks the patch as applied
    manifest_scanner.scan_component_manifests = once
    once()  # now, before anything is timed


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str] = ("measurement", "time", "notes")) -> None:
    """Rows as a Markdown table; the second column right-aligned when it holds times."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if i == 1 and len(header) == 3 else "---" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


def run_scales(args: argparse.Namespace, bench_scale: Callable[[int, Path, Rows], None]) -> None:
    """`bench_scale(scale, folder, rows)` for each of `args.scales` ("1,100"), with workspaces in
    `args.keep` or a temporary folder removed afterwards; then the rows as a table."""
    rows: Rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for scale in (int(s) for s in args.scales.split(",")):
            bench_scale(scale, folder, rows)
    print_table(rows)
