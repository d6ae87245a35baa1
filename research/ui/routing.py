"""Which script runs app.py's navigation routed: a page run without that mark is sent through app.py."""

from __future__ import annotations

import threading

from research.ui.identity import forget_run_principal

_run_marks = threading.local()  # each script run has its own thread


def mark_routed() -> None:
    """Called by app.py: this script run goes through the app's navigation (and starts afresh)."""
    _run_marks.routed = True
    forget_run_principal()


def take_routed_mark() -> bool:
    """True once per run that app.py routed (the mark is consumed)."""
    routed = getattr(_run_marks, "routed", False)
    _run_marks.routed = False
    return routed
