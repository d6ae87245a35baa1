"""`python -m research` subcommands of this area: extract, collect, watch, merge-inbox."""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
import zlib
from pathlib import Path

from research.collect import inbox
from research.collect.collector import RunRow, RunSummary, collect_into_inbox, collect_into_store
from research.collect.extract import ExtractError, FieldSpec
from research.collect.fetch import Fetcher, FetchPolicy
from research.collect.isolation import extract_isolated
from research.collect.states import FetchStatus, Schedule, WatcherKind
from research.collect.watchers import WatcherDraft, add_watcher, due_watchers, find_company
from research.collect.watchers import list_watchers, set_enabled
from research.collect.watchers import product_company, remove_watcher, watchers_table
from research.errors import ValidationError, WorkspaceOpenError
from research.store import open_workspace

EXIT_FAILED_PAGES = 3
MAX_LOCAL_FILE = 50_000_000


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this area's subcommands; each sets `handler` (args -> exit code) with set_defaults."""
    p = subparsers.add_parser("extract", parents=[common], help="print what a product page (file or URL) yields, as JSON")
    p.add_argument("source", metavar="PATH_OR_URL", help="a local .html / .html.gz file or an http(s) URL")
    p.add_argument("--url", help="the page's address (for relative links and currency hints) when reading a file")
    p.add_argument("--field", action="append", default=[], metavar="NAME[:TYPE]=CSS[@ATTR]",
                   help="a named field read by a CSS selector (types: text, number, price, date); repeatable")
    p.add_argument("--items", metavar="CSS", help="listing page: the selector of each product tile")
    p.add_argument("--explain", action="store_true",
                   help="product page: also print (on stderr) each field's candidates, their sources and why one won")
    p.add_argument("--allow-host", action="append", default=[], metavar="HOST", help="allow this private host (intranet)")
    p.set_defaults(handler=cmd_extract)

    p = subparsers.add_parser("collect", parents=[common], help="fetch watchers now and record what changed")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--watcher", type=int, action="append", metavar="ID", help="a watcher id; repeatable")
    which.add_argument("--all", action="store_true", help="every enabled watcher (the default)")
    which.add_argument("--due", action="store_true", help="enabled watchers whose schedule (hourly/daily/weekly) is due")
    p.add_argument("--inbox", metavar="DIR", help="inbox folder (default: $VANTAGE_COLLECT_INBOX)")
    p.add_argument("--interval", type=float, metavar="SECONDS", help="seconds between requests to one host")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="total seconds per page")
    p.add_argument("--allow-host", action="append", default=[], metavar="HOST", help="allow this private host (intranet)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_collect)

    p = subparsers.add_parser("merge-inbox", parents=[common], help="record results a collect run left in the inbox")
    p.add_argument("--inbox", metavar="DIR", help="inbox folder (default: $VANTAGE_COLLECT_INBOX)")
    p.set_defaults(handler=cmd_merge_inbox)

    watch = subparsers.add_parser("watch", help="add, list or remove watchers")
    wsub = watch.add_subparsers(dest="watch_command", metavar="ACTION", required=True)
    p = wsub.add_parser("add", parents=[common], help="register a page to watch")
    p.add_argument("url")
    p.add_argument("--kind", choices=[k.value for k in WatcherKind], default=None,
                   help="product (default), selectors, listing or text")
    p.add_argument("--label", help="a short name shown instead of the URL")
    p.add_argument("--company", metavar="NAME_OR_ID", help="the company whose page it is")
    p.add_argument("--product", type=int, metavar="ID", help="link to a product: its prices join the price history")
    p.add_argument("--field", action="append", default=[], metavar="NAME[:TYPE]=CSS[@ATTR]", help="a field; repeatable")
    p.add_argument("--items", metavar="CSS", help="listing watchers: the selector of each product tile")
    p.add_argument("--ignore", action="append", default=[], metavar="CSS", help="remove before comparing; repeatable")
    p.add_argument("--min-change", type=float, default=0.0, metavar="PCT", help="price moves below this %% are ignored")
    p.add_argument("--schedule", choices=[s.value for s in Schedule], default=Schedule.DAILY.value)
    p.add_argument("--disabled", action="store_true", help="save it switched off")
    p.set_defaults(handler=cmd_watch_add)
    p = wsub.add_parser("list", parents=[common], help="list watchers and their last status")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_watch_list)
    for action in ("enable", "disable"):
        p = wsub.add_parser(action, parents=[common], help=f"{action} a watcher (disabled ones are skipped by collect)")
        p.add_argument("id", type=int)
        p.set_defaults(handler=cmd_watch_enable, enable=action == "enable")
    p = wsub.add_parser("remove", parents=[common], help="delete a watcher with its snapshots and change log")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_watch_remove)


def _specs(texts: list[str]) -> list[FieldSpec]:
    try:
        return [FieldSpec.parse(t) for t in texts]
    except ExtractError as e:
        raise ValidationError(e.message) from None


def _read_source(args: argparse.Namespace) -> tuple[str, str | None]:
    source: str = args.source
    if source.lower().startswith(("http://", "https://")) or "://" in source:
        policy = FetchPolicy.from_settings()
        if args.allow_host:
            policy = FetchPolicy.from_settings(allow_hosts=policy.allow_hosts | {h.lower() for h in args.allow_host})
        fetcher = Fetcher(policy)
        try:
            result = fetcher.fetch(source)
        finally:
            fetcher.close()
        if result.status != FetchStatus.OK or result.html is None:
            raise ValidationError(f"{source} was not read ({result.status}): {result.message or 'no page'}.")
        return result.html, args.url or result.final_url or source
    path = Path(source)
    if not path.is_file():
        raise ValidationError(f"{source} is neither a readable file nor an http(s) URL.")
    if path.stat().st_size > MAX_LOCAL_FILE:
        raise ValidationError(f"{source} is larger than {MAX_LOCAL_FILE:,} bytes; that is not a web page.")
    from research.collect.fetch import decode_body

    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            with gzip.open(path) as f:
                raw = f.read(MAX_LOCAL_FILE + 1)
    except (OSError, EOFError, zlib.error) as e:  # zlib.error: a damaged .gz (attack round 2)
        raise ValidationError(f"{source} cannot be read: {e}.") from None
    return decode_body(raw, None), args.url


def cmd_extract(args: argparse.Namespace) -> int:
    html, url = _read_source(args)
    specs = _specs(args.field)
    try:  # in a worker process stopped at VANTAGE_COLLECT_EXTRACT_TIMEOUT, as in collect runs
        if args.items:
            extraction = extract_isolated(html, kind="listing", url=url, fields=specs, item_selector=args.items)
            output: dict = {"items": extraction.values["items"]}
        else:
            extraction = extract_isolated(html, kind="product", url=url, fields=specs)
            output = extraction.values
    except ExtractError as e:
        raise ValidationError(e.message) from None
    for note in extraction.notes:
        print(f"note: {note}", file=sys.stderr)
    print(json.dumps(output, ensure_ascii=False, indent=2), flush=True)
    if args.explain and not args.items:
        from research.collect.extract_product import explain

        for line in explain(extraction.evidence):
            print(line, file=sys.stderr)
    return 0


def _progress(quiet: bool):
    def show(row: RunRow, done: int, total: int) -> None:
        if quiet:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        print(f"\r[{bar}] {done}/{total} {row.status:<9} {row.watcher[:60]:<60}", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)

    return show


def _print_summary(summary: RunSummary) -> None:
    print(f"{'id':>5}  {'status':<9}  {'http':>4}  {'changes':>7}  watcher / message")
    for row in sorted(summary.rows, key=lambda r: r.watcher_id):
        http = str(row.http_status) if row.http_status else "–"
        print(f"{row.watcher_id:>5}  {row.status:<9}  {http:>4}  {row.changes:>7}  {row.watcher}")
        if row.message:
            print(f"{'':>32}{row.message}")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.counts().items()))
    print(f"{len(summary.rows)} watchers in {summary.seconds:.1f} s: {counts or 'nothing to do'}.")
    if summary.new_signals:
        print(f"{summary.new_signals} new signal(s) in the inbox: python -m research signals list --status new")


def _policy(args: argparse.Namespace) -> FetchPolicy:
    overrides: dict[str, object] = {}
    if args.interval is not None:
        overrides["host_interval"] = max(0.0, args.interval)
    if args.timeout is not None:
        overrides["total_timeout"] = max(0.1, args.timeout)
    policy = FetchPolicy.from_settings(**overrides)
    if args.allow_host:
        policy = FetchPolicy.from_settings(**overrides, allow_hosts=policy.allow_hosts | {h.lower() for h in args.allow_host})
    return policy


def cmd_collect(args: argparse.Namespace) -> int:
    policy = _policy(args)
    try:
        store = open_workspace(args.db)
    except WorkspaceOpenError as e:
        if "in use by another Vantage process" not in e.message:
            raise
        return _collect_to_inbox(args, policy)
    try:
        merged = inbox.merge_inbox(store, args.actor, args.inbox)
        if merged.batches:
            print(f"Merged {merged.batches} inbox file(s): {merged.recorded} results recorded, {merged.already} already there.")
        if args.due:
            watchers = due_watchers(store)
        else:
            watchers = list_watchers(store, args.watcher, enabled_only=not args.watcher)
        summary = collect_into_store(store, args.actor, watchers, policy=policy, on_row=_progress(args.quiet))
    finally:
        store.close()
    _print_summary(summary)
    return 0 if summary.ok else EXIT_FAILED_PAGES


def _collect_to_inbox(args: argparse.Namespace, policy: FetchPolicy) -> int:
    watchers, conditional = inbox.load_exported_watchers(args.inbox)
    if args.watcher:
        wanted = set(args.watcher)
        watchers = [w for w in watchers if w.id in wanted]
    elif args.due:  # no history at hand without the workspace: every scheduled watcher counts as due
        watchers = [w for w in watchers if w.enabled and w.schedule != "manual"]
    else:
        watchers = [w for w in watchers if w.enabled]
    print("The workspace is open in another Vantage process; results go to the inbox.", file=sys.stderr)
    summary = collect_into_inbox(watchers, conditional, folder=args.inbox, policy=policy, on_row=_progress(args.quiet))
    _print_summary(summary)
    if summary.inbox_file:
        print(f"Results wait in {summary.inbox_file}; the app's Collect page or the next collect run records them.")
    return 0 if summary.ok else EXIT_FAILED_PAGES


def cmd_merge_inbox(args: argparse.Namespace) -> int:
    store = open_workspace(args.db)
    try:
        merged = inbox.merge_inbox(store, args.actor, args.inbox)
    finally:
        store.close()
    print(f"{merged.batches} inbox file(s): {merged.recorded} results recorded, {merged.already} already recorded, "
          f"{merged.orphaned} for removed watchers.")
    return 0


def cmd_watch_add(args: argparse.Namespace) -> int:
    specs = _specs(args.field)
    kind = args.kind or ("listing" if args.items else "selectors" if specs else "product")
    store = open_workspace(args.db)
    try:
        company = find_company(store, args.company) if args.company else None
        if args.product is not None and company is None:
            company = product_company(store, args.product)
        draft = WatcherDraft(
            url=args.url, kind=kind, label=args.label, company_id=company, product_id=args.product, fields=specs,
            item_selector=args.items, ignore_selectors=args.ignore, min_change_pct=args.min_change,
            schedule=args.schedule, enabled=not args.disabled,
        )
        watcher = add_watcher(store, args.actor, draft)
    finally:
        store.close()
    print(f"Watcher {watcher.id} added: {watcher.kind} watcher of {watcher.url}.")
    return 0


def cmd_watch_list(args: argparse.Namespace) -> int:
    store = open_workspace(args.db, read_only=True)
    try:
        df = watchers_table(store)
    finally:
        store.close()
    if args.json:
        print(df.to_json(orient="records", date_format="iso", force_ascii=False))
        return 0
    if df.empty:
        print("No watchers yet: python -m research watch add URL")
        return 0
    print(f"{'id':>5}  {'kind':<9}  {'on':<3}  {'last':<9}  {'checked':<16}  watcher")
    for row in df.itertuples():
        last = row.last_checked
        checked = last.strftime("%Y-%m-%d %H:%M") if isinstance(last, dt.datetime) and last == last else "–"  # NaT != NaT
        on = "yes" if row.enabled else "no"
        print(f"{row.id!s:>5}  {row.kind!s:<9}  {on:<3}  {(row.last_status or '–')!s:<9}  {checked:<16}  {row.watcher!s}")
    return 0


def cmd_watch_enable(args: argparse.Namespace) -> int:
    store = open_workspace(args.db)
    try:
        set_enabled(store, args.actor, args.id, args.enable)
    finally:
        store.close()
    print(f"Watcher {args.id} {'enabled' if args.enable else 'disabled'}.")
    return 0


def cmd_watch_remove(args: argparse.Namespace) -> int:
    store = open_workspace(args.db)
    try:
        counts = remove_watcher(store, args.actor, args.id)
    finally:
        store.close()
    print(f"Watcher {args.id} removed with {counts['snapshots']} snapshots and {counts['changes']} changes.")
    return 0

