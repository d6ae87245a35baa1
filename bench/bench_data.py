"""Data-entry benchmarks: a 1M-row CSV as a dataset (side by side with DuckDB's own read_csv),
100k accounts through the entity import (validation + duplicate check), peak memory.
The dataset CSV writes missing values as exports do (`-` and blank cells), so the figure
includes typing those columns (revenue DOUBLE, employees BIGINT), which plain read_csv skips.

Run from the project root:  python bench/bench_data.py [--rows 1000000] [--accounts 100000] [--repeat 3]
Prints a Markdown table. Each measurement runs in a fresh interpreter (peak RSS is
per process) on its own copy of a demo workspace (scale 1) in a temporary folder.
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

from research import demo  # noqa: E402
from research.store import Store  # noqa: E402

# Each job: open the workspace, time one operation, report seconds and peak RSS.
JOB = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from research.store import Store
kind, db, path = sys.argv[2], sys.argv[3], sys.argv[4]
store = Store.open(db)
# Modules load before the clock starts: the app and the CLI have them loaded already, and the
# DuckDB side of the comparison pays no imports either.
from research.data import entities, imports, mapping, reading  # noqa: F401
from research.data.datasets import import_dataset
started = time.perf_counter()
extra = {}
if kind == "dataset":
    extra["rows"] = import_dataset(store, "bench", path, "bench").rows
elif kind == "duckdb":
    with store.cursor() as cur:
        cur.execute("CREATE TABLE ds_duckdb AS SELECT * FROM read_csv(?)", [path])
        extra["rows"] = cur.execute("SELECT count(*) FROM ds_duckdb").fetchone()[0]
else:
    from research.data import entities, imports, mapping, reading
    entity = entities.get_entity("accounts")
    raw = reading.read_upload(open(path, "rb").read(), "accounts.csv")
    plan = imports.prepare_import(store, entity, raw, mapping.suggest_mapping(entity, raw.columns))
    checked = time.perf_counter() - started
    assert not plan.problems, plan.problems[:3]
    result = imports.apply_import(store, plan, "bench", duplicates="import")
    extra = {"rows": result.inserted, "checked_s": checked, "duplicates": len(plan.duplicates)}
extra["seconds"] = time.perf_counter() - started
if kind == "dataset":  # what the timed import made of the file's columns
    with store.cursor() as cur:
        extra["types"] = dict(cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                                          "WHERE table_name = 'ds_bench'").fetchall())
store.close()
extra["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(extra))
"""


def run_job(kind: str, db: Path, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", JOB, str(ROOT), kind, str(db), str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_dataset_csv(path: Path, rows: int) -> None:
    """As exports write them: revenue `-` where unknown (1 row in 20), employees blank (1 in 10)."""
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT i AS id, 'Company ' || (i % 50000) AS "Company name", ['RS','HR','SI','HU'][(i % 4) + 1] AS country,
                     CASE WHEN i % 20 = 7 THEN '-' ELSE round((i % 100000) / 7.0, 2)::VARCHAR END AS "Revenue €",
                     CASE WHEN i % 10 = 3 THEN NULL ELSE 5 + i % 900 END AS employees,
                     DATE '2020-01-01' + (i % 2000)::INT AS "Visit date",
                     i % 5 = 0 AS flag, 'note ' || (i % 97) AS note
              FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


# What the dataset import must make of make_dataset_csv's file (the figure measures that work).
DATASET_TYPES = {"id": "BIGINT", "company_name": "VARCHAR", "country": "VARCHAR", "revenue": "DOUBLE",
                 "employees": "BIGINT", "visit_date": "DATE", "flag": "BOOLEAN", "note": "VARCHAR"}


def make_accounts_csv(path: Path, rows: int) -> None:
    """Semicolons, decimal commas, dd.mm.yyyy dates, Cyrillic and Latin names, UTF-8 with BOM."""
    con = duckdb.connect()
    con.execute(f"""
        COPY (SELECT CASE WHEN i % 3 = 0 THEN 'Млекара ' ELSE 'Kupac ' END || i || ' d.o.o.' AS "Назив",
                     'RS' || lpad((100000000 + i)::VARCHAR, 9, '0') AS "ПИБ",
                     ['RS','HR','SI','HU','BA'][(i % 5) + 1] AS "Држава",
                     ['Beograd','Zagreb','Ljubljana','Budapest','Sarajevo'][(i % 5) + 1] AS "Град",
                     ['Logistics','Chemicals','Pharma','Food & beverage'][(i % 4) + 1] AS "Делатност",
                     (i % 900) + 5 AS "Број запослених",
                     replace(printf('%.2f', (i % 10000) * 1234.5), '.', ',') AS "Приход",
                     ['купац','prospect','lost'][(i % 3) + 1] AS "Статус",
                     strftime(DATE '2020-01-01' + (i % 1500)::INT, '%d.%m.%Y') AS "Први контакт"
              FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ';')""")
    con.close()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vantage-bench-data-") as tmp:
        folder = Path(tmp)
        base = folder / "base.duckdb"
        store = Store.open(str(base))
        demo.build_demo(store, seed=42, scale=1)
        store.close()
        dataset_csv, accounts_csv = folder / "dataset.csv", folder / "accounts.csv"
        make_dataset_csv(dataset_csv, args.rows)
        make_accounts_csv(accounts_csv, args.accounts)
        results: dict[str, list[dict]] = {"dataset": [], "duckdb": [], "entity": []}
        for i in range(args.repeat):
            for kind in ("duckdb", "dataset"):  # side by side, alternating
                db = folder / f"{kind}{i}.duckdb"
                shutil.copyfile(base, db)
                results[kind].append(run_job(kind, db, dataset_csv))
        for i in range(max(1, args.repeat - 1)):
            db = folder / f"entity{i}.duckdb"
            shutil.copyfile(base, db)
            results["entity"].append(run_job("entity", db, accounts_csv))

    if results["dataset"] and results["dataset"][0]["types"] != DATASET_TYPES:
        raise SystemExit(f"dataset import typed the bench file as {results['dataset'][0]['types']}")

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    ours, theirs = median("dataset", "seconds"), median("duckdb", "seconds")
    print(f"| measure ({args.rows:,}-row CSV, {args.accounts:,} accounts; median of runs) | result | target |")
    print("|---|---|---|")
    print(f"| dataset import (`import dataset`) | {ours:.2f} s | < 5 s |")
    print(f"| DuckDB `CREATE TABLE … AS SELECT * FROM read_csv` | {theirs:.2f} s | – |")
    print(f"| ratio ours / DuckDB | {ours / theirs:.2f}× | ≤ 1.5× |")
    print(f"| peak memory, dataset import | {median('dataset', 'peak_rss_mb'):.0f} MB | < 1 GB |")
    print(f"| entity import: read + map + validate + duplicate check | {median('entity', 'checked_s'):.2f} s | – |")
    print(f"| entity import total (+ insert + audit rows, one transaction) | {median('entity', 'seconds'):.2f} s | < 15 s |")
    print(f"| peak memory, entity import | {median('entity', 'peak_rss_mb'):.0f} MB | – |")
    print(f"| possible duplicates found among the {args.accounts:,} | {results['entity'][0]['duplicates']:,} | – |")


if __name__ == "__main__":
    main()
