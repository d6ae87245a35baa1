"""`python -m research` subcommands of this area (registered in research/cli.py):
`company list`, `swot list|add|board`, `battlecard`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from research.competitors import profiles, swot
from research.errors import ValidationError
from research.exports import write_atomically
from research.i18n import LANGUAGES
from research.store import Store, open_workspace


def _open(args: argparse.Namespace, *, read_only: bool) -> Store:
    # Reads open read-only only when asked to (VANTAGE_READ_ONLY): a workspace with
    # pending migrations must be opened read-write once, and reads should not fail on that.
    return open_workspace(args.db, read_only=True if read_only and _forced_read_only() else None)


def _forced_read_only() -> bool:
    from research import config

    return config.READ_ONLY.value()


def _write(path: str, data: bytes | str) -> None:
    """Write an export atomically: a failed write never leaves half a file behind."""
    target = Path(path)
    if target.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name such as battlecard.pptx.")
    write_atomically(target, data.encode("utf-8") if isinstance(data, str) else data)


def _extension(path: str, allowed: tuple[str, ...]) -> str:
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in allowed:
        raise ValidationError(f"Cannot export to {path!r}: use a file ending in {' or '.join('.' + a for a in allowed)}.")
    return ext


def cmd_company_list(args: argparse.Namespace) -> int:
    store = _open(args, read_only=True)
    try:
        df = profiles.list_companies(store, search=args.search or "", include_archived=args.archived)
    finally:
        store.close()
    if args.json:
        print(df.to_json(orient="records", date_format="iso", force_ascii=False))
        return 0
    if df.empty:
        print("No companies match.")
        return 0
    width = max(len(n) for n in df["name"]) + 6
    print(f"{'company':<{width}} {'country':<7} {'position':<8} {'SWOT':>5} {'stale':>5} {'products':>8}")
    for row in df.to_dict("records"):
        name = row["name"] + (" (us)" if row["is_us"] else "") + (" [archived]" if row["archived"] else "")
        print(
            f"{name:<{width}} {_or_dash(row['hq_country']):<7} {_or_dash(row['price_positioning']):<8} "
            f"{row['swot_items']:>5} {row['stale_items']:>5} {row['products']:>8}"
        )
    return 0


def cmd_company_set_ours(args: argparse.Namespace) -> int:
    store = _open(args, read_only=False)
    try:
        company = profiles.set_our_company(store, args.actor, profiles.find_company(store, args.name).id)
    finally:
        store.close()
    print(f"Our company is now {company.name}.")
    return 0


def _or_dash(value: object) -> str:
    return value if isinstance(value, str) and value else "–"


def cmd_swot_list(args: argparse.Namespace) -> int:
    if not args.company and not args.stale:
        raise ValidationError("Name a company with --company, or pass --stale for the re-verify queue of all companies.")
    store = _open(args, read_only=True)
    try:
        company = profiles.find_company(store, args.company) if args.company else None
        if args.stale or company is None:  # no company without --stale was refused above
            items = swot.stale_items(store, company_id=company.id if company else None, viewer=args.actor)
        else:
            items = swot.list_items(store, company.id, include_archived=args.archived, viewer=args.actor)
    finally:
        store.close()
    if args.json:
        print(json.dumps([_item_json(i) for i in items], ensure_ascii=False, indent=2))
        return 0
    if not items:
        print("No stale items: all evidence is fresh." if args.stale else "No SWOT items.")
        return 0
    for item in items:
        flags = " STALE" if item.stale else ""
        flags += " [archived]" if item.archived else ""
        who = f"{item.company}: " if company is None else ""
        print(f"{item.label or '–':<4} {who}{item.statement}  (impact {item.impact}, {item.confidence}, "
              f"evidence {item.evidence_on.isoformat()}{flags})")
        if item.evidence:
            print(f"     source: {item.evidence}")
    return 0


def _item_json(item: swot.SwotItem) -> dict[str, object]:
    keys = ("id", "company", "quadrant", "label", "statement", "impact", "confidence", "source_url", "source_note",
            "source_title", "observed_on", "evidence_on", "stale", "tags", "author", "archived", "private", "version")
    out = {k: getattr(item, k) for k in keys}
    out["observed_on"] = item.observed_on.isoformat() if item.observed_on else None
    out["evidence_on"] = item.evidence_on.isoformat()
    out["tags"] = list(item.tags)
    return out


def cmd_swot_add(args: argparse.Namespace) -> int:
    store = _open(args, read_only=False)
    try:
        company = profiles.find_company(store, args.company)
        item = swot.add_item(
            store, args.actor, company.id, quadrant=args.quadrant, statement=args.text, impact=args.impact,
            confidence=args.confidence, source_url=args.source, source_note=args.note, observed_on=args.observed_on,
            tags=args.tags, private=args.private,
        )
    finally:
        store.close()
    print(f"Added {item.label} to {company.name}: {item.statement} (id {item.id}).")
    return 0


def _export(args: argparse.Namespace, formats: tuple[str, ...], render: Callable[[Store, profiles.Company, str], bytes | str]) -> str:
    """Render an export of `args.company` to `args.out`; returns the company name."""
    ext = _extension(args.out, formats)
    store = _open(args, read_only=True)
    try:
        company = profiles.find_company(store, args.company)
        data = render(store, company, ext)
    finally:
        store.close()
    _write(args.out, data)
    return company.name


def cmd_swot_board(args: argparse.Namespace) -> int:
    from research.competitors import exports  # python-pptx and vl-convert load only for exports

    def render(store: Store, company: profiles.Company, ext: str) -> bytes:
        items = swot.list_items(store, company.id, viewer=args.actor)
        if ext == "png":
            return exports.board_png(company, items, args.lang)
        return exports.board_pptx(company, items, args.lang)

    name = _export(args, ("png", "pptx"), render)
    print(f"Wrote the SWOT board of {name} to {args.out}.")
    return 0


def cmd_battlecard(args: argparse.Namespace) -> int:
    from research.competitors import battlecard as cards
    from research.competitors import exports

    def render(store: Store, company: profiles.Company, ext: str) -> bytes | str:
        card = cards.build_battlecard(store, company.id)
        return exports.battlecard_pptx(card, args.lang) if ext == "pptx" else exports.battlecard_markdown(card, args.lang)

    name = _export(args, ("pptx", "md"), render)
    print(f"Wrote the battlecard of {name} to {args.out}.")
    return 0


def _impact(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 5") from None


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add this area's subcommands; each sets `handler` (args -> exit code) with set_defaults."""
    lang = argparse.ArgumentParser(add_help=False)
    lang.add_argument("--lang", choices=sorted(LANGUAGES), default="en", help="language of the export (default: en)")

    company = subparsers.add_parser("company", help="list competitor profiles; say which company is ours")
    company_sub = company.add_subparsers(dest="company_command", metavar="ACTION", required=True)
    p = company_sub.add_parser("list", parents=[common], help="companies with SWOT, stale and product counts")
    p.add_argument("--search", help="part of the name or description")
    p.add_argument("--archived", action="store_true", help="include archived companies")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_company_list)
    p = company_sub.add_parser("set-ours", parents=[common], help="make a company ours (the old one becomes a competitor)")
    p.add_argument("name", help="the company's name (case does not matter)")
    p.set_defaults(handler=cmd_company_set_ours)

    swot_parser = subparsers.add_parser("swot", help="list, add and export evidence-linked SWOT items")
    swot_sub = swot_parser.add_subparsers(dest="swot_command", metavar="ACTION", required=True)
    p = swot_sub.add_parser("list", parents=[common], help="a company's SWOT items, or the stale ones (--stale)")
    p.add_argument("--company", help="company name (ignoring case)")
    p.add_argument("--stale", action="store_true", help="only items without fresh evidence (all companies if no --company)")
    p.add_argument("--archived", action="store_true", help="include archived items")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_swot_list)

    p = swot_sub.add_parser("add", parents=[common], help="add a SWOT item with its evidence")
    p.add_argument("--company", required=True, help="company name (ignoring case)")
    p.add_argument("--quadrant", required=True, help="S, W, O or T")
    p.add_argument("--text", required=True, help="the statement")
    p.add_argument("--impact", type=_impact, default=3, help="1 (minor) to 5 (major); default 3")
    p.add_argument("--confidence", default="medium", help="low, medium or high; default medium")
    p.add_argument("--source", help="source web address (http or https)")
    p.add_argument("--note", help="source as free text (call, fair, report …)")
    p.add_argument("--observed-on", dest="observed_on", help="date the evidence was seen, YYYY-MM-DD (not in the future)")
    p.add_argument("--tags", help="comma-separated tags, e.g. price,delivery")
    p.add_argument("--private", action="store_true", help="a private note: shown to its author and admins only")
    p.set_defaults(handler=cmd_swot_add)

    p = swot_sub.add_parser("board", parents=[common, lang], help="export a company's SWOT board as PNG or PPTX")
    p.add_argument("--company", required=True, help="company name (ignoring case)")
    p.add_argument("--out", required=True, help="file.png or file.pptx")
    p.set_defaults(handler=cmd_swot_board)

    p = subparsers.add_parser("battlecard", parents=[common, lang], help="export a competitor's battlecard (PPTX or Markdown)")
    p.add_argument("--company", required=True, help="competitor name (ignoring case)")
    p.add_argument("--out", required=True, help="file.pptx or file.md")
    p.set_defaults(handler=cmd_battlecard)
