"""Run `python -m research …` inside the test process: `research.cli.main` with its output captured.

Starting the command line as a subprocess costs 1–3 s of interpreter start and imports per call;
`main(argv)` is what `python -m research` runs, so calling it here tests the same code (exit code,
stdout, stderr) in milliseconds. Keep a subprocess only where the test is about a separate process:
the `python -m research` entry point itself, locks between processes, a process that gets killed.

In-process runs share the test's DuckDB instance cache: close every Store on the file before
calling `cli` (the commands close theirs), or DuckDB refuses to open it with another configuration.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import NamedTuple

from research.cli import main


class CliResult(NamedTuple):
    """What a run of the command line gave: like subprocess.CompletedProcess, and unpackable."""

    returncode: int
    stdout: str
    stderr: str


@contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    """Set `env` in os.environ for the run (settings are read from it when used), then restore it."""
    if not env:
        yield
        return
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _stdin(text: str | None) -> Iterator[None]:
    if text is None:
        yield
        return
    saved = sys.stdin
    sys.stdin = io.StringIO(text)  # not a terminal, like a pipe
    try:
        yield
    finally:
        sys.stdin = saved


def _exit_code(code: object) -> tuple[int, str]:
    """SystemExit's code as a process would exit with it (argparse: 0 for --help, 2 for bad usage)."""
    if code is None:
        return 0, ""
    if isinstance(code, int):
        return code, ""
    return 1, f"{code}\n"  # sys.exit("message") prints the message and exits 1


def cli(*args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> CliResult:
    """`python -m research *args` in this process; `env` adds environment variables, `input` is stdin."""
    out, err = io.StringIO(), io.StringIO()
    with _environment(env), _stdin(input), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as stop:
            code, message = _exit_code(stop.code)
            err.write(message)
    return CliResult(code, out.getvalue(), err.getvalue())


def assert_one_line_error(result: CliResult, code: int, text: str) -> None:
    """The run failed with `code` and one line `error: …` containing `text` on stderr, no traceback."""
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and text in lines[0], lines[0]
    assert "Traceback" not in result.stderr
