"""Bounded extraction: untrusted pages are read in worker processes that are killed at a deadline.

`extract.py` is written to be linear in a page's size, but it runs third-party
parsers (lxml, BeautifulSoup, price-parser, dateutil) and user-written field
patterns on pages built by strangers. A regular expression that backtracks holds
the GIL, so in the app one slow page would freeze every session. Here each page
goes to a warm worker process (`extract_worker`) over a pipe; the caller waits
in `select()` without the GIL, and the worker is killed when the deadline
(VANTAGE_COLLECT_EXTRACT_TIMEOUT) passes. The Collect page's Test, collect runs and
`python -m research extract` all read pages through `extract_isolated`.

Workers are kept warm (a run costs a pipe round-trip, not a process start) and are
used by one caller at a time; a collect run's host threads each take their own.
"""

from __future__ import annotations

import atexit
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

from research import config
from research.collect.extract import Extraction, FieldSpec
from research.errors import ExtractError
from research.workers import START_SECONDS, WorkerProcess

MAX_IDLE = 4  # warm workers kept between pages; more are stopped when they finish


def default_timeout() -> float:
    return config.get_float("VANTAGE_COLLECT_EXTRACT_TIMEOUT") or 10.0


def timeout_message(timeout: float) -> str:
    return (
        f"Reading the page took longer than {timeout:g} s and was stopped; the page is unusually large "
        "or built to slow readers down (VANTAGE_COLLECT_EXTRACT_TIMEOUT sets the limit)."
    )


class _Worker(WorkerProcess):
    """One extraction process (research.collect.extract_worker)."""

    def __init__(self) -> None:
        try:
            super().__init__("research.collect.extract_worker")
        except OSError as e:
            raise ExtractError(f"The page reader could not start ({e.strerror or e}).") from None
        try:
            ready = json.loads(self.read_frame(time.monotonic() + START_SECONDS))
        except (TimeoutError, EOFError, OSError, ValueError):
            self.kill()
            raise ExtractError("The page reader could not start; check that the project's packages are installed.") from None
        if not ready.get("ok"):
            self.kill()
            raise ExtractError("The page reader could not start.")

    def run(self, header: dict[str, Any], html: str, deadline: float) -> dict[str, Any]:
        self.send(json.dumps(header).encode(), html.encode("utf-8", "surrogatepass"))
        return json.loads(self.read_frame(deadline))


_lock = threading.Lock()
_idle: list[_Worker] = []
_busy: set[_Worker] = set()


def _checkout() -> _Worker:
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.alive():
                _busy.add(worker)
                return worker
            worker.kill()
    worker = _Worker()
    with _lock:
        _busy.add(worker)
    return worker


def _checkin(worker: _Worker, healthy: bool) -> None:
    with _lock:
        _busy.discard(worker)
        keep = healthy and worker.alive() and len(_idle) < MAX_IDLE
        if keep:
            _idle.append(worker)
    if not keep:
        worker.kill()


@atexit.register
def close_workers() -> None:
    """Stop every worker of this process (at exit; tests call it to start afresh)."""
    with _lock:
        workers = _idle + list(_busy)
        _idle.clear()
    for worker in workers:
        worker.kill()


def extract_isolated(
    html: str,
    *,
    kind: str = "product",
    url: str | None = None,
    fields: Sequence[FieldSpec] = (),
    item_selector: str | None = None,
    ignore: Sequence[str] = (),
    timeout: float | None = None,
) -> Extraction:
    """`extract.extract_page` in a worker process, stopped after `timeout` seconds (ExtractError).

    The page's own faults (bad selectors, pages too deep to read) come back as ExtractError
    too, with the sentence the worker wrote; nothing a page does raises anything else here.
    """
    timeout = default_timeout() if timeout is None else timeout
    if timeout <= 0:
        raise ExtractError("The time limit for reading a page must be more than zero seconds.")
    header = {
        "kind": kind, "url": url, "fields": [f.to_dict() for f in fields], "item_selector": item_selector,
        "ignore": list(ignore),
    }
    worker = _checkout()
    healthy = False
    try:
        answer = worker.run(header, html, time.monotonic() + timeout)
        healthy = True
    except TimeoutError:
        raise ExtractError(timeout_message(timeout)) from None
    except (EOFError, OSError, ValueError):
        raise ExtractError(
            "Reading the page stopped the page reader (it ran out of memory or crashed); nothing was extracted."
        ) from None
    finally:
        _checkin(worker, healthy)
    if not answer.get("ok"):
        raise ExtractError(answer.get("message") or "The page could not be read.")
    return Extraction(
        values=answer["values"], warnings=list(answer.get("warnings") or []), text=answer.get("text") or "",
        notes=list(answer.get("notes") or []), evidence=list(answer.get("evidence") or []),
    )
