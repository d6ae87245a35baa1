"""What every bench script shares: a median timer and the Markdown table it prints."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `repeat` calls, in seconds."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str] = ("measurement", "time", "notes")) -> None:
    """Rows as a Markdown table; the second column right-aligned when it holds times."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if i == 1 and len(header) == 3 else "---" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
