"""Web collection: polite fetching, extraction into typed values, watchers and change logs.

Layers: `fetch` (all I/O), `extract` (pure HTML → values), `watchers` and
`observations` (the workspace), `run` (hosts in parallel), `inbox` (hand-over when
another process holds the workspace), `collector` (runs end to end), `commands` (CLI).

For other pages: `latest_changes(store, company_id=None, limit=20)` returns the
newest collected changes as a DataFrame.
"""

from typing import Any

__all__ = ["latest_changes"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the extraction worker process imports research.collect.extract
    # and must not pay for pandas and the store (~0.5 s) on every start.
    if name == "latest_changes":
        from research.collect.observations import latest_changes

        return latest_changes
    raise AttributeError(f"module 'research.collect' has no attribute {name!r}")
