"""The pages' write plumbing: a notice left for the next run, the attempt of one write, the save of an edited grid.

A write that succeeds reruns the page, so the widgets above it show the new state; a message
drawn in that run would be wiped, so it is left as a `Notice` and drawn by the next run. A
refusal is shown at once in one sentence (`widgets.show_error`) and what was typed stays in
its widgets. Cached figures key on the data version, which every audited write moves
(research/ui/cache.py): nothing is cleared here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from research.errors import ConflictError, VantageError
from research.ui.text import escape_markdown
from research.ui.widgets import show_error

R = TypeVar("R")
C = TypeVar("C", bound=Collection[object])

DONE_ICON = ":material/check_circle:"


@dataclass(frozen=True)
class Notice:
    """A message a page leaves under one session key for its next run: a success note, or a toast.

    A refusal can be left too (a callback that runs before the rerun has nowhere to draw it); it is
    shown as an error. `escape` is for a message that is user text as a whole.
    """

    key: str
    toast: bool = False
    icon: str = DONE_ICON
    escape: bool = False

    def leave(self, message: str | VantageError) -> None:
        st.session_state[self.key] = message

    def show(self) -> None:
        message = st.session_state.pop(self.key, None)
        if isinstance(message, VantageError):
            show_error(message)
            return
        if not message:
            return
        text = escape_markdown(str(message)) if self.escape else str(message)
        if self.toast:
            st.toast(text, icon=self.icon)
        else:
            st.success(text, icon=self.icon)


def forget_widgets(*prefixes: str) -> None:
    """Drop the state of every widget whose key starts with one of `prefixes`: they are drawn again from their defaults."""
    if not prefixes:
        return
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefixes)]:
        del st.session_state[key]


def conflict_key(form: str) -> str:
    """Where a stale save of the form with key prefix `form` is kept for `conflict_panel`."""
    return f"{form}conflict"


def attempt(
    change: Callable[[], R], done: str | Callable[[R], str], *, notice: Notice, forget: Iterable[str] = (),
    then: Callable[[R], None] | None = None, form: str | None = None,
) -> None:
    """Run one write of the workspace.

    Refused: its sentence is shown and the run goes on; what was typed stays in the widgets.
    Done: `then(result)` moves the session along (open the new deck, …), the widgets whose keys
    start with a `forget` prefix are dropped (the form is drawn empty), `done` (or `done(result)`)
    is left as the notice and the page reruns.

    With `form` (the key prefix of a form loaded with a row's version), a stale save (ConflictError)
    is kept for `conflict_panel(form)`, which says so and offers to reload the row; the typed
    values stay in the form meanwhile.
    """
    try:
        result = change()
    except ConflictError as error:
        if form is None:
            show_error(error)
            return
        st.session_state[conflict_key(form)] = error
        st.rerun()
    except VantageError as error:
        show_error(error)
        return
    if then is not None:
        then(result)
    forget_widgets(*forget)
    notice.leave(done(result) if callable(done) else done)
    st.rerun()


def conflict_panel(form: str, reload_label: str) -> None:
    """The stale save of `form` kept by `attempt`, with the way out: reload the row, dropping the typed changes."""
    error = st.session_state.get(conflict_key(form))
    if not error:
        return
    show_error(error if isinstance(error, ConflictError) else ConflictError(str(error)))
    if st.button(reload_label, key=f"{form}reload", icon=":material/refresh:"):
        forget_widgets(form)
        st.rerun()


def save_grid_edits(
    changes: C, write: Callable[[C], R], done: Callable[[R], str | None], *, notice: Notice, editor: Iterable[str],
    nothing: str, refused: Callable[[VantageError], None] = show_error, reload_on_conflict: bool = False,
) -> None:
    """The one save of an edited `st.data_editor` grid.

    `changes` are the edits, diffed by the caller against the rows the grid was loaded with (each
    carries the version its row was loaded at); `write` hands them to the domain in one call, which
    checks them all and saves them in one audited transaction: all or nothing. Then:

    - no changes, or `done(result)` is None (the domain found nothing to write): `nothing` is said;
    - refused: `refused(error)` (by default its sentence); the edits stay in the grid to be fixed.
      With `reload_on_conflict` (a grid without a Discard button), a stale save instead drops the
      `editor` keys so the grid shows the rows as they are now, with the sentence after the rerun;
    - saved: the `editor` keys (the widget's key, a snapshot of the loaded rows, …) are dropped so the
      grid starts again from the saved rows, `done(result)` is left as the notice and the page reruns.
    """
    if not changes:
        st.info(nothing, icon=":material/info:")
        return
    try:
        result = write(changes)
    except ConflictError as error:
        if not reload_on_conflict:
            refused(error)
            return
        _drop(editor)
        notice.leave(error)
        st.rerun()
    except VantageError as error:
        refused(error)
        return
    message = done(result)
    if message is None:
        st.info(nothing, icon=":material/info:")
        return
    _drop(editor)
    notice.leave(message)
    st.rerun()


def _drop(keys: Iterable[str]) -> None:
    for key in keys:
        st.session_state.pop(key, None)
