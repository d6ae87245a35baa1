"""The sandbox worker: a separate process that runs user statements on a hardened, read-only snapshot.

Started by research.query.sandbox as `python -m research.query.worker SNAPSHOT CONFIG_JSON`.
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
import sys
import threading
import time
from typing import Any

import duckdb
import pyarrow as pa

from research.query.statements import StatementInvalid, StatementRefused, classify_read, clean_error
from research.workers import read_frame, write_frame



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
    try:
        for statement in HARDENING:
            con.execute(statement)
    except BaseException:
        con.close()
        raise
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


def run_one(con: duckdb.DuckDBPyConnection, request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """Run one request; returns the header and the Arrow IPC bytes of at most max_rows rows."""
    sql = request["sql"]
    try:
        kind = classify_read(sql)
    except StatementRefused as e:
        return {"ok": False, "kind": "refused", "message": str(e)}, None
    except StatementInvalid as e:
        return {"ok": False, "kind": "invalid", "message": str(e)}, None
    max_rows = int(request["max_rows"])
    # A fresh cursor per run: temporary objects and prepared state never outlive a run.
    cur = con.cursor()
    timer = threading.Timer(float(request["timeout"]), cur.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        relation = cur.sql(sql, params=decode_params(request.get("params", [])) or None)
        if relation is None:
            return {"ok": False, "kind": "refused", "message": "The statement returned no result."}, None
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
    except duckdb.Error as e:
        return {"ok": False, "kind": "failed", "message": clean_error(e)}, None
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
    try:
        con = open_hardened(snapshot, settings["temp_dir"], settings["memory_limit"], int(settings["threads"]))
    except duckdb.Error as e:
        write_frame(stdout, json.dumps({"ok": False, "kind": "failed", "message": clean_error(e)}).encode())
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
