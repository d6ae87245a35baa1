"""`python -m research segment …`: list, show, add, cluster and export segments (registered in research/cli.py)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import TypeVar

from research.errors import ValidationError
from research.i18n import fmt_number, fmt_percent
from research.segments import clustering, export, profile, saved
from research.segments.rules import parse_rule_text, rule_fields, rule_text
from research.store import Store

T = TypeVar("T")


def _k(text: str) -> int | None:
    if text == "auto":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither 'auto' nor a whole number") from None
    if value < clustering.MIN_K:
        raise argparse.ArgumentTypeError(f"k must be at least {clustering.MIN_K}")
    return value


def cmd_list(args: argparse.Namespace) -> int:
    store = Store.open(args.db, read_only=True)
    try:
        segments = saved.list_segments(store, include_archived=args.all)
        if not segments:
            print("No saved segments.")
            return 0
        table = profile.compare(store, [s.condition for s in segments])
    finally:
        store.close()
    width = max(len(s.name) for s in segments)
    print(f"{'segment':<{width}}  {'kind':<7}  {'accounts':>9}  {'our share':>9}  {'win rate':>8}")
    for seg, row in zip(segments, table.itertuples()):
        flag = " (archived)" if seg.archived else ""
        print(
            f"{seg.name:<{width}}  {seg.kind:<7}  {fmt_number(row.accounts, 'en'):>9}  "
            f"{fmt_percent(None if row.our_share != row.our_share else row.our_share, 'en'):>9}  "
            f"{fmt_percent(None if row.win_rate != row.win_rate else row.win_rate, 'en'):>8}{flag}"
        )
    return 0


def _read_segment(args: argparse.Namespace, read: Callable[[Store, saved.Segment], T]) -> tuple[saved.Segment, T]:
    """Open the workspace read-only, find the segment named in `args.name`, and read from it."""
    store = Store.open(args.db, read_only=True)
    try:
        segment = saved.get_segment(store, args.name)
        return segment, read(store, segment)
    finally:
        store.close()


def cmd_show(args: argparse.Namespace) -> int:
    segment, p = _read_segment(args, lambda store, seg: profile.profile(store, seg.condition))
    print(f"Segment      {segment.name} ({segment.kind})")
    if segment.description:
        print(f"Description  {segment.description}")
    if segment.kind == "rule":
        print(f"Rule         {rule_text(segment.definition) or '(nested groups: see the JSON)'}")
        print(f"Rule (JSON)  {json.dumps(segment.definition, ensure_ascii=False)}")
        print(f"Fields       {', '.join(rule_fields(segment.definition)) or '(all accounts)'}")
    print(f"Accounts     {fmt_number(p.accounts, 'en')} ({fmt_number(p.customers, 'en')} customers, "
          f"{fmt_number(p.prospects, 'en')} prospects, {fmt_number(p.lost, 'en')} lost)")
    print(f"Employees    {fmt_number(p.employees, 'en')}")
    print(f"Revenue      EUR {fmt_number(p.revenue_eur, 'en')}")
    print(f"Our share    {fmt_percent(p.our_share, 'en')} of {fmt_number(p.served, 'en')} accounts with a known supplier")
    print(f"Deals        {p.won} won, {p.lost_deals} lost, {p.open_deals} open (win rate {fmt_percent(p.win_rate, 'en')})")
    print(f"Not contacted prospects  {fmt_number(p.not_contacted, 'en')}")
    if not p.suppliers.empty:
        print("Suppliers")
        for row in p.suppliers.itertuples():
            us = " (us)" if row.is_us else ""
            print(f"  {row.company + us:<32} {fmt_number(row.accounts, 'en'):>9}  {fmt_percent(row.share, 'en', 1):>6}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    store = Store.open(args.db)
    try:
        # Suppliers may be named in the rule; the reader turns the names into ids (bound values, like every value).
        suppliers = {r["name"]: int(r["id"]) for r in store.query_rows("SELECT id, name FROM companies WHERE NOT archived")}
        rule = parse_rule_text(args.rule, suppliers)
        segment = saved.save_rule_segment(
            store, args.actor, name=args.name, rule=rule, description=args.description or "",
            colour=args.colour, overwrite=args.overwrite,
        )
        matching = profile.count_members(store, segment.condition)
    finally:
        store.close()
    print(f"Saved rule segment “{segment.name}”: {rule_text(segment.definition)}")
    print(f"{fmt_number(matching, 'en')} accounts match it now.")
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    store = Store.open(args.db, read_only=not args.save)
    try:
        started = time.perf_counter()
        result = clustering.cluster_accounts(store, args.features, k=args.k, k_max=args.k_max, scaling=args.scaling)
        seconds = time.perf_counter() - started
        print(f"Clustered {fmt_number(result.rows, 'en')} accounts on {', '.join(result.features)} in {seconds:.1f} s.")
        for feature, n in result.imputed.items():
            print(f"  {feature}: {fmt_number(n, 'en')} missing values filled in")
        if result.scaling:
            chosen = clustering.parse_scaling(args.scaling)
            print("Scaling  " + ", ".join(
                f"{f}={m}" + ("" if f in chosen else " (auto)") for f, m in result.scaling.items()
            ))
        if not result.scan.empty:
            print("  k  silhouette")
            for row in result.scan.itertuples():
                mark = "  <- suggested" if row.k == result.suggested_k else ""
                print(f"{row.k:>3}  {row.silhouette:10.3f}{mark}")
        print(f"Clusters (k = {result.k})")
        for i in range(result.k):
            print(f"  {i + 1}. {fmt_number(result.sizes[i], 'en'):>9} accounts  {result.describe(i, 'en')}")
        if args.save:
            names = [f"{args.save} {i + 1}" for i in range(result.k)]
            segments = saved.save_cluster_segments(
                store, args.actor,
                names=names,
                descriptions=[result.describe(i, "en") for i in range(result.k)],
                members=[result.members(i) for i in range(result.k)],
                definitions=[{"features": result.features, "k": result.k, "cluster": i + 1} for i in range(result.k)],
                colours=[_palette(i) for i in range(result.k)],
                overwrite=args.overwrite,
            )
            print(f"Saved {len(segments)} segments: {', '.join(s.name for s in segments)}.")
    finally:
        store.close()
    return 0


def _palette(i: int) -> str:
    from research.charts.theme import COMPETITOR_COLORS

    return COMPETITOR_COLORS[i % len(COMPETITOR_COLORS)]


def cmd_export(args: argparse.Namespace) -> int:
    segment, members = _read_segment(args, lambda store, seg: export.export_members(store, seg.condition, actor=args.actor))
    if not args.out.lower().endswith((".csv", ".xlsx")):
        raise ValidationError("--out must end in .csv or .xlsx.")
    path = export.write_members(members.drop(columns=["id"]), args.out)
    print(f"Wrote {fmt_number(len(members), 'en')} members of “{segment.name}” to {path}.")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `segment list|show|add|cluster|export`."""
    parser = subparsers.add_parser("segment", help="list, show, cluster and export market segments")
    sub = parser.add_subparsers(dest="segment_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", parents=[common], help="saved segments with accounts, our share and win rate")
    p.add_argument("--all", action="store_true", help="include archived segments")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", parents=[common], help="the profile of one saved segment")
    p.add_argument("name", help="segment name (case-insensitive)")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("add", parents=[common], help="create a rule segment from a rule written as text")
    p.add_argument("name", help="segment name")
    p.add_argument("--rule", required=True,
                   help='e.g. \'region = "Western Balkans" AND employees >= 50 OR industry in ("Food", "Chemicals")\' '
                        "(AND binds tighter than OR; see docs/SEGMENTS.md)")
    p.add_argument("--description", help="a sentence shown with the segment")
    p.add_argument("--colour", help="colour like #D9480F")
    p.add_argument("--overwrite", action="store_true", help="replace the segment that has this name")
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("cluster", parents=[common], help="k-means clusters with a silhouette scan and descriptions")
    p.add_argument("--features", required=True,
                   help=f"comma-separated: {', '.join(clustering.FEATURES)} or any other numeric account column")
    p.add_argument("--scaling", help="override the automatic scaling per numeric feature, e.g. annual_revenue=log,employees=z "
                                     f"(methods: auto, {', '.join(clustering.SCALINGS)})")
    p.add_argument("--k", type=_k, default=None, help="number of clusters, or 'auto' (default) for the best silhouette")
    p.add_argument("--k-max", type=_k, default=None, help="largest k the scan tries (default: $VANTAGE_SEGMENT_K_MAX)")
    p.add_argument("--save", metavar="PREFIX", help="save the clusters as segments 'PREFIX 1', 'PREFIX 2', …")
    p.add_argument("--overwrite", action="store_true", help="with --save: replace segments that have those names")
    p.set_defaults(handler=cmd_cluster)

    p = sub.add_parser("export", parents=[common], help="write a segment's members to CSV or Excel (formula-safe)")
    p.add_argument("name", help="segment name (case-insensitive)")
    p.add_argument("--out", required=True, help="output file, .csv or .xlsx")
    p.set_defaults(handler=cmd_export)
