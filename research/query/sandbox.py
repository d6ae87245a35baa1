"""The query sandbox: user SQL runs in worker processes on a hardened, read-only snapshot of the workspace.

Design (docs/QUERY.md): the app's own DuckDB instance stays unhardened, because
other features need files (imports read Parquet, exports write files). So a
consistent snapshot of the workspace is copied from the app's connection into a
private temp folder (`ATTACH` + `COPY FROM DATABASE` + `DETACH`), and each user
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
import os
import select
import shutil
import struct
import subprocess
import sys
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
from research.access import Actor, hidden_audit_rows, require
from research.config import PROJECT_ROOT
from research.errors import QueryError, QueryRefused, QueryTimeout
from research.query.statements import StatementInvalid, StatementRefused, check_read_only
from research.store import Store

GRACE_SECONDS = 5.0  # after the time limit, the worker gets this long to answer before it is killed
START_SECONDS = 30.0  # a worker that is not ready by then is broken
QUEUE_SECONDS = 2.0  # how long a run waits for a free slot before it is refused
_HEADER = struct.Struct(">I")


def default_timeout() -> float:
    return config.get_float("VANTAGE_QUERY_TIMEOUT") or 10.0


def display_rows() -> int:
    return config.get_int("VANTAGE_QUERY_MAX_ROWS")


def export_rows() -> int:
    return config.get_int("VANTAGE_QUERY_EXPORT_ROWS")


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
    return table.to_pandas()


class _Worker:
    """One sandbox process bound to one snapshot file."""

    def __init__(self, snapshot: Snapshot, temp_dir: str) -> None:
        self.snapshot = snapshot
        settings = {
            "temp_dir": temp_dir,
            "memory_limit": config.get("VANTAGE_QUERY_MEMORY"),
            "threads": config.get_int("VANTAGE_QUERY_THREADS"),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("VANTAGE_")}
        env["PYTHONPATH"] = str(PROJECT_ROOT)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "research.query.worker", snapshot.path, json.dumps(settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=temp_dir,
            env=env,
        )
        self._buffer = b""
        ready = json.loads(self._read_frame(time.monotonic() + START_SECONDS))
        if not ready.get("ok"):
            self.kill()
            raise QueryError(f"The query sandbox could not start: {ready.get('message')}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()

    def _read_exact(self, size: int, deadline: float) -> bytes:
        fd = self.proc.stdout.fileno()
        chunks = [self._buffer] if self._buffer else []
        have = len(self._buffer)
        self._buffer = b""
        while have < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, max(size - have, 1 << 16))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            have += len(chunk)
        data = b"".join(chunks)
        self._buffer = data[size:]
        return data[:size]

    def _read_frame(self, deadline: float) -> bytes:
        (size,) = _HEADER.unpack(self._read_exact(_HEADER.size, deadline))
        return self._read_exact(size, deadline)

    def run(self, request: dict[str, Any], deadline: float) -> tuple[dict[str, Any], pa.Table | None]:
        payload = json.dumps(request).encode()
        self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
        self.proc.stdin.flush()
        header = json.loads(self._read_frame(deadline))
        if not header.get("ok"):
            return header, None
        with pa.ipc.open_stream(self._read_frame(deadline)) as reader:
            return header, reader.read_all()


class Sandbox:
    """The snapshot and warm workers of one workspace store; thread-safe."""

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)  # the sandbox must not keep a dropped store alive
        self._lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._dir = tempfile.mkdtemp(prefix="vantage-query-")
        os.chmod(self._dir, 0o700)
        self._snapshot: Snapshot | None = None
        self._generation = 0
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._slots = threading.BoundedSemaphore(max(1, config.get_int("VANTAGE_QUERY_CONCURRENCY")))
        self._closed = False

    # ---- snapshot ------------------------------------------------------------------------

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
                source = cur.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
                cur.execute(f"ATTACH '{path}' AS {alias} (READ_WRITE)")
                try:
                    cur.execute(f'COPY FROM DATABASE "{source}" TO {alias}')
                    # Private notes and role assignments stay out of user SQL (docs/ACCESS.md):
                    # the snapshot is shared by everyone who queries.
                    cur.execute(f"DELETE FROM {alias}.audit_log WHERE {hidden_audit_rows(alias)}")
                    cur.execute(f"DELETE FROM {alias}.swot_items WHERE private")
                    cur.execute(f"DELETE FROM {alias}.user_roles")
                    # Private company notes (migration 0011) are blanked, and so are the notes in
                    # the companies' audit rows: every version of a company whose notes are private
                    # now, and any version that was private when it was written.
                    cur.execute(
                        f"UPDATE {alias}.audit_log SET "
                        f"before = CASE WHEN private_now OR coalesce(TRY_CAST(before ->> 'notes_private' AS BOOLEAN), false) "
                        f"THEN json_merge_patch(before, '{{\"notes\": null}}') ELSE before END, "
                        f"after = CASE WHEN private_now OR coalesce(TRY_CAST(after ->> 'notes_private' AS BOOLEAN), false) "
                        f"THEN json_merge_patch(after, '{{\"notes\": null}}') ELSE after END "
                        f"FROM (SELECT a.id AS audit_id, coalesce(c.notes_private, false) AS private_now "
                        f"      FROM {alias}.audit_log a LEFT JOIN {alias}.companies c ON a.row_id = CAST(c.id AS VARCHAR) "
                        f"      WHERE a.table_name = 'companies') AS redact "
                        f"WHERE {alias}.audit_log.id = redact.audit_id"
                    )
                    cur.execute(f"UPDATE {alias}.companies SET notes = NULL WHERE notes_private")
                finally:
                    cur.execute(f"DETACH {alias}")
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
        """Run one read statement in the sandbox; refusals and failures raise QueryError subclasses."""
        started = time.perf_counter()
        try:
            kind = check_read_only(sql)
        except StatementRefused as e:
            raise QueryRefused(str(e)) from None
        except StatementInvalid as e:
            raise QueryError(str(e)) from None
        max_rows = display_rows() if max_rows is None else max_rows
        if max_rows < 0:
            raise QueryRefused("The row limit cannot be negative.")
        timeout = default_timeout() if timeout is None else timeout
        if timeout <= 0:
            raise QueryRefused("The time limit must be more than zero seconds.")
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
            statement=kind,
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
