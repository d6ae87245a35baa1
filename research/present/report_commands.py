"""`python -m research report --month YYYY-MM --out FILE.pptx|FILE.md`: the monthly report (registered in research/cli.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from research import config
from research.i18n import LANGUAGES, normalize_language, t
from research.present.model import RenderContext
from research.present.report import default_month, default_month_note, parse_month, report_format, write_report
from research.store import open_workspace


def cmd_report(args: argparse.Namespace) -> int:
    if args.month:
        parse_month(args.month)  # a bad month is refused before anything is opened
    out = Path(args.out)
    report_format(out)  # a wrong suffix too
    store = open_workspace(args.db)
    try:
        if args.month:
            month = parse_month(args.month)
        else:  # the latest month with data, and a line saying so
            month = parse_month(default_month(store=store))
            print(default_month_note(store, month.key, args.lang))
        # A report file leaves the room: private SWOT items only when asked for, and only
        # those the actor may see (research.access.sees_private).
        ctx = RenderContext(language=args.lang, viewer=args.actor if args.include_private else None)
        path = write_report(store, month.key, out, ctx, appendix=not args.no_appendix)
    finally:
        store.close()
    print(t("report.written", args.lang, month=month.label(args.lang), path=path))
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `report`."""
    p = subparsers.add_parser(
        "report", parents=[common],
        help="the monthly report (price moves, SWOT, accounts, collected changes, decisions) as PPTX or Markdown",
    )
    p.add_argument("--month", default=None, help="calendar month YYYY-MM (default: the latest month with data, at most last month)")
    p.add_argument("--out", required=True, help="output file: FILE.pptx or FILE.md")
    p.add_argument("--lang", choices=sorted(LANGUAGES), default=normalize_language(config.LANG.value()),
                   help="language of the report (default: %(default)s)")
    p.add_argument("--include-private", action="store_true",
                   help="include private SWOT items the --actor may see (left out by default)")
    p.add_argument("--no-appendix", action="store_true",
                   help="leave out the data appendix and decision log (a report has them by default)")
    p.set_defaults(handler=cmd_report)
