"""Worker processes behind a pipe: length-prefixed frames, read with a deadline, killed when late.

Untrusted work runs outside the app's process so that it can never hold the app's
GIL or memory: user SQL (research.query.sandbox → research.query.worker) and
fetched pages (research.collect.isolation → research.collect.extract_worker). Both
speak the same protocol, owned here: each message is a 4-byte big-endian length
followed by that many bytes. The parent waits in `select()` (without the GIL) and
kills a worker whose answer has not arrived by the deadline.
"""

from __future__ import annotations

import os
import select
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, BinaryIO, cast

from research.config import PROJECT_ROOT

START_SECONDS = 30.0  # a worker that has not said it is ready by then is broken
_HEADER = struct.Struct(">I")


def frame(data: bytes) -> bytes:
    """`data` with its length in front, ready to write."""
    return _HEADER.pack(len(data)) + data


# ---- the worker's side (blocking reads on its stdin) ------------------------------------------


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame from `stream`, or None when the parent closed the pipe (time to exit)."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)  # not joined with the length: a result frame can be large
    stream.flush()


# ---- the parent's side ------------------------------------------------------------------------


class WorkerProcess:
    """`python -m MODULE ARGS…` with frames over its stdin/stdout; reads give up at a deadline.

    The worker gets the parent's environment without the VANTAGE_* settings (its
    parent passes what it needs explicitly) and its stderr is discarded.
    """

    def __init__(self, module: str, args: Sequence[str] = (), *, cwd: str | Path = PROJECT_ROOT) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VANTAGE_")}
        env["PYTHONPATH"] = str(PROJECT_ROOT)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd, env=env,
        )
        # Both are pipes (PIPE above); typed here once rather than checked for None at every use.
        self._to_worker = cast(IO[bytes], self.proc.stdin)
        self._from_worker = cast(IO[bytes], self.proc.stdout)
        self._buffer = b""

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

    def send(self, *frames: bytes) -> None:
        """Write frames to the worker (an idle worker is blocked reading, so this never waits on its work)."""
        for data in frames:
            self._to_worker.write(frame(data))
        self._to_worker.flush()

    def read_frame(self, deadline: float) -> bytes:
        """The next frame; TimeoutError past `deadline` (time.monotonic()), EOFError if the worker died."""
        (size,) = _HEADER.unpack(self._read_exact(_HEADER.size, deadline))
        return self._read_exact(size, deadline)

    def _read_exact(self, size: int, deadline: float) -> bytes:
        fd = self._from_worker.fileno()
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
