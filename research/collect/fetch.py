"""Polite, bounded HTTP fetching of competitor pages: the only I/O of collection.

What it guarantees, whatever the server does: only http(s); every hop's address
checked against the address policy after DNS resolution (loopback, private,
link-local, metadata and reserved addresses refused unless allow-listed); at most
five redirects; robots.txt obeyed at every hop and cached per host; one request per
host per interval; retries with backoff on network errors and on 429/503
(Retry-After honoured up to a cap); a cap on decoded body size; and one total
deadline per page covering robots.txt, politeness waits, connect, headers and body.
The deadline is enforced on the sockets by a watchdog, because requests' timeout is
per read and a server dripping a byte at a time would otherwise run for minutes; a
politeness wait that would pass it postpones the page to the next run instead.
Nothing here raises for a bad page: the outcome is a `FetchResult` whose `status`
says what happened.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from research import __version__, config
from research.collect.states import FetchStatus
from research.errors import FetchError
from research.i18n import keyed_error


MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
# Addresses no watcher should reach unless a person allow-lists them explicitly.
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"})
_EXTRA_BLOCKED_NETS = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (Alibaba's metadata lives here)
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("198.18.0.0/15"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_CHALLENGE_TITLE = re.compile(
    r"<title[^>]*>[^<]*(just a moment|attention required|access denied|are you a robot|robot check|"
    r"captcha|pardon our interruption|security check|request unsuccessful|verify you are human)",
    re.I,
)
_CHALLENGE_MARKERS = re.compile(r"cf-chl-|g-recaptcha|h-captcha|px-captcha|_Incapsula_Resource|datadome", re.I)


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how far a run may go; tests shorten the times."""

    user_agent: str = ""
    allow_hosts: frozenset[str] = frozenset()
    max_bytes: int = 5_000_000
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 20.0
    host_interval: float = 2.0
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    max_crawl_delay: float = 30.0
    respect_robots: bool = True

    @classmethod
    def from_settings(cls, **overrides: object) -> FetchPolicy:
        contact = config.COLLECT_CONTACT.value()
        agent = f"Vantage/{__version__} (competitor research; +{contact or 'https://github.com/vantage-research'})"
        allow = frozenset(h.strip().lower() for h in config.COLLECT_ALLOW_HOSTS.value().split(",") if h.strip())
        values: dict[str, object] = {
            "user_agent": agent,
            "allow_hosts": allow,
            "max_bytes": config.COLLECT_MAX_BYTES.value(),
            "host_interval": config.COLLECT_HOST_INTERVAL.value(),
            "total_timeout": config.COLLECT_TIMEOUT.value(),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def agent(self) -> str:
        return self.user_agent or f"Vantage/{__version__} (competitor research)"


@dataclass
class FetchResult:
    """What one page fetch came to.

    status (a `FetchStatus`): ok, not_modified, blocked, error, skipped (robots.txt says no,
    at the page or at a redirect hop) or postponed (a politeness wait would pass the deadline, so
    nothing more was requested; the page is left for the next run).
    """

    url: str
    status: FetchStatus
    http_status: int | None = None
    final_url: str | None = None
    html: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    message: str | None = None
    retry_after: str | None = None
    elapsed: float = 0.0
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))


# ---- address policy ----------------------------------------------------------------------


# Longer addresses are refused, at every hop: matching one against robots.txt rules costs
# (rules × length) CPU in this process, and a 60 KB redirect target against a large
# robots.txt took 30 s (attack round 2). 2,048 is the sitemaps protocol's own limit.
MAX_URL_CHARS = 2048
# RFC 9309 §2.5: crawlers must read at least 500 KiB of robots.txt and may ignore the rest.
MAX_ROBOTS_CHARS = 500 * 1024


def check_scheme(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; anything else is refused before any I/O."""
    if len(url) > MAX_URL_CHARS:
        raise keyed_error(FetchError, "fetch.error.too_long", length=len(url), limit=MAX_URL_CHARS)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as e:
        raise keyed_error(FetchError, "fetch.error.invalid", url=url, reason=str(e)) from None
    if parts.scheme.lower() not in ("http", "https"):
        if parts.scheme:
            raise keyed_error(FetchError, "fetch.error.scheme", http="http", https="https", scheme=parts.scheme, url=url)
        raise keyed_error(FetchError, "fetch.error.no_scheme", http="http", https="https", url=url)
    host = (parts.hostname or "").lower()
    if not host:
        raise keyed_error(FetchError, "fetch.error.no_host", url=url)
    if parts.username or parts.password:
        raise keyed_error(FetchError, "fetch.error.credentials")
    return parts.scheme.lower(), host, port or (443 if parts.scheme.lower() == "https" else 80)


def _forbidden_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `ip` is never fetched, as the catalog's `fetch.error.address.<reason>` names it; None when it may be."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_private:
        return "private"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "reserved"
    if any(ip in net for net in _EXTRA_BLOCKED_NETS if ip.version == net.version):
        return "reserved"
    return None


def check_address(url: str, policy: FetchPolicy) -> None:
    """Refuse URLs whose host resolves to an address the policy forbids (unless allow-listed)."""
    _, host, port = check_scheme(url)
    if host in policy.allow_hosts:
        return
    if host in _METADATA_HOSTS:
        raise keyed_error(FetchError, "fetch.error.metadata", host=host)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise keyed_error(FetchError, "fetch.error.dns", host=host, dns="DNS", reason=str(e)) from None
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address in policy.allow_hosts:
            continue
        reason = _forbidden_ip(ipaddress.ip_address(address))
        if reason:
            raise keyed_error(FetchError, f"fetch.error.address.{reason}", host=host, address=address,
                              setting=config.COLLECT_ALLOW_HOSTS.env)


# ---- politeness ---------------------------------------------------------------------------


class HostThrottle:
    """At most one request per `interval` seconds per host (longer if robots.txt asks), across threads."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}
        self._extra: dict[str, float] = {}
        self._lock = threading.Lock()

    def slow_down(self, host: str, interval: float) -> None:
        with self._lock:
            self._extra[host] = max(self._extra.get(host, 0.0), interval)

    def gap(self, host: str) -> float:
        with self._lock:
            return max(self.interval, self._extra.get(host, 0.0))

    def wait(self, host: str, deadline: float = float("inf")) -> bool:
        """Wait for the host's next slot and take it; False (nothing taken, no wait) if it comes after `deadline`."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            if slot > now and slot >= deadline:
                return False
            self._next[host] = slot + max(self.interval, self._extra.get(host, 0.0))
        if slot > now:
            time.sleep(slot - now)
        return True

    def wait_for_turn(self, host: str) -> None:
        """Sleep until the host's next slot is free, without taking it.

        A run calls this between one host's pages, so the wait for the host's turn is
        the run's, not the next page's: a Crawl-delay longer than the page deadline then
        slows the run down instead of postponing every page but the first.
        """
        with self._lock:
            pause = self._next.get(host, 0.0) - time.monotonic()
        if pause > 0:
            time.sleep(pause)


class RobotsCache:
    """robots.txt per scheme+host, fetched once per run (RFC 9309: 4xx allows all, 5xx/unreachable allows none)."""

    def __init__(self) -> None:
        # Protego rules, True (allow all), or the reason the site is closed to robots.
        self._rules: dict[str, Protego | bool | str] = {}
        self._lock = threading.Lock()

    def allowed(self, fetcher: Fetcher, url: str, watchdog: _Watchdog) -> tuple[bool, str | None]:
        """May `url` be fetched? robots.txt is read within the page's own deadline (`watchdog`)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            rules = self._rules.get(key)
        if rules is None:
            rules = self._load(fetcher, key, watchdog)
            with self._lock:
                self._rules[key] = rules
        if rules is True:
            return True, None
        if isinstance(rules, (str, bool)):
            return False, str(rules)
        delay = rules.crawl_delay(fetcher.policy.agent)
        if delay:
            fetcher.throttle.slow_down(parts.hostname or "", min(float(delay), fetcher.policy.max_crawl_delay))
        if rules.can_fetch(url, fetcher.policy.agent):
            return True, None
        return False, "robots.txt disallows this page for robots"

    def _load(self, fetcher: Fetcher, base: str, watchdog: _Watchdog) -> Protego | bool | str:
        result = fetcher._fetch_within(base + "/robots.txt", watchdog, robots=False, conditional={}, any_type=True)
        if result.status == FetchStatus.POSTPONED:  # not read yet, so nothing to remember: the page waits too
            raise _Stop(FetchStatus.POSTPONED, result.message or "")
        if result.status == FetchStatus.OK and result.html is not None:
            text = result.html
            if len(text) > MAX_ROBOTS_CHARS:  # cut at a line end, so no rule is read half
                text = text[: text.rfind("\n", 0, MAX_ROBOTS_CHARS) + 1]
            try:
                return Protego.parse(text)
            except (ValueError, TypeError):  # unparseable rules: behave as if there were none
                return True
        if result.http_status is not None and 400 <= result.http_status < 500:
            return True
        if result.status == FetchStatus.NOT_MODIFIED:
            return True
        # Unreachable, 5xx or out of time (a tarpit): closed for the rest of the run, so
        # the host's other pages do not each spend their whole deadline on it again.
        return f"robots.txt could not be read, so the site is treated as closed to robots: {result.message or 'no answer'}"


# ---- decoding -----------------------------------------------------------------------------


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_body(body: bytes, content_type: str | None) -> str:
    """Text of a page: BOM, then the HTTP charset, then <meta charset>, then detection."""
    for bom, bom_codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(bom_codec, errors="replace").lstrip("\ufeff")
    header = re.search(r"charset=([^;\s]+)", content_type or "", re.I)
    codec = _known_codec(header.group(1)) if header else None
    if codec is None:
        meta = _META_CHARSET.search(body[:8192])
        codec = _known_codec(meta.group(1).decode("ascii", "replace")) if meta else None
    if codec is None:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            best = charset_normalizer.from_bytes(body[:200_000]).best()
            codec = best.encoding if best else "utf-8"
    return body.decode(codec, errors="replace")


def looks_blocked(html: str) -> bool:
    """A bot challenge or captcha served instead of the page (often with status 200)."""
    head = html[:20_000]
    if _CHALLENGE_TITLE.search(head):
        return True
    return bool(_CHALLENGE_MARKERS.search(head)) and len(html) < 60_000


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class _Deadline(Exception):
    pass


class _Stop(Exception):
    """Ends a fetch early with a status other than error: skipped (robots.txt) or postponed."""

    def __init__(self, status: FetchStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---- the deadline watchdog ----------------------------------------------------------------

_ACTIVE = threading.local()  # the watchdog of the fetch running in this thread, if any


class _Watchdog:
    """One page's total deadline, enforced on every socket the fetch uses.

    requests' timeouts are per read, so a server dripping a byte every second never
    trips them, in the headers as much as in the body. From the moment the fetch
    starts, the socket of every connection it uses (robots.txt's and each hop's, kept
    alive or just connected) is registered here, and at the deadline a timer shuts
    them all down: shutting a socket down wakes a reader blocked in recv(), closing
    it may not. Sockets, not connections: http.client detaches the socket from its
    connection when the answer is read until close, so only the socket reaches it.
    A connect in progress is bounded by its own timeout, cut to the time left (CPython
    bounds a TLS handshake as a whole by that timeout too, drip or not).
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._done = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._outer: _Watchdog | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            late = self.fired.is_set()
        if late:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired.set()
            targets = list(self._sockets)
        for sock in targets:
            _shutdown(sock)

    def __enter__(self) -> _Watchdog:
        self._outer = getattr(_ACTIVE, "watchdog", None)
        _ACTIVE.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True  # a kept-alive connection outlives this fetch: the timer must not touch it now
            self._sockets = []
        _ACTIVE.watchdog = self._outer


def _shutdown(sock: socket.socket | None) -> None:
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed or never connected
        pass


def _active_watchdog() -> _Watchdog | None:
    return getattr(_ACTIVE, "watchdog", None)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        watchdog = _active_watchdog()
        if watchdog is not None:
            watchdog.watch(self.sock)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()  # after the TLS handshake: self.sock is the TLS socket the reader uses
        watchdog = _active_watchdog()
        if watchdog is not None:
            watchdog.watch(self.sock)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        watchdog = _active_watchdog()
        if watchdog is not None:
            watchdog.watch(getattr(connection, "sock", None))  # kept alive; a new one registers on connect
        return connection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        watchdog = _active_watchdog()
        if watchdog is not None:
            watchdog.watch(getattr(connection, "sock", None))
        return connection


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with pools whose connections report to the running fetch's watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # A new dict: urllib3's default one is shared by every PoolManager in the process.
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


# ---- fetching -----------------------------------------------------------------------------


class Fetcher:
    """One run's HTTP session, throttle and robots cache; safe to use from several threads."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy.from_settings()
        self.throttle = HostThrottle(self.policy.host_interval)
        self.robots = RobotsCache()
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        # A Session per thread: requests does not promise a shared one is thread-safe.
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no proxies or .netrc from the environment
            session.mount("http://", _WatchedAdapter())
            session.mount("https://", _WatchedAdapter())
            session.headers.update(
                {
                    "User-Agent": self.policy.agent,
                    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                    "Accept-Language": "en;q=0.9,sr;q=0.8,*;q=0.5",
                    "Accept-Encoding": "gzip, deflate",
                }
            )
            self._local.session = session
        return session

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()

    def fetch(
        self,
        url: str,
        *,
        robots: bool = True,
        conditional: Mapping[str, str | None] | None = None,
        accept_any_type: bool = False,
    ) -> FetchResult:
        """Fetch one page within the policy and its total deadline; never raises for what a server does."""
        started = time.monotonic()
        with _Watchdog(started + self.policy.total_timeout) as watchdog:
            result = self._fetch_within(url, watchdog, robots=robots, conditional=conditional or {}, any_type=accept_any_type)
        result.elapsed = time.monotonic() - started
        return result

    def _fetch_within(
        self, url: str, watchdog: _Watchdog, *, robots: bool, conditional: Mapping[str, str | None], any_type: bool
    ) -> FetchResult:
        """One fetch under an already running deadline (robots.txt shares the page's)."""
        started = time.monotonic()
        result = FetchResult(url=url, status=FetchStatus.ERROR)
        robots = robots and self.policy.respect_robots
        try:
            check_address(url, self.policy)  # a refused address is reported as such, not as a robots.txt failure
            if robots:
                allowed, why = self.robots.allowed(self, url, watchdog)
                if not allowed:
                    raise _Stop(FetchStatus.SKIPPED, why or "robots.txt disallows this page for robots")
            self._fetch_with_retries(url, result, watchdog, conditional, any_type, robots)
        except FetchError as e:
            result.status, result.message = FetchStatus.ERROR, e.message
        except _Stop as e:
            result.status, result.message, result.html = e.status, e.message, None
            if e.status == FetchStatus.POSTPONED:
                result.http_status = None
        finally:
            result.elapsed = time.monotonic() - started
        return result

    def _fetch_with_retries(
        self, url: str, result: FetchResult, watchdog: _Watchdog, conditional: Mapping[str, str | None],
        any_type: bool, robots: bool,
    ) -> None:
        attempt = 0
        while True:
            retry_in: float | None = None
            try:
                self._fetch_once(url, result, watchdog, conditional, any_type, robots)
                if result.http_status in (429, 503):
                    wait = _retry_after(result.retry_after)
                    if wait is None:
                        wait = self.policy.backoff * 2**attempt
                    if wait > self.policy.max_retry_after:
                        result.status = FetchStatus.BLOCKED
                        result.message = f"HTTP {result.http_status}: the site asks to wait {wait:.0f} s; try later"
                        return
                    retry_in = wait
                    result.status = FetchStatus.BLOCKED if result.http_status == 429 else FetchStatus.ERROR
                    result.message = f"HTTP {result.http_status} (rate limited or unavailable)"
                else:
                    return
            except _Stop as e:
                if attempt and e.status == FetchStatus.POSTPONED:
                    return  # the retry would pass the deadline: the failure before it is the outcome
                raise
            except (requests.ConnectionError, requests.Timeout, _Deadline) as e:
                result.status = FetchStatus.ERROR
                result.http_status = None
                if isinstance(e, _Deadline) or watchdog.fired.is_set() or watchdog.remaining() <= 0:
                    result.message = f"no complete answer within {self.policy.total_timeout:g} s (total deadline)"
                    return
                result.message = _network_message(e)
                retry_in = self.policy.backoff * 2**attempt
            attempt += 1
            if attempt > self.policy.retries or retry_in >= watchdog.remaining():
                return
            time.sleep(retry_in)

    def _take_turn(self, url: str, watchdog: _Watchdog) -> None:
        """Wait for the host's slot within the deadline, or postpone the page."""
        host = urlsplit(url).hostname or ""
        if not self.throttle.wait(host, watchdog.deadline):
            raise _Stop(
                FetchStatus.POSTPONED,
                f"{host} takes one request per {self.throttle.gap(host):g} s (our interval or its Crawl-delay); the next "
                f"would pass the {self.policy.total_timeout:g} s deadline, so the page waits for the next run (next: {url})",
            )

    def _fetch_once(
        self, url: str, result: FetchResult, watchdog: _Watchdog, conditional: Mapping[str, str | None],
        any_type: bool, robots: bool,
    ) -> None:
        headers: dict[str, str] = {}
        if conditional.get("etag"):
            headers["If-None-Match"] = str(conditional["etag"])
        if conditional.get("last_modified"):
            headers["If-Modified-Since"] = str(conditional["last_modified"])
        current = url
        seen: list[str] = []
        for hop in range(MAX_REDIRECTS + 1):
            check_address(current, self.policy)
            if hop and robots:
                # A redirect must not lead around robots.txt: each hop asks its own host's
                # rules (cached per host), within the same deadline.
                allowed, why = self.robots.allowed(self, current, watchdog)
                if not allowed:
                    raise _Stop(FetchStatus.SKIPPED, f"{why} (the page redirects to {current})")
            self._take_turn(current, watchdog)
            remaining = watchdog.remaining()
            if remaining <= 0:
                raise _Deadline()
            try:
                response = self.session.get(
                    current,
                    headers=headers,
                    allow_redirects=False,
                    stream=True,
                    timeout=(min(self.policy.connect_timeout, remaining), min(self.policy.read_timeout, remaining)),
                )
            except (requests.RequestException, OSError) as e:
                if watchdog.fired.is_set():
                    raise _Deadline() from e
                if isinstance(e, (requests.ConnectionError, requests.Timeout)):
                    raise
                raise FetchError(f"the server's answer could not be read ({type(e).__name__})") from e
            with response:
                result.http_status = response.status_code
                result.final_url = current
                if response.is_redirect and response.headers.get("Location"):
                    seen.append(current)
                    nxt = urljoin(current, response.headers["Location"])
                    if nxt in seen:
                        raise FetchError(f"the page redirects in a loop ({len(seen)} hops, back to {nxt})")
                    check_scheme(nxt)
                    current = nxt
                    headers = {}  # validators belong to the first URL only
                    continue
                self._read(response, result, watchdog, any_type)
                return
        raise FetchError(f"more than {MAX_REDIRECTS} redirects; stopped at {current}")

    def _read(self, response: requests.Response, result: FetchResult, watchdog: _Watchdog, any_type: bool) -> None:
        status = response.status_code
        result.etag = response.headers.get("ETag")
        result.last_modified = response.headers.get("Last-Modified")
        if status == 304:
            result.status, result.message = FetchStatus.NOT_MODIFIED, None
            return
        if status in (429, 503):
            result.status, result.retry_after = FetchStatus.ERROR, response.headers.get("Retry-After")
            return
        if status in (401, 403, 451):
            result.status, result.message = FetchStatus.BLOCKED, f"HTTP {status}: the site refused the request"
            return
        if status >= 400:
            result.status, result.message = FetchStatus.ERROR, f"HTTP {status} {response.reason or ''}".strip()
            return
        content_type = response.headers.get("Content-Type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        if not any_type and mime and mime not in HTML_TYPES:
            result.status, result.message = FetchStatus.ERROR, f"not a web page but {mime}"
            return
        body = self._body(response, watchdog)
        result.html = decode_body(body, content_type)
        if looks_blocked(result.html):
            result.status, result.message = FetchStatus.BLOCKED, "a bot check or captcha was served instead of the page"
            result.html = None
            return
        result.status, result.message = FetchStatus.OK, None

    def _body(self, response: requests.Response, watchdog: _Watchdog) -> bytes:
        """The decoded body, cut at the size cap, within the total deadline (the watchdog shuts a drip down)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes and "Content-Encoding" not in response.headers:
            raise FetchError(f"the page is larger than the {self.policy.max_bytes:,}-byte cap ({int(declared):,} bytes)")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=16_384):
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise FetchError(f"the page is larger than the {self.policy.max_bytes:,}-byte cap; nothing was kept")
                chunks.append(chunk)
                if watchdog.fired.is_set() or watchdog.remaining() <= 0:
                    raise _Deadline()
        except (requests.RequestException, OSError, AttributeError, ValueError) as e:
            if watchdog.fired.is_set():
                raise _Deadline() from e
            if isinstance(e, (requests.ConnectionError, requests.Timeout)):
                raise
            raise FetchError(f"the page could not be read completely ({type(e).__name__})") from e
        if watchdog.fired.is_set():
            raise _Deadline()  # a shut-down socket can end the body early but "cleanly"
        return b"".join(chunks)


def _network_message(error: Exception) -> str:
    text = str(error)
    if isinstance(error, requests.exceptions.SSLError):
        return "the site's TLS certificate could not be verified"
    if isinstance(error, requests.Timeout):
        return "the server did not answer in time"
    if "Name or service not known" in text or "getaddrinfo" in text:
        return "the host name cannot be found"
    if "Connection refused" in text:
        return "the server refused the connection"
    return "the connection failed"
