"""CLI start-up: `python -m research --help`, `info` and a light command, each in a fresh interpreter.

Run from the project root:  python bench/bench_cli.py [--repeat 5]
Prints a Markdown table (median wall time of `--repeat` runs). Target (issue 16): `--help` and
`info` under 0.5 s on a 2-core machine; command modules load only for the command being run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import print_table, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.duckdb")
        subprocess.run([sys.executable, "-m", "research", "demo", "--db", db], cwd=ROOT, check=True,
                       capture_output=True)
        runs = {
            "python -m research --help": ["--help"],
            "python -m research info": ["info", "--db", db],
            "python -m research field list": ["field", "list", "--db", db],
            "python -m research segment list": ["segment", "list", "--db", db],
        }
        rows = []
        for label, argv in runs.items():
            seconds = timed(lambda argv=argv: subprocess.run([sys.executable, "-m", "research", *argv], cwd=ROOT,
                                                            check=True, capture_output=True), args.repeat)
            rows.append((label, f"{seconds:.2f} s", "fresh interpreter, median"))
    print_table(rows)


if __name__ == "__main__":
    main()
