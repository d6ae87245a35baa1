"""Product-extraction quality on the development set: F1, precision and recall per field, and speed.

    python bench/bench_extract_quality.py [--dev ../shared/extraction-dev] [--show-errors]

Reads every saved page of the development set (real product pages from shops the rules
were not written for, with hand-checked answers) in this process, counts right, wrong and
missing values the way the set's own `score.py` does (a wrong value is a false positive
and, where a value was expected, also a miss; prices compared as decimals), and prints a
Markdown table, with the speed of product, selector, listing and text watchers on the same
pages. `--explain KEY` prints one page's decisions. Never touches the internet.

Scores, not pass/fail: a scored test would flake with every rule change, so the figures
live here and in README's extraction section.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table  # noqa: E402
from research.collect.extract import FieldSpec, explain_product, extract_page  # noqa: E402
from research.collect.fetch import decode_body  # noqa: E402

FIELDS = ("price", "sku", "availability")


def decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "")) if value not in (None, "") else None
    except InvalidOperation:
        return None


def outcome(true: set, predicted: object) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) of one page's value."""
    if predicted is None:
        return (0, 0, 1) if true else (0, 0, 0)
    return (1, 0, 0) if predicted in true else (0, 1, 1 if true else 0)


def f1(rows: list[tuple[int, int, int]]) -> tuple[float, float, float]:
    tp, fp, fn = (sum(r[i] for r in rows) for i in range(3))
    if fp == fn == 0:
        return 1.0, 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return (2 * precision * recall / (precision + recall) if precision + recall else 0.0), precision, recall


def expected(truth: dict, field: str, got: object) -> tuple[set, object]:
    if field == "price":
        return {decimal(x) for x in truth.get("price", [])}, decimal(got)
    if field == "availability":
        return set(truth.get("availability", [])), (str(got).rsplit("/", 1)[-1] if got else None)
    return set(truth.get("sku", [])), (str(got) if got not in (None, "") else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", default=str(ROOT.parent / "shared" / "extraction-dev"), help="the development set's folder")
    parser.add_argument("--show-errors", action="store_true", help="list every wrong or missing value")
    parser.add_argument("--explain", metavar="KEY", help="print the decisions for the page whose key starts with KEY")
    args = parser.parse_args()
    folder = Path(args.dev)
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)
    pages = {k: decode_body(gzip.decompress((folder / "html" / f"{k}.html.gz").read_bytes()), None) for k in keys}
    if args.explain:
        key = next(k for k in keys if k.startswith(args.explain))
        print(truth[key]["url"])
        print("\n".join(explain_product(pages[key], truth[key]["url"])))
        return
    started = time.process_time()
    found = {k: extract_page(pages[k], kind="product", url=truth[k]["url"]).values for k in keys}
    seconds = time.process_time() - started
    rows = []
    for field in FIELDS:
        outcomes = []
        for k in keys:
            true, predicted = expected(truth[k], field, found[k].get(field))
            result = outcome(true, predicted)
            if args.show_errors and (result[1] or result[2]):
                print(f"{field}\twant {sorted(map(str, true))}\tgot {predicted!r}\t{truth[k]['url'][:80]}")
            outcomes.append(result)
        score, precision, recall = f1(outcomes)
        rows.append((field, f"{score:.3f}", f"{precision:.3f}", f"{recall:.3f}"))
    kb = sum(len(p) for p in pages.values()) / len(pages) / 1000
    rows.append(("speed", f"{len(keys) / seconds:.0f} pages/s", f"{len(keys)} pages, avg {kb:.0f} KB", "one core, CPU time"))
    # The other watcher kinds on the same pages: they read the same single lxml parse (issue 16).
    others = {
        "selectors": {"kind": "selectors", "fields": [FieldSpec.parse("price:price=.price"), FieldSpec.parse("title=h1"),
                                                      FieldSpec.parse("image=img@src")]},
        "listing": {"kind": "listing", "item_selector": "li"},
        "text": {"kind": "text", "ignore": ["header", "footer"]},
    }
    for name, options in others.items():
        started = time.process_time()
        for k in keys:
            extract_page(pages[k], url=truth[k]["url"], **options)
        rows.append((f"speed, {name} watchers", f"{len(keys) / (time.process_time() - started):.0f} pages/s", "", ""))
    print_table(rows, ("field", "F1", "precision", "recall"))


if __name__ == "__main__":
    main()
