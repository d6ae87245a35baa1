"""Workspace storage: the Store class and its numbered schema migrations."""

from research.store.core import LATEST_SCHEMA, Store, Transaction, open_workspace, quote_ident

__all__ = ["LATEST_SCHEMA", "Store", "Transaction", "open_workspace", "quote_ident"]
