"""`python -m research query`: one read statement in the hardened query worker (on the workspace itself when it is free)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from research import config
from research.errors import VantageError
from research.query.direct import DirectWorker, run_direct, start_direct

# DuckDB, pyarrow and pandas load after the query's worker has started (research.query.direct): the
# sandbox, the history and the store are imported inside the functions that need them.
if TYPE_CHECKING:
    import pandas as pd

    from research.query.sandbox import QueryResult
    from research.store import Store

T = TypeVar("T")


def _row_limit(text: str) -> int:
    """--max-rows: a whole number from 1 to the sandbox's row limit (the same check as run_sandboxed)."""
    from research.query.sandbox import rows_problem

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    return _checked(rows_problem, value)


def _cell(value: Any, integer: bool) -> Any:
    """One result value as JSON holds it: None, bool, int, finite float, str, or a list/dict of those.

    NULL, NaN and ±Infinity (which strict JSON cannot hold) are None; an integer column that
    arrived as float64 because of its NULLs gives ints again; dates and times are ISO 8601.
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, np.ndarray):
        return [_cell(v, False) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_cell(v, False) for v in value]
    if isinstance(value, dict):
        return {str(k): _cell(v, False) for k, v in value.items()}
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if integer and value.is_integer() else value
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (dt.date, dt.time)):  # pd.Timestamp is a datetime
        return value.isoformat()
    return str(value)  # intervals, UUIDs, bytes: their text


def _text(cell: Any) -> str:
    """A cell as csv and table write it: the JSON value as text, NULL as an empty cell."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, (list, dict)):
        return json.dumps(cell, ensure_ascii=False)
    return str(cell)  # a float's shortest round-trip form, as json.dumps writes it


def output_cells(frame: pd.DataFrame) -> list[list[Any]]:
    """Every row of the result as JSON-ready values; csv, json and table are all written from these."""
    import pandas as pd

    flags = frame.attrs.get("integer_columns")
    if not isinstance(flags, list) or len(flags) != len(frame.columns):
        flags = [pd.api.types.is_integer_dtype(frame.iloc[:, i]) for i in range(len(frame.columns))]
    columns = [[_cell(v, flags[i]) for v in frame.iloc[:, i].tolist()] for i in range(len(frame.columns))]
    return [list(row) for row in zip(*columns)] if columns else [[] for _ in range(len(frame))]


def _csv_column(cells: list[Any]) -> pd.Series:
    """A column for the CSV writer: numbers in a numeric dtype, which it writes as numbers
    (never `'`-prefixed like formula-looking text, and an object column of ints and None
    would come back from its `map` as floats); everything else as text, NULL as None."""
    import pandas as pd

    present = [c for c in cells if c is not None]
    if present and all(isinstance(c, int) and not isinstance(c, bool) for c in present):
        return pd.Series(cells, dtype="Int64")
    if present and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in present):
        return pd.Series(cells, dtype="float64")
    return pd.Series([None if c is None else _text(c) for c in cells], dtype=object)


def format_result(frame: pd.DataFrame, fmt: str) -> str:
    """The result as `fmt` (csv, json or table), the three agreeing cell for cell.

    csv goes through the one formula-safe writer (numbers stay numbers there); json is strict
    (`allow_nan=False`); table shows NULL as a blank cell and a line break inside a cell as `\\n`.
    """
    import pandas as pd

    from research.exports import csv_bytes

    names = [str(c) for c in frame.columns]
    cells = output_cells(frame)
    if fmt == "json":
        return json.dumps([dict(zip(names, row)) for row in cells], ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        # The downloads' formula-safe writer (research.exports), as text; not through research.query.export,
        # which loads altair for chart downloads: 0.3 s of every CLI query's start.
        return csv_bytes(pd.DataFrame({i: _csv_column([row[i] for row in cells]) for i in range(len(names))})
                         .set_axis(names, axis=1)).decode("utf-8-sig")
    if not names:
        return "(no columns)\n"
    if not cells:
        return "  ".join(names) + "\n"  # the header alone, not pandas' "Empty DataFrame" dump
    shown = [[_text(c).replace("\r", "\\r").replace("\n", "\\n") for c in row] for row in cells]
    return pd.DataFrame(shown, columns=names, dtype=object).to_string(index=False, max_colwidth=60) + "\n"


def _record(store: Store, args: argparse.Namespace, params: dict[str, Any], outcome: QueryResult | VantageError) -> None:
    from research.query.saved import record_history
    from research.query.states import RunStatus, failed_status

    if isinstance(outcome, VantageError):
        record_history(store, args.actor, args.sql, params, status=failed_status(outcome), message=outcome.message)
    else:
        record_history(store, args.actor, args.sql, params, status=RunStatus.OK, row_count=outcome.rows,
                       seconds=outcome.seconds)


def cmd_query(args: argparse.Namespace) -> int:
    """Directly on the workspace when no other process holds it (no copy); else on a snapshot, as the app does."""
    database = config.database() if args.db is None else config.resolve_database(args.db)
    # First: the worker opens the workspace while this process loads the rest (about 0.2 s on 2 cores).
    direct = start_direct(database)
    try:
        return _query(args, database, direct)
    finally:
        if direct is not None:
            direct.close()


def _query(args: argparse.Namespace, database: str, direct: DirectWorker | None) -> int:
    from research.query.sandbox import close_sandbox, display_rows, run_sandboxed
    from research.query.saved import parse_cli_params
    from research.store import open_workspace

    params = parse_cli_params(args.param or [])
    max_rows = display_rows() if args.max_rows is None else args.max_rows
    outcome: QueryResult | VantageError | None
    try:
        outcome = run_direct(database, args.sql, params, max_rows=max_rows, timeout=args.timeout, started=direct)
    except VantageError as error:
        outcome = error
    try:
        store = open_workspace(args.db)
    except VantageError as error:
        if outcome is None:
            raise
        # Taken by another process since the direct run: the answer stands, the history misses it.
        print(f"note: not recorded in the query history: {error.message}", file=sys.stderr)
    else:
        try:
            if outcome is None:
                try:
                    outcome = run_sandboxed(store, args.sql, params, max_rows=max_rows, timeout=args.timeout)
                except VantageError as error:
                    outcome = error
            _record(store, args, params, outcome)
        finally:
            close_sandbox(store)
            store.close()
    if isinstance(outcome, VantageError):
        raise outcome
    result = outcome
    sys.stdout.write(format_result(result.frame, args.format))
    shown = f"{result.rows:,} rows in {result.seconds:.2f} s (data as of {result.snapshot_at:%Y-%m-%d %H:%M})"
    if result.truncated:
        shown += f"; capped at {result.max_rows:,} rows — more exist (raise --max-rows or narrow the query)"
    print(shown, file=sys.stderr)
    return 0


def _seconds(text: str) -> float:
    """--timeout: finite, more than 0 and at most VANTAGE_QUERY_MAX_TIMEOUT (`inf` gave a traceback)."""
    from research.query.sandbox import timeout_problem

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
        "in the same hardened sandbox as the app: on the workspace itself, read-only with private rows "
        "filtered, when no other process holds it; else on a read-only snapshot.",
    )
    p.add_argument("sql", help="the statement; name parameters $like_this and give them with --param")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="a parameter value (repeatable); bound, never spliced")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: %(default)s)")
    p.add_argument("--max-rows", type=_row_limit, default=None, help="rows to print (default: $VANTAGE_QUERY_MAX_ROWS)")
    p.add_argument("--timeout", type=_seconds, default=None, help="seconds before the query is stopped (default: $VANTAGE_QUERY_TIMEOUT)")
    p.set_defaults(handler=cmd_query)
