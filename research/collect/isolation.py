"""Bounded extraction: untrusted pages are read in worker processes that are killed at a deadline.

`extract.py` is written to be linear in a page's size, but it runs third-party
parsers (lxml with cssselect, price-parser, dateutil) and user-written field
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
from research.i18n import MESSAGES, Named, keyed_error, t
from research.workers import START_SECONDS, WorkerProcess

MAX_IDLE = 4  # warm workers kept between pages; more are stopped when they finish


def default_timeout() -> float:
    return config.COLLECT_EXTRACT_TIMEOUT.value() or 10.0


def _worker_error(answer: dict[str, Any]) -> ExtractError:
    """The worker's refusal as an ExtractError: keyed when the worker sent a catalog key (with its values,
    a value in both languages as {"en", "sr"}), else in the worker's words (a bug's message)."""
    message = answer.get("message")
    if not message:
        return keyed_error(ExtractError, "reader.error.unreadable")
    key = answer.get("key")
    if isinstance(key, str) and key in MESSAGES:
        params = {name: Named(value.get("en", ""), value.get("sr")) if isinstance(value, dict) else value
                  for name, value in (answer.get("params") or {}).items()}
        try:
            t(key, "sr", **params)
        except (KeyError, IndexError, ValueError):
            return ExtractError(message)  # values that do not fill the message: the worker's English stands
        # The worker's English as it wrote it (the CLI's); a page draws the key in the viewer's language.
        return ExtractError(message, key=key, params=params)
    return ExtractError(message)


class _Worker(WorkerProcess):
    """One extraction process (research.collect.extract_worker)."""

    def __init__(self) -> None:
        try:
            super().__init__("research.collect.extract_worker")
        except OSError as e:
            raise keyed_error(ExtractError, "reader.error.start_os", reason=str(e.strerror or e)) from None
        try:
            ready = json.loads(self.read_frame(time.monotonic() + START_SECONDS))
        except (TimeoutError, EOFError, OSError, ValueError):
            self.kill()
            raise keyed_error(ExtractError, "reader.error.start_packages") from None
        if not ready.get("ok"):
            self.kill()
            raise keyed_error(ExtractError, "reader.error.start")

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
        raise keyed_error(ExtractError, "reader.error.no_time")
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
        raise keyed_error(ExtractError, "reader.error.timeout", seconds=timeout,
                          setting=config.COLLECT_EXTRACT_TIMEOUT.env) from None
    except (EOFError, OSError, ValueError):
        raise keyed_error(ExtractError, "reader.error.crashed") from None
    finally:
        _checkin(worker, healthy)
    if not answer.get("ok"):
        raise _worker_error(answer)
    return Extraction(
        values=answer["values"], warnings=list(answer.get("warnings") or []), text=answer.get("text") or "",
        notes=list(answer.get("notes") or []), evidence=list(answer.get("evidence") or []),
    )
