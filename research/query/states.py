"""How a workbench run ended, as its query history records it (query_history.status).

Declared once here, with the one rule that turns a failed run's error into its
status (the Query page and `python -m research query` both record history). A
member compares equal to its string, so history rows are unchanged;
tests/test_states.py checks the set against the column's CHECK constraint.
"""

from __future__ import annotations

from enum import StrEnum

from research.errors import QueryRefused, QueryTimeout, VantageError


class RunStatus(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # the statement or its limits were refused before or while running
    FAILED = "failed"  # DuckDB or the worker failed
    TIMEOUT = "timeout"  # interrupted at the time limit


def failed_status(error: VantageError) -> RunStatus:
    """The status a run that raised `error` is recorded with."""
    if isinstance(error, QueryTimeout):
        return RunStatus.TIMEOUT
    return RunStatus.REFUSED if isinstance(error, QueryRefused) else RunStatus.FAILED
