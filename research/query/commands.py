"""`python -m research query`: one read statement through the same sandbox as the app."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TypeVar

from research.errors import VantageError
from research.query.export import csv_text
from research.query.sandbox import (
    QueryRefused,
    QueryTimeout,
    close_sandbox,
    display_rows,
    rows_problem,
    run_sandboxed,
    timeout_problem,
)
from research.query.saved import parse_cli_params, record_history
from research.store import Store

T = TypeVar("T")


def _status(error: VantageError) -> str:
    if isinstance(error, QueryTimeout):
        return "timeout"
    return "refused" if isinstance(error, QueryRefused) else "failed"


def _row_limit(text: str) -> int:
    """--max-rows: a whole number from 1 to the sandbox's row limit (the same check as run_sandboxed)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    return _checked(rows_problem, value)


def cmd_query(args: argparse.Namespace) -> int:
    params = parse_cli_params(args.param or [])
    store = Store.open(args.db)
    try:
        try:
            result = run_sandboxed(
                store,
                args.sql,
                params,
                max_rows=display_rows() if args.max_rows is None else args.max_rows,
                timeout=args.timeout,
            )
        except VantageError as error:
            record_history(store, args.actor, args.sql, params, status=_status(error), message=error.message)
            raise
        record_history(store, args.actor, args.sql, params, status="ok", row_count=result.rows, seconds=result.seconds)
    finally:
        close_sandbox(store)
        store.close()
    frame = result.frame
    if args.format == "csv":
        sys.stdout.write(csv_text(frame))
    elif args.format == "json":
        print(json.dumps(frame.to_dict(orient="records"), ensure_ascii=False, indent=2, default=str))
    else:
        print(frame.to_string(index=False, max_colwidth=60) if len(frame.columns) else "(no columns)")
    shown = f"{result.rows:,} rows in {result.seconds:.2f} s (data as of {result.snapshot_at:%Y-%m-%d %H:%M})"
    if result.truncated:
        shown += f"; capped at {result.max_rows:,} rows — more exist (raise --max-rows or narrow the query)"
    print(shown, file=sys.stderr)
    return 0


def _seconds(text: str) -> float:
    """--timeout: finite, more than 0 and at most VANTAGE_QUERY_MAX_TIMEOUT (`inf` gave a traceback)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    return _checked(timeout_problem, value)


def _checked(problem_of: Callable[[object], str | None], value: T) -> T:
    """`value` if the sandbox accepts it; else a usage error (exit 2) that says why."""
    try:
        problem = problem_of(value)
    except VantageError as error:  # a bad limit setting: argparse would let it out as a traceback
        raise argparse.ArgumentTypeError(error.message) from None
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this area's subcommands; each sets `handler` (args -> exit code) with set_defaults."""
    p = subparsers.add_parser(
        "query",
        parents=[common],
        help="run one read-only SQL statement in the query sandbox",
        description="Run one read statement (SELECT, WITH … SELECT, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN) "
        "on a read-only snapshot of the workspace, in the same sandbox as the app.",
    )
    p.add_argument("sql", help="the statement; name parameters $like_this and give them with --param")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter value (repeatable); bound, never spliced")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: %(default)s)")
    p.add_argument("--max-rows", type=_row_limit, default=None, help="rows to print (default: $VANTAGE_QUERY_MAX_ROWS)")
    p.add_argument("--timeout", type=_seconds, default=None, help="seconds before the query is stopped (default: $VANTAGE_QUERY_TIMEOUT)")
    p.set_defaults(handler=cmd_query)
