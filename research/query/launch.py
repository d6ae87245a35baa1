"""Starting a query worker without loading the engine here: its private folder, its settings, its process.

The CLI's direct mode (research.query.direct) starts its worker first and loads DuckDB, pyarrow
and pandas while the worker opens the workspace: on 2 cores that is about 0.2 s of every
`python -m research query`. So this module imports neither DuckDB nor pyarrow nor pandas
(tests/test_query_snapshots.py checks what is loaded when the worker starts); the snapshots and
the app's sandbox (research.query.snapshots, research.query.sandbox) build on it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from typing import TYPE_CHECKING, Any

from research import config
from research.errors import QueryError, QueryTimeout
from research.workers import START_SECONDS, WorkerProcess

if TYPE_CHECKING:
    import pyarrow as pa

    from research.query.snapshots import Generation

FOLDER_PREFIX = "vantage-query-"
GRACE_SECONDS = 5.0  # after the time limit, the worker gets this long to answer before it is killed


def owner_only(path: str) -> None:
    """Mode 0600 for a DuckDB file and its WAL (the folder is 0700 already: this is belt and braces)."""
    for written in (path, path + ".wal"):
        if os.path.exists(written):
            os.chmod(written, 0o600)


def remove_file(path: str) -> None:
    for leftover in (path, path + ".wal"):
        try:
            os.remove(leftover)
        except FileNotFoundError:
            pass


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


def private_folder() -> str:
    """A new `vantage-query-<pid>-<random>` folder in the temp folder, mode 0700."""
    folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
    os.chmod(folder, 0o700)  # mkdtemp's default, stated: the snapshot is readable by us only
    return folder


def timed_out(timeout: float) -> QueryTimeout:
    """The error of a run stopped at its time limit."""
    from research.query.statements import keyed

    return keyed(QueryTimeout, "query.error.timeout", seconds=f"{timeout:g}", where="WHERE", limit="LIMIT")


def worker_settings(temp_dir: str, **extra: Any) -> dict[str, Any]:
    return {
        "temp_dir": temp_dir,
        "memory_limit": config.QUERY_MEMORY.value(),
        "threads": config.QUERY_THREADS.value(),
        **extra,
    }


class WorkspaceUnavailable(QueryError):
    """A direct worker could not read the workspace (held by another process, another schema)."""


class QueryWorker(WorkerProcess):
    """One sandbox process bound to one target: a snapshot generation, or the workspace itself (CLI)."""

    def __init__(
        self, target: str, settings: dict[str, Any], generation: Generation | None = None, *, wait: bool = True
    ) -> None:
        self.generation = generation
        super().__init__("research.query.worker", [target, json.dumps(settings)], cwd=settings["temp_dir"])
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Wait for the worker's "ready" (it has opened its target); a worker that cannot start raises."""
        ready = json.loads(self.read_frame(time.monotonic() + START_SECONDS))
        if not ready.get("ok"):
            from research.query.statements import keyed

            self.kill()
            if ready.get("kind") == "unavailable":
                raise WorkspaceUnavailable(str(ready.get("message")))
            raise keyed(QueryError, "query.error.start", detail=str(ready.get("message")))

    @classmethod
    def for_generation(cls, gen: Generation, temp_dir: str) -> QueryWorker:
        return cls(gen.catalog, worker_settings(temp_dir, attach=gen.attachments()), gen)

    def run(self, request: dict[str, Any], deadline: float) -> tuple[dict[str, Any], pa.Table | None]:
        import pyarrow as pa

        self.send(json.dumps(request).encode())
        header = json.loads(self.read_frame(deadline))
        if not header.get("ok"):
            return header, None
        with pa.ipc.open_stream(self.read_frame(deadline)) as reader:
            return header, reader.read_all()

    def answer(self, request: dict[str, Any]) -> tuple[dict[str, Any], pa.Table | None]:
        """Run `request` under the parent's hard deadline; a late or dead worker raises QueryError (and must go)."""
        try:
            return self.run(request, time.monotonic() + request["timeout"] + GRACE_SECONDS)
        except TimeoutError:
            raise timed_out(request["timeout"]) from None
        except (EOFError, OSError, ValueError) as e:
            from research.query.statements import keyed

            raise keyed(QueryError, "query.error.crashed") from e
