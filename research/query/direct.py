"""The CLI's direct mode: one statement on the workspace itself, read-only, in the hardened worker.

When no other process holds the workspace file, `python -m research query` needs no snapshot:
the worker opens the file read-only behind a small catalog that filters the private tables
(research.query.worker.open_direct), runs the statement and exits. Nothing of the public
tables is copied, so `SELECT 1` costs a worker start, not a copy of the workspace.

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
from typing import Any

from research import config
from research.query.sandbox import (
    QueryResult,
    QueryWorker,
    WorkspaceUnavailable,
    prepare_request,
    result_of,
    worker_settings,
)
from research.query.snapshots import private_folder, remove_stale_folders
from research.store.core import load_migrations


def run_direct(
    database: str,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    max_rows: int | None = None,
    timeout: float | None = None,
) -> QueryResult | None:
    """Run one read statement directly on the workspace file `database` (resolved); None: use a snapshot.

    Refusals and failures raise the same QueryError subclasses as `run_sandboxed`.
    """
    started = time.perf_counter()
    request = prepare_request(sql, params, max_rows, timeout)
    if not config.is_file_database(database) or not os.path.isfile(database):
        return None
    remove_stale_folders()  # what a killed CLI run left behind
    folder = private_folder()
    try:
        settings = worker_settings(
            folder, mode="workspace", alias=f"ws_{secrets.token_hex(8)}",
            schema_versions=[m.version for m in load_migrations()],
        )
        worker = QueryWorker(os.path.abspath(database), settings, wait=False)
        try:
            # The result becomes a DataFrame: load pandas and pyarrow now, while the worker starts (2 cores).
            import pandas  # noqa: F401
            import pyarrow  # noqa: F401

            worker.wait_ready()
        except WorkspaceUnavailable:
            return None
        except BaseException:
            worker.kill()
            raise
        try:
            as_of = dt.datetime.now().replace(microsecond=0)
            header, table = worker.answer(request)
        finally:
            worker.kill()  # one statement per process; the file is free again for the history write
        if not header.get("ok") and header.get("kind") == "memory":
            return None
        return result_of(header, table, request, started, as_of)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
