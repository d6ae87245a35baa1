"""Collection benchmark: politeness-bound parallel fetching, extraction speed, memory under the size cap.

    python bench/bench_collect.py [--hosts 10] [--pages 20] [--interval 1.0]

Serves realistic product pages from local HTTP servers on 127.0.0.1 … 127.0.0.N
(one "host" each), runs a real collect into a temporary workspace and prints a
Markdown table. Never touches the internet.
"""

from __future__ import annotations

import argparse
import http.server
import os
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table  # noqa: E402
from research.collect.collector import collect_into_store  # noqa: E402
from research.collect.extract import extract_page  # noqa: E402
from research.collect.fetch import Fetcher, FetchPolicy  # noqa: E402
from research.collect.watchers import WatcherDraft, add_watcher  # noqa: E402
from research.store import Store  # noqa: E402


def product_page(i: int, style: str, target_kb: int) -> str:
    """A product page shaped like a real shop's: menus, gallery, related tiles, scripts."""
    rnd = random.Random(i)
    price = f"{rnd.randint(5, 2000)}.{rnd.randint(0, 99):02d}"
    name = f"Corrugated box {i} – {rnd.choice(['single', 'double', 'triple'])} wall"
    head = f"<meta charset='utf-8'><title>{name} | Shop</title>"
    if style == "jsonld":
        head += (
            "<script type='application/ld+json'>{\"@context\":\"https://schema.org\",\"@type\":\"Product\","
            f"\"name\":\"{name}\",\"sku\":\"CB-{i}\",\"brand\":{{\"@type\":\"Brand\",\"name\":\"PackCo\"}},"
            f"\"offers\":{{\"@type\":\"Offer\",\"price\":\"{price}\",\"priceCurrency\":\"EUR\","
            "\"availability\":\"https://schema.org/InStock\"}}</script>"
        )
    main = f"<h1>{name}</h1>"
    if style == "microdata":
        main = (
            f"<div itemscope itemtype='https://schema.org/Product'><h1 itemprop='name'>{name}</h1>"
            f"<div itemprop='offers' itemscope itemtype='https://schema.org/Offer'><meta itemprop='price' content='{price}'>"
            "<meta itemprop='priceCurrency' content='EUR'><link itemprop='availability' href='https://schema.org/InStock'>"
            f"<span class='price'>{price.replace('.', ',')} €</span></div></div>"
        )
    elif style == "heuristic":
        main += f"<div class='price-box'><span class='old-price'>9.999,00 €</span><span class='price'>{price.replace('.', ',')} €</span></div>"
    nav = "".join(
        f"<li class='menu-item'><a href='/c/{c}'>Category {c}</a><ul>"
        + "".join(f"<li><a href='/c/{c}/{s}'>Subcategory {s}</a></li>" for s in range(10))
        + "</ul></li>"
        for c in range(40)
    )
    tile = "<div class='tile'><a href='/p/{n}'><img src='/i/{n}.jpg' alt='Box {n}'><h3>Related box {n}</h3></a><span class='price'>{n},99 €</span></div>"
    body_parts = [f"<nav><ul>{nav}</ul></nav><main>{main}<button class='add-to-cart'>Add to cart</button>",
                  "<p>" + "Sturdy corrugated cardboard for shipping. " * 40 + "</p></main>"]
    html = f"<html><head>{head}</head><body>{''.join(body_parts)}"
    n = 0
    while len(html) < target_kb * 1024:
        html += tile.format(n=n)
        n += 1
        if n % 50 == 0:
            html += "<script>window.__STATE__=" + '{"k":"' + "x" * 4000 + '"};</script>'
    return html + "</body></html>"


class Host:
    def __init__(self, address: str, pages: dict[str, bytes]) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                body = pages.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{address}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def bench_parallel(hosts: int, pages: int, interval: float) -> list[tuple[str, str]]:
    html = {f"/p{i}": product_page(i, "jsonld", 150).encode() for i in range(pages)}
    servers = [Host(f"127.0.0.{h + 1}", html) for h in range(hosts)]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["VANTAGE_COLLECT_INBOX"] = str(Path(tmp) / "inbox")
        store = Store.open(str(Path(tmp) / "bench.duckdb"))
        try:
            watchers = [add_watcher(store, "bench", WatcherDraft(url=f"{s.url}/p{i}")) for s in servers for i in range(pages)]
            policy = FetchPolicy.from_settings(
                allow_hosts=frozenset(f"127.0.0.{h + 1}" for h in range(hosts)), host_interval=interval
            )
            started = time.perf_counter()
            summary = collect_into_store(store, "bench", watchers, policy=policy, workers=hosts)
            wall = time.perf_counter() - started
            new = summary.counts().get("new", 0)
            observations = store.query_value("SELECT count(*) FROM snapshots WHERE status = 'new'")
        finally:
            store.close()
    for s in servers:
        s.server.shutdown()
    # robots.txt is one more request per host, so pages + 1 requests, pages intervals apart.
    bound = pages * interval
    return [
        ("Pages fetched, extracted and recorded", f"{new} of {hosts * pages} ({observations} snapshots)"),
        ("Hosts × pages per host, interval", f"{hosts} × {pages}, {interval:g} s (+ robots.txt per host)"),
        ("Politeness bound (requests per host × interval)", f"{bound:.1f} s"),
        ("Wall time", f"{wall:.1f} s"),
        ("Wall time / bound (target ≤ 1.15)", f"{wall / bound:.3f}"),
    ]


def bench_extraction(seconds: float = 3.0) -> list[tuple[str, str]]:
    rows = []
    for style in ("jsonld", "microdata", "heuristic"):
        pages = [product_page(i, style, size) for i, size in enumerate((100, 150, 200, 250, 300))]
        avg_kb = sum(len(p) for p in pages) / len(pages) / 1024
        n = 0
        # CPU time of this process: what one core does, even on a machine busy with other work.
        started = time.process_time()
        while time.process_time() - started < seconds:
            result = extract_page(pages[n % len(pages)], kind="product", url="https://shop.example.com/p")
            assert result.values["price"], style
            n += 1
        rate = n / (time.process_time() - started)
        rows.append((f"Extraction, {style} product pages (100–300 KB, avg {avg_kb:.0f} KB), one core (CPU time)", f"{rate:.0f} pages/s"))
    return rows


def bench_memory() -> list[tuple[str, str]]:
    chunk = b"<p>" + b"x" * 65536 + b"</p>"

    class Endless(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(2000):  # ~130 MB if nobody stops reading
                    self.wfile.write(chunk)
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cap = 5_000_000
    fetcher = Fetcher(FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}), max_bytes=cap, host_interval=0, respect_robots=False))
    tracemalloc.start()
    result = fetcher.fetch(f"http://127.0.0.1:{server.server_address[1]}/")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    server.shutdown()
    return [("Endless body against the 5 MB cap", f"{result.status}: peak Python memory {peak / 1e6:.1f} MB")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    rows = bench_parallel(args.hosts, args.pages, args.interval) + bench_extraction() + bench_memory()
    print_table(rows, ("measure", "result"))


if __name__ == "__main__":
    main()
