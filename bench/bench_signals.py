"""Signal inbox benchmark: generating signals after a collect run of 200 pages (target < 1 s).

    python bench/bench_signals.py [--scales 1,100] [--pages 200] [--keep FOLDER]

For each demo scale: a demo workspace gets `--pages` watchers (70 % product pages linked to competitor
products, 20 % listing pages, 10 % whole-page text watchers), and two collect runs are recorded through
the collector's own recording path (`record_result`, what a run or an inbox merge does with each page,
without the network): a first look, then a run in which 40 % of the product pages moved their price,
10 % went out of stock, half the listings gained and lost an item and half the texts changed. Then
signal generation is timed on fresh copies of that workspace (the first generation inserts the new
signals; a repeat finds them all stored), and printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import Rows, run_scales, timed  # noqa: E402
from research import demo  # noqa: E402
from research.collect.observations import record_result  # noqa: E402
from research.collect.run import PageResult  # noqa: E402
from research.collect.watchers import Watcher, WatcherDraft, add_watcher  # noqa: E402
from research.signals.generate import find_events, generate_signals  # noqa: E402
from research.store import Store  # noqa: E402

REPEAT = 5


def _listing(n: int, extra: bool) -> dict[str, object]:
    items = [{"name": f"Box {n}-{i}", "price": f"{10 + i}.00"} for i in range(12)]
    if extra:  # one item gone, one new
        items = items[1:] + [{"name": f"Pallet {n}", "price": "25.00"}]
    return {"items": items, "count": len(items)}


def _text(n: int, changed: bool) -> tuple[dict[str, object], bytes]:
    text = f"Company news {n}\n" + "We deliver in 48 hours.\n" * 40 + ("Prices down 10% from Monday.\n" if changed else "")
    return {"text_hash": hashlib.sha256(text.encode()).hexdigest()}, zlib.compress(text.encode())


def _result(watcher: Watcher, run_id: str, at: dt.datetime, values: dict[str, object],
            page_text: bytes | None = None) -> PageResult:
    return PageResult(run_id=run_id, watcher_id=watcher.id, url=watcher.url, fetched_at=at, fetch_status="ok",
                      http_status=200, final_url=watcher.url, values_json=json.dumps(values), page_text=page_text)


def prepare(path: Path, pages: int) -> dict[str, int]:
    """Watchers and two recorded runs on the demo workspace at `path`; what the second run changed."""
    rnd = random.Random(7)
    store = Store.open(str(path))
    try:
        products = store.query_rows(
            "SELECT p.id, p.name, p.company_id, arg_max(po.price, po.observed_at) AS price, p.currency "
            "FROM products p JOIN companies c ON c.id = p.company_id JOIN price_observations po ON po.product_id = p.id "
            "WHERE NOT c.is_us GROUP BY ALL ORDER BY p.id"
        )
        rivals = [r["id"] for r in store.query_rows("SELECT id FROM companies WHERE NOT is_us ORDER BY id")]
        n_product, n_listing = int(pages * 0.7), int(pages * 0.2)
        watchers: list[tuple[str, Watcher, dict | None]] = []
        for i in range(pages):
            if i < n_product:
                product = products[i % len(products)]
                w = add_watcher(store, "bench", WatcherDraft(url=f"https://shop{i % 7}.example.com/p/{i}",
                                                             product_id=product["id"], schedule="manual"))
                watchers.append(("product", w, product))
            elif i < n_product + n_listing:
                w = add_watcher(store, "bench", WatcherDraft(url=f"https://shop{i % 7}.example.com/c/{i}", kind="listing",
                                                             item_selector="li.product", company_id=rivals[i % len(rivals)],
                                                             schedule="manual"))
                watchers.append(("listing", w, None))
            else:
                w = add_watcher(store, "bench", WatcherDraft(url=f"https://shop{i % 7}.example.com/news/{i}", kind="text",
                                                             company_id=rivals[i % len(rivals)], schedule="manual"))
                watchers.append(("text", w, None))
        changed = {"price": 0, "stock_out": 0, "listing": 0, "text": 0}
        now = dt.datetime.now().replace(microsecond=0)
        for run, at in (("first", now - dt.timedelta(hours=1)), ("second", now)):
            run_id = f"bench-{run}"
            for n, (kind, watcher, product) in enumerate(watchers):
                second = run == "second"
                if kind == "product":
                    price, stock = float(product["price"]), "InStock"
                    if second and n % 5 < 2:  # 40 % move by 4-15 %, either way
                        price *= 1 + rnd.choice((-1, 1)) * rnd.uniform(0.04, 0.15)
                        changed["price"] += 1
                    elif second and n % 10 == 2:
                        stock = "OutOfStock"
                        changed["stock_out"] += 1
                    values = {"name": product["name"], "price": f"{price:.2f}", "currency": product["currency"],
                              "sku": None, "brand": None, "availability": stock}
                    result = _result(watcher, run_id, at, values)
                elif kind == "listing":
                    moved = second and n % 2 == 0
                    changed["listing"] += moved
                    result = _result(watcher, run_id, at, _listing(n, moved))
                else:
                    moved = second and n % 2 == 0
                    changed["text"] += moved
                    values, text = _text(n, moved)
                    result = _result(watcher, run_id, at, values, text)
                record_result(store, "bench", watcher, result)
    finally:
        store.close()
    return changed


def bench_scale(scale: int, folder: Path, rows: Rows, pages: int) -> None:
    os.environ["VANTAGE_COLLECT_INBOX"] = str(folder / "inbox")  # adding watchers exports them there
    base = folder / f"signals-{scale}.duckdb"
    if base.exists():
        base.unlink()
    store = Store.open(str(base))
    try:
        demo.build_demo(store, seed=42, scale=scale, actor="bench")
    finally:
        store.close()
    started = time.perf_counter()
    changed = prepare(base, pages)
    recorded = time.perf_counter() - started

    first_runs, added = [], {}
    for n in range(REPEAT):
        copy = folder / f"signals-{scale}-copy{n}.duckdb"
        shutil.copyfile(base, copy)
        store = Store.open(str(copy))
        try:
            begun = time.perf_counter()
            added = generate_signals(store, "bench").added
            first_runs.append(time.perf_counter() - begun)
            if n == 0:
                repeat = timed(lambda s=store: generate_signals(s, "bench"), REPEAT)
                events = timed(lambda s=store: find_events(s), REPEAT)
                stored = int(store.query_value("SELECT count(*) FROM signals"))
        finally:
            store.close()
            copy.unlink()
    first = sorted(first_runs)[len(first_runs) // 2]
    made = ", ".join(f"{n} {kind}" for kind, n in sorted(added.items()))
    what = (f"{changed['price']} price moves, {changed['stock_out']} stock-outs, {changed['listing']} listings ±1 item, "
            f"{changed['text']} texts changed")
    rows += [
        (f"scale {scale}: two runs of {pages} pages recorded (context)", f"{recorded:.1f} s", what),
        (f"scale {scale}: signal generation after the run (target < 1 s)", f"{first * 1000:.0f} ms",
         f"median of {REPEAT} fresh copies; {sum(added.values())} new signals: {made}"),
        (f"scale {scale}: generation again, nothing new", f"{repeat * 1000:.0f} ms", f"{stored} signals stored, none added"),
        (f"scale {scale}: finding the events only", f"{events * 1000:.0f} ms", "price moves, change log, deals, stale items"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1", help="demo scales, comma-separated (default 1)")
    parser.add_argument("--pages", type=int, default=200, help="watched pages in the collect run (default 200)")
    parser.add_argument("--keep", help="keep the workspaces in this folder")
    args = parser.parse_args()
    run_scales(args, lambda scale, folder, rows: bench_scale(scale, folder, rows, args.pages))


if __name__ == "__main__":
    main()
