"""Every page in a real browser (issue 19: "a browser session on it feels the same as on the demo").

Run from the project root:  python bench/bench_browser.py --db FILE [--db FILE2 …] [--visits 2] [--settle 40]

For each workspace it starts `streamlit run app.py` on it (sandbox preparation as in production),
opens Debian's Chromium at 1280×720 through Playwright, and times each page from the click on its
link in the sidebar until the script has finished and the page's title is shown: the first visit
(the page's caches empty) and later ones. A Streamlit error box on a page is printed in the notes.
The workspaces are only read by the pages, but the app opens them read-write: pass copies.
Prints a Markdown table, with load averages: compare runs made under the same load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchkit import print_table

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGES = ("overview", "segments", "competitors", "compare", "signals", "collect", "data", "query", "present")


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def serve(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "VANTAGE_DB": str(db)}, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"streamlit did not start on {db}: see {log}")


def visit_pages(url: str, visits: int, settle: float) -> dict[str, list[tuple[float, str]]]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    times: dict[str, list[tuple[float, str]]] = {p: [] for p in PAGES}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(SCRIPT_DONE, timeout=300_000)
        page.wait_for_selector("h1", timeout=300_000)
        times["overview"].append((time.perf_counter() - started, "app start"))
        time.sleep(settle)  # e.g. until the query snapshot the app prepares in the background is ready
        for visit in range(visits):
            for name in PAGES:
                if name == "overview" and visit == 0:
                    continue
                link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{name}"]')
                if name == "overview":
                    link = page.locator('[data-testid="stSidebarNav"] a').first
                started = time.perf_counter()
                link.click()
                page.wait_for_timeout(50)  # the script run starts
                try:
                    page.wait_for_selector(SCRIPT_DONE, timeout=120_000)
                    page.wait_for_selector("h1", timeout=120_000)
                except PlaywrightTimeout:
                    times[name].append((time.perf_counter() - started, "error: no title within 2 minutes"))
                    continue
                seconds = time.perf_counter() - started
                errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()
                times[name].append((seconds, ("error: " + errors[0][:80]) if errors else ""))
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="a workspace copy (repeat to compare)")
    parser.add_argument("--visits", type=int, default=2, help="rounds over every page")
    parser.add_argument("--settle", type=float, default=0, help="seconds to wait after the app's first page "
                        "(the query snapshot is prepared in the background: 25 s at scale 1000)")
    args = parser.parse_args()
    rows: list[tuple[str, ...]] = []
    before = load()
    for db in args.db:
        path = Path(db).resolve()
        log = Path(tempfile.mkdtemp(prefix="bench-browser-")) / "streamlit.log"
        server, url = serve(path, log)
        try:
            times = visit_pages(url, args.visits, args.settle)
        finally:
            server.terminate()
            server.wait(timeout=20)
        for name, runs in times.items():
            first, later = runs[0], [r[0] for r in runs[1:]]
            notes = "; ".join(sorted({r[1] for r in runs if r[1]}))
            rows.append((path.name, name, f"{first[0]:.2f} s",
                         f"{statistics.median(later):.2f} s" if later else "—", notes))
    print_table(rows, (f"workspace (load average {before} at start, {load()} at end)", "page",
                       "first visit", "later visits (median)", "notes"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
