"""`python -m research segment …`: list, show, add, size, cluster, bands and export (registered in research/cli.py)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import TypeVar

from research.errors import ValidationError
from research.i18n import fmt_number, fmt_percent
from research.segments import bands as segment_bands
from research.segments import clustering, export, profile, saved, sizing
from research.segments.rules import fields_of, parse_rule_text, rule_fields, rule_text
from research.store import Store, open_workspace

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
    store = open_workspace(args.db, read_only=True)
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
    store = open_workspace(args.db, read_only=True)
    try:
        segment = saved.get_segment(store, args.name)
        return segment, read(store, segment)
    finally:
        store.close()


def cmd_show(args: argparse.Namespace) -> int:
    segment, (p, summaries) = _read_segment(
        args, lambda store, seg: (profile.profile(store, seg.condition), profile.field_summaries(store, seg.condition)))
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
    if summaries:
        print("Custom fields")
        for summary in summaries:
            print(f"  {summary.field.name + ' (' + summary.field.label('en') + ')':<32} "
                  f"{profile.summary_text(summary, p.accounts, 'en')}")
    return 0


def _share(text: str) -> float:
    """A share as a fraction (0.005) or a percentage (0.5%)."""
    percent = text.strip().endswith("%")
    try:
        value = float(text.strip().rstrip("%").strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share like 0.005 or 0.5%") from None
    return value / 100 if percent else value


def _contract(args: argparse.Namespace, default_acv: float) -> sizing.ContractValue:
    """The contract-value source the options ask for; without one, the constant (the segment's default)."""
    if args.contract_column is not None and args.contract_share is None:
        raise ValidationError("--contract-column needs --contract-share (the share of that column).")
    if args.contract_share is not None:
        return sizing.ContractValue("share", share=args.contract_share,
                                    column=args.contract_column or sizing.DEFAULT_SHARE_COLUMN)
    if args.contract_from_deals:
        return sizing.ContractValue("deals")
    amount = default_acv if args.contract_value is None else args.contract_value
    return sizing.ContractValue("constant", amount=amount)


def cmd_size(args: argparse.Namespace) -> int:
    def read(store: Store, segment: saved.Segment) -> tuple[sizing.Sizing, sizing.Valuation]:
        size = profile.compare(store, [segment.condition]).iloc[0]
        defaults = sizing.default_assumptions(
            median_won_value=None if size["median_won_value"] != size["median_won_value"] else float(size["median_won_value"]),
            our_share=None if size["our_share"] != size["our_share"] else float(size["our_share"]),
            acv=None if segment.acv is None else float(segment.acv), sam_share=segment.sam_share,
            som_share=segment.som_share, sensitivity=segment.sensitivity,
        )
        contract = _contract(args, defaults.acv)
        assumptions = sizing.Assumptions(
            contract.amount if contract.source == "constant" and contract.amount is not None else defaults.acv,
            defaults.sam_share if args.sam is None else args.sam,
            defaults.som_share if args.som is None else args.som,
            defaults.sensitivity if args.sensitivity is None else args.sensitivity,
        )
        valuation = sizing.value_accounts(store, segment.condition, contract)
        return sizing.size_segment(valuation.accounts, assumptions, valuation=valuation), valuation

    segment, (result, valuation) = _read_segment(args, read)
    a = result.assumptions
    print(f"Segment   {segment.name} ({fmt_number(result.accounts, 'en')} accounts)")
    print(f"Contract  {sizing.contract_text(valuation, 'en')}")
    shares = {"TAM": "", "SAM": f"{fmt_percent(a.sam_share, 'en')} of TAM", "SOM": f"{fmt_percent(a.som_share, 'en')} of SAM"}
    for row in result.frame().itertuples():
        band = f"{fmt_number(row.low, 'en')} – {fmt_number(row.high, 'en')}"
        share = f"{shares[row.stage]}, " if shares[row.stage] else ""
        print(f"{row.stage}       EUR {fmt_number(row.value, 'en'):>15}  ({share}±{fmt_percent(a.sensitivity, 'en')}: {band})")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    store = open_workspace(args.db)
    try:
        # Suppliers may be named in the rule; the reader turns the names into ids (bound values, like every value).
        suppliers = {r["name"]: int(r["id"]) for r in store.query_rows("SELECT id, name FROM companies WHERE NOT archived")}
        # Custom fields and the workspace's bands come from its registry and settings, never from the text.
        rule = parse_rule_text(args.rule, suppliers, fields_of(store))
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
    store = open_workspace(args.db, read_only=not args.save)
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
                definitions=[{"features": result.features, "k": result.k, "cluster": i + 1, "scaling": result.scaling}
                             for i in range(result.k)],
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


def cmd_bands(args: argparse.Namespace) -> int:
    """Show the workspace's size and revenue bands; --employees / --revenue change them."""
    changes = {d: getattr(args, d) for d in segment_bands.DIMENSIONS if getattr(args, d)}
    store = open_workspace(args.db, read_only=not changes)
    try:
        for dimension, text in changes.items():
            mode = text.strip().lower()
            cuts = None if mode in segment_bands.MODES else text
            segment_bands.set_bands(store, args.actor, dimension, "custom" if cuts else mode, cuts, confirmed=args.yes)
        current = segment_bands.workspace_bands(store)
    finally:
        store.close()
    for dimension, bands in current.items():
        why = ""
        if bands.setting == "auto" and bands.largest_share is not None:
            why = (f" (auto: the fixed bands would hold {fmt_percent(bands.largest_share, 'en')} of the accounts in one band)"
                   if bands.mode == "quantiles" else f" (auto: at most {fmt_percent(bands.largest_share, 'en')} in one fixed band)")
        print(f"{bands.field}  {bands.mode}{why}")
        for key, label in bands.labels("en").items():
            print(f"  {key:<10} {label}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    segment, members = _read_segment(args, lambda store, seg: export.export_members(store, seg.condition, actor=args.actor))
    if not args.out.lower().endswith((".csv", ".xlsx")):
        raise ValidationError("--out must end in .csv or .xlsx.")
    path = export.write_members(members.drop(columns=["id"]), args.out)
    print(f"Wrote {fmt_number(len(members), 'en')} members of “{segment.name}” to {path}.")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `segment list|show|add|size|cluster|bands|export`."""
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
                        "(AND binds tighter than OR); custom fields by their name, e.g. 'profit >= 1e6 AND state = \"CA\"' "
                        "(money compares in EUR; see docs/SEGMENTS.md)")
    p.add_argument("--description", help="a sentence shown with the segment")
    p.add_argument("--colour", help="colour like #D9480F")
    p.add_argument("--overwrite", action="store_true", help="replace the segment that has this name")
    p.set_defaults(handler=cmd_add)

    p = sub.add_parser("size", parents=[common],
                       help="TAM, SAM and SOM of one saved segment, and where its contract value comes from")
    p.add_argument("name", help="segment name (case-insensitive)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--contract-value", type=float, metavar="EUR",
                        help="one expected annual contract value per account (default: the segment's saved value, "
                             "else its median won deal, else $VANTAGE_SEGMENT_ACV)")
    source.add_argument("--contract-share", type=_share, metavar="SHARE",
                        help="a share of an account column per account, e.g. 0.005 or 0.5%% (with --contract-column)")
    source.add_argument("--contract-from-deals", action="store_true",
                        help="the median won deal of accounts in the same employee band (all won deals where a band has none)")
    p.add_argument("--contract-column", metavar="COLUMN",
                   help=f"numeric account column for --contract-share (default: {sizing.DEFAULT_SHARE_COLUMN}; money is "
                        "converted to EUR at the newest rate)")
    p.add_argument("--sam", type=_share, help="serviceable share of the segment (default: the saved one, else 60%%)")
    p.add_argument("--som", type=_share, help="obtainable share of SAM (default: the saved one, else our share, at least 5%%)")
    p.add_argument("--sensitivity", type=_share, help="± band (default: the saved one, else 20%%)")
    p.set_defaults(handler=cmd_size)

    p = sub.add_parser("cluster", parents=[common], help="k-means clusters with a silhouette scan and descriptions")
    p.add_argument("--features", required=True,
                   help=f"comma-separated: {', '.join(clustering.FEATURES)}, any custom account field that is a number, "
                        "money (in EUR), percent, choice or yes/no, or any other numeric account column")
    p.add_argument("--scaling", help="override the automatic scaling per numeric feature, e.g. annual_revenue=log,employees=z "
                                     f"(methods: auto, {', '.join(clustering.SCALINGS)})")
    p.add_argument("--k", type=_k, default=None, help="number of clusters, or 'auto' (default) for the best silhouette")
    p.add_argument("--k-max", type=_k, default=None, help="largest k the scan tries (default: $VANTAGE_SEGMENT_K_MAX)")
    p.add_argument("--save", metavar="PREFIX", help="save the clusters as segments 'PREFIX 1', 'PREFIX 2', …")
    p.add_argument("--overwrite", action="store_true", help="with --save: replace segments that have those names")
    p.set_defaults(handler=cmd_cluster)

    p = sub.add_parser("bands", parents=[common], help="the workspace's size and revenue bands; change them")
    for dimension, example in (("employees", "50,250,1000"), ("revenue", "2e6,10e6,50e6")):
        p.add_argument(f"--{dimension}", metavar="MODE|CUTS",
                       help=f"auto (default: the fixed bands unless they put over 60%% of the accounts in one), fixed, "
                            f"quantiles, or your own cuts, e.g. {example}" + (" (EUR)" if dimension == "revenue" else ""))
    p.add_argument("--yes", action="store_true", help="change even when saved segments use a band that disappears")
    p.set_defaults(handler=cmd_bands)

    p = sub.add_parser("export", parents=[common], help="write a segment's members to CSV or Excel (formula-safe)")
    p.add_argument("name", help="segment name (case-insensitive)")
    p.add_argument("--out", required=True, help="output file, .csv or .xlsx")
    p.set_defaults(handler=cmd_export)
