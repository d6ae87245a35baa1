"""The CLI's direct mode: one statement on the workspace itself, read-only, in the hardened worker.

When no other process holds the workspace file, `python -m research query` needs no snapshot:
the worker opens the file read-only behind a small catalog that filters the private tables
(research.query.worker.open_direct), runs the statement and exits. Nothing of the public
tables is copied, so `SELECT 1` costs a worker start, not a copy of the workspace.

The CLI starts the worker (`start_direct`) before it loads anything heavy: this module and
research.query.launch import neither DuckDB nor pyarrow nor pandas, which this process loads
while the worker opens the workspace.

`run_direct` answers None whenever this cannot give the same answer as a snapshot: the
workspace is no local file, is held by another process (the app), needs a schema upgrade, or
the statement needs more memory than the worker has (a snapshot's worker may spill to disk).
The caller then takes the snapshot path.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from research import config
from research.query.launch import (
    QueryWorker,
    WorkspaceUnavailable,
    private_folder,
    remove_stale_folders,
    worker_settings,
)

if TYPE_CHECKING:
    from research.query.sandbox import QueryResult


@dataclass
class DirectWorker:
    """A worker opening the workspace file, and its private folder; `close` ends both."""

    folder: str
    worker: QueryWorker
    started: float = field(default_factory=time.perf_counter)

    def close(self) -> None:
        self.worker.kill()  # one statement per process; the file is free again for the history write
        shutil.rmtree(self.folder, ignore_errors=True)


def start_direct(database: str) -> DirectWorker | None:
    """Start a worker on the workspace file `database` (resolved) without waiting for it; None: no local file."""
    if not config.is_file_database(database) or not os.path.isfile(database):
        return None
    remove_stale_folders()  # what a killed CLI run left behind
    folder = private_folder()
    try:
        worker = QueryWorker(os.path.abspath(database), worker_settings(
            folder, mode="workspace", alias=f"ws_{secrets.token_hex(8)}"), wait=False)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return DirectWorker(folder, worker)


def run_direct(
    database: str,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    max_rows: int | None = None,
    timeout: float | None = None,
    started: DirectWorker | None = None,
) -> QueryResult | None:
    """Run one read statement directly on the workspace file `database` (resolved); None: use a snapshot.

    `started` is the worker `start_direct` started for it (else one is started now); it is closed
    either way. Refusals and failures raise the same QueryError subclasses as `run_sandboxed`.
    """
    from research.query.sandbox import prepare_request, result_of

    try:
        request = prepare_request(sql, params, max_rows, timeout)
        direct = started or start_direct(database)
    except BaseException:
        if started is not None:
            started.close()
        raise
    if direct is None:
        return None
    try:
        # The result becomes a DataFrame: load pandas and pyarrow now, while the worker starts (2 cores).
        import pandas  # noqa: F401
        import pyarrow  # noqa: F401

        try:
            direct.worker.wait_ready()
        except WorkspaceUnavailable:
            return None
        as_of = dt.datetime.now().replace(microsecond=0)
        header, table = direct.worker.answer(request)
        if not header.get("ok") and header.get("kind") == "memory":
            return None
        return result_of(header, table, request, direct.started, as_of)
    finally:
        direct.close()
