"""The query sandbox: user SQL runs in worker processes on a hardened, read-only snapshot of the workspace.

Design (docs/QUERY.md): the app's own DuckDB instance stays unhardened, because
other features need files (imports read Parquet, exports write files). So a
consistent snapshot of the workspace is copied from the app's connection into a
private temp folder (`ATTACH`, the schema, then only the rows anyone may read, `DETACH`), and each user
statement runs in a separate process that opens that snapshot read-only with
external access off, extension install/load off and the configuration locked.
The worker interrupts a statement at the time limit; the parent kills the worker
at a hard deadline a few seconds later. Warm workers are kept so a run costs a
pipe round-trip, not a process start.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import math
import numbers
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from research import config
from research.access import PRIVATE_ROWS, Actor, audit_viewer_params, require, visible_audit_log
from research.errors import QueryError, QueryRefused, QueryTimeout, ValidationError
from research.query.statements import StatementRefused, check_length
from research.store import Store, quote_ident
from research.workers import START_SECONDS, WorkerProcess

GRACE_SECONDS = 5.0  # after the time limit, the worker gets this long to answer before it is killed
QUEUE_SECONDS = 2.0  # how long a run waits for a free slot before it is refused


def max_timeout() -> float:
    """VANTAGE_QUERY_MAX_TIMEOUT: the largest time limit a run may ask for."""
    limit = config.get_float("VANTAGE_QUERY_MAX_TIMEOUT")  # finite and not negative, else ValidationError
    if limit <= 0:
        raise ValidationError("VANTAGE_QUERY_MAX_TIMEOUT must be more than 0 seconds.")
    return limit


def timeout_problem(value: object) -> str | None:
    """Why `value` cannot be a time limit in seconds, or None if it can.

    One check for every way in (CLI, run_sandboxed, the setting): `inf` overflowed the
    parent's deadline arithmetic and `nan` crashed the worker's timer.
    """
    limit = max_timeout()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = repr(value)
    elif not math.isfinite(value) or not 0 < value <= limit:
        shown = f"{value:g}"
    else:
        return None
    return f"The time limit must be more than 0 and at most {limit:g} s (VANTAGE_QUERY_MAX_TIMEOUT), not {shown}."


def default_timeout() -> float:
    """VANTAGE_QUERY_TIMEOUT, checked like a time limit given to one run."""
    text = config.get("VANTAGE_QUERY_TIMEOUT")
    try:
        value: object = float(text)
    except ValueError:
        value = text
    problem = timeout_problem(value)
    if problem:
        raise ValidationError(f"VANTAGE_QUERY_TIMEOUT is not a usable time limit: {problem}")
    return float(text)


def _positive_rows(env: str) -> int:
    rows = config.get_int(env)
    if rows < 1:
        raise ValidationError(f"{env} must be at least 1 (rows), not {rows}.")
    return rows


def display_rows() -> int:
    return _positive_rows("VANTAGE_QUERY_MAX_ROWS")


def export_rows() -> int:
    return _positive_rows("VANTAGE_QUERY_EXPORT_ROWS")


def max_rows_limit() -> int:
    """The most rows one run may fetch: the larger of the display and the export limit."""
    return max(display_rows(), export_rows())


def rows_problem(value: object) -> str | None:
    """Why `value` cannot be a row limit, or None if it can (a whole number from 1 to max_rows_limit())."""
    limit = max_rows_limit()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and 1 <= value <= limit:
        return None
    shown = f"{value:,}" if isinstance(value, numbers.Integral) and not isinstance(value, bool) else repr(value)
    return (
        f"The row limit must be a whole number from 1 to {limit:,} "
        f"(the larger of VANTAGE_QUERY_MAX_ROWS and VANTAGE_QUERY_EXPORT_ROWS), not {shown}."
    )


@dataclass(frozen=True)
class QueryResult:
    """Rows of one sandboxed run (at most `max_rows`), with how long it took and whether more existed."""

    frame: pd.DataFrame
    rows: int
    truncated: bool
    seconds: float  # wall time seen by the caller, sandbox included
    engine_seconds: float  # time DuckDB spent inside the worker
    statement: str
    snapshot_at: dt.datetime
    max_rows: int


@dataclass
class Snapshot:
    path: str
    taken_at: dt.datetime
    generation: int


def encode_params(params: Mapping[str, Any] | None) -> list[list[Any]]:
    """Parameter values as typed [name, kind, value] triples for the worker (always bound, never spliced)."""
    items: list[list[Any]] = []
    for name, value in (params or {}).items():
        if isinstance(value, dt.datetime):
            items.append([name, "datetime", value.isoformat()])
        elif isinstance(value, dt.date):
            items.append([name, "date", value.isoformat()])
        elif isinstance(value, Decimal):
            items.append([name, "number", float(value)])
        elif value is None or isinstance(value, (str, int, float, bool)):
            items.append([name, "value", value])
        else:
            raise QueryRefused(f"The value of ${name} has a type the workbench cannot bind ({type(value).__name__}).")
    return items


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A DataFrame typed like DuckDB's own `.df()`: DECIMAL as float64, not one Python Decimal per cell."""
    fields = [
        pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f for f in table.schema
    ]
    if any(pa.types.is_decimal(f.type) for f in table.schema):
        table = table.cast(pa.schema(fields))
    frame = table.to_pandas()
    # An integer column with NULLs arrives as float64; the CLI's json/csv/table output reads
    # this to write its values as integers again (research.query.commands.output_cells).
    frame.attrs["integer_columns"] = [pa.types.is_integer(f.type) for f in table.schema]
    return frame


FOLDER_PREFIX = "vantage-query-"
# Tables the snapshot leaves empty: who has which role, and everyone's query history (SQL and
# parameter values; each person sees their own in the History panel, research.query.saved.history).
EMPTY_IN_SNAPSHOT = frozenset({("main", "user_roles"), ("main", "query_history")})


def snapshot_rows(source: str, schema: str, table: str) -> str | None:
    """The SELECT that copies `table` from `source` (a quoted catalog.schema) into the shared snapshot.

    None for a table left empty. Private rows (research.access.PRIVATE_ROWS) are left out, or
    their private fields blanked; audit rows as `visible_audit_log` shows them to nobody in
    particular (bind `audit_viewer_params(None)`).
    """
    if (schema, table) in EMPTY_IN_SNAPSHOT:
        return None
    if schema == "main" and table == "audit_log":
        return f"SELECT * FROM {visible_audit_log(source)}"
    name = f"{source}.{quote_ident(table)}"
    if schema == "main" and table in PRIVATE_ROWS:
        flag, _, fields = PRIVATE_ROWS[table]
        private = f"coalesce({quote_ident(flag)}, false)"
        if not fields:
            return f"SELECT * FROM {name} WHERE NOT {private}"
        blanked = ", ".join(f"CASE WHEN {private} THEN NULL ELSE {quote_ident(f)} END AS {quote_ident(f)}" for f in fields)
        return f"SELECT * REPLACE ({blanked}) FROM {name}"
    return f"SELECT * FROM {name}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_folders(root: str | None = None) -> list[str]:
    """Remove the snapshot folders (in `root`, else the temp folder) of our own processes that are gone.

    A folder is `vantage-query-<pid>-<random>`; one whose PID is alive, whose name carries no
    PID, or that belongs to another user is left alone. Returns the folders removed.
    """
    if os.name != "posix":
        return []  # os.kill(pid, 0) is no liveness probe on Windows
    root = root or tempfile.gettempdir()
    removed: list[str] = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(FOLDER_PREFIX):
            continue
        pid_text = entry.name[len(FOLDER_PREFIX):].split("-", 1)[0]
        try:
            if not pid_text.isdigit() or not entry.is_dir(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        pid = int(pid_text)
        if pid == os.getpid() or _process_alive(pid):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        if not os.path.exists(entry.path):
            removed.append(entry.path)
    return removed


class _Worker(WorkerProcess):
    """One sandbox process bound to one snapshot file."""

    def __init__(self, snapshot: Snapshot, temp_dir: str) -> None:
        self.snapshot = snapshot
        settings = {
            "temp_dir": temp_dir,
            "memory_limit": config.get("VANTAGE_QUERY_MEMORY"),
            "threads": config.get_int("VANTAGE_QUERY_THREADS"),
        }
        super().__init__("research.query.worker", [snapshot.path, json.dumps(settings)], cwd=temp_dir)
        ready = json.loads(self.read_frame(time.monotonic() + START_SECONDS))
        if not ready.get("ok"):
            self.kill()
            raise QueryError(f"The query sandbox could not start: {ready.get('message')}")

    def run(self, request: dict[str, Any], deadline: float) -> tuple[dict[str, Any], pa.Table | None]:
        self.send(json.dumps(request).encode())
        header = json.loads(self.read_frame(deadline))
        if not header.get("ok"):
            return header, None
        with pa.ipc.open_stream(self.read_frame(deadline)) as reader:
            return header, reader.read_all()


class Sandbox:
    """The snapshot and warm workers of one workspace store; thread-safe."""

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)  # the sandbox must not keep a dropped store alive
        self._lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        # A process killed with SIGKILL leaves its folder (with a snapshot in it) behind: the
        # next sandbox removes those of dead processes, named by their PID.
        remove_stale_folders()
        self._dir = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        os.chmod(self._dir, 0o700)  # mkdtemp's default, stated: the snapshot is readable by us only
        self._snapshot: Snapshot | None = None
        self._generation = 0
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._slots = threading.BoundedSemaphore(max(1, config.get_int("VANTAGE_QUERY_CONCURRENCY")))
        self._closed = False

    # ---- snapshot ------------------------------------------------------------------------

    @property
    def folder(self) -> str:
        """The private temp folder of this sandbox's snapshots (and the workers' spill files)."""
        return self._dir

    @property
    def snapshot_at(self) -> dt.datetime | None:
        return self._snapshot.taken_at if self._snapshot else None

    def refresh(self) -> dt.datetime:
        """Take a new snapshot of the workspace now; returns its time."""
        with self._snapshot_lock:
            self._take_snapshot()
            return self._snapshot.taken_at

    def _current_snapshot(self) -> Snapshot:
        with self._snapshot_lock:
            max_age = config.get_float("VANTAGE_QUERY_SNAPSHOT_AGE")
            snap = self._snapshot
            too_old = snap is not None and max_age > 0 and (dt.datetime.now() - snap.taken_at).total_seconds() > max_age
            if snap is None or too_old or not os.path.exists(snap.path):
                self._take_snapshot()
            return self._snapshot

    def _take_snapshot(self) -> None:
        self._generation += 1
        path = os.path.join(self._dir, f"snapshot-{self._generation}.duckdb")
        alias = f"vantage_query_snapshot_{os.getpid()}_{self._generation}"
        taken_at = dt.datetime.now().replace(microsecond=0)
        store = self._store()
        if store is None:
            raise QueryError("The workspace was closed; reload the page.")
        try:
            with store.cursor() as cur:
                # The catalog is named after the file, which need not be an identifier (my-workspace).
                source = '"' + cur.execute("SELECT current_database()").fetchone()[0].replace('"', '""') + '"'
                target = path.replace("'", "''")
                cur.execute(f"ATTACH '{target}' AS {alias} (READ_WRITE)")
                try:
                    # One transaction: a consistent copy, as one COPY FROM DATABASE was.
                    cur.execute("BEGIN TRANSACTION")
                    try:
                        tables = cur.execute(
                            "SELECT schema_name, table_name FROM duckdb_tables() "
                            "WHERE database_name = current_database() AND NOT internal AND NOT temporary"
                        ).fetchall()
                        # Schema first, then only the rows anyone may read: a private text never
                        # reaches the file, so no deleted block, WAL or column statistic holds it.
                        cur.execute(f"COPY FROM DATABASE {source} TO {alias} (SCHEMA)")
                        for schema, table in tables:
                            rows = snapshot_rows(f"{source}.{quote_ident(schema)}", schema, table)
                            if rows is not None:
                                cur.execute(
                                    f"INSERT INTO {alias}.{quote_ident(schema)}.{quote_ident(table)} BY NAME {rows}",
                                    audit_viewer_params(None) if "$audit_viewer" in rows else None,
                                )
                        cur.execute("COMMIT")
                    except BaseException:
                        try:
                            cur.execute("ROLLBACK")
                        except duckdb.Error:
                            pass  # already aborted by the failure
                        raise
                finally:
                    cur.execute(f"DETACH {alias}")
            for written in (path, path + ".wal"):
                if os.path.exists(written):
                    os.chmod(written, 0o600)
        except duckdb.Error as e:
            for leftover in (path, path + ".wal"):
                if os.path.exists(leftover):
                    os.remove(leftover)
            raise QueryError(f"Could not take a snapshot of the workspace for queries: {str(e).splitlines()[0]}") from e
        old = self._snapshot
        with self._lock:
            self._snapshot = Snapshot(path, taken_at, self._generation)
            stale = [w for w in self._idle if w.snapshot is not self._snapshot]
            self._idle = [w for w in self._idle if w.snapshot is self._snapshot]
        for worker in stale:
            worker.kill()
        if old is not None:
            # Busy workers keep their open file handle; the name can go now.
            for leftover in (old.path, old.path + ".wal"):
                if os.path.exists(leftover):
                    os.remove(leftover)

    # ---- workers -------------------------------------------------------------------------

    def _checkout(self, snapshot: Snapshot) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive() and worker.snapshot is snapshot:
                    self._busy.add(worker)
                    return worker
                worker.kill()
        worker = _Worker(snapshot, self._dir)
        with self._lock:
            self._busy.add(worker)
        return worker

    def _checkin(self, worker: _Worker, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
            keep = healthy and not self._closed and worker.alive() and worker.snapshot is self._snapshot
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.kill()

    def warm(self) -> None:
        """Take the snapshot (if needed) and start one worker, so the first run is quick."""
        snapshot = self._current_snapshot()
        worker = self._checkout(snapshot)
        self._checkin(worker, True)

    # ---- running -------------------------------------------------------------------------

    def run(
        self,
        sql: str,
        params: Mapping[str, Any] | None = None,
        *,
        max_rows: int | None = None,
        timeout: float | None = None,
    ) -> QueryResult:
        """Run one read statement in the sandbox; refusals and failures raise QueryError subclasses.

        Only the length is checked here: parsing and classifying happen in the worker
        (DuckDB's parser holds the GIL; the worker has a deadline and can be killed),
        which answers a refusal with kind "refused" and a parse error with "invalid".
        """
        started = time.perf_counter()
        try:
            check_length(sql)
        except StatementRefused as e:
            raise QueryRefused(str(e)) from None
        max_rows = display_rows() if max_rows is None else max_rows
        problem = rows_problem(max_rows)
        if problem:
            raise QueryRefused(problem)
        timeout = default_timeout() if timeout is None else timeout
        problem = timeout_problem(timeout)
        if problem:
            raise QueryRefused(problem)
        max_rows, timeout = int(max_rows), float(timeout)
        request = {"sql": sql, "params": encode_params(params), "max_rows": max_rows, "timeout": timeout}
        if not self._slots.acquire(timeout=QUEUE_SECONDS):
            raise QueryRefused(
                "Too many queries are running at once on this server; try again in a moment."
            )
        try:
            snapshot = self._current_snapshot()
            worker = self._checkout(snapshot)
            healthy = False
            try:
                header, table = worker.run(request, time.monotonic() + timeout + GRACE_SECONDS)
                healthy = True
            except TimeoutError:
                raise QueryTimeout(self._timeout_message(timeout)) from None
            except (EOFError, OSError, ValueError) as e:
                raise QueryError(
                    "The query stopped the sandbox worker (it ran out of memory or crashed); "
                    "filter or aggregate more and run it again."
                ) from e
            finally:
                self._checkin(worker, healthy)
        finally:
            self._slots.release()
        if not header.get("ok"):
            if header["kind"] == "timeout":
                raise QueryTimeout(self._timeout_message(timeout))
            if header["kind"] == "refused":
                raise QueryRefused(header["message"])
            raise QueryError(header["message"])
        return QueryResult(
            frame=to_frame(table),
            rows=int(header["rows"]),
            truncated=bool(header["truncated"]),
            seconds=time.perf_counter() - started,
            engine_seconds=float(header["elapsed"]),
            statement=str(header["statement"]),
            snapshot_at=snapshot.taken_at,
            max_rows=max_rows,
        )

    @staticmethod
    def _timeout_message(timeout: float) -> str:
        return (
            f"The query was stopped after {timeout:g} s, the time limit; "
            "narrow it with WHERE, aggregate it, or add LIMIT."
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = self._idle + list(self._busy)
            self._idle = []
        for worker in workers:
            worker.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


_registry: weakref.WeakKeyDictionary[Store, Sandbox] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()
_all: weakref.WeakSet[Sandbox] = weakref.WeakSet()


def sandbox_for(store: Store) -> Sandbox:
    """The one sandbox of this store in this process (created on first use)."""
    with _registry_lock:
        sandbox = _registry.get(store)
        if sandbox is None or sandbox._closed:
            sandbox = Sandbox(store)
            _registry[store] = sandbox
            _all.add(sandbox)
            weakref.finalize(store, sandbox.close)
        return sandbox


def close_sandbox(store: Store) -> None:
    with _registry_lock:
        sandbox = _registry.pop(store, None)
    if sandbox is not None:
        sandbox.close()


@atexit.register
def _close_all() -> None:
    for sandbox in list(_all):
        sandbox.close()


def run_sandboxed(
    store: Store,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    max_rows: int | None = None,
    timeout: float | None = None,
    actor: Actor = "local",
) -> QueryResult:
    """Run one user statement in the sandbox of `store`'s workspace (editors and admins).

    `actor` is the signed-in Principal in the app; headless callers (CLI, tests) run as a
    plain name with full rights.
    """
    require(actor, "query")
    return sandbox_for(store).run(sql, params, max_rows=max_rows, timeout=timeout)


def snapshot_time(store: Store) -> dt.datetime | None:
    """When the query snapshot of this workspace was taken (None before the first run)."""
    with _registry_lock:
        sandbox = _registry.get(store)
    return sandbox.snapshot_at if sandbox else None


__all__ = [
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "Sandbox",
    "close_sandbox",
    "run_sandboxed",
    "sandbox_for",
    "snapshot_time",
]
