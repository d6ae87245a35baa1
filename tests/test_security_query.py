"""Attack round (issue 14), query sandbox: statement size and parsing off the app process, and limit validation.

Finding 11: a multi-megabyte statement was parsed in the app process, holding the
GIL (a 4.8 MB nested CASE stalled every session for 6 s). Now a statement over
VANTAGE_QUERY_MAX_STATEMENT is refused before any parsing, and parsing happens in
the worker, which has a deadline and is killed.
Finding 12: `--timeout inf` gave a traceback and `--timeout nan` "worker crashed";
time and row limits are now checked wherever they enter (CLI, run_sandboxed, settings).
"""

from __future__ import annotations

import math
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from research import cli
from research.errors import QueryError, QueryRefused, QueryTimeout, ValidationError
from research.query.sandbox import close_sandbox, run_sandboxed, sandbox_for
from research.query.statements import StatementRefused, check_read_only, parameter_names
from research.store import Store


@pytest.fixture(scope="module")
def workspace(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("security-query") / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, path)
    store = Store.open(str(path))
    yield store
    close_sandbox(store)
    store.close()


@pytest.fixture
def fresh(demo_copy: Path):
    """A workspace whose sandbox has not run anything yet (no snapshot, no worker)."""
    store = Store.open(str(demo_copy))
    yield store
    close_sandbox(store)
    store.close()


def nested_case(chars: int) -> str:
    """A nested CASE of about `chars` characters: the shape that stalled the app in the attack round."""
    head, tail, i, size = [], [], 0, 0
    while size < chars:
        opening, closing = f"CASE WHEN x = {i} THEN ", " ELSE 0 END"
        head.append(opening)
        tail.append(closing)
        size += len(opening) + len(closing)
        i += 1
    return "SELECT " + "".join(head) + "1" + "".join(reversed(tail))


def parens(chars: int) -> str:
    """`SELECT ((((1))))` of `chars` characters: parse time grows faster than its length (3 MB ≈ 9 s here)."""
    depth = (chars - len("SELECT 1")) // 2
    return "SELECT " + "(" * depth + "1" + ")" * depth


# ---- finding 11: size cap ---------------------------------------------------------------

OVERSIZED = [
    ("just over the limit", "SELECT 1" + " " * 100_000, "100,008"),
    ("200 KB of sums", "SELECT " + "1 + " * 50_000 + "1", "200,008"),
    ("4.8 MB nested CASE", nested_case(4_800_000), None),
    ("multi-byte text", "SELECT '" + "ж" * 150_000 + "'", "150,009"),
]


@pytest.mark.parametrize(("sql", "size"), [(s, n) for _, s, n in OVERSIZED], ids=[i for i, _, _ in OVERSIZED])
def test_an_oversized_statement_is_refused_before_parsing(fresh: Store, sql: str, size: str | None) -> None:
    started = time.perf_counter()
    with pytest.raises(QueryRefused) as caught:
        run_sandboxed(fresh, sql)
    # A parse of 4.8 MB took 6 s; no parse, no snapshot and no worker takes milliseconds.
    # 1 s leaves room for a loaded 2-core machine.
    assert time.perf_counter() - started < 1.0
    message = caught.value.message
    assert f"{len(sql):,} characters" in message and "100,000" in message, message
    if size:
        assert size in message
    assert sandbox_for(fresh).snapshot_at is None  # refused before any snapshot or worker


def test_the_app_side_helpers_do_not_parse_an_oversized_statement() -> None:
    # The editor infers $parameters on every rerun and saving checks the statement: both in the app process.
    sql = parens(3_000_000)  # ~9 s to parse here
    started = time.perf_counter()
    assert parameter_names(sql + " + $x") == []
    with pytest.raises(StatementRefused, match="3,000,00"):
        check_read_only(sql)
    assert time.perf_counter() - started < 1.0  # 9x margin below one parse


def test_the_statement_limit_is_a_setting(fresh: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_MAX_STATEMENT", "1000")
    with pytest.raises(QueryRefused, match=r"1,001 characters.*1,000"):
        run_sandboxed(fresh, "SELECT 1" + " " * 993)
    assert run_sandboxed(fresh, "SELECT 1 AS one" + " " * 900).frame["one"][0] == 1


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1.5"])
def test_a_bad_statement_limit_setting_is_named(fresh: Store, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_MAX_STATEMENT", value)
    with pytest.raises(ValidationError, match="VANTAGE_QUERY_MAX_STATEMENT"):
        run_sandboxed(fresh, "SELECT 1")


def test_the_oversized_refusal_is_one_cli_line(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["query", "SELECT " + "1 + " * 50_000 + "1", "--db", str(demo_copy)])
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "200,008 characters" in lines[0], err


# ---- finding 11: parsing happens in the worker ------------------------------------------


def test_a_slow_parse_runs_in_the_worker_and_the_app_keeps_going(fresh: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # A limit raised by the operator lets a 3 MB statement through; its ~9 s parse must not hold
    # the app's GIL (today's code stalls every thread of the process for the whole parse).
    monkeypatch.setenv("VANTAGE_QUERY_MAX_STATEMENT", "4000000")
    box = sandbox_for(fresh)
    box.warm()
    outcome: dict[str, Any] = {}

    def slow() -> None:
        try:
            outcome["result"] = box.run(parens(3_000_000), timeout=3)
        except QueryError as error:
            outcome["error"] = error

    thread = threading.Thread(target=slow)
    started = time.perf_counter()
    thread.start()
    longest_gap, last = 0.0, time.perf_counter()
    while thread.is_alive() and time.perf_counter() - started < 1.5:
        time.sleep(0.01)
        now = time.perf_counter()
        longest_gap, last = max(longest_gap, now - last), now
    # A 10 ms sleep that comes back after a second means something held the GIL.
    assert longest_gap < 1.0, f"the app's threads stalled {longest_gap:.1f} s"
    other = box.run("SELECT 42 AS answer")
    assert other.frame["answer"][0] == 42
    assert thread.is_alive(), "the other query should have finished while the slow parse was still running"
    thread.join(timeout=30)
    assert not thread.is_alive()
    # The parser gives up on the depth, or the parent kills the worker at 3 s + grace: both clean.
    assert isinstance(outcome.get("error"), QueryError), outcome
    if not isinstance(outcome["error"], QueryTimeout):
        assert "depth" in outcome["error"].message
    assert box.run("SELECT 1 AS alive").frame["alive"][0] == 1


# ---- refusals keep their words when the worker does the checking -------------------------

KEPT = [
    ("SELECT 1; DROP TABLE companies", QueryRefused, "Only one statement can run at a time; this holds 2. Remove everything after the first semicolon."),
    ("DROP TABLE companies", QueryRefused, "DROP (removes tables or views) is not allowed: the query workbench runs one read statement (SELECT, WITH … SELECT, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN)."),
    ("EXPLAIN ANALYZE DELETE FROM companies", QueryRefused, "DELETE (removes rows) is not allowed: the query workbench runs one read statement (SELECT, WITH … SELECT, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN)."),
    ("   ", QueryRefused, "There is no statement to run."),
    ("-- nothing", QueryRefused, "There is no statement to run (only comments)."),
    ("SELEC 1", QueryError, 'Parser Error: syntax error at or near "SELEC"'),
]


@pytest.mark.parametrize(("sql", "kind", "message"), KEPT, ids=[s for s, _, _ in KEPT])
def test_refusal_messages_are_unchanged(workspace: Store, sql: str, kind: type[QueryError], message: str) -> None:
    with pytest.raises(kind) as caught:
        run_sandboxed(workspace, sql)
    assert type(caught.value) is kind and caught.value.message == message


def test_a_read_reports_its_statement_type(workspace: Store) -> None:
    assert run_sandboxed(workspace, "EXPLAIN SELECT 1").statement == "EXPLAIN"
    assert run_sandboxed(workspace, "SELECT 1").statement == "SELECT"


# ---- finding 12: time and row limits ----------------------------------------------------

BAD_TIMEOUTS = ["inf", "-inf", "nan", "0", "-1", "1e9", "abc", "", "301"]


@pytest.mark.parametrize("value", BAD_TIMEOUTS)
def test_cli_refuses_a_bad_timeout_without_a_traceback(demo_copy: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    try:
        code = cli.main(["query", "SELECT 1", f"--timeout={value}", "--db", str(demo_copy)])
    except SystemExit as exit_:
        code = exit_.code
    err = capsys.readouterr().err
    assert "Traceback" not in err and "crashed" not in err
    assert code == 2, err
    assert "error: argument --timeout" in err


@pytest.mark.parametrize("value", ["0", "-1", "1e9", "abc", "1.5", "10000000000000"])
def test_cli_refuses_a_bad_row_limit(demo_copy: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["query", "SELECT 1", f"--max-rows={value}", "--db", str(demo_copy)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "error: argument --max-rows" in err and "Traceback" not in err


def test_cli_accepts_the_largest_limits(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["query", "SELECT 7 AS n", "--timeout", "300", "--max-rows", "1000000", "--db", str(demo_copy)]) == 0
    assert "7" in capsys.readouterr().out


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 0, -1, 1e9, 301, "abc", "10", True])
def test_run_sandboxed_refuses_a_bad_timeout(workspace: Store, value: object) -> None:
    with pytest.raises(QueryRefused, match="time limit"):
        run_sandboxed(workspace, "SELECT 1", timeout=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, 2.5, "abc", True, 10**13])
def test_run_sandboxed_refuses_a_bad_row_limit(workspace: Store, value: object) -> None:
    with pytest.raises(QueryRefused, match="row limit"):
        run_sandboxed(workspace, "SELECT 1", max_rows=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "0", "-1", "1e9", "abc", "301"])
def test_a_bad_timeout_setting_is_named(workspace: Store, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_TIMEOUT", value)
    with pytest.raises(ValidationError, match="VANTAGE_QUERY_TIMEOUT"):
        run_sandboxed(workspace, "SELECT 1")


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1", "abc"])
def test_a_bad_maximum_timeout_setting_is_named(workspace: Store, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_MAX_TIMEOUT", value)
    with pytest.raises(ValidationError, match="VANTAGE_QUERY_MAX_TIMEOUT"):
        run_sandboxed(workspace, "SELECT 1", timeout=1)


def test_the_maximum_timeout_is_a_setting(workspace: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_MAX_TIMEOUT", "5")
    with pytest.raises(QueryRefused, match=r"at most 5 s"):
        run_sandboxed(workspace, "SELECT 1", timeout=6)
    assert run_sandboxed(workspace, "SELECT 1 AS one", timeout=5).frame["one"][0] == 1
