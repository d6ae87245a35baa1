"""`python -m research deck …`: list, show and export decks (registered in research/cli.py)."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from research.i18n import LANGUAGES, fmt_datetime
from research.present import decks
from research.present.export import IMAGE_FORMATS, export_deck, export_kind
from research.present.model import RenderContext
from research.store import open_workspace


def cmd_list(args: argparse.Namespace) -> int:
    store = open_workspace(args.db, read_only=True)
    try:
        rows: list[dict[str, Any]] = [
            {
                "name": d.name, "id": d.id, "slides": d.slide_count,
                "decisions": len(decks.list_decisions(store, deck_id=d.id)),
                "updated": d.updated_at.isoformat(timespec="seconds"), "archived": d.archived,
            }
            for d in decks.list_decks(store, include_archived=args.all)
        ]
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("No decks yet.")
        return 0
    width = max(4, *(len(r["name"]) for r in rows))
    print(f"{'deck':<{width}}  {'slides':>6}  {'decisions':>9}  updated")
    for r in rows:
        flag = " (archived)" if r["archived"] else ""
        print(f"{r['name']:<{width}}  {r['slides']:>6}  {r['decisions']:>9}  {r['updated'].replace('T', ' ')}{flag}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    store = open_workspace(args.db, read_only=True)
    try:
        deck = decks.find_deck(store, args.name)
        slides = decks.list_slides(store, deck.id)
        decisions = decks.list_decisions(store, deck_id=deck.id)
    finally:
        store.close()
    print(f"Deck       {deck.name} (id {deck.id}{', archived' if deck.archived else ''})")
    if deck.description:
        print(f"About      {deck.description}")
    print(f"Updated    {fmt_datetime(deck.updated_at, 'en')}")
    print(f"Slides     {len(slides)}")
    from research.present.views import view_label  # the registry pulls in every area's views

    for s in slides:
        what = s.view if s.kind == "view" else s.kind
        # A view slide without a title of its own shows its view's title, in the language of the output.
        automatic = f"{view_label(s.view, 'en') or s.view} (automatic title)"
        print(f"  {s.position:>3}. [{what}] {s.title or automatic}")
    print(f"Decisions  {len(decisions)}")
    titles = {s.id: s.title or view_label(s.view, "en") for s in slides}
    for d in decisions:
        extra = ", ".join(x for x in (
            d.owner or "", f"due {d.due_date.isoformat()}" if d.due_date else "", d.status,
            f"slide “{titles[d.slide_id]}”" if d.slide_id in titles and titles[d.slide_id] else "",
        ) if x)
        print(f"  - {d.kind}: {d.text} ({extra})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    kind = export_kind(args.out)  # refuse an unknown suffix before opening anything
    store = open_workspace(args.db, read_only=True)
    try:
        deck = decks.find_deck(store, args.name)
        started = time.perf_counter()
        ctx = RenderContext(language=args.lang, viewer=args.actor, presenting=False)
        path = export_deck(store, deck.id, args.out, ctx, image_format=args.format, appendix=args.appendix)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    what = {"pptx": "PowerPoint deck", "md": "Markdown", "zip": f"{args.format.upper()} images (zip)",
            "dir": f"{args.format.upper()} images"}[kind]
    print(f"Wrote “{deck.name}” ({deck.slide_count} slides) as {what} to {path} in {seconds:.1f} s.")
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `deck list|show|export`."""
    parser = subparsers.add_parser("deck", help="list, show and export presentation decks")
    sub = parser.add_subparsers(dest="deck_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", parents=[common], help="decks with slide and decision counts")
    p.add_argument("--all", action="store_true", help="include archived decks")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", parents=[common], help="a deck's slides and decision log")
    p.add_argument("name", help="deck name (case-insensitive) or id")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("export", parents=[common], help="write a deck as PPTX, Markdown, or PNG/SVG images")
    p.add_argument("name", help="deck name (case-insensitive) or id")
    p.add_argument("--out", required=True, help="FILE.pptx, FILE.md, FILE.zip (images) or a folder (images)")
    p.add_argument("--format", choices=IMAGE_FORMATS, default="png", help="image format for a folder or zip")
    p.add_argument("--lang", choices=tuple(LANGUAGES), default="en", help="language of the exported text")
    p.add_argument("--appendix", action="store_true",
                   help="add the data behind each chart and the decision log after the slides (off by default)")
    p.set_defaults(handler=cmd_export)
