"""The sandbox worker: a separate process that runs user statements on a hardened, read-only snapshot.

Started by research.query.sandbox as `python -m research.query.worker TARGET CONFIG_JSON`, where
TARGET is one of:
- a snapshot catalog (research.query.snapshots), with CONFIG_JSON's `attach` naming the table
  files to attach read-only under their aliases (the app's snapshots);
- the workspace itself, with `mode: "workspace"` (the CLI when no other process holds the file):
  the worker builds a small catalog in its private folder — the filtered tables and views onto the
  workspace attached read-only under a random alias — and reopens that catalog read-only;
- a single snapshot file (no `attach`).
It speaks length-prefixed frames over stdin/stdout: a JSON request in; a JSON
header out, followed by one Arrow IPC stream frame when the run succeeded.
The DuckDB instance here has external access off, extension install/load off and
its configuration locked, so no statement can read or write files, reach the
network, attach databases or change settings — even one the parser misjudged.
It exits when its stdin closes (its parent went away).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
from typing import Any

import duckdb
import pyarrow as pa

from research.query.snapshots import (
    apply_catalog_ddl,
    is_filtered,
    read_schema,
    rows_params,
    snapshot_rows,
)
from research.query.statements import (
    ENGLISH,
    StatementInvalid,
    StatementRefused,
    classify_read,
    clean_error,
    explain_error,
)
from research.store.core import load_migrations
from research.store.sql import quote_name, sql_literal
from research.workers import read_frame, write_frame


class Unavailable(Exception):
    """The workspace cannot be read directly (held by another process, older schema…): use a snapshot."""


def _harden(con: duckdb.DuckDBPyConnection, extra: tuple[str, ...] = ()) -> None:
    try:
        for statement in (*HARDENING[:-1], *extra, HARDENING[-1]):
            con.execute(statement)
    except BaseException:
        con.close()
        raise


def _attach(con: duckdb.DuckDBPyConnection, alias: str, path: str) -> None:
    con.execute(f"ATTACH {sql_literal(path)} AS {quote_name(alias)} (READ_ONLY)")


def open_layered(
    catalog: str, attachments: list[list[str]], temp_dir: str, memory_limit: str, threads: int
) -> duckdb.DuckDBPyConnection:
    """A snapshot generation: its catalog read-only, each table file attached read-only, then hardened."""
    config: dict[str, Any] = {"memory_limit": memory_limit, "temp_directory": temp_dir, "max_temp_directory_size": "2GB"}
    if threads > 0:
        config["threads"] = threads
    con = duckdb.connect(catalog, read_only=True, config=config)
    try:
        for alias, path in attachments:
            _attach(con, alias, path)
    except BaseException:
        con.close()
        raise
    _harden(con)
    return con


def open_direct(
    workspace: str, folder: str, alias: str, schema_versions: list[int], memory_limit: str, threads: int
) -> duckdb.DuckDBPyConnection:
    """The workspace itself, read-only, behind a catalog that filters its private tables (the CLI's direct mode).

    Built in `folder` (private, 0700): the filtered tables are copied in (audit_log as nobody in
    particular sees it, public SWOT items, companies without private notes, user_roles and
    query_history empty) — real tables, so not even a column statistic holds a private value —
    and every other table is a view onto the workspace attached read-only as `alias` (random
    per run). The catalog is then reopened read-only with the workspace attached again, and
    hardened as the snapshots are, plus the local file system switched off: the workspace file
    itself is on DuckDB's list of allowed paths, and `read_blob` must not read its bytes. With
    no file system there is no spilling either (`temp_directory` empty): a statement that needs
    more memory fails with "Out of Memory" and the CLI runs it on a snapshot instead.
    Raises Unavailable when the workspace is locked by another process or on another schema.
    """
    catalog = os.path.join(folder, "catalog.duckdb")
    build = duckdb.connect(catalog)
    try:
        try:
            _attach(build, alias, workspace)
        except duckdb.Error as e:
            raise Unavailable(clean_error(e)) from e
        found = [row[0] for row in build.execute(
            f"SELECT version FROM {quote_name(alias)}.main.schema_version ORDER BY version").fetchall()]
        if found != schema_versions:  # the store would upgrade it first, or refuse it: its path says which
            raise Unavailable(f"The workspace has schema versions {found}, not {schema_versions}.")
        info = read_schema(build, alias)
        apply_catalog_ddl(
            build, info,
            {k: f"{quote_name(alias)}.{quote_name(k[0])}.{quote_name(k[1])}" for k in info.tables if not is_filtered(k)},
        )
        for schema, table in sorted(k for k in info.tables if is_filtered(k)):
            rows = snapshot_rows(f"{quote_name(alias)}.{quote_name(schema)}", schema, table)
            if rows is not None:
                build.execute(f"INSERT INTO {quote_name(schema)}.{quote_name(table)} BY NAME {rows}", rows_params(rows))
        build.execute(f"DETACH {quote_name(alias)}")
    finally:
        build.close()
    for written in (catalog, catalog + ".wal"):
        if os.path.exists(written):
            os.chmod(written, 0o600)
    config: dict[str, Any] = {"memory_limit": memory_limit, "temp_directory": ""}
    if threads > 0:
        config["threads"] = threads
    con = duckdb.connect(catalog, read_only=True, config=config)
    try:
        _attach(con, alias, workspace)
    except duckdb.Error as e:  # taken by another process in the meantime
        con.close()
        raise Unavailable(clean_error(e)) from e
    _harden(con, ("SET disabled_filesystems = 'LocalFileSystem'",))
    return con


def open_hardened(snapshot: str, temp_dir: str, memory_limit: str, threads: int) -> duckdb.DuckDBPyConnection:
    """The snapshot, read-only, in a DuckDB instance that cannot touch files, the network or its settings.

    The settings are applied one by one in this order (a config dict at connect
    time is applied in DuckDB's own order, and `temp_directory` is refused once
    external access is off); the configuration is locked last.
    """
    config: dict[str, Any] = {"memory_limit": memory_limit, "temp_directory": temp_dir, "max_temp_directory_size": "2GB"}
    if threads > 0:
        config["threads"] = threads
    con = duckdb.connect(snapshot, read_only=True, config=config)
    _harden(con)
    return con


HARDENING = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET lock_configuration = true",
)


def decode_params(items: list[list[Any]]) -> dict[str, Any]:
    """Typed parameter values from the request: [name, kind, value] triples."""
    values: dict[str, Any] = {}
    for name, kind, value in items:
        if value is None:
            values[name] = None
        elif kind == "date":
            values[name] = dt.date.fromisoformat(value)
        elif kind == "datetime":
            values[name] = dt.datetime.fromisoformat(value)
        else:
            values[name] = value
    return values


def _failure(kind: str, key: str, params: dict[str, object]) -> dict[str, object]:
    """A failed run's header: the English message, and its catalog key and values for the page's language."""
    return {"ok": False, "kind": kind, "message": ENGLISH[key].format(**params), "key": key, "params": params}


def run_one(con: duckdb.DuckDBPyConnection, request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """Run one request; returns the header and the Arrow IPC bytes of at most max_rows rows."""
    sql = request["sql"]
    try:
        kind = classify_read(sql)
    except StatementRefused as e:
        return _failure("refused", e.key, e.params), None
    except StatementInvalid as e:
        return _failure("invalid", e.key, e.params), None
    max_rows = int(request["max_rows"])
    # A fresh cursor per run: temporary objects and prepared state never outlive a run.
    cur = con.cursor()
    timer = threading.Timer(float(request["timeout"]), cur.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        relation = cur.sql(sql, params=decode_params(request.get("params", [])) or None)
        if relation is None:
            return _failure("refused", "query.refused.no_result", {}), None
        reader = relation.to_arrow_reader(min(max(max_rows + 1, 1), 100_000))
        batches: list[pa.RecordBatch] = []
        rows = 0
        truncated = False
        for batch in reader:
            if rows + batch.num_rows > max_rows:
                batches.append(batch.slice(0, max_rows - rows))
                rows = max_rows
                truncated = True
                break
            batches.append(batch)
            rows += batch.num_rows
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except duckdb.InterruptException:
        return {"ok": False, "kind": "timeout", "message": "interrupted"}, None
    except duckdb.OutOfMemoryException as e:
        # Its own kind: the CLI's direct mode cannot spill to disk and runs such a statement on a snapshot.
        return _failure("memory", *explain_error(e)), None
    except duckdb.Error as e:
        return _failure("failed", *explain_error(e)), None
    finally:
        timer.cancel()
        cur.close()
    elapsed = time.perf_counter() - started
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    header = {"ok": True, "statement": kind, "rows": rows, "truncated": truncated, "elapsed": elapsed}
    return header, sink.getvalue().to_pybytes()


def main(argv: list[str]) -> int:
    snapshot, config_json = argv[1], argv[2]
    settings = json.loads(config_json)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    memory, threads = settings["memory_limit"], int(settings["threads"])
    try:
        if settings.get("mode") == "workspace":
            # The versions this code base knows: the parent's, which need not load the store to start this worker.
            versions = settings.get("schema_versions") or [m.version for m in load_migrations()]
            con = open_direct(snapshot, settings["temp_dir"], settings["alias"], list(versions), memory, threads)
        elif "attach" in settings:
            con = open_layered(snapshot, settings["attach"], settings["temp_dir"], memory, threads)
        else:
            con = open_hardened(snapshot, settings["temp_dir"], memory, threads)
    except Unavailable as e:
        write_frame(stdout, json.dumps({"ok": False, "kind": "unavailable", "message": str(e)}).encode())
        return 1
    except duckdb.Error as e:
        kind = "unavailable" if settings.get("mode") == "workspace" else "failed"
        write_frame(stdout, json.dumps({"ok": False, "kind": kind, "message": clean_error(e)}).encode())
        return 1
    write_frame(stdout, json.dumps({"ok": True, "ready": True}).encode())
    while True:
        frame = read_frame(stdin)
        if frame is None:
            return 0
        header, payload = run_one(con, json.loads(frame))
        write_frame(stdout, json.dumps(header).encode())
        if payload is not None:
            write_frame(stdout, payload)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
