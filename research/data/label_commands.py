"""`python -m research label …`: names of domain values in both languages (registered in research/cli.py).

    label list [DOMAIN] [--missing] [--csv]
    label set DOMAIN VALUE [--en TEXT] [--sr TEXT]
    label remove DOMAIN VALUE
    label import FILE.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

from research.data import labels
from research.errors import ValidationError
from research.store import open_workspace


def cmd_list(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=True) as store:
        frame = labels.list_labels(store, args.domain, missing=args.missing)
    if args.csv:
        print(labels.to_csv(frame), end="")
        return 0
    if frame.empty:
        print("Every value has a Serbian name." if args.missing else "No values to name yet.")
        return 0
    width = min(40, max(len(str(v)) for v in frame["value"]))
    for row in frame.itertuples(index=False):
        names = " / ".join(str(n) if isinstance(n, str) else "–" for n in (row.label_en, row.label_sr))
        print(f"{row.domain:<16} {str(row.value):<{width}} {names}  ({row.rows:,} rows)")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    if args.en is None and args.sr is None:
        raise ValidationError("Give a name to set: --en TEXT and/or --sr TEXT.")
    with open_workspace(args.db, read_only=False) as store:
        changed = labels.set_label(store, args.actor, args.domain, args.value, label_en=args.en, label_sr=args.sr)
    print(f"Named {args.domain} value {args.value!r}." if changed else "Nothing changed.")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=False) as store:
        labels.remove_label(store, args.actor, args.domain, args.value)
    print(f"Removed the names of {args.domain} value {args.value!r}; it is shown as stored.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    rows = labels.read_csv(Path(args.file))
    with open_workspace(args.db, read_only=False) as store:
        changed = labels.set_labels(store, args.actor, rows)
    print(f"Read {len(rows):,} row(s); {changed:,} name(s) changed.")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("label", help="names of industries, regions, categories, … in English and Serbian")
    sub = p.add_subparsers(dest="label_command", metavar="ACTION", required=True)
    domains = list(labels.DOMAINS)

    q = sub.add_parser("list", parents=[common], help="list values in use and their names")
    q.add_argument("domain", nargs="?", choices=domains)
    q.add_argument("--missing", action="store_true", help="only values without a Serbian name")
    q.add_argument("--csv", action="store_true", help="print CSV (domain,value,label_en,label_sr) to edit and import")
    q.set_defaults(handler=cmd_list)

    q = sub.add_parser("set", parents=[common], help="name one value")
    q.add_argument("domain", choices=domains)
    q.add_argument("value", help="the value as stored in the data")
    q.add_argument("--en", help="English name")
    q.add_argument("--sr", help="Serbian name")
    q.set_defaults(handler=cmd_set)

    q = sub.add_parser("remove", parents=[common], help="forget a value's names")
    q.add_argument("domain", choices=domains)
    q.add_argument("value")
    q.set_defaults(handler=cmd_remove)

    q = sub.add_parser("import", parents=[common], help="name values from a CSV (domain,value,label_en,label_sr)")
    q.add_argument("file")
    q.set_defaults(handler=cmd_import)
