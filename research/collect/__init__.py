"""Web collection: polite fetching, extraction into typed values, watchers and change logs.

Layers: `fetch` (all I/O), `extract` (pure HTML → values), `watchers` and
`observations` (the workspace), `run` (hosts in parallel), `inbox` (hand-over when
another process holds the workspace), `collector` (runs end to end), `commands` (CLI).

For other pages: `latest_changes(store, company_id=None, limit=20)` returns the
newest collected changes as a DataFrame.
"""

from research.collect.observations import latest_changes

__all__ = ["latest_changes"]
