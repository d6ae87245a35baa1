"""The `python -m research` command line: every capability, scriptable, with clear exit codes.

Exit codes: 0 success, 1 a VantageError (one line on stderr), 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from research import __version__, config
from research.errors import VantageError

Command = Callable[[argparse.Namespace], int]

# The explicit command registry: command -> (the module that registers it, its one-line help).
# Each module has `register(subparsers, common: argparse.ArgumentParser) -> None`, and each
# subcommand sets `handler` (args -> exit code) with set_defaults. Only the module of the
# command being run is imported (pandas, altair, lxml and requests load on demand), so
# `--help` starts at once; tests/test_cli_registry.py checks this table against the modules.
COMMANDS: dict[str, tuple[str, str]] = {
    "company": ("research.competitors.commands", "list competitor profiles; say which company is ours"),
    "swot": ("research.competitors.commands", "list, add and export evidence-linked SWOT items"),
    "battlecard": ("research.competitors.commands", "export a competitor's battlecard (PPTX or Markdown)"),
    "signals": ("research.signals.commands", "the signal inbox: list, refresh, accept, attach, dismiss, rules"),
    "segment": ("research.segments.commands", "list, show, cluster and export market segments"),
    "extract": ("research.collect.commands", "print what a product page (file or URL) yields, as JSON"),
    "collect": ("research.collect.commands", "fetch watchers now and record what changed"),
    "merge-inbox": ("research.collect.commands", "record results a collect run left in the inbox"),
    "watch": ("research.collect.commands", "add, list or remove watchers"),
    "query": ("research.query.commands", "run one read-only SQL statement in the query sandbox"),
    "compare": ("research.compare.commands", "Compare us with competitors: summary, charts, price index."),
    "import": ("research.data.commands",
               "import a CSV/TSV/Excel/Parquet file into an entity (accounts, companies, …) or as a dataset"),
    "undo": ("research.data.commands", "revert one batch of the change log (a save or an import)"),
    "batches": ("research.data.commands", "list the latest batches of the change log"),
    "backup": ("research.data.commands", "export the workspace as Parquet files into a folder"),
    "restore": ("research.data.commands", "build a NEW workspace file from a backup folder"),
    "field": ("research.data.field_commands", "the workspace's custom fields of accounts, companies and products"),
    "deal": ("research.data.deal_commands",
             "deals and why they were won or lost: list, reasons, set a deal's reasons"),
    "label": ("research.data.label_commands", "names of industries, regions, categories, … in English and Serbian"),
    "dataset": ("research.data.link_commands",
                "list datasets and link them to accounts (their columns as account fields)"),
    "deck": ("research.present.commands", "list, show and export presentation decks"),
    "report": ("research.present.report_commands",
               "the monthly report (price moves, SWOT, accounts, collected changes, decisions) as PPTX or Markdown"),
    "hash-password": ("research.access.commands",
                      "print the argon2 hash of a password for [vantage.passwords] in .streamlit/secrets.toml"),
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    from research import demo
    from research.i18n import fmt_number
    from research.store import Store

    store = Store.open(args.db)
    try:
        summary = demo.build_demo(store, seed=args.seed, scale=args.scale, actor=args.actor, replace=args.replace,
                                  signals=True)
    finally:
        store.close()
    counts = ", ".join(f"{fmt_number(n, 'en')} {table}" for table, n in summary.counts.items())
    print(f"Demo market built in {summary.seconds:.1f} s (seed {summary.seed}, scale {summary.scale}): {counts}.")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from research.data.our_company import which_is_ours
    from research.i18n import fmt_bytes, fmt_number
    from research.store import LATEST_SCHEMA, open_workspace

    store = open_workspace(args.db, read_only=True)
    try:
        counts = store.row_counts()
        ours = which_is_ours(store)
        info: dict[str, Any] = {
            "workspace": store.database,
            "name": store.name,
            "schema_version": store.schema_version(),
            "code_schema_version": LATEST_SCHEMA,
            "file_size_bytes": store.file_size(),
            "our_company": ours.name if ours else None,
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


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word of `argv` (its first argument that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the module of its command is imported (None: all of them)."""
    parser = argparse.ArgumentParser(
        prog="python -m research",
        description="Vantage: competitor and market research workbench (command line).",
    )
    parser.add_argument("--version", action="version", version=f"Vantage {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=None,
        help=f"workspace: a DuckDB file or database string (default: $VANTAGE_DB or {config.DB.value()})",
    )
    common.add_argument(
        "--actor", default=config.ACTOR.value(), help="name recorded in the audit log (default: %(default)s)"
    )
    common.add_argument("-v", "--verbose", action="store_true",
                        help="log what happens on stderr (migrations, backups, imports, collect runs)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("demo", parents=[common], help="build the deterministic demo market into a workspace")
    p.add_argument("--seed", type=_positive_int, default=42, help="random seed (default: %(default)s)")
    p.add_argument("--scale", type=_positive_int, default=1, help="size multiplier: 1 ≈ 5,000 accounts, 100 ≈ 500,000")
    p.add_argument("--replace", action="store_true", help="rebuild even if the workspace already holds data")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("info", parents=[common], help="show schema version, row counts and file size of a workspace")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_info)

    wanted = COMMAND_MODULES if argv is None else (
        (COMMANDS[command][0],) if (command := _command_in(argv)) in COMMANDS else ())
    for module_name in wanted:
        importlib.import_module(module_name).register(sub, common)
    for name, (module_name, help_text) in COMMANDS.items():
        if module_name not in wanted:
            # Listed in --help with its line; its module (and its arguments) load when it runs.
            sub.add_parser(name, help=help_text)
    return parser


class _StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr (a test or a pipe may have replaced it since the start)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _configure_logging(verbose: bool) -> None:
    """`research.*` loggers to stderr: warnings always, what happens (info) with --verbose."""
    logger = logging.getLogger("research")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    _configure_logging(getattr(args, "verbose", False))
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
