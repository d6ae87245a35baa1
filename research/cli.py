"""The `python -m research` command line: every capability, scriptable, with clear exit codes.

Exit codes: 0 success, 1 a VantageError (one line on stderr), 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence

from research import __version__, config, demo
from research.errors import VantageError
from research.i18n import fmt_bytes, fmt_number
from research.store import LATEST_SCHEMA, Store

Command = Callable[[argparse.Namespace], int]

# Modules that add their own subcommands: each has
# `register(subparsers, common: argparse.ArgumentParser) -> None`, and each
# subcommand sets `handler` (args -> exit code) with set_defaults.
COMMAND_MODULES: tuple[str, ...] = (
    "research.competitors.commands",
    "research.segments.commands",
    "research.collect.commands",
    "research.query.commands",
    "research.compare.commands",
    "research.data.commands",
    "research.data.field_commands",
    "research.data.link_commands",
    "research.present.commands",
    "research.present.report_commands",
    "research.access.commands",
)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    store = Store.open(args.db)
    try:
        summary = demo.build_demo(store, seed=args.seed, scale=args.scale, actor=args.actor, replace=args.replace)
    finally:
        store.close()
    counts = ", ".join(f"{fmt_number(n, 'en')} {table}" for table, n in summary.counts.items())
    print(f"Demo market built in {summary.seconds:.1f} s (seed {summary.seed}, scale {summary.scale}): {counts}.")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    store = Store.open(args.db, read_only=True)
    try:
        counts = store.row_counts()
        info = {
            "workspace": store.database,
            "name": store.name,
            "schema_version": store.schema_version(),
            "code_schema_version": LATEST_SCHEMA,
            "file_size_bytes": store.file_size(),
            "our_company": store.query_value("SELECT name FROM companies WHERE is_us ORDER BY id LIMIT 1"),
            "rows": counts,
        }
    finally:
        store.close()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"Workspace    {info['workspace']}")
    print(f"Name         {info['name']}")
    print(f"Schema       v{info['schema_version']} (this Vantage: v{LATEST_SCHEMA})")
    print(f"Size         {fmt_bytes(info['file_size_bytes'], 'en')}")
    print(f"Our company  {info['our_company'] or '– (none flagged)'}")
    print("Rows")
    width = max(len(t) for t in counts)
    for table, n in counts.items():
        print(f"  {table:<{width}}  {fmt_number(n, 'en'):>12}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m research",
        description="Vantage: competitor and market research workbench (command line).",
    )
    parser.add_argument("--version", action="version", version=f"Vantage {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=None,
        help=f"workspace: a DuckDB file or database string (default: $VANTAGE_DB or {config.get('VANTAGE_DB')})",
    )
    common.add_argument(
        "--actor", default=config.get("VANTAGE_ACTOR"), help="name recorded in the audit log (default: %(default)s)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("demo", parents=[common], help="build the deterministic demo market into a workspace")
    p.add_argument("--seed", type=_positive_int, default=42, help="random seed (default: %(default)s)")
    p.add_argument("--scale", type=_positive_int, default=1, help="size multiplier: 1 ≈ 5,000 accounts, 100 ≈ 500,000")
    p.add_argument("--replace", action="store_true", help="rebuild even if the workspace already holds data")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("info", parents=[common], help="show schema version, row counts and file size of a workspace")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_info)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    try:
        return handler(args)
    except VantageError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into `head` and the like: the reader left; not an error of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted; nothing half-written was kept.", file=sys.stderr)
        return 130
