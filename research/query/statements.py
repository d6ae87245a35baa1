"""What a workbench statement is: one read, classified by DuckDB's own parser, and its errors in plain words.

The app side only checks the length (`check_length`: no parsing, so it costs
microseconds whatever the text); parsing and classification (`classify_read`) run
in the sandbox worker, because DuckDB's parser holds the GIL and a pathological
statement would stall every session of the app process while the worker has a
deadline and is killed. Saving a query (`check_read_only`) parses in the app, but
only after the same length check. The classification is only the first fence: the
worker also runs every statement on a read-only snapshot with external access off
and a locked configuration, because a parser's verdict can be fooled
(`WITH d AS (DELETE … RETURNING *) SELECT …` parses as a SELECT).
"""

from __future__ import annotations

import re

import duckdb

from research import config
from research.errors import ValidationError

# StatementType names DuckDB gives the reads we allow. DESCRIBE, SUMMARIZE, SHOW,
# VALUES and FROM-first queries all parse as SELECT.
ALLOWED_TYPES = frozenset({"SELECT", "EXPLAIN"})

# What a refused statement type does, for the message that names it.
REFUSED_WHAT = {
    "INSERT": "INSERT (adds rows)",
    "UPDATE": "UPDATE (changes rows)",
    "DELETE": "DELETE (removes rows)",
    "CREATE": "CREATE (makes tables, views or macros)",
    "DROP": "DROP (removes tables or views)",
    "ALTER": "ALTER (changes tables)",
    "COPY": "COPY (reads or writes files)",
    "EXPORT": "EXPORT DATABASE (writes files)",
    "ATTACH": "ATTACH (opens other databases)",
    "DETACH": "DETACH (closes databases)",
    "LOAD": "INSTALL/LOAD (extensions)",
    "SET": "SET/RESET/USE (changes settings)",
    "VARIABLE_SET": "SET VARIABLE (changes settings)",
    "PRAGMA": "PRAGMA (changes or reads settings)",
    "CALL": "CALL/CHECKPOINT (runs procedures)",
    "TRANSACTION": "BEGIN/COMMIT/ROLLBACK (transactions)",
    "VACUUM": "VACUUM (rewrites storage)",
    "ANALYZE": "ANALYZE (rewrites statistics)",
    "MULTI": "PIVOT statements (they create types first; use PIVOT inside a SELECT … FROM (PIVOT …))",
    "PREPARE": "PREPARE (stores statements)",
    "EXECUTE": "EXECUTE (runs stored statements)",
    "UPDATE_EXTENSIONS": "UPDATE EXTENSIONS",
}

_EXPLAIN_PREFIX = re.compile(r"^\s*EXPLAIN(\s+ANALY[SZ]E)?\s*", re.IGNORECASE)


class StatementRefused(Exception):
    """A statement the workbench will not run; the message names what was refused."""


class StatementInvalid(Exception):
    """A statement DuckDB cannot parse; the message is the parser's, cleaned up."""


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def clean_error(error: BaseException) -> str:
    """DuckDB's message as one sentence: no LINE/caret context, no hints about internals."""
    line = first_line(error)
    if "disabled by configuration" in line or "disabled through configuration" in line:
        return "Reading or writing files, the network and extensions is not allowed in the query workbench."
    if "configuration has been locked" in line:
        return "Settings cannot be changed from the query workbench."
    if "read-only mode" in line or "read-only" in line.lower() and "attached" not in line.lower():
        return f"The query workbench only reads data: {line}"
    if isinstance(error, duckdb.OutOfMemoryException) or "Out of Memory" in line:
        return "The query needs more memory than the workbench allows; aggregate or filter more, or add LIMIT."
    return line


def max_statement_chars() -> int:
    """VANTAGE_QUERY_MAX_STATEMENT: the longest statement (in characters) the workbench will parse."""
    limit = config.get_int("VANTAGE_QUERY_MAX_STATEMENT")
    if limit < 1:
        raise ValidationError(f"VANTAGE_QUERY_MAX_STATEMENT must be at least 1 (characters), not {limit}.")
    return limit


def check_length(sql: str) -> None:
    """Refuse a too long or empty statement without parsing it (a 5 MB statement took seconds to parse)."""
    limit = max_statement_chars()
    if len(sql) > limit:
        raise StatementRefused(
            f"The statement is {len(sql):,} characters long; the query workbench accepts at most {limit:,} "
            "(VANTAGE_QUERY_MAX_STATEMENT). Shorten it."
        )
    if not sql.strip():
        raise StatementRefused("There is no statement to run.")


def parse_one(sql: str) -> tuple[str, str]:
    """(statement type, statement text) of the single statement in `sql`, else refused."""
    if not sql or not sql.strip():
        raise StatementRefused("There is no statement to run.")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        raise StatementInvalid(clean_error(e)) from e
    if not statements:
        raise StatementRefused("There is no statement to run (only comments).")
    if len(statements) > 1:
        raise StatementRefused(
            f"Only one statement can run at a time; this holds {len(statements)}. "
            "Remove everything after the first semicolon."
        )
    statement = statements[0]
    return statement.type.name, statement.query


def check_read_only(sql: str) -> str:
    """The statement type of `sql` if it is short enough and exactly one allowed read; raises StatementRefused."""
    check_length(sql)
    return classify_read(sql)


def classify_read(sql: str) -> str:
    """The statement type of `sql` if it is exactly one allowed read; raises StatementRefused.

    No length check: the sandbox worker calls this after the app checked the length
    against its own setting (the worker does not see VANTAGE_* variables).
    """
    kind, text = parse_one(sql)
    if kind not in ALLOWED_TYPES:
        what = REFUSED_WHAT.get(kind, kind)
        raise StatementRefused(
            f"{what} is not allowed: the query workbench runs one read statement "
            "(SELECT, WITH … SELECT, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN)."
        )
    if kind == "EXPLAIN":
        # EXPLAIN ANALYZE runs its statement: the inner one must be a read too.
        inner = _EXPLAIN_PREFIX.sub("", text, count=1)
        if inner.strip() and inner != text:
            inner_kind = classify_read(inner)
            if inner_kind == "EXPLAIN":
                raise StatementRefused("EXPLAIN of an EXPLAIN is not allowed.")
    return kind


def parameter_names(sql: str) -> list[str]:
    """Named parameters (`$region`) of one statement, in order of first use; [] if too long or it does not parse."""
    # The editor calls this on every rerun, in the app process: never parse an oversized statement
    # (running it is refused with the size message). A bad setting is reported by the run, not here.
    try:
        limit = max_statement_chars()
    except ValidationError:
        limit = int(config.default("VANTAGE_QUERY_MAX_STATEMENT"))
    if len(sql) > limit:
        return []
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:
        return []
    found: set[str] = set()
    for statement in statements:
        found |= set(statement.named_parameters)
    # The parser gives a set: order by where each first appears in the text.
    order = {name: _first_use(sql, name) for name in found}
    return sorted(found, key=lambda n: (order[n], n))


def _first_use(sql: str, name: str) -> int:
    match = re.search(r"\$" + re.escape(name) + r"\b", sql)
    return match.start() if match else len(sql)
