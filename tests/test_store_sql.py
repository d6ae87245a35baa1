"""One quoting rule for what cannot be bound (research/store/sql.py, issue 16 item 1).

Names and texts quoted by the helper go through real DuckDB and come back unchanged, however
many quotes they hold; the segment rule text, which writes its strings the same way, reads back
too; and no other module of research/ escapes quotes by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from research.errors import ValidationError
from research.segments import rules
from research.store import quote_ident as exported_quote_ident
from research.store.sql import quote_ident, quote_name, quoted, sql_literal

ROOT = Path(__file__).resolve().parent.parent
AWKWARD = ["plain", "it's", "O''Brien", 'say "hi"', 'both \' and "', "", "'; DROP TABLE accounts; --"]


@pytest.mark.parametrize("text", AWKWARD)
def test_a_literal_reaches_duckdb_as_the_same_text(text: str) -> None:
    with duckdb.connect(":memory:") as con:
        assert con.execute(f"SELECT {sql_literal(text)}").fetchone() == (text,)


@pytest.mark.parametrize("name", [n for n in AWKWARD if n])
def test_a_catalog_name_reaches_duckdb_as_the_same_name(name: str) -> None:
    with duckdb.connect(":memory:") as con:
        con.execute(f"CREATE TABLE {quote_name(name)} ({quote_name(name)} INTEGER)")
        con.execute(f"INSERT INTO {quote_name(name)} VALUES (7)")
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchone() == (name,)
        assert con.execute(f"SELECT {quote_name(name)} FROM {quote_name(name)}").fetchone() == (7,)


def test_our_names_are_quoted_by_the_same_rule_and_only_when_plain() -> None:
    assert quote_ident("accounts") == quote_name("accounts") == quoted("accounts", '"') == '"accounts"'
    assert exported_quote_ident is quote_ident  # research.store exports the one helper
    for name in ['a"b', "it's", "name--", "1abc", ""]:
        with pytest.raises(ValidationError, match="is not a valid table or column name"):
            quote_ident(name)


def test_a_rule_value_with_quotes_reads_back_from_its_text() -> None:
    rule = {"op": "and", "items": [{"field": "industry", "in": ['Say "Hi" Ltd', "it's"]}]}
    text = rules.rule_text(rule)
    assert text == 'industry in ("Say ""Hi"" Ltd", "it\'s")'
    assert rules.parse_rule_text(text or "") == rule


def test_no_other_module_escapes_quotes_itself() -> None:
    # `.replace("'", "''")`, `.replace('"', '""')` or chr(39) doubling outside research/store/sql.py is
    # a second copy of the rule (there were four: quote_ident, quote_name, the rule text, dataset loads).
    by_hand = re.compile(r"""\.replace\(\s*(?:"'"\s*,\s*"''"|'"'\s*,\s*'""'|chr\((?:39|34)\))""")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "research").rglob("*.py"))
             if path != ROOT / "research" / "store" / "sql.py"
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if by_hand.search(line)]
    assert found == []
    assert by_hand.search("""x.replace("'", "''")""") and by_hand.search("""x.replace('"', '""')""")
    assert by_hand.search("path.replace(chr(39), chr(39) * 2)")
