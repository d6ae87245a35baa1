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
from typing import TypeVar

import duckdb

from research import config
from research.errors import ValidationError, VantageError

E = TypeVar("E", bound=VantageError)

# StatementType names DuckDB gives the reads we allow. DESCRIBE, SUMMARIZE, SHOW,
# VALUES and FROM-first queries all parse as SELECT.
ALLOWED_TYPES = frozenset({"SELECT", "EXPLAIN"})

ALLOWED_TEXT = "SELECT, WITH … SELECT, VALUES, DESCRIBE, SUMMARIZE, EXPLAIN"

# The statement a refused statement type names (its catalog message says what it does).
REFUSED_STATEMENT = {
    "INSERT": "INSERT",
    "UPDATE": "UPDATE",
    "DELETE": "DELETE",
    "CREATE": "CREATE",
    "DROP": "DROP",
    "ALTER": "ALTER",
    "COPY": "COPY",
    "EXPORT": "EXPORT DATABASE",
    "ATTACH": "ATTACH",
    "DETACH": "DETACH",
    "LOAD": "INSTALL/LOAD",
    "SET": "SET/RESET/USE",
    "VARIABLE_SET": "SET VARIABLE",
    "PRAGMA": "PRAGMA",
    "CALL": "CALL/CHECKPOINT",
    "TRANSACTION": "BEGIN/COMMIT/ROLLBACK",
    "VACUUM": "VACUUM",
    "ANALYZE": "ANALYZE",
    "MULTI": "PIVOT",
    "PREPARE": "PREPARE",
    "EXECUTE": "EXECUTE",
    "UPDATE_EXTENSIONS": "UPDATE EXTENSIONS",
}
_REFUSED_TAIL = " is not allowed: the query workbench runs one read statement ({allowed})."

# The English sentences of this module's refusals and errors, by catalog key. The catalog
# (research/i18n/catalog_query.py) holds the same English beside the Serbian, and pages show
# an error in the viewer's language from its key and values; the sandbox worker raises these
# without loading the catalog (Babel) into every worker. tests/test_query_charts_language.py
# checks that both say the same.
ENGLISH: dict[str, str] = {
    "query.refused.length": (
        "The statement is {length:,} characters long; the query workbench accepts at most {limit:,} "
        "(VANTAGE_QUERY_MAX_STATEMENT). Shorten it."
    ),
    "query.refused.empty": "There is no statement to run.",
    "query.refused.comments": "There is no statement to run (only comments).",
    "query.refused.several": (
        "Only one statement can run at a time; this holds {count}. Remove everything after the first semicolon."
    ),
    "query.refused.explain_explain": "{statement} of an {statement} is not allowed.",
    "query.refused.no_result": "The statement returned no result.",
    "query.refused.other": "{statement}" + _REFUSED_TAIL,
    "query.refused.INSERT": "{statement} (adds rows)" + _REFUSED_TAIL,
    "query.refused.UPDATE": "{statement} (changes rows)" + _REFUSED_TAIL,
    "query.refused.DELETE": "{statement} (removes rows)" + _REFUSED_TAIL,
    "query.refused.CREATE": "{statement} (makes tables, views or macros)" + _REFUSED_TAIL,
    "query.refused.DROP": "{statement} (removes tables or views)" + _REFUSED_TAIL,
    "query.refused.ALTER": "{statement} (changes tables)" + _REFUSED_TAIL,
    "query.refused.COPY": "{statement} (reads or writes files)" + _REFUSED_TAIL,
    "query.refused.EXPORT": "{statement} (writes files)" + _REFUSED_TAIL,
    "query.refused.ATTACH": "{statement} (opens other databases)" + _REFUSED_TAIL,
    "query.refused.DETACH": "{statement} (closes databases)" + _REFUSED_TAIL,
    "query.refused.LOAD": "{statement} (extensions)" + _REFUSED_TAIL,
    "query.refused.SET": "{statement} (changes settings)" + _REFUSED_TAIL,
    "query.refused.VARIABLE_SET": "{statement} (changes settings)" + _REFUSED_TAIL,
    "query.refused.PRAGMA": "{statement} (changes or reads settings)" + _REFUSED_TAIL,
    "query.refused.CALL": "{statement} (runs procedures)" + _REFUSED_TAIL,
    "query.refused.TRANSACTION": "{statement} (transactions)" + _REFUSED_TAIL,
    "query.refused.VACUUM": "{statement} (rewrites storage)" + _REFUSED_TAIL,
    "query.refused.ANALYZE": "{statement} (rewrites statistics)" + _REFUSED_TAIL,
    "query.refused.MULTI": (
        "{statement} statements (they create types first; use {statement} inside a {example})" + _REFUSED_TAIL
    ),
    "query.refused.PREPARE": "{statement} (stores statements)" + _REFUSED_TAIL,
    "query.refused.EXECUTE": "{statement} (runs stored statements)" + _REFUSED_TAIL,
    "query.refused.UPDATE_EXTENSIONS": "{statement}" + _REFUSED_TAIL,
    "query.error.files": "Reading or writing files, the network and extensions is not allowed in the query workbench.",
    "query.error.settings": "Settings cannot be changed from the query workbench.",
    "query.error.read_only": "The query workbench only reads data: {detail}",
    "query.error.memory": "The query needs more memory than the workbench allows; aggregate or filter more, or add {limit}.",
    "query.error.engine": "{detail}",  # DuckDB's own sentence; Serbian puts a sentence of its own before it
}

_EXPLAIN_PREFIX = re.compile(r"^\s*EXPLAIN(\s+ANALY[SZ]E)?\s*", re.IGNORECASE)


class _Keyed(Exception):
    """An exception with its catalog key and values; the message is the English text."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(ENGLISH[key].format(**params))
        self.key = key
        self.params = params


class StatementRefused(_Keyed):
    """A statement the workbench will not run; the message names what was refused."""


class StatementInvalid(_Keyed):
    """A statement DuckDB cannot parse; the message is the parser's, cleaned up."""


def keyed(cls: type[E], key: str, **params: object) -> E:
    """An error of class `cls` with catalog message `key` (research.i18n.keyed_error).

    The catalog, and Babel with it, is loaded only when an error is raised: a CLI run
    that succeeds, and every sandbox worker, go without it.
    """
    from research.i18n import keyed_error

    return keyed_error(cls, key, **params)


def refusal_of(kind: str) -> StatementRefused:
    """The refusal of a statement of type `kind` (a DuckDB StatementType name)."""
    if kind == "MULTI":
        return StatementRefused("query.refused.MULTI", statement="PIVOT", allowed=ALLOWED_TEXT,
                                example="SELECT … FROM (PIVOT …)")
    if kind in REFUSED_STATEMENT:
        return StatementRefused(f"query.refused.{kind}", statement=REFUSED_STATEMENT[kind], allowed=ALLOWED_TEXT)
    return StatementRefused("query.refused.other", statement=kind, allowed=ALLOWED_TEXT)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def explain_error(error: BaseException) -> tuple[str, dict[str, object]]:
    """DuckDB's error as a catalog key and values: no LINE/caret context, no hints about internals."""
    line = first_line(error)
    if "disabled by configuration" in line or "disabled through configuration" in line:
        return "query.error.files", {}
    if "configuration has been locked" in line:
        return "query.error.settings", {}
    if "read-only mode" in line or "read-only" in line.lower() and "attached" not in line.lower():
        return "query.error.read_only", {"detail": line}
    if isinstance(error, duckdb.OutOfMemoryException) or "Out of Memory" in line:
        return "query.error.memory", {"limit": "LIMIT"}
    return "query.error.engine", {"detail": line}


def clean_error(error: BaseException) -> str:
    """DuckDB's message as one sentence (English): no LINE/caret context, no hints about internals."""
    key, params = explain_error(error)
    return ENGLISH[key].format(**params)


def max_statement_chars() -> int:
    """VANTAGE_QUERY_MAX_STATEMENT: the longest statement (in characters) the workbench will parse."""
    limit = config.QUERY_MAX_STATEMENT.value()
    if limit < 1:
        raise keyed(ValidationError, "query.setting.statement", setting=config.QUERY_MAX_STATEMENT.env, limit=limit)
    return limit


def check_length(sql: str) -> None:
    """Refuse a too long or empty statement without parsing it (a 5 MB statement took seconds to parse)."""
    limit = max_statement_chars()
    if len(sql) > limit:
        raise StatementRefused("query.refused.length", length=len(sql), limit=limit)
    if not sql.strip():
        raise StatementRefused("query.refused.empty")


def parse_one(sql: str) -> tuple[str, str]:
    """(statement type, statement text) of the single statement in `sql`, else refused."""
    if not sql or not sql.strip():
        raise StatementRefused("query.refused.empty")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as e:
        key, params = explain_error(e)
        raise StatementInvalid(key, **params) from e
    if not statements:
        raise StatementRefused("query.refused.comments")
    if len(statements) > 1:
        raise StatementRefused("query.refused.several", count=len(statements))
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
        raise refusal_of(kind)
    if kind == "EXPLAIN":
        # EXPLAIN ANALYZE runs its statement: the inner one must be a read too.
        inner = _EXPLAIN_PREFIX.sub("", text, count=1)
        if inner.strip() and inner != text:
            inner_kind = classify_read(inner)
            if inner_kind == "EXPLAIN":
                raise StatementRefused("query.refused.explain_explain", statement="EXPLAIN")
    return kind


def parameter_names(sql: str) -> list[str]:
    """Named parameters (`$region`) of one statement, in order of first use; [] if too long or it does not parse."""
    # The editor calls this on every rerun, in the app process: never parse an oversized statement
    # (running it is refused with the size message). A bad setting is reported by the run, not here.
    try:
        limit = max_statement_chars()
    except ValidationError:
        limit = config.QUERY_MAX_STATEMENT.default_value()
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
