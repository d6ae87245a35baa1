"""How a name or a text reaches SQL where it cannot be bound: the one quoting rule of research/.

Values are always bound (`?`, `$name`). What cannot be — a table or column name, a file path
in EXPORT DATABASE, COPY, ATTACH or SET, a constant list inside a statement — is quoted here,
the way SQL quotes: a name in double quotes, a text in single quotes, the quote character
doubled inside. Names of ours (tables, columns, custom fields) must be plain identifiers;
names read back from DuckDB's own catalog (a workspace file called `my-workspace`) need not be.
"""

from __future__ import annotations

import re
from typing import Literal

from research.errors import ValidationError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quoted(text: str, mark: Literal["'", '"']) -> str:
    """`text` between two `mark`s with each `mark` inside doubled: SQL's one escaping rule.

    The segment rule language (research.segments.rules) writes its strings this way too, so
    its text reads back with the same rule.
    """
    return mark + text.replace(mark, mark * 2) + mark


def quote_ident(name: str) -> str:
    """A table or column name of ours, quoted; anything but a plain identifier is refused."""
    if not _IDENTIFIER.match(name):
        raise ValidationError(f"{name!r} is not a valid table or column name.")
    return quoted(name, '"')


def quote_name(name: str) -> str:
    """A name read from DuckDB's own catalog (never user input), quoted whatever it holds."""
    return quoted(name, '"')


def sql_literal(text: str) -> str:
    """`text` as a SQL string literal, for the statements that take no bound parameters."""
    return quoted(text, "'")
