"""`python -m research dataset …`: datasets linked to accounts (registered in research/cli.py).

    dataset list
    dataset link NAME --key COLUMN --to ACCOUNT_FIELD [--columns A,B]
    dataset refresh NAME
    dataset unlink NAME [--remove-fields]
"""

from __future__ import annotations

import argparse

from research.data import datasets, links
from research.store import open_workspace


def _describe(link: links.Link) -> str:
    copied = ", ".join(f"{source} -> {field}" for source, field in link.columns)
    return (f"{link.dataset.removeprefix(datasets.PREFIX)}: {link.dataset_key} = accounts.{link.account_key}; "
            f"{copied}; {link.matched or 0:,} account(s) matched, {link.unmatched or 0:,} dataset row(s) matched none")


def cmd_list(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=True) as store:
        frame = datasets.list_datasets(store)
        linked = {link.dataset: link for link in links.list_links(store)}
    if frame.empty:
        print("No datasets yet; import one with `python -m research import dataset NAME FILE`.")
        return 0
    for row in frame.to_dict("records"):
        table = str(row["table_name"])
        link = linked.get(table)
        where = f"  linked: {_describe(link)}" if link else ""
        print(f"{table.removeprefix(datasets.PREFIX)}  {int(row['rows']):,} rows, {int(row['columns'])} columns{where}")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=False) as store:
        columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
        link = links.link_dataset(store, args.actor, args.name, key=args.key, account_key=args.to, columns=columns)
    print(f"Linked {_describe(link)}.")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=False) as store:
        link = links.refresh_link(store, args.actor, args.name)
    print(f"Refreshed {_describe(link)}.")
    return 0


def cmd_unlink(args: argparse.Namespace) -> int:
    with open_workspace(args.db, read_only=False) as store:
        link = links.unlink_dataset(store, args.actor, args.name, remove_fields=args.remove_fields)
    kept = "removed" if args.remove_fields else "kept (no longer refreshed)"
    print(f"Unlinked {link.dataset.removeprefix(datasets.PREFIX)}; its account fields are {kept}.")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser("dataset", help="list datasets and link them to accounts (their columns as account fields)")
    sub = p.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)

    q = sub.add_parser("list", parents=[common], help="list datasets and their links")
    q.set_defaults(handler=cmd_list)

    q = sub.add_parser("link", parents=[common],
                       help="copy a dataset's columns into account custom fields, matched by a key")
    q.add_argument("name", help="the dataset (as imported with `import dataset NAME FILE`)")
    q.add_argument("--key", required=True, metavar="COLUMN", help="the dataset's column that identifies an account")
    q.add_argument("--to", required=True, metavar="ACCOUNT_FIELD",
                   help=f"the accounts' field it equals: {', '.join(links.ACCOUNT_KEYS)} or a custom field")
    q.add_argument("--columns", metavar="A,B", help="the dataset columns to copy (default: all but the key)")
    q.set_defaults(handler=cmd_link)

    q = sub.add_parser("refresh", parents=[common], help="copy a linked dataset's columns into accounts again")
    q.add_argument("name")
    q.set_defaults(handler=cmd_refresh)

    q = sub.add_parser("unlink", parents=[common], help="forget a dataset's link to accounts")
    q.add_argument("name")
    q.add_argument("--remove-fields", action="store_true", help="also remove the account fields it filled")
    q.set_defaults(handler=cmd_unlink)
