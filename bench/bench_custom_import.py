"""Importing 100,000 accounts whose file carries 10 extra columns, kept as custom fields (issue 15 target: < 15 s).

Run from the project root:  python bench/bench_custom_import.py [--accounts 100000] [--repeat 3]
Prints a Markdown table. Each run is a fresh interpreter on a fresh copy of a demo workspace
(scale 1) and runs the CLI's own path in-process: `import accounts FILE --keep-all` — reading,
mapping, the kinds of the ten kept columns read from their values, validation of every cell,
the duplicate check against the workspace, the new fields and the rows written with their
audit rows in one transaction.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import print_table  # noqa: E402

JOB = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from research import cli
db, path = sys.argv[2], sys.argv[3]
started = time.perf_counter()
code = cli.main(["import", "accounts", path, "--keep-all", "--duplicates", "import", "--db", db])
seconds = time.perf_counter() - started
assert code == 0, code
from research.store import Store
from research.data import fields
store = Store.open(db, read_only=True)
kept = {f.name: f.kind for f in fields.list_fields(store, "accounts")}
store.close()
print(json.dumps({"seconds": seconds, "kept": kept,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_csv(path: Path, rows: int) -> None:
    """A CRM export: the built-in fields plus ten columns no built-in field takes."""
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT 'Customer ' || i || ' Ltd' AS "Account name", 'RS' || lpad((200000000 + i)::VARCHAR, 9, '0') AS "VAT",
                     ['RS','HR','SI','HU','BA'][(i % 5) + 1] AS "Country",
                     ['Logistics','Chemicals','Pharma','Food & beverage'][(i % 4) + 1] AS "Industry",
                     (i % 900) + 5 AS "Employees", printf('%.2f', (i % 10000) * 1234.5) AS "Revenue",
                     ['customer','prospect','lost'][(i % 3) + 1] AS "Status",
                     (i % 1000) + 1 AS "Rank", printf('€%.2f', (i % 5000) * 17.5) AS "Profit (EUR)",
                     printf('%.1f%%', (i % 300) / 10.0) AS "Margin", ['A','B','C','D'][(i % 4) + 1] AS "Tier",
                     strftime(DATE '2019-01-01' + (i % 2000)::INT, '%Y-%m-%d') AS "Signed",
                     CASE WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END AS "Key account",
                     round((i % 777) / 7.0, 3) AS "Credit score", 'Note ' || (i % 97) AS "Remarks",
                     CASE WHEN i % 10 = 0 THEN '-' ELSE ((i * 7) % 400)::VARCHAR END AS "Visits",
                     'L-' || (i % 25) AS "Loyalty code"
              FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base, csv = folder / "base.duckdb", folder / "accounts.csv"
        subprocess.run([sys.executable, "-m", "research", "demo", "--db", str(base)], cwd=ROOT, check=True,
                       capture_output=True)
        make_csv(csv, args.accounts)
        runs = []
        for i in range(args.repeat):
            db = folder / f"run{i}.duckdb"
            shutil.copy(base, db)
            done = subprocess.run([sys.executable, "-c", JOB, str(ROOT), str(db), str(csv)], capture_output=True,
                                  text=True, check=False)
            if done.returncode:
                raise SystemExit(done.stderr[-3000:])
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in runs)
    rss = max(r["peak_rss_mb"] for r in runs)
    kinds = ", ".join(f"{k} {v}" for k, v in runs[0]["kept"].items())
    print_table([
        (f"import {args.accounts:,} accounts, 10 columns kept as custom fields", f"{seconds:.1f} s",
         f"median of {args.repeat}; target < 15 s; peak RSS {rss:,.0f} MB"),
        ("kept fields", str(len(runs[0]["kept"])), kinds),
    ])


if __name__ == "__main__":
    main()
