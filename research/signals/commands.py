"""`python -m research signals …` (registered in research/cli.py): list, refresh, accept, attach, dismiss, rules."""

from __future__ import annotations

import argparse
import json

from research.competitors import profiles
from research.errors import ValidationError
from research.i18n import LANGUAGES, fmt_percent
from research.signals import drafts, records, rules, triage
from research.signals.generate import generate_signals
from research.signals.states import SignalKind, SignalStatus
from research.store import Store, open_workspace


def _open(args: argparse.Namespace, *, read_only: bool) -> Store:
    # Reads open read-only only when asked to (VANTAGE_READ_ONLY): a workspace with pending
    # migrations must be opened read-write once, and a list should not fail on that.
    from research import config

    return open_workspace(args.db, read_only=True if read_only and config.READ_ONLY.value() else None)


def cmd_list(args: argparse.Namespace) -> int:
    store = _open(args, read_only=True)
    try:
        company = profiles.find_company(store, args.company) if args.company else None
        found = records.list_signals(store, status=args.status, company_id=company.id if company else None,
                                     kind=args.kind, limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps([drafts.signal_json(s, args.lang) for s in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("No signals match.")
        return 0
    for signal in found:
        print(f"#{signal.id:<5} {signal.occurred_on.isoformat()}  {signal.status:<9} {signal.kind:<15} "
              f"{drafts.company_name(signal, args.lang)}  [{signal.draft_quadrant}] {drafts.statement(signal, args.lang)}")
        print(f"       {drafts.evidence_line(signal, args.lang)}" + (f"  <{signal.source_url}>" if signal.source_url else ""))
        decided = drafts.decision_line(signal, args.lang)
        if decided:
            print(f"       {decided}")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    store = _open(args, read_only=False)
    try:
        result = generate_signals(store, args.actor)
    finally:
        store.close()
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(result.added.items()))
    print(f"{result.total} new signals ({detail})." if result.total
          else f"No new signals: the {result.considered} events found are already in the inbox.")
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    ids = records.signal_ids(args.ids)
    single = args.quadrant is not None or args.statement is not None or args.company is not None
    if single and len(ids) > 1:
        raise ValidationError("--quadrant, --statement and --company change one signal's draft; accept one id with them.")
    store = _open(args, read_only=False)
    try:
        if single:
            company = profiles.find_company(store, args.company).id if args.company else None
            done = [triage.accept(store, args.actor, ids[0], quadrant=args.quadrant, statement=args.statement,
                                  company_id=company, lang=args.lang)]
        else:
            done = triage.accept_many(store, args.actor, ids, lang=args.lang)
    finally:
        store.close()
    for result in done:
        print(f"Signal {result.signal_id} is now SWOT item {result.item_id}.")
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    store = _open(args, read_only=False)
    try:
        result = triage.attach(store, args.actor, records.signal_ids([args.id])[0], args.item, lang=args.lang)
    finally:
        store.close()
    print(f"Signal {result.signal_id} is fresh evidence for SWOT item {result.item_id}.")
    return 0


def cmd_dismiss(args: argparse.Namespace) -> int:
    store = _open(args, read_only=False)
    try:
        done = triage.dismiss(store, args.actor, args.ids, args.reason)
    finally:
        store.close()
    print(f"Dismissed {len(done)} signal{'s' if len(done) != 1 else ''}: {', '.join(str(d.signal_id) for d in done)}.")
    return 0


def _on_off(text: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "yes", "true", "1"):
        return True
    if value in ("off", "no", "false", "0"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not on or off")


def _percent(text: str) -> float:
    try:
        return float(text.strip().rstrip("%").replace(",", ".")) / 100
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage such as 3 or 2.5") from None


def cmd_rules(args: argparse.Namespace) -> int:
    changing = args.kind is not None
    if not changing and (args.enabled is not None or args.threshold is not None or args.window is not None):
        raise ValidationError(f"Name the kind of signal to change: one of {', '.join(SignalKind)}.")
    store = _open(args, read_only=not changing)
    try:
        if changing:
            rules.set_rule(store, args.actor, args.kind, enabled=args.enabled, threshold=args.threshold,
                           window_days=args.window)
        found = rules.list_rules(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps([{"kind": r.kind, "enabled": r.enabled, "threshold": r.threshold, "window_days": r.window_days,
                           "default": r.is_default} for r in found.values()], indent=2))
        return 0
    for rule in found.values():
        threshold = fmt_percent(rule.threshold, "en", 1) if rule.threshold is not None else "–"
        print(f"{rule.kind:<16} {'on ' if rule.enabled else 'off'}  threshold {threshold:<6} "
              f"last {rule.window_days} days{'  (default)' if rule.is_default else ''}")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `signals` and its actions; each sets `handler` (args -> exit code) with set_defaults."""
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=sorted(LANGUAGES), default="en",
                      help="language of drafts and of the statements written into the SWOT (default: en)")
    parser = subparsers.add_parser("signals", help="the signal inbox: list, refresh, accept, attach, dismiss, rules")
    sub = parser.add_subparsers(dest="signals_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", parents=[common, lang], help="signals newest first, with their drafts and evidence")
    p.add_argument("--status", choices=[s.value for s in SignalStatus], help="only signals with this status")
    p.add_argument("--company", help="only signals about this company (name, ignoring case)")
    p.add_argument("--kind", choices=[k.value for k in SignalKind], help="only signals of this kind")
    p.add_argument("--limit", type=int, default=500, help="at most this many (default 500)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("refresh", parents=[common], help="look for new events now (collect runs do it by themselves)")
    p.set_defaults(handler=cmd_refresh)

    p = sub.add_parser("accept", parents=[common, lang], help="make signals new SWOT items (as drafted, or as given)")
    p.add_argument("ids", nargs="+", metavar="ID", help="signal numbers")
    p.add_argument("--quadrant", help="S, W, O or T instead of the draft's (one signal)")
    p.add_argument("--statement", help="the statement instead of the draft's (one signal)")
    p.add_argument("--company", help="the company whose SWOT gets the item, instead of the signal's (one signal)")
    p.set_defaults(handler=cmd_accept)

    p = sub.add_parser("attach", parents=[common, lang], help="attach a signal as fresh evidence to an existing SWOT item")
    p.add_argument("id", metavar="ID", help="signal number")
    p.add_argument("--item", type=int, required=True, metavar="SWOT_ID", help="the SWOT item's id (swot list --json)")
    p.set_defaults(handler=cmd_attach)

    p = sub.add_parser("dismiss", parents=[common], help="dismiss signals with a reason")
    p.add_argument("ids", nargs="+", metavar="ID", help="signal numbers")
    p.add_argument("--reason", required=True, help="why they are dismissed")
    p.set_defaults(handler=cmd_dismiss)

    p = sub.add_parser("rules", parents=[common], help="which events make signals; change one with KIND and options")
    p.add_argument("kind", nargs="?", choices=[k.value for k in SignalKind], help="the kind of signal to change")
    p.add_argument("--enabled", type=_on_off, metavar="on|off", help="make signals of this kind or not")
    p.add_argument("--threshold", type=_percent, metavar="PCT", help="price moves: the smallest move in percent, e.g. 3")
    p.add_argument("--window", type=int, metavar="DAYS", help="how many days back events are looked for")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_rules)
