"""The query sandbox: user SQL runs in worker processes on a hardened, read-only snapshot of the workspace.

Design (docs/QUERY.md): the app's own DuckDB instance stays unhardened, because
other features need files (imports read Parquet, exports write files). So the
workspace is copied, without the rows nobody else may read, into a private temp
folder (research.query.snapshots: one file per table, re-copied only when that
table changed), and each user statement runs in a separate process that opens
that snapshot read-only with external access off, extension install/load off and
the configuration locked. In the app a background thread prepares the snapshot
at start and refreshes it after writes, so a query runs at once on the newest
complete snapshot and says how old it is. The worker interrupts a statement at
the time limit; the parent kills the worker at a hard deadline a few seconds
later. Warm workers are kept so a run costs a pipe round-trip, not a process start.
"""

from __future__ import annotations

import atexit
import datetime as dt
import math
import numbers
import os
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb

from research import config
from research.access import Actor, require
from research.errors import QueryError, QueryRefused, QueryTimeout, ValidationError, VantageError
from research.query.launch import (
    FOLDER_PREFIX,
    GRACE_SECONDS,
    QueryWorker,
    private_folder,
    remove_stale_folders,
    timed_out,
)
from research.query.snapshots import EMPTY_IN_SNAPSHOT, Generation, Key, Snapshots, snapshot_rows
from research.query.statements import StatementRefused, check_length, keyed
from research.store import Store

if TYPE_CHECKING:  # loaded with the first result: the CLI's direct mode loads them while its worker starts
    import pandas as pd
    import pyarrow as pa

QUEUE_SECONDS = 2.0  # how long a run waits for a free slot before it is refused
POLL_SECONDS = 1.0  # how often the background thread looks whether the workspace file changed
REMOTE_POLL_SECONDS = 10.0  # the same for a workspace that is no local file (fingerprints every time)
FIRST_SNAPSHOT_SECONDS = 600.0  # the longest a run waits for the background thread's first snapshot


def max_timeout() -> float:
    """VANTAGE_QUERY_MAX_TIMEOUT: the largest time limit a run may ask for."""
    limit = config.QUERY_MAX_TIMEOUT.value()  # finite and not negative, else ValidationError
    if limit <= 0:
        raise keyed(ValidationError, "query.setting.timeout_max", setting=config.QUERY_MAX_TIMEOUT.env)
    return limit


def timeout_issue(value: object) -> dict[str, object] | None:
    """Why `value` cannot be a time limit in seconds (the values of `query.refused.timeout`), or None if it can.

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
    return {"limit": f"{limit:g}", "setting": config.QUERY_MAX_TIMEOUT.env, "shown": shown}


def timeout_problem(value: object) -> str | None:
    """Why `value` cannot be a time limit in seconds, in English (the CLI's usage error), or None if it can."""
    issue = timeout_issue(value)
    return None if issue is None else keyed(QueryRefused, "query.refused.timeout", **issue).message


def default_timeout() -> float:
    """VANTAGE_QUERY_TIMEOUT, checked like a time limit given to one run."""
    text = config.QUERY_TIMEOUT.raw()
    try:
        value: object = float(text)
    except ValueError:
        value = text
    issue = timeout_issue(value)
    if issue:
        raise keyed(ValidationError, "query.setting.timeout", name=config.QUERY_TIMEOUT.env, **issue)
    return float(text)


def _positive_rows(setting: config.IntSetting) -> int:
    rows = setting.value()
    if rows < 1:
        raise keyed(ValidationError, "query.setting.rows", setting=setting.env, rows=rows)
    return rows


def display_rows() -> int:
    return _positive_rows(config.QUERY_MAX_ROWS)


def export_rows() -> int:
    return _positive_rows(config.QUERY_EXPORT_ROWS)


def max_rows_limit() -> int:
    """The most rows one run may fetch: the larger of the display and the export limit."""
    return max(display_rows(), export_rows())


def rows_issue(value: object) -> dict[str, object] | None:
    """Why `value` cannot be a row limit (the values of `query.refused.rows`), or None if it can.

    A row limit is a whole number from 1 to max_rows_limit().
    """
    limit = max_rows_limit()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and 1 <= int(value) <= limit:
        return None
    shown = f"{value:,}" if isinstance(value, numbers.Integral) and not isinstance(value, bool) else repr(value)
    return {"limit": limit, "shown": shown, "max_setting": config.QUERY_MAX_ROWS.env,
            "export_setting": config.QUERY_EXPORT_ROWS.env}


def rows_problem(value: object) -> str | None:
    """Why `value` cannot be a row limit, in English (the CLI's usage error), or None if it can."""
    issue = rows_issue(value)
    return None if issue is None else keyed(QueryRefused, "query.refused.rows", **issue).message


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
            raise keyed(QueryRefused, "query.refused.bind", name=name, type=type(value).__name__)
    return items


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A DataFrame typed like DuckDB's own `.df()`: DECIMAL as float64, not one Python Decimal per cell."""
    import pyarrow as pa

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


@dataclass(frozen=True)
class SnapshotStatus:
    """What the Query page says about the data: as of when, and whether a newer snapshot is on its way."""

    as_of: dt.datetime | None  # the snapshot was last seen equal to the workspace then (None: no snapshot yet)
    taken_at: dt.datetime | None  # when the rows of the snapshot were read
    preparing: bool  # a snapshot is being built right now
    background: bool  # a background thread keeps it fresh

    def age_seconds(self, now: dt.datetime | None = None) -> float | None:
        if self.as_of is None:
            return None
        return max(0.0, ((now or dt.datetime.now()) - self.as_of).total_seconds())


def prepare_request(
    sql: str, params: Mapping[str, Any] | None, max_rows: int | None, timeout: float | None
) -> dict[str, Any]:
    """The worker request for one run, with every limit checked first (QueryRefused names what is wrong).

    Only the length is checked here: parsing and classifying happen in the worker
    (DuckDB's parser holds the GIL; the worker has a deadline and can be killed),
    which answers a refusal with kind "refused" and a parse error with "invalid".
    """
    try:
        check_length(sql)
    except StatementRefused as e:
        raise keyed(QueryRefused, e.key, **e.params) from None
    max_rows = display_rows() if max_rows is None else max_rows
    issue = rows_issue(max_rows)
    if issue:
        raise keyed(QueryRefused, "query.refused.rows", **issue)
    timeout = default_timeout() if timeout is None else timeout
    issue = timeout_issue(timeout)
    if issue:
        raise keyed(QueryRefused, "query.refused.timeout", **issue)
    return {"sql": sql, "params": encode_params(params), "max_rows": int(max_rows), "timeout": float(timeout)}


def timeout_message(timeout: float) -> str:
    return timed_out(timeout).message


def result_of(
    header: dict[str, Any], table: pa.Table | None, request: dict[str, Any], started: float, snapshot_at: dt.datetime
) -> QueryResult:
    """A worker's answer as a QueryResult, or the QueryError subclass its header names."""
    if not header.get("ok"):
        if header["kind"] == "timeout":
            raise timed_out(request["timeout"])
        cls = QueryRefused if header["kind"] == "refused" else QueryError
        if header.get("key"):
            raise keyed(cls, header["key"], **header.get("params", {}))
        raise cls(header["message"])
    if table is None:  # an answer without its rows: the worker is broken
        raise keyed(QueryError, "query.error.crashed")
    return QueryResult(
        frame=to_frame(table),
        rows=int(header["rows"]),
        truncated=bool(header["truncated"]),
        seconds=time.perf_counter() - started,
        engine_seconds=float(header["elapsed"]),
        statement=str(header["statement"]),
        snapshot_at=snapshot_at,
        max_rows=request["max_rows"],
    )


def workspace_signal(database: str) -> tuple[object, ...] | None:
    """Size and modification time of the workspace file and its WAL: every commit changes one of them.

    None for a workspace that is no local file (MotherDuck): then only fingerprints tell.
    """
    if not config.is_file_database(database):
        return None
    found: list[object] = []
    for path in (database, database + ".wal"):
        try:
            st = os.stat(path)
            found.append((st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            found.append(None)
    return tuple(found)


class Sandbox:
    """The snapshots and warm workers of one workspace store; thread-safe."""

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)  # the sandbox must not keep a dropped store alive
        self._lock = threading.Lock()
        # A process killed with SIGKILL leaves its folder (with a snapshot in it) behind: the
        # next sandbox removes those of dead processes, named by their PID.
        remove_stale_folders()
        self._dir = private_folder()
        self._snapshots = Snapshots(self._dir, on_copy=self._copying)
        self._idle: list[QueryWorker] = []
        self._busy: set[QueryWorker] = set()
        self._slots = threading.BoundedSemaphore(max(1, config.QUERY_CONCURRENCY.value()))
        self._closed = False
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._first = threading.Condition(self._lock)  # runs waiting for the background's first snapshot
        self.copy_listeners: list[Callable[[Key], None]] = []
        self.last_error: str | None = None  # the background thread's last failure, if its last build failed

    # ---- snapshot ------------------------------------------------------------------------

    @property
    def folder(self) -> str:
        """The private temp folder of this sandbox's snapshots (and the workers' spill files)."""
        return self._dir

    @property
    def generation(self) -> Generation | None:
        """The newest complete snapshot (None before the first)."""
        return self._snapshots.current

    @property
    def snapshot_at(self) -> dt.datetime | None:
        gen = self._snapshots.current
        return gen.checked_at.replace(microsecond=0) if gen else None

    def status(self) -> SnapshotStatus:
        gen = self._snapshots.current
        return SnapshotStatus(
            as_of=gen.checked_at.replace(microsecond=0) if gen else None,
            taken_at=gen.taken_at if gen else None,
            preparing=self._snapshots.building,
            background=self._thread is not None and self._thread.is_alive(),
        )

    def _copying(self, key: Key) -> None:
        for listener in list(self.copy_listeners):
            listener(key)

    def refresh(self) -> dt.datetime | None:
        """Bring the snapshot up to date now (a deep check: large tables compared row by row); its new `snapshot_at`."""
        self.update(deep=True)
        return self.snapshot_at

    def update(self, *, deep: bool = False) -> Generation | None:
        """Copy what changed since the current snapshot and switch to it (the background thread's step).

        None when nothing had changed; the snapshot is then known current as of now.
        """
        store = self._store()
        if store is None:
            raise keyed(QueryError, "query.error.closed")
        with store.cursor() as cur:
            gen = self._snapshots.build(cur, deep=deep)
        del store
        if gen is not None:
            self._install(gen)
        return gen

    def _install(self, gen: Generation) -> None:
        """Start a worker on `gen` first, then switch to it: the first query after the switch is warm too."""
        worker: QueryWorker | None = None
        try:
            worker = QueryWorker.for_generation(gen, self._dir)
            # One statement first: a fresh DuckDB's first run costs ~20 ms more than the next.
            worker.answer({"sql": "SELECT 1", "params": [], "max_rows": 1, "timeout": GRACE_SECONDS})
        except (QueryError, OSError, EOFError, TimeoutError):
            if worker is not None:
                worker.kill()
            worker = None  # the next run starts one and reports the failure (or the sandbox was closed)
        installed = self._snapshots.install(gen)
        with self._lock:
            stale = [w for w in self._idle if w.generation is not self._snapshots.current]
            self._idle = [w for w in self._idle if w.generation is self._snapshots.current]
            if worker is not None and installed and not self._closed:
                self._idle.append(worker)
                worker = None  # kept warm, not killed below
            self._first.notify_all()
        for old in stale:
            old.kill()
        if worker is not None:
            worker.kill()

    def _pinned_generation(self) -> Generation:
        """The newest complete snapshot, kept on disk until unpinned; built first only if there is none.

        Without a background thread (the CLI, scripts) a snapshot older than
        VANTAGE_QUERY_SNAPSHOT_AGE is brought up to date before the run, as it always was.
        """
        gen = self._snapshots.pin()
        background = self._thread is not None and self._thread.is_alive()
        if gen is not None:
            max_age = config.QUERY_SNAPSHOT_AGE.value()
            if background or max_age <= 0 or (dt.datetime.now() - gen.checked_at).total_seconds() <= max_age:
                return gen
            self._snapshots.unpin(gen)
            self.update(deep=True)
        elif background:
            deadline = time.monotonic() + FIRST_SNAPSHOT_SECONDS
            with self._first:
                while self._snapshots.current is None and time.monotonic() < deadline and not self._closed:
                    if self.last_error:
                        raise keyed(QueryError, "query.error.background", detail=self.last_error)
                    self._first.wait(0.5)
        if self._snapshots.current is None:
            self.update()
        gen = self._snapshots.pin()
        if gen is None:
            raise keyed(QueryError, "query.error.no_snapshot")
        return gen

    # ---- background ----------------------------------------------------------------------

    def start_background(self) -> None:
        """Prepare the snapshot now in a background thread and keep it fresh after writes (idempotent)."""
        with self._lock:
            if self._closed or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._background, name="vantage-query-snapshots", daemon=True)
            self._thread.start()

    def _background(self) -> None:
        """Build at once; then, each poll, rebuild what changed when the workspace file changed.

        A deep check runs every VANTAGE_QUERY_SNAPSHOT_AGE seconds (0: never). When nothing
        was committed since the last look, the snapshot is still the workspace: its "as of"
        moves on.
        """
        seen: tuple[object, ...] | None | bool = False  # False: nothing seen yet
        deep_at = time.monotonic()
        while not self._closed:
            store = self._store()
            if store is None:
                return
            database = store.database
            del store
            interval = POLL_SECONDS
            try:
                signal = workspace_signal(database)
                interval = POLL_SECONDS if signal is not None else REMOTE_POLL_SECONDS
                max_age = config.QUERY_SNAPSHOT_AGE.value()
                deep = max_age > 0 and time.monotonic() - deep_at >= max_age
                if deep or signal is None or signal != seen or self._snapshots.current is None:
                    self.update(deep=deep)
                    seen = signal
                    if deep:
                        deep_at = time.monotonic()
                if signal is not None and workspace_signal(database) == signal:
                    # No commit since before the build (or the last look): the snapshot is the workspace now.
                    self._snapshots.mark_checked(dt.datetime.now())
                self.last_error = None
            except (VantageError, duckdb.Error, OSError) as e:
                if self._closed or "closed" in str(e).lower():
                    return  # the sandbox or the store was closed under us
                self.last_error = getattr(e, "message", None) or str(e).splitlines()[0]
                with self._lock:
                    self._first.notify_all()
                interval = max(interval, REMOTE_POLL_SECONDS)  # do not hammer a failing workspace
            self._wake.wait(interval)

    # ---- workers -------------------------------------------------------------------------

    def _checkout(self, gen: Generation) -> QueryWorker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive() and worker.generation is gen:
                    self._busy.add(worker)
                    return worker
                worker.kill()
        worker = QueryWorker.for_generation(gen, self._dir)
        with self._lock:
            self._busy.add(worker)
        return worker

    def _checkin(self, worker: QueryWorker, healthy: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
            keep = healthy and not self._closed and worker.alive() and worker.generation is self._snapshots.current
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.kill()

    def warm(self) -> None:
        """Take the snapshot (if needed) and start one worker, so the first run is quick."""
        gen = self._pinned_generation()
        try:
            self._checkin(self._checkout(gen), True)
        finally:
            self._snapshots.unpin(gen)

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
        request = prepare_request(sql, params, max_rows, timeout)
        if not self._slots.acquire(timeout=QUEUE_SECONDS):
            raise keyed(QueryRefused, "query.refused.busy")
        try:
            gen = self._pinned_generation()
            try:
                worker = self._checkout(gen)
                healthy = False
                try:
                    header, table = worker.answer(request)
                    healthy = True
                finally:
                    self._checkin(worker, healthy)
            finally:
                self._snapshots.unpin(gen)
        finally:
            self._slots.release()
        return result_of(header, table, request, started, gen.checked_at.replace(microsecond=0))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = self._idle + list(self._busy)
            self._idle = []
            self._first.notify_all()
        self._wake.set()
        for worker in workers:
            worker.kill()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)  # a build in progress fails once its folder is gone
        self._snapshots.close()
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


def prepare_in_background(store: Store) -> None:
    """The app has opened `store`: prepare its query snapshot now and keep it fresh (VANTAGE_QUERY_PREPARE)."""
    if config.QUERY_PREPARE.value():
        sandbox_for(store).start_background()


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
    """When the query snapshot of this workspace was last seen current (None before the first)."""
    status = snapshot_status(store)
    return status.as_of if status else None


def snapshot_status(store: Store) -> SnapshotStatus | None:
    """How old the query snapshot of this workspace is and whether a newer one is being prepared."""
    with _registry_lock:
        sandbox = _registry.get(store)
    return sandbox.status() if sandbox and not sandbox._closed else None


__all__ = [
    "EMPTY_IN_SNAPSHOT",
    "FOLDER_PREFIX",
    "QueryError",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "Sandbox",
    "SnapshotStatus",
    "close_sandbox",
    "prepare_in_background",
    "prepare_request",
    "remove_stale_folders",
    "run_sandboxed",
    "sandbox_for",
    "snapshot_rows",
    "snapshot_status",
    "snapshot_time",
]
