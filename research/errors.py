"""The one error family of Vantage: every failure a person can act on is a VantageError.

Driver and library errors are wrapped at the boundary with a human sentence;
pages show `error.message` with `st.error`, the CLI prints it as one line.
"""

from __future__ import annotations


class VantageError(Exception):
    """A failure with a sentence a person can act on."""

    title = "Something went wrong"

    def __init__(self, message: str, title: str | None = None, *, key: str | None = None,
                 params: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # A message of the UI catalog (research.i18n) and its values: pages show the error in the
        # viewer's language (research.i18n.error_text); `message` is its English text (CLI, logs).
        self.key = key
        self.params = dict(params or {})
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class StoreError(VantageError):
    title = "Workspace error"


class WorkspaceOpenError(StoreError):
    """The workspace cannot be opened: locked, corrupt, unreachable or too new."""

    title = "Cannot open the workspace"


class ReadOnlyError(StoreError):
    title = "The workspace is read-only"


class ConflictError(StoreError):
    """A stale edit: somebody else changed or removed the row since it was read."""

    title = "Changed by someone else"


class ValidationError(VantageError):
    title = "Invalid input"


class DemoError(VantageError):
    title = "Cannot build the demo market"


class FetchError(VantageError):
    """A URL refused before or during fetching (scheme, address policy, redirects)."""

    title = "Cannot fetch the page"


class ExtractError(VantageError):
    """A selector or field definition that cannot be used."""

    title = "Cannot read the page"


class QueryError(VantageError):
    """A statement that failed while running: DuckDB's message, cleaned up."""

    title = "The query failed"


class QueryRefused(QueryError):
    """A statement the workbench will not run, or a run it will not start."""

    title = "Query refused"


class QueryTimeout(QueryError):
    title = "Query stopped"
