"""The inbox: how a collect run hands results over when another process holds the workspace.

DuckDB allows one writing process per file. When `collect` runs from cron while
the app is open, it cannot open the workspace, so it reads the watchers from the
copy the workspace's owner last exported (`watchers.json`), fetches, and writes
one Parquet file per run (`<run_id>.parquet`, written to a temporary name and
renamed, so a half-written file is never read). Whoever next holds the workspace
(the app's Collect page, the next CLI run, `merge-inbox`) records each file's
results — exactly once, because snapshots are unique per (run_id, watcher_id) —
and moves the file to `merged/`.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from research import config
from research.access import Actor, require
from research.collect.run import PageResult
from research.collect.watchers import Watcher, conditional_headers, list_watchers
from research.errors import StoreError, ValidationError, VantageError
from research.i18n import keyed_error
from research.store import Store

log = logging.getLogger(__name__)

WATCHERS_FILE = "watchers.json"
MERGED_FOLDER = "merged"

_COLUMNS: list[tuple[str, pa.DataType]] = [  # declared, so the mixed column types are not joined to `object`
    ("run_id", pa.string()), ("watcher_id", pa.int64()), ("url", pa.string()), ("fetched_at", pa.timestamp("us")),
    ("fetch_status", pa.string()), ("http_status", pa.int64()), ("final_url", pa.string()), ("etag", pa.string()),
    ("last_modified", pa.string()), ("values_json", pa.string()), ("page_text", pa.binary()),
    ("warnings", pa.string()), ("message", pa.string()), ("elapsed_ms", pa.int64()),
]
_SCHEMA = pa.schema(_COLUMNS)


class InboxError(VantageError):
    title = "Collection inbox"


@dataclass(frozen=True)
class MergeSummary:
    batches: int
    recorded: int
    already: int
    orphaned: int


def inbox_dir(folder: str | Path | None = None) -> Path:
    path = Path(folder if folder is not None else config.COLLECT_INBOX.value())
    return path if path.is_absolute() else config.PROJECT_ROOT / path


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    from research.exports import (
        new_file_mode,  # here: research.exports loads altair and pandas
    )

    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, new_file_mode(path))  # not mkstemp's 0600: a collector may run as another user
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_batch(results: list[PageResult], folder: str | Path | None = None) -> Path | None:
    """One run's results as `<run_id>.parquet` in the inbox; None when there is nothing to hand over."""
    if not results:
        return None
    table = pa.Table.from_pylist([r.to_record() for r in results], schema=_SCHEMA)
    path = inbox_dir(folder) / f"{results[0].run_id}.parquet"
    try:
        _atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    except OSError as e:
        raise keyed_error(InboxError, "inbox.error.write", folder=str(path.parent), reason=str(e.strerror or e)) from e
    return path


def pending_batches(folder: str | Path | None = None) -> list[Path]:
    path = inbox_dir(folder)
    if not path.is_dir():
        return []
    return sorted(p for p in path.glob("*.parquet") if not p.name.startswith("."))


def read_batch(path: Path) -> list[PageResult]:
    try:
        rows = pq.read_table(path).to_pylist()
    except (OSError, pa.ArrowInvalid) as e:
        raise keyed_error(InboxError, "inbox.error.read", file=path.name, reason=str(e)) from e
    return [PageResult.from_record(row) for row in rows]


def merge_inbox(store: Store, actor: Actor, folder: str | Path | None = None) -> MergeSummary:
    """Record every pending inbox file once, then move it to `merged/` (part of a collection run: admins)."""
    require(actor, "collect")
    from research.collect.observations import record_result

    batches = pending_batches(folder)
    recorded = already = orphaned = 0
    if not batches:
        return MergeSummary(0, 0, 0, 0)
    watchers = {w.id: w for w in list_watchers(store)}
    for path in batches:
        for result in read_batch(path):
            watcher = watchers.get(result.watcher_id)
            if watcher is None:
                orphaned += 1
                continue
            try:
                outcome = record_result(store, actor, watcher, result)
            except ValidationError:  # another session merged the same row a moment earlier
                outcome = None
            if outcome is None:
                already += 1
            else:
                recorded += 1
        done = path.parent / MERGED_FOLDER / path.name
        try:
            done.parent.mkdir(exist_ok=True)
            os.replace(path, done)
        except FileNotFoundError:
            pass  # merged and moved by another session at the same time
        except OSError as e:
            raise keyed_error(InboxError, "inbox.error.move", file=path.name, folder=str(done.parent),
                              reason=str(e.strerror or e)) from e
    if recorded:
        from research.signals.generate import generate_after_collect  # above collect: see .importlinter

        generate_after_collect(store, actor)  # what the merge recorded becomes signals (issue 20)
    export_watchers_quietly(store, folder)
    return MergeSummary(len(batches), recorded, already, orphaned)


def export_watchers(store: Store, folder: str | Path | None = None) -> Path:
    """Write the watchers (and their conditional-GET validators) for a collector that cannot open the workspace."""
    data = {
        "workspace": store.database,
        "watchers": [w.to_json() for w in list_watchers(store)],
        "conditional": {str(k): v for k, v in conditional_headers(store).items()},
    }
    path = inbox_dir(folder) / WATCHERS_FILE
    text = json.dumps(data, ensure_ascii=False, indent=1)
    _atomic_write(path, lambda tmp: Path(tmp).write_text(text, "utf-8"))
    return path


def export_watchers_quietly(store: Store, folder: str | Path | None = None) -> None:
    # A read-only disk for the inbox must not undo a saved watcher; cron then uses an older list.
    try:
        export_watchers(store, folder)
    except (OSError, StoreError) as e:
        log.warning("could not export the watcher list to the collection inbox (cron uses the older list): %s", e)


def load_exported_watchers(folder: str | Path | None = None) -> tuple[list[Watcher], dict[int, dict[str, Any]]]:
    path = inbox_dir(folder) / WATCHERS_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise keyed_error(InboxError, "inbox.error.no_watcher_list", folder=str(path.parent), command="collect") from None
    except (OSError, ValueError) as e:
        raise keyed_error(InboxError, "inbox.error.watcher_list", path=str(path), reason=str(e)) from e
    watchers = [Watcher.from_row(w) for w in data.get("watchers", [])]
    conditional = {int(k): v for k, v in (data.get("conditional") or {}).items()}
    return watchers, conditional
