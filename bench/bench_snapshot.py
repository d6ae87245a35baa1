"""Query snapshot benchmarks: first query after start and after a write, refreshes per table, CLI `query "select 1"`.

Run from the project root:  python bench/bench_snapshot.py [--scale 100] [--db PATH] [--repeat 3]
Prints a Markdown table. Without --db it builds the demo market at --scale in a temporary
folder (removed afterwards); with --db it works on a copy of that workspace. The background
thread looks at the workspace file once a second, so "refreshed after" includes up to 1 s of
noticing the write. Scale 1000 takes long to build; the figures in README are from scale 100.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table  # noqa: E402
from research import demo  # noqa: E402
from research.competitors import profiles, swot  # noqa: E402
from research.query.sandbox import Sandbox, close_sandbox, run_sandboxed, sandbox_for  # noqa: E402
from research.query.snapshots import snapshot_rows  # noqa: E402
from research.store import Store, quote_ident  # noqa: E402

QUERY = "SELECT count(*) AS n FROM companies"
# The snapshot path of the CLI, as every CLI query took it before the direct mode.
CLI_ON_A_SNAPSHOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); from research import cli; from research.query import commands; "
    "commands.run_direct = lambda *a, **k: None; sys.exit(cli.main(sys.argv[2:]))"
)


def wait_for(condition, limit: float = 900.0) -> float:  # noqa: ANN001
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > limit:
            raise TimeoutError("the snapshot did not arrive")
        time.sleep(0.01)
    return time.perf_counter() - started


def previous_full_copy(store: Store, folder: str) -> float:
    """The design before issue 19: the whole filtered workspace copied before the first query (ATTACH + COPY)."""
    path = os.path.join(folder, "previous.duckdb")
    started = time.perf_counter()
    with store.cursor() as cur:
        source = '"' + cur.execute("SELECT current_database()").fetchall()[0][0] + '"'
        cur.execute(f"ATTACH '{path}' AS previous_copy (READ_WRITE)")
        cur.execute("BEGIN TRANSACTION")
        tables = cur.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal"
        ).fetchall()
        cur.execute(f"COPY FROM DATABASE {source} TO previous_copy (SCHEMA)")
        for schema, table in tables:
            rows = snapshot_rows(f"{source}.{quote_ident(schema)}", schema, table)
            if rows is not None:
                params = {"audit_viewer": "", "audit_admin": False} if "$audit_viewer" in rows else None
                cur.execute(f"INSERT INTO previous_copy.{quote_ident(schema)}.{quote_ident(table)} BY NAME {rows}", params)
        cur.execute("COMMIT")
        cur.execute("DETACH previous_copy")
    seconds = time.perf_counter() - started
    os.remove(path)
    return seconds


def timed_query(store: Store) -> tuple[float, object]:
    started = time.perf_counter()
    result = run_sandboxed(store, QUERY)
    return time.perf_counter() - started, result


def after_a_write(store: Store, box: Sandbox, label: str, write, rows: list) -> None:  # noqa: ANN001
    before = box.generation
    write()
    seconds, result = timed_query(store)
    age = box.status().age_seconds() or 0.0
    rows.append((f"first query after {label}", f"{seconds * 1000:.0f} ms",
                 f"on the previous snapshot at once ({int(result.frame['n'][0])} companies; age shown {age:.1f} s)"))
    refreshed = wait_for(lambda: box.generation is not before and not box.status().preparing)
    copied = ", ".join(t for _, t in box.generation.copied)
    rows.append((f"  snapshot refreshed after {label}", f"{refreshed:.2f} s", f"copied: {copied}"))
    seconds, _ = timed_query(store)
    rows.append(("  first query on the refreshed snapshot", f"{seconds * 1000:.0f} ms", "worker started before the switch"))


def cli_seconds(args: list[str], repeat: int, env: dict[str, str]) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        out = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=900, check=False)
        runs.append(time.perf_counter() - started)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--db", help="an existing workspace (a copy is used)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each CLI measurement (median)")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="vantage-bench-snapshot-") as folder:
        path = str(Path(folder) / "workspace.duckdb")
        if args.db:
            shutil.copyfile(args.db, path)
        else:
            store = Store.open(path)
            demo.build_demo(store, seed=42, scale=args.scale)
            store.close()
        store = Store.open(path)
        prices = store.query_value("SELECT count(*) FROM price_observations")
        accounts = store.query_value("SELECT count(*) FROM accounts")
        rows.append(("previous design: full filtered copy before the first query", f"{previous_full_copy(store, folder):.2f} s",
                     f"{accounts:,} accounts, {prices:,} price observations"))

        # The app starts: the background thread prepares the snapshot.
        box = sandbox_for(store)
        started = time.perf_counter()
        box.start_background()
        prepared = wait_for(lambda: box.generation is not None)
        rows.append(("first snapshot prepared in the background (all tables)", f"{prepared:.2f} s",
                     f"{len(box.generation.tables)} table files + catalog; a worker started on it"))
        seconds, _ = timed_query(store)
        rows.append(("first query after app start, snapshot prepared", f"{seconds * 1000:.0f} ms", QUERY))

        editor = "bench"
        company = profiles.find_company(store, "Kartonaža Sava", viewer=None)
        after_a_write(store, box, "a SWOT write", lambda: swot.add_item(
            store, editor, company.id, quadrant="S", statement="Bench strength"), rows)
        account = store.query_value("SELECT min(id) FROM accounts")

        def edit_account() -> None:
            with store.transaction(editor) as tx:
                tx.update("accounts", account, {"city": "Bench city"})

        after_a_write(store, box, "an account edit", edit_account, rows)
        started = time.perf_counter()
        box.refresh()
        rows.append(("Refresh data button (deep check, nothing changed)", f"{time.perf_counter() - started:.2f} s",
                     "every large table's checksum against its copy; catalog rebuilt"))
        close_sandbox(store)

        # A query started at the very moment the app starts waits for the first snapshot.
        fresh = Sandbox(store)
        started = time.perf_counter()
        fresh.start_background()
        fresh.run(QUERY)
        rows.append(("first query started at app start (waits for the first snapshot)",
                     f"{time.perf_counter() - started:.2f} s", "the worst case: nothing prepared yet"))
        fresh.close()
        store.close()

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        base = cli_seconds([sys.executable, "-m", "research", "--version"], args.repeat, env)
        rows.append(("CLI `python -m research --version` (start-up alone)", f"{base:.2f} s", f"median of {args.repeat}"))
        direct = cli_seconds([sys.executable, "-m", "research", "query", "select 1", "--db", path], args.repeat, env)
        rows.append(('CLI `query "select 1"`, direct mode', f"{direct:.2f} s",
                     f"median of {args.repeat}; no copy: the worker reads the workspace"))
        snap = cli_seconds([sys.executable, "-c", CLI_ON_A_SNAPSHOT, str(ROOT), "query", "select 1", "--db", path],
                           args.repeat, env)
        rows.append(('CLI `query "select 1"` on a snapshot (the previous path)', f"{snap:.2f} s", f"median of {args.repeat}"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print_table(rows, (f"measurement (demo scale {args.scale}; load average {load})", "time", "notes"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
