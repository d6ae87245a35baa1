"""Bounded text reading on lxml trees, shared by the product-extraction modules.

Pages are untrusted: every reader here stops after a limit, so asking thousands of
nested elements for their text costs what is read, not each whole subtree.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import lxml.etree

MAX_TEXT = 300_000
MAX_FIELD_TEXT = 5000  # characters read for one name, SKU or other itemprop value
BLANKS = re.compile(r"[ \t\r\f\v\u00a0\u200b\u202f]+")
INVISIBLE = ("script", "style", "noscript", "template", "svg", "iframe", "object", "head")
_ANNOTATIONS = ("rt", "rp")


def clean(value: Any) -> str | None:
    """One readable string from a JSON-LD/microdata value (first of a list, `name` of an object)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if v not in (None, "")), None)
        if value is None:
            return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("value")
        if value is None:
            return None
    text = BLANKS.sub(" ", html_lib.unescape(str(value))).strip()
    return text or None


def text_pieces(el: Any, limit: int) -> list[str]:
    """The first text pieces of `el` holding at least `limit` visible characters.

    Reading stops there (or after a generous run of indentation blanks), so asking each of
    255 nested elements for its text costs what it reads, not its whole subtree each time.
    """
    pieces: list[str] = []
    visible = raw = 0
    most = 8 * limit + 4000
    for piece in el.itertext():
        pieces.append(piece)
        visible += len(piece.strip())
        raw += len(piece)
        if visible >= limit or raw >= most:
            break
    return pieces


def el_text(el: Any, limit: int = MAX_TEXT) -> str:
    """Text of `el` with blanks collapsed; about `limit` characters or more (slice it)."""
    # Blocks joined with spaces: "In stock</p><p>SKU: 12" must not read "In stockSKU: 12".
    return BLANKS.sub(" ", " ".join(text_pieces(el, limit))).strip()


def lx_text(el: Any, limit: int) -> str:
    """Like lxml's `text_content()` (pieces joined as they are), read only as far as `limit`."""
    return "".join(text_pieces(el, limit))


def visible_text(tree: Any) -> str:
    """The text a reader sees, one text piece per line; never script or style content.

    Empties the invisible elements of `tree` (call it last). It reads as BeautifulSoup's
    `get_text("\n")` read text watchers' pages, so their stored hashes stay valid: every text
    node is its own piece (text on both sides of a comment or a script stays two lines), and
    ruby annotations (`rt`, `rp`: pronunciation guides over East Asian text) are left out.
    """
    for el in list(tree.iter(*INVISIBLE, *_ANNOTATIONS)):
        el.clear(keep_tail=True)  # not drop(): that would glue the text before and after it together
    body = tree.find("body")
    root = body if body is not None else tree
    lines = (BLANKS.sub(" ", line).strip() for line in "\n".join(root.itertext()).splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def drop(el: Any) -> None:
    """Remove `el` and its subtree, keeping the text that follows it (lxml.html's `drop_tree`)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def remove(el: Any) -> None:
    """Take `el` and its subtree out of the page, leaving the text on either side as two pieces.

    An empty comment takes its place and keeps the tail: readers skip comments, and text
    either side stays apart as when BeautifulSoup's `decompose()` removed ignored elements
    (a text watcher's hash depends on it; `drop` would glue the two texts into one).
    """
    parent = el.getparent()
    if parent is None:
        return
    gap = lxml.etree.Comment()
    gap.tail = el.tail
    parent.replace(el, gap)


def marks(el: Any) -> str:
    """An element's class and id, the words pages use to say what an element is."""
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()
