"""Workspace storage: the Store class and its numbered schema migrations."""

from research.store.core import LATEST_SCHEMA, Store, Transaction, open_workspace
from research.store.sql import quote_ident, quote_name, sql_literal

__all__ = ["LATEST_SCHEMA", "Store", "Transaction", "open_workspace", "quote_ident", "quote_name", "sql_literal"]
