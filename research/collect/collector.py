"""Collect runs end to end: into the workspace when we hold it, into the inbox when another process does."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from research.access import Actor, require
from research.collect import inbox
from research.collect.extract import ExtractError, Extraction
from research.collect.fetch import Fetcher, FetchPolicy
from research.collect.isolation import extract_isolated
from research.collect.observations import Recorded, record_result
from research.collect.run import PageResult, new_run_id, run_collection
from research.collect.states import READ_STATUSES, FetchStatus, WatcherStatus
from research.collect.watchers import Watcher, WatcherDraft, conditional_headers
from research.store import Store

log = logging.getLogger(__name__)

# A run row's status is its snapshot's (WatcherStatus), or for a page not recorded here its
# FetchStatus, or FETCHED: read by an inbox run, recorded at the next merge.
FETCHED = "fetched"
# Statuses that mean "fetched, or politely skipped or postponed": a run with only these succeeded.
# A postponed page was not asked for, so nothing is stored: the watcher stays due for the next run.
FINE_STATUSES: tuple[str, ...] = (*READ_STATUSES, WatcherStatus.SKIPPED, FETCHED, FetchStatus.POSTPONED)


@dataclass(frozen=True)
class RunRow:
    watcher_id: int
    watcher: str
    status: str
    http_status: int | None
    changes: int
    message: str | None


@dataclass
class RunSummary:
    run_id: str
    rows: list[RunRow] = field(default_factory=list)
    seconds: float = 0.0
    inbox_file: Path | None = None
    new_signals: int = 0  # signals the run's changes made (research/signals), 0 for an inbox run

    @property
    def ok(self) -> bool:
        return all(r.status in FINE_STATUSES for r in self.rows)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            out[row.status] = out.get(row.status, 0) + 1
        return out


def _run(
    watchers: Sequence[Watcher],
    conditional: Mapping[int, Mapping[str, str | None]],
    to_row: Callable[[Watcher, PageResult], RunRow],
    *,
    policy: FetchPolicy | None,
    on_row: Callable[[RunRow, int, int], None] | None,
    workers: int | None,
) -> tuple[RunSummary, list[PageResult]]:
    """One run: each result becomes a summary row (via `to_row`, in this thread) as it arrives."""
    started = time.perf_counter()
    summary = RunSummary(run_id=new_run_id())
    by_id = {w.id: w for w in watchers}

    def note(result: PageResult) -> None:
        summary.rows.append(to_row(by_id[result.watcher_id], result))
        if on_row is not None:
            on_row(summary.rows[-1], len(summary.rows), len(by_id))

    results = run_collection(
        list(by_id.values()), policy=policy, conditional=conditional, run_id=summary.run_id, on_result=note,
        workers=workers,
    )
    summary.seconds = time.perf_counter() - started
    statuses = Counter(row.status for row in summary.rows)
    log.info("collect run %s: %d watcher(s) in %.1f s (%s)", summary.run_id, len(summary.rows), summary.seconds,
             ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "nothing to do")
    return summary, results


def collect_into_store(
    store: Store,
    actor: Actor,
    watchers: Sequence[Watcher],
    *,
    policy: FetchPolicy | None = None,
    on_row: Callable[[RunRow, int, int], None] | None = None,
    workers: int | None = None,
) -> RunSummary:
    """Fetch `watchers` and record each result as it arrives (snapshot, changes, prices); admins."""
    require(actor, "collect")

    def record(watcher: Watcher, result: PageResult) -> RunRow:
        if result.fetch_status == FetchStatus.POSTPONED:
            return RunRow(watcher.id, watcher.title, FetchStatus.POSTPONED, result.http_status, 0, result.message)
        outcome: Recorded | None = record_result(store, actor, watcher, result)
        return RunRow(
            watcher.id, watcher.title, outcome.status if outcome else result.fetch_status, result.http_status,
            outcome.changes if outcome else 0, result.message or "; ".join(result.warnings) or None,
        )

    summary, _ = _run(watchers, conditional_headers(store), record, policy=policy, on_row=on_row, workers=workers)
    from research.signals.generate import generate_after_collect  # above collect: see .importlinter

    generated = generate_after_collect(store, actor)  # what this run recorded becomes signals (issue 20)
    summary.new_signals = generated.total if generated is not None else 0
    inbox.export_watchers_quietly(store)
    return summary


def collect_into_inbox(
    watchers: Sequence[Watcher],
    conditional: Mapping[int, Mapping[str, str | None]],
    *,
    folder: str | Path | None = None,
    policy: FetchPolicy | None = None,
    on_row: Callable[[RunRow, int, int], None] | None = None,
    workers: int | None = None,
) -> RunSummary:
    """Fetch `watchers` without the workspace; the results wait in the inbox for the next merge."""

    def note(watcher: Watcher, result: PageResult) -> RunRow:
        status = FETCHED if result.fetch_status in (FetchStatus.OK, FetchStatus.NOT_MODIFIED) else result.fetch_status
        return RunRow(watcher.id, watcher.title, status, result.http_status, 0, result.message)

    summary, results = _run(watchers, conditional, note, policy=policy, on_row=on_row, workers=workers)
    summary.inbox_file = inbox.write_batch([r for r in results if r.fetch_status != FetchStatus.POSTPONED], folder)
    return summary


@dataclass(frozen=True)
class TestOutcome:
    """What a watcher would extract right now, before it is saved."""

    status: FetchStatus
    http_status: int | None
    final_url: str | None
    message: str | None
    extraction: Extraction | None

    @property
    def missing(self) -> list[str]:
        if self.extraction is None:
            return []
        missing = [key for key, value in self.extraction.values.items() if value is None]
        return missing + [w.split(":", 1)[0] for w in self.extraction.warnings if w.split(":", 1)[0] not in missing]


def test_watcher(draft: WatcherDraft, *, policy: FetchPolicy | None = None) -> TestOutcome:
    """Fetch the draft's page once and show what it would extract (nothing is stored)."""
    draft = draft.validate()
    fetcher = Fetcher(policy)
    try:
        fetched = fetcher.fetch(draft.url)
    finally:
        fetcher.close()
    if fetched.status != FetchStatus.OK or fetched.html is None:
        return TestOutcome(fetched.status, fetched.http_status, fetched.final_url, fetched.message, None)
    try:  # in a worker process with a deadline: Test runs inside the app, where a slow page would stall everyone
        extraction = extract_isolated(
            fetched.html, kind=draft.kind, url=fetched.final_url or draft.url, fields=draft.fields,
            item_selector=draft.item_selector, ignore=draft.ignore_selectors,
        )
    except ExtractError as e:
        return TestOutcome(FetchStatus.ERROR, fetched.http_status, fetched.final_url, e.message, None)
    return TestOutcome(FetchStatus.OK, fetched.http_status, fetched.final_url, None, extraction)


test_watcher.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name
TestOutcome.__test__ = False  # type: ignore[attr-defined]
