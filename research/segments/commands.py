"""`python -m research segment …`: list, show, add, size, cluster, bands, prospects and export (registered in research/cli.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Callable
from typing import TypeVar

from research.errors import ValidationError
from research.i18n import LANGUAGES, fmt_number, fmt_percent
from research.segments import bands as segment_bands
from research.segments import clustering, export, profile, prospects, saved, sizing
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
    # Records rather than itertuples() here and below: pandas-stubs type a named tuple's fields as any scalar.
    for seg, row in zip(segments, table.to_dict("records")):
        flag = " (archived)" if seg.archived else ""
        our_share, win_rate = row["our_share"], row["win_rate"]
        print(
            f"{seg.name:<{width}}  {seg.kind:<7}  {fmt_number(row['accounts'], 'en'):>9}  "
            f"{fmt_percent(None if our_share != our_share else our_share, 'en'):>9}  "
            f"{fmt_percent(None if win_rate != win_rate else win_rate, 'en'):>8}{flag}"
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
        for row in p.suppliers.to_dict("records"):
            us = " (us)" if row["is_us"] else ""
            print(f"  {row['company'] + us:<32} {fmt_number(row['accounts'], 'en'):>9}  "
                  f"{fmt_percent(row['share'], 'en', 1):>6}")
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
    for row in result.frame().to_dict("records"):
        band = f"{fmt_number(row['low'], 'en')} – {fmt_number(row['high'], 'en')}"
        share = f"{shares[row['stage']]}, " if shares[row["stage"]] else ""
        print(f"{row['stage']}       EUR {fmt_number(row['value'], 'en'):>15}  "
              f"({share}±{fmt_percent(a.sensitivity, 'en')}: {band})")
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
        if result.sample:
            print(result.sample_note("en"))
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


def _pairs(values: list[str] | None, option: str, example: str) -> dict[str, str]:
    """NAME=VALUE options (repeatable) as a dict; the last one given for a name wins."""
    out: dict[str, str] = {}
    for text in values or []:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"{option} takes NAME=VALUE, e.g. {example}; got {text!r}.")
        out[name.strip()] = value.strip()
    return out


def _points(text: str, option: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f"{option} {name}={text!r}: the weight must be a number of points "
                              f"from 0 to {prospects.MAX_POINTS}.") from None


def _prospect_scoring(store: Store, args: argparse.Namespace) -> tuple[
        dict[str, float], list[prospects.Factor], list[prospects.Check], list[str], str]:
    """Built-in points, custom factors and reliability checks: a saved set (--weights) or the defaults,
    then the options on top; the fields the set names that this workspace no longer has; where they came from."""
    sizes: dict[str, float] = {}
    weights: dict[str, float] = {}
    directions: dict[str, str] = {}
    check_weights: dict[str, float] = {}
    sources: dict[str, str | None] = {}
    dropped: list[str] = []
    source = "default weights"
    if args.weights:
        sets = {w.name.lower(): w for w in prospects.list_weight_sets(store)}
        chosen = sets.get(" ".join(args.weights.split()).lower())
        if chosen is None:
            names = ", ".join(w.name for w in sets.values()) or "none yet (save one with --save)"
            raise ValidationError(f"There is no prospect weight set “{args.weights}”; saved ones: {names}.")
        source = f"weight set “{chosen.name}” v{chosen.version}"
        sizes = dict(chosen.points)
        factors, lost = chosen.factors(store)
        checks, lost_sources = chosen.reliability(store)
        dropped = [*lost, *lost_sources]
        weights = {f.name: f.weight for f in factors}
        directions = {f.name: f.direction for f in factors}
        check_weights = {c.code: c.weight for c in checks}
        sources = {c.code: c.field.name if c.field is not None else None for c in checks if c.code in prospects.CHECK_KINDS}
    for name, value in _pairs(args.points, "--points", "no_vat=0").items():
        sizes[name] = _points(value, "--points", name)
    for name, value in _pairs(args.factor, "--factor", "fortune_rank=20:lower").items():
        weight, _, direction = value.partition(":")
        weights[name] = _points(weight, "--factor", name)
        if direction:
            directions[name] = direction
    for name, value in _pairs(args.check, "--check", "payment=20").items():
        check_weights[name] = _points(value, "--check", name)
    for name, value in _pairs(args.source, "--source", "payment=payment_days_late").items():
        sources[name] = None if value.lower() in ("", "none") else value
    points = prospects.check_points(sizes)
    factors = prospects.make_factors(store, weights, directions)
    checks = prospects.make_checks(store, check_weights, sources)
    if args.points or args.factor or args.check or args.source:
        source += ", changed by the options"
    return points, factors, checks, dropped, source


def cmd_prospects(args: argparse.Namespace) -> int:
    """Score the prospects with the reliability checks; print the best with their reasons; --save the weights."""
    if args.top < 1:
        raise ValidationError("--top must be at least 1.")
    store = open_workspace(args.db, read_only=not args.save)
    try:
        targets = [saved.get_segment(store, name) for name in args.target or []]
        points, factors, checks, dropped, source = _prospect_scoring(store, args)
        scored = prospects.score_prospects(store, [s.condition for s in targets], limit=args.top, factors=factors,
                                           points=points, checks=checks, today=args.today)
        from research.data.labels import labels_for

        labels = labels_for(store, args.lang)
        lines = [prospects.reasons_text(row, args.lang, [s.name for s in targets], points=points, factors=factors,
                                        checks=checks, labels=labels) for _, row in scored.iterrows()]
        saved_set = None
        if args.save:
            sizes = {f: abs(v) for f, v in points.items()}
            saved_set = prospects.save_weight_set(store, args.actor, args.save, points=sizes, factors=factors, checks=checks)
    finally:
        store.close()
    total = int(scored["scored"].iloc[0]) if not scored.empty else 0
    print(f"Scored {fmt_number(total, 'en')} prospects ({source}); the best {fmt_number(len(scored), 'en')} shown.")
    if dropped:
        print(f"Left out of the weight set, no longer usable here: {', '.join(dropped)}.")
    print("Reliability checks")
    unknown = {c.code: n for c, n, _ in prospects.unknown_counts(scored, checks)}
    for check in checks:
        if check.code not in prospects.CHECK_KINDS:
            data = "from the deals"
        elif check.field is None:
            data = "no field: unknown for every prospect"
        else:
            data = f"from {check.field.name} ({check.field.label('en')})"
        if not check.weight:
            data += "; off"
        elif check.code not in prospects.CHECK_KINDS or check.field is not None:
            data += f"; unknown for {fmt_number(unknown[check.code], 'en')} of {fmt_number(total, 'en')}"
        print(f"  {check.code:<15} {fmt_number(check.weight, 'en', 0 if float(check.weight).is_integer() else 1):>3} points  "
              f"{data}")
    for (_, row), reasons in zip(scored.iterrows(), lines):
        print(f"{round(float(row['score'])):>4}  {row['name']}")
        print(f"      {reasons}")
    if saved_set is not None:
        print(f"Saved prospect weight set “{saved_set.name}” (version {saved_set.version}).")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-30") from None


def cmd_export(args: argparse.Namespace) -> int:
    segment, members = _read_segment(args, lambda store, seg: export.export_members(store, seg.condition, actor=args.actor))
    if not args.out.lower().endswith((".csv", ".xlsx")):
        raise ValidationError("--out must end in .csv or .xlsx.")
    path = export.write_members(members.drop(columns=["id"]), args.out)
    print(f"Wrote {fmt_number(len(members), 'en')} members of “{segment.name}” to {path}.")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `segment list|show|add|size|cluster|bands|prospects|export`."""
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

    p = sub.add_parser("prospects", parents=[common],
                       help="score the prospects with the reliability checks and print the best with their reasons")
    p.add_argument("--target", action="append", metavar="SEGMENT", help="a saved target segment (repeatable)")
    p.add_argument("--weights", metavar="SET", help="start from a saved prospect weight set (case-insensitive)")
    p.add_argument("--check", action="append", metavar="CHECK=POINTS",
                   help=f"weight of a reliability check, 0–{prospects.MAX_POINTS} (repeatable; 0 switches it off): "
                        + ", ".join(f"{c} (default {w})" for c, w in prospects.CHECKS.items()))
    p.add_argument("--source", action="append", metavar="CHECK=FIELD",
                   help="the custom account field a check reads, or 'none' (repeatable): payment (int/number: "
                        "average days late), company_age (int: founding year, or date), revenue_trend (money/number/int: "
                        "the previous year's revenue); default: a field named like payment_days_late, founded_year, "
                        "revenue_prev")
    p.add_argument("--factor", action="append", metavar="FIELD=POINTS[:higher|lower]",
                   help="a custom number or yes/no field as a factor (repeatable), e.g. fortune_rank=20:lower")
    p.add_argument("--points", action="append", metavar="FACTOR=SIZE",
                   help=f"size of a built-in factor (repeatable; 0 switches it off): {', '.join(prospects.POINTS)}")
    p.add_argument("--top", type=int, default=20, help="prospects to print (default: %(default)s)")
    p.add_argument("--today", type=_date, default=None,
                   help="the day company ages and recent losses are counted to (default: today)")
    p.add_argument("--lang", choices=sorted(LANGUAGES), default="en", help="language of the reasons (default: en)")
    p.add_argument("--save", metavar="NAME", help="save these weights as a prospect weight set (a new version if it exists)")
    p.set_defaults(handler=cmd_prospects)

    p = sub.add_parser("export", parents=[common], help="write a segment's members to CSV or Excel (formula-safe)")
    p.add_argument("name", help="segment name (case-insensitive)")
    p.add_argument("--out", required=True, help="output file, .csv or .xlsx")
    p.set_defaults(handler=cmd_export)
