"""`python -m research deal …`: deals and why they were won or lost (registered in research/cli.py).

    deal list [--outcome open|won|lost] [--competitor NAME] [--limit N] [--json]
    deal show DEAL_ID [--json]
    deal set-reasons DEAL_ID [REASON …] [--note TEXT | --note REASON=TEXT …] [--none]
    deal reasons list [--json]
    deal reasons add CODE --en NAME --sr NAME [--position N]
    deal reasons rename CODE [--en NAME] [--sr NAME] [--position N]
    deal reasons archive CODE
    deal reasons restore CODE

Deals themselves are entered in the Data page's grid or imported (`python -m research import deals FILE`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from research.data import reasons
from research.data.states import DealOutcome
from research.errors import ValidationError
from research.store import Store, open_workspace

def _open(args: argparse.Namespace, *, read_only: bool) -> Store:
    # A read opens read-only only when asked to (VANTAGE_READ_ONLY): a workspace with pending
    # migrations must be opened read-write once, and a list should not fail on that.
    from research import config

    return open_workspace(args.db, read_only=True if read_only and config.READ_ONLY.value() else None)


def _plain(deal: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else list(v) if isinstance(v, tuple) else v)
            for k, v in deal.items()}


def _line(deal: dict[str, Any]) -> str:
    closed = deal["closed_on"].isoformat() if deal["closed_on"] else "–"
    value = f"{deal['value']} {deal['currency']}" if deal["value"] is not None else f"– {deal['currency']}"
    rival = deal["competitor"] or "–"
    why = ", ".join(deal["reasons"]) or "–"
    return f"#{deal['id']:<6} {closed:<10}  {deal['outcome']:<4}  {deal['account']}  vs {rival}  {value}  [{why}]"


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args, read_only=True) as store:
        competitor = reasons.company_id(store, args.competitor) if args.competitor else None
        found = reasons.list_deals(store, outcome=args.outcome, competitor_id=competitor, limit=args.limit)
    if args.json:
        print(json.dumps([_plain(d) for d in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("No deals match.")
        return 0
    for deal in found:
        print(_line(deal))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args, read_only=True) as store:
        found = reasons.list_deals(store, deal_id=args.deal_id, limit=1)
        if not found:
            from research.i18n import keyed_error

            raise keyed_error(ValidationError, "deals.error.no_deal", deal=args.deal_id)
        why = reasons.deal_reasons(store, args.deal_id)
    deal = found[0]
    if args.json:
        print(json.dumps(_plain(deal) | {"reasons": [
            {"code": r.reason.code, "label_en": r.reason.label_en, "label_sr": r.reason.label_sr, "note": r.note}
            for r in why]}, ensure_ascii=False, indent=2))
        return 0
    print(_line(deal))
    for item in why:
        note = f": {item.note}" if item.note else ""
        print(f"  {item.reason.code:<14} {item.reason.label_en} / {item.reason.label_sr}{note}")
    return 0


def _notes(store: Store, options: list[str] | None, words: list[str]) -> dict[str, str]:
    """`--note REASON=TEXT` (REASON a code or name of a reason) for one reason, `--note TEXT` for every
    reason named: reason word -> note."""
    from research.data.entities import reason_key

    listed = reasons.list_reasons(store)
    lookup = reasons.reason_lookup(listed)
    notes: dict[str, str] = {}
    for option in options or []:
        word, sep, text = option.partition("=")
        if sep and reason_key(word) in lookup:
            notes[word.strip()] = text.strip()
        else:
            notes |= {r.code: option.strip() for r in reasons.resolve(listed, words)}
    return notes


def cmd_set_reasons(args: argparse.Namespace) -> int:
    words = [w for w in args.reasons if w.strip()]
    if not words and not args.none:
        raise ValidationError("Name the deal's reasons (codes or names, e.g. price lead_time), "
                              "or clear them with --none.")
    if words and args.none:
        raise ValidationError("--none clears the deal's reasons; leave it out to set the reasons named.")
    if args.none and args.note:
        raise ValidationError("--note needs a reason to go with; --none removes them all.")
    with _open(args, read_only=False) as store:
        now = reasons.set_deal_reasons(store, args.actor, args.deal_id, words, notes=_notes(store, args.note, words))
    listed = ", ".join(f"{r.reason.code}" + (f" ({r.note})" if r.note else "") for r in now) or "none"
    print(f"Deal {args.deal_id}: reasons {listed} (the change log undoes it: python -m research batches).")
    return 0


def cmd_reasons_list(args: argparse.Namespace) -> int:
    with _open(args, read_only=True) as store:
        found = reasons.list_reasons(store)
        uses = reasons.reason_uses(store)
    if args.json:
        print(json.dumps([{"code": r.code, "label_en": r.label_en, "label_sr": r.label_sr, "position": r.position,
                           "archived": r.archived, "deals": uses.get(r.code, 0)} for r in found],
                         ensure_ascii=False, indent=2))
        return 0
    width = max((len(r.code) for r in found), default=4)
    for r in found:
        state = "  (archived)" if r.archived else ""
        print(f"{r.position:>4}  {r.code:<{width}}  {r.label_en} / {r.label_sr}  {uses.get(r.code, 0):,} deals{state}")
    return 0


# `deal reasons add|rename|archive|restore`: each opens the workspace writable, makes its change
# and prints one sentence about the reason as it now is (the store is still open for it).
_ReasonChange = Callable[[Store, argparse.Namespace], reasons.Reason]
_ReasonReport = Callable[[Store, reasons.Reason], str]
_REASON_ACTIONS: dict[str, tuple[_ReasonChange, _ReasonReport]] = {
    "add": (
        lambda store, args: reasons.add_reason(store, args.actor, args.code, label_en=args.en, label_sr=args.sr,
                                               position=args.position),
        lambda store, r: f"Added reason {r.code} ({r.label_en} / {r.label_sr}) at position {r.position}.",
    ),
    "rename": (
        lambda store, args: reasons.rename_reason(store, args.actor, args.code, label_en=args.en, label_sr=args.sr,
                                                  position=args.position),
        lambda store, r: f"Reason {r.code} is now {r.label_en} / {r.label_sr} at position {r.position}.",
    ),
    "archive": (
        lambda store, args: reasons.archive_reason(store, args.actor, args.code, archived=True),
        lambda store, r: (f"Reason {r.code} archived: it stays on {reasons.reason_uses(store).get(r.code, 0):,} "
                          "deals and is no longer offered for others."),
    ),
    "restore": (
        lambda store, args: reasons.archive_reason(store, args.actor, args.code, archived=False),
        lambda store, r: f"Reason {r.code} is offered again.",
    ),
}


def cmd_reasons_change(args: argparse.Namespace) -> int:
    change, report = _REASON_ACTIONS[args.reasons_command]
    with open_workspace(args.db, read_only=False) as store:
        sentence = report(store, change(store, args))
    print(sentence)
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("deal", help="deals and why they were won or lost: list, reasons, set a deal's reasons")
    sub = p.add_subparsers(dest="deal_command", metavar="ACTION", required=True)

    q = sub.add_parser("list", parents=[common], help="list deals with their reasons, newest first")
    q.add_argument("--outcome", choices=[o.value for o in DealOutcome])
    q.add_argument("--competitor", metavar="NAME", help="only deals lost to or won against this company")
    q.add_argument("--limit", type=int, default=50, help="at most this many deals (default: %(default)s)")
    q.add_argument("--json", action="store_true", help="print machine-readable JSON")
    q.set_defaults(handler=cmd_list)

    q = sub.add_parser("show", parents=[common], help="one deal with its reasons and their notes")
    q.add_argument("deal_id", type=int, metavar="DEAL_ID")
    q.add_argument("--json", action="store_true", help="print machine-readable JSON")
    q.set_defaults(handler=cmd_show)

    q = sub.add_parser("set-reasons", parents=[common],
                       help="make a deal's reasons exactly those named (codes or names in English or Serbian)")
    q.add_argument("deal_id", type=int, metavar="DEAL_ID")
    q.add_argument("reasons", nargs="*", metavar="REASON", help="e.g. price lead_time, or \"Цена\"")
    q.add_argument("--note", action="append", metavar="[REASON=]TEXT",
                   help="a note for one reason (REASON=TEXT) or for every reason named (TEXT); repeatable")
    q.add_argument("--none", action="store_true", help="remove all of the deal's reasons")
    q.set_defaults(handler=cmd_set_reasons)

    q = sub.add_parser("reasons", help="the workspace's list of reasons deals are won and lost for")
    actions = q.add_subparsers(dest="reasons_command", metavar="ACTION", required=True)
    r = actions.add_parser("list", parents=[common], help="list the reasons, with how many deals have each")
    r.add_argument("--json", action="store_true", help="print machine-readable JSON")
    r.set_defaults(handler=cmd_reasons_list)
    r = actions.add_parser("add", parents=[common], help="add a reason")
    r.add_argument("code", help="lower-case letters, digits and _ (e.g. payment_terms)")
    r.add_argument("--en", required=True, metavar="NAME", help="its name in English")
    r.add_argument("--sr", required=True, metavar="NAME", help="its name in Serbian")
    r.add_argument("--position", type=int, help="its place in the list (default: last)")
    r.set_defaults(handler=cmd_reasons_change)
    r = actions.add_parser("rename", parents=[common], help="new names or place for a reason (its code stays)")
    r.add_argument("code")
    r.add_argument("--en", metavar="NAME")
    r.add_argument("--sr", metavar="NAME")
    r.add_argument("--position", type=int)
    r.set_defaults(handler=cmd_reasons_change)
    r = actions.add_parser("archive", parents=[common],
                           help="stop offering a reason (deals that have it keep it)")
    r.add_argument("code")
    r.set_defaults(handler=cmd_reasons_change)
    r = actions.add_parser("restore", parents=[common], help="offer an archived reason again")
    r.add_argument("code")
    r.set_defaults(handler=cmd_reasons_change)
