"""`python -m research compare …`: advantage summary, chart export, price index, highlight colour, demo features."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from research.compare import data, features, views
from research.compare.summary import advantage_summary
from research.data.labels import labels_for
from research.errors import ValidationError
from research.i18n import LANGUAGES
from research.store import open_workspace


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this area's subcommands; each sets `handler` (args -> exit code) with set_defaults."""
    compare = subparsers.add_parser("compare", help="Compare us with competitors: summary, charts, price index.")
    sub = compare.add_subparsers(dest="compare_command", required=True)

    summary = sub.add_parser("summary", parents=[common], help="Our top advantages and gaps per competitor.")
    summary.add_argument("--competitor", action="append", help="A competitor to include (repeat; default: all).")
    summary.add_argument("--format", choices=("text", "json"), default="text")
    summary.add_argument("--top", type=int, default=3, help="Advantages and gaps per competitor (default 3).")
    summary.add_argument("--lang", choices=list(LANGUAGES), default="en")
    summary.set_defaults(handler=_summary)

    chart = sub.add_parser("chart", parents=[common], help="Export one comparison chart as PNG or SVG (and its data as CSV).")
    chart.add_argument("kind", choices=views.CHART_KINDS)
    chart.add_argument("--out", required=True, help="Output file ending in .png or .svg.")
    chart.add_argument("--csv", help="Also write the chart's data to this CSV file.")
    chart.add_argument("--competitor", action="append", help="A competitor to include (repeat; default: all).")
    chart.add_argument("--category", help="Product category (price-history; price-index/distribution filter).")
    chart.add_argument("--lang", choices=list(LANGUAGES), default="en")
    chart.set_defaults(handler=_chart)

    index = sub.add_parser("price-index", parents=[common], help="Price index per competitor and category (ours = 100).")
    index.add_argument("--category", action="append", help="Only these product categories (repeat).")
    index.add_argument("--competitor", action="append", help="A competitor to include (repeat; default: all).")
    index.add_argument("--format", choices=("text", "json"), default="text")
    index.set_defaults(handler=_price_index)

    highlight = sub.add_parser("highlight", parents=[common], help="Show or set our company's chart colour (#RRGGBB).")
    highlight.add_argument("--set", dest="colour", help="The new colour, e.g. #D9480F.")
    highlight.set_defaults(handler=_highlight)

    seed = sub.add_parser("seed-features", parents=[common], help="Fill an empty feature matrix with the demo features.")
    seed.add_argument("--seed", type=int, default=42)
    seed.set_defaults(handler=_seed)


def _summary(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise ValidationError("--top must be at least 1.")
    store = open_workspace(args.db)
    try:
        summaries = advantage_summary(store, args.competitor, top=args.top)
        if args.format == "json":
            payload = [
                {"competitor": s.competitor, "advantages": [i.as_dict() for i in s.advantages],
                 "gaps": [i.as_dict() for i in s.gaps], "no_data": s.no_data}
                for s in summaries
            ]
            print(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            sys.stdout.write(views.summary_markdown(summaries, args.lang, names=labels_for(store, args.lang)))
    finally:
        store.close()
    return 0


def _chart(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValidationError(f"--out must end in .png or .svg, not {out.name!r}.")
    store = open_workspace(args.db)
    try:
        chosen = data.pick_companies(store, args.competitor)
        options = {"category": args.category} if args.kind.startswith("price") else {}
        view = views.chart_view(store, args.kind, chosen, args.lang, **options)
        out.write_bytes(views.image_bytes(view.chart, fmt))
        if args.csv:
            Path(args.csv).write_bytes(views.csv_bytes(view.data))
        for note in view.notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"wrote {out}")
    finally:
        store.close()
    return 0


def _price_index(args: argparse.Namespace) -> int:
    store = open_workspace(args.db)
    try:
        chosen = data.pick_companies(store, args.competitor)
        compared = data.compare_price_index(store, chosen)
        index, excluded = compared.rows, compared.excluded
        if args.category:
            wanted = {c.lower() for c in args.category}
            index = index[index["category"].str.lower().isin(wanted)]
        if args.format == "json":
            rows = index.astype(object).where(index.notna(), None).to_dict("records")
            print(json.dumps({"index": rows, "excluded_without_rate": excluded}, ensure_ascii=False, indent=2, default=str))
        else:
            for category, company, price_index, products in zip(
                index["category"], index["company"], index["price_index"], index["products"]
            ):
                print(f"{category:<24} {company:<28} {price_index:7.1f}  ({int(products)} products)")
            print(views.cheaper_sentence(index, "en"))
            for currency, n in excluded.items():
                print(f"note: {n} products in {currency} left out: no exchange rate covers their date")
    finally:
        store.close()
    return 0


def _highlight(args: argparse.Namespace) -> int:
    store = open_workspace(args.db)
    try:
        colour = views.set_highlight_color(store, args.actor, args.colour) if args.colour else views.highlight_color(store)
        print(colour)
    finally:
        store.close()
    return 0


def _seed(args: argparse.Namespace) -> int:
    store = open_workspace(args.db)
    try:
        cells = features.seed_demo_features(store, args.seed, actor=args.actor)
        print(f"{cells} feature cells written" if cells else "the workspace already has features; nothing written")
    finally:
        store.close()
    return 0
