"""A real local web server for collection tests (threaded http.server on 127.x, never the internet).

Routes map a path to a handler `(request) -> None` that writes the whole answer,
so each fault (endless body, silence, redirect loop…) is a few lines.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from research.collect.fetch import FetchPolicy

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "collect"
Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


def page(body: bytes | str, status: int = 200, content_type: str = "text/html; charset=utf-8", **headers: str) -> Handler:
    data = body.encode("utf-8") if isinstance(body, str) else body

    def handle(req: http.server.BaseHTTPRequestHandler) -> None:
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        for name, value in headers.items():
            req.send_header(name.replace("_", "-"), value)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    return handle


def fixture_page(name: str, content_type: str = "text/html") -> Handler:
    return page((FIXTURES / name).read_bytes(), content_type=content_type)


def gzip_page(body: str) -> Handler:
    return page(gzip.compress(body.encode("utf-8")), Content_Encoding="gzip")


def redirect(location: str, status: int = 302) -> Handler:
    def handle(req: http.server.BaseHTTPRequestHandler) -> None:
        req.send_response(status)
        req.send_header("Location", location)
        req.send_header("Content-Length", "0")
        req.end_headers()

    return handle


def silent(seconds: float) -> Handler:
    def handle(req: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)

    return handle


def endless(chunk: bytes = b"<p>" + b"x" * 8192 + b"</p>", delay: float = 0.0) -> Handler:
    def handle(req: http.server.BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        req.end_headers()
        req.wfile.write(b"<html><body>")
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                req.wfile.write(chunk)
                if delay:
                    req.wfile.flush()
                    time.sleep(delay)
        except OSError:
            pass

    return handle


class LocalSite:
    """A threaded HTTP server on a loopback address with swappable routes and a request log."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str], float]] = []
        site = self

        class Handler_(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                site.requests.append((self.path, dict(self.headers), time.monotonic()))
                handler = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
                if handler is None:
                    page("<h1>Not found</h1>", status=404)(self)
                else:
                    handler(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler_)
        self.server.daemon_threads = True
        self.host = host
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.requests if p == path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fast_policy(**overrides: object) -> FetchPolicy:
    """Loopback allowed explicitly (the default refuses it) and short times, so fault tests stay fast."""
    values: dict[str, object] = {
        "user_agent": "Vantage-test/1 (+tests)",
        "allow_hosts": frozenset({"127.0.0.1", "127.0.0.2", "127.0.0.3", "localhost"}),
        "connect_timeout": 1.0,
        "read_timeout": 0.6,
        "total_timeout": 1.5,
        "host_interval": 0.0,
        "retries": 1,
        "backoff": 0.05,
        "max_retry_after": 2.0,
        "max_bytes": 200_000,
    }
    values.update(overrides)
    return FetchPolicy(**values)  # type: ignore[arg-type]


@pytest.fixture
def site() -> Iterator[LocalSite]:
    s = LocalSite()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _private_inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Watcher exports and inbox files must never land in the project's data/ folder.
    monkeypatch.setenv("VANTAGE_COLLECT_INBOX", str(tmp_path / "inbox"))
