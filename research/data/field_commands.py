"""`python -m research field …`: the workspace's custom fields (registered in research/cli.py).

    field list [ENTITY] [--json]
    field add ENTITY NAME KIND [--label-en TEXT] [--label-sr TEXT] [--choices "A,B,C"]
    field rename ENTITY NAME [--to NEW_NAME] [--label-en TEXT] [--label-sr TEXT] [--choices "A,B,C"]
    field remove ENTITY NAME [--yes]
"""

from __future__ import annotations

import argparse
import json

from research.data import fields
from research.store import open_workspace


def _choices(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def cmd_list(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=True) as store:
        found = fields.list_fields(store, args.entity)
    if args.json:
        print(json.dumps([{"entity": f.entity, "name": f.name, "kind": f.kind, "label_en": f.label_en,
                           "label_sr": f.label_sr, "choices": list(f.choices)} for f in found], ensure_ascii=False))
        return 0
    if not found:
        where = f" of {args.entity}" if args.entity else ""
        print(f"No custom fields{where} yet; add one with `python -m research field add ENTITY NAME KIND`.")
        return 0
    width = max(len(f.name) for f in found)
    for f in found:
        choices = f" ({', '.join(f.choices)})" if f.choices else ""
        print(f"{f.entity:<10} {f.name:<{width}} {f.kind:<8} {f.label_en} / {f.label_sr}{choices}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=False) as store:
        added = fields.add_field(store, args.actor, args.entity, args.name, args.kind, label_en=args.label_en,
                                 label_sr=args.label_sr, choices=_choices(args.choices))
    print(f"Added {added.kind} field {added.name} to {added.entity} ({added.label_en} / {added.label_sr}).")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=False) as store:
        uses = fields.field_uses(store, args.entity, args.name)
        changed = fields.rename_field(store, args.actor, args.entity, args.name, new_name=args.to,
                                      label_en=args.label_en, label_sr=args.label_sr, choices=_choices(args.choices))
    print(f"Field {args.name} of {args.entity} is now {changed.name} ({changed.label_en} / {changed.label_sr}).")
    if args.to and args.to != args.name:
        carried = [u for u in uses if not u.startswith("saved query")]
        if carried:
            print(f"Carried over to: {'; '.join(carried)}.")
        queries = [u for u in uses if u.startswith("saved query")]
        if queries:
            print(f"Update by hand (SQL text is not rewritten): {'; '.join(queries)}.")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=False) as store:
        held = fields.remove_field(store, args.actor, args.entity, args.name, confirmed=args.yes)
    print(f"Removed field {args.name} of {args.entity} and its values in {held:,} row(s).")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("field", help="the workspace's custom fields of accounts, companies and products")
    sub = p.add_subparsers(dest="field_command", metavar="ACTION", required=True)
    entity_help = f"one of {', '.join(fields.ENTITIES)}"

    q = sub.add_parser("list", parents=[common], help="list custom fields")
    q.add_argument("entity", nargs="?", choices=fields.ENTITIES, help=entity_help)
    q.add_argument("--json", action="store_true", help="print machine-readable JSON")
    q.set_defaults(handler=cmd_list)

    q = sub.add_parser("add", parents=[common], help="add a custom field (a new typed column)")
    q.add_argument("entity", choices=fields.ENTITIES, help=entity_help)
    q.add_argument("name", help="column name: lower-case letters, digits and _ (e.g. fortune_rank)")
    q.add_argument("kind", help=f"one of {', '.join(fields.KINDS)}")
    q.add_argument("--label-en", help="English name shown in the app (default: from NAME)")
    q.add_argument("--label-sr", help="Serbian name shown in the app (default: the English one)")
    q.add_argument("--choices", help="for a choice field: its values, comma-separated")
    q.set_defaults(handler=cmd_add)

    q = sub.add_parser("rename", parents=[common],
                       help="rename a custom field (column and/or labels) or change a choice field's values")
    q.add_argument("entity", choices=fields.ENTITIES, help=entity_help)
    q.add_argument("name")
    q.add_argument("--to", metavar="NEW_NAME", help="new column name; saved segments and slides follow it")
    q.add_argument("--label-en")
    q.add_argument("--label-sr")
    q.add_argument("--choices", help="for a choice field: the new list of values, comma-separated")
    q.set_defaults(handler=cmd_rename)

    q = sub.add_parser("remove", parents=[common], help="remove a custom field and its values")
    q.add_argument("entity", choices=fields.ENTITIES, help=entity_help)
    q.add_argument("name")
    q.add_argument("--yes", action="store_true", help="remove it even though saved segments or slides use it")
    q.set_defaults(handler=cmd_remove)
