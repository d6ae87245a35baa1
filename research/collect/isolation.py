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
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from research import config
from research.collect.extract import Extraction, FieldSpec
from research.config import PROJECT_ROOT
from research.errors import ExtractError

START_SECONDS = 30.0  # a worker that is not ready by then is broken (imports take ~0.5 s)
MAX_IDLE = 4  # warm workers kept between pages; more are stopped when they finish
_HEADER = struct.Struct(">I")


def default_timeout() -> float:
    return config.get_float("VANTAGE_COLLECT_EXTRACT_TIMEOUT") or 10.0


def timeout_message(timeout: float) -> str:
    return (
        f"Reading the page took longer than {timeout:g} s and was stopped; the page is unusually large "
        "or built to slow readers down (VANTAGE_COLLECT_EXTRACT_TIMEOUT sets the limit)."
    )


class _Worker:
    """One extraction process; frames over its stdin/stdout."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VANTAGE_")}
        env["PYTHONPATH"] = str(PROJECT_ROOT)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "research.collect.extract_worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=PROJECT_ROOT, env=env,
            )
        except OSError as e:
            raise ExtractError(f"The page reader could not start ({e.strerror or e}).") from None
        self._buffer = b""
        try:
            ready = json.loads(self._read_frame(time.monotonic() + START_SECONDS))
        except (TimeoutError, EOFError, OSError, ValueError):
            self.kill()
            raise ExtractError("The page reader could not start; check that the project's packages are installed.") from None
        if not ready.get("ok"):
            self.kill()
            raise ExtractError("The page reader could not start.")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                try:
                    stream.close()
                except OSError:
                    pass

    def _read_exact(self, size: int, deadline: float) -> bytes:
        fd = self.proc.stdout.fileno()
        chunks = [self._buffer] if self._buffer else []
        have = len(self._buffer)
        self._buffer = b""
        while have < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, max(size - have, 1 << 16))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            have += len(chunk)
        data = b"".join(chunks)
        self._buffer = data[size:]
        return data[:size]

    def _read_frame(self, deadline: float) -> bytes:
        (size,) = _HEADER.unpack(self._read_exact(_HEADER.size, deadline))
        return self._read_exact(size, deadline)

    def run(self, header: dict[str, Any], html: str, deadline: float) -> dict[str, Any]:
        head = json.dumps(header).encode()
        body = html.encode("utf-8", "surrogatepass")
        # An idle worker is blocked reading its stdin, so this write does not wait on the page's work.
        self.proc.stdin.write(_HEADER.pack(len(head)) + head + _HEADER.pack(len(body)))
        self.proc.stdin.write(body)
        self.proc.stdin.flush()
        return json.loads(self._read_frame(deadline))


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
        notes=list(answer.get("notes") or []),
    )
