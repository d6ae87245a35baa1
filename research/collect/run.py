"""A collect run: fetch and extract many watchers, hosts in parallel, each host politely in turn.

Workers (one per host, up to `workers` at once) only fetch and extract; results
come back to the calling thread through a queue, in the order they finish, so the
caller records them (the store's one writer) and shows progress as they arrive.
A watcher that fails becomes an `error` result; it never stops the others. Between
one host's pages the worker waits for the host's turn, so each page's deadline
covers only its own work.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from research import config
from research.collect.extract import ExtractError
from research.collect.fetch import Fetcher, FetchPolicy
from research.collect.isolation import extract_isolated
from research.collect.states import FetchStatus
from research.collect.watchers import Watcher


@dataclass
class PageResult:
    """One watcher's fetch and extraction in one run: what the inbox stores and the store records."""

    run_id: str
    watcher_id: int
    url: str
    fetched_at: dt.datetime
    fetch_status: FetchStatus  # postponed is never stored; `from_record` gives back the same text as a str
    http_status: int | None = None
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    values_json: str | None = None
    page_text: bytes | None = None  # zlib-compressed visible text
    warnings: list[str] = field(default_factory=list)
    message: str | None = None
    elapsed_ms: int = 0

    @property
    def values(self) -> dict[str, Any] | None:
        return json.loads(self.values_json) if self.values_json else None

    @property
    def text(self) -> str:
        return zlib.decompress(self.page_text).decode("utf-8") if self.page_text else ""

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["warnings"] = json.dumps(self.warnings, ensure_ascii=False)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> PageResult:
        data = dict(record)
        warnings = data.get("warnings")
        data["warnings"] = json.loads(warnings) if isinstance(warnings, str) and warnings else []
        for key in ("http_status", "elapsed_ms", "watcher_id"):
            if data.get(key) is not None and data[key] == data[key]:  # NaN check
                data[key] = int(data[key])
            elif key == "http_status":
                data[key] = None
        fetched = data["fetched_at"]
        if hasattr(fetched, "to_pydatetime"):
            data["fetched_at"] = fetched.to_pydatetime()
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def new_run_id() -> str:
    return dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def collect_page(
    fetcher: Fetcher, watcher: Watcher, run_id: str, conditional: Mapping[str, str | None] | None = None
) -> PageResult:
    """Fetch one watcher's page and extract what it wants; never raises for the page's faults."""
    fetched = fetcher.fetch(watcher.url, conditional=conditional)
    result = PageResult(
        run_id=run_id, watcher_id=watcher.id, url=watcher.url, fetched_at=fetched.fetched_at,
        fetch_status=fetched.status, http_status=fetched.http_status, final_url=fetched.final_url,
        etag=fetched.etag, last_modified=fetched.last_modified, message=fetched.message,
        elapsed_ms=int(fetched.elapsed * 1000),
    )
    if fetched.status != FetchStatus.OK or fetched.html is None:
        return result
    try:  # in a worker process with a deadline: a page built to be slow must not stall the run or the app
        extraction = extract_isolated(
            fetched.html, kind=watcher.kind, url=fetched.final_url or watcher.url, fields=watcher.fields,
            item_selector=watcher.item_selector, ignore=watcher.ignore_selectors,
        )
    except (ExtractError, RecursionError) as e:
        result.fetch_status = FetchStatus.ERROR
        result.message = e.message if isinstance(e, ExtractError) else "the page is nested too deeply to read"
        return result
    result.values_json = json.dumps(extraction.values, ensure_ascii=False, sort_keys=True)
    result.page_text = zlib.compress(extraction.text.encode("utf-8"), 6)
    result.warnings = extraction.warnings
    return result


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or url).lower()
    except ValueError:
        return url


def run_collection(
    watchers: Sequence[Watcher],
    *,
    policy: FetchPolicy | None = None,
    conditional: Mapping[int, Mapping[str, str | None]] | None = None,
    run_id: str | None = None,
    on_result: Callable[[PageResult], None] | None = None,
    workers: int | None = None,
) -> list[PageResult]:
    """Fetch and extract `watchers`; `on_result` runs in the calling thread as each one finishes."""
    run_id = run_id or new_run_id()
    watchers = list({w.id: w for w in watchers}.values())  # a watcher named twice is fetched once
    fetcher = Fetcher(policy)
    conditional = conditional or {}
    by_host: dict[str, list[Watcher]] = defaultdict(list)
    for watcher in watchers:
        by_host[_host(watcher.url)].append(watcher)
    done: queue.Queue[PageResult] = queue.Queue()

    def work(group: list[Watcher]) -> None:
        for watcher in group:
            # The wait for the host's turn (interval, Crawl-delay) belongs to the run, not to
            # the next page's deadline; within a page, a wait past the deadline postpones it.
            fetcher.throttle.wait_for_turn(_host(watcher.url))
            try:
                result = collect_page(fetcher, watcher, run_id, conditional.get(watcher.id))
            except Exception as e:  # noqa: BLE001 — a bug on one page must not stop the others; it is reported
                result = PageResult(
                    run_id=run_id, watcher_id=watcher.id, url=watcher.url,
                    fetched_at=dt.datetime.now().replace(microsecond=0), fetch_status=FetchStatus.ERROR,
                    message=f"internal error while reading the page ({type(e).__name__}: {e})",
                )
            done.put(result)

    results: list[PageResult] = []
    size = max(1, min(workers or config.COLLECT_WORKERS.value(), len(by_host) or 1))
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="collect") as pool:
        futures = [pool.submit(work, group) for group in by_host.values()]
        while len(results) < len(watchers):
            try:
                result = done.get(timeout=0.2)
            except queue.Empty:
                if all(f.done() for f in futures) and done.empty():
                    break
                continue
            results.append(result)
            if on_result is not None:
                on_result(result)
    fetcher.close()
    return results
