"""Shared fixtures: real DuckDB workspaces on disk, built once per session and copied per test."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from research.store import Store  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    # st.cache_resource / cache_data outlive AppTest instances within one pytest process.
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True, scope="session")
def _component_scan_once() -> Iterator[None]:
    """Scan the installed packages for Streamlit components once per test process, not per AppTest.

    Each new AppTest reads the metadata of every installed distribution looking for components
    (~0.2 s of CPU; the suite makes about a thousand AppTests). Nothing is installed during a run,
    so the first scan's answer holds for the rest; each caller gets its own copy of the list.
    """
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # a Streamlit without v2 components: nothing to scan
        yield
        return
    scan = functools.cache(manifest_scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda *args, **kwargs: list(scan(*args, **kwargs)))
        yield


@pytest.fixture(autouse=True)
def _no_background_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTests open workspaces by the hundred: none prepares a query snapshot in the background
    unless the test is about that (tests/test_query_snapshots.py sets VANTAGE_QUERY_PREPARE=1)."""
    monkeypatch.setenv("VANTAGE_QUERY_PREPARE", "0")


@pytest.fixture(autouse=True)
def _app_routes_like_a_running_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let AppTest route every run through app.py's st.navigation, as a running server does.

    AppTest builds a new PagesManager for every run, which re-detects the pages/ folder
    and switches on Streamlit's legacy multipage mode; a switched-to page then runs
    without app.py, page_setup reroutes it, and the rerun swallows button clicks. A
    server leaves legacy mode for good at its first st.navigation call (the browser
    test covers that first call).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init_in_navigation_mode(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_in_navigation_mode)


@pytest.fixture(scope="session")
def demo_workspace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo market (seed 42, scale 1) built once; copy it before writing to it."""
    from research import demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store.open(str(path))
    try:
        demo.build_demo(store, seed=42, scale=1)
    finally:
        store.close()
    return path


@pytest.fixture
def demo_copy(demo_workspace_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace for a test that writes."""
    target = tmp_path / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, target)
    return target


@pytest.fixture(scope="session")
def empty_workspace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new workspace with every migration applied and no data, made once; copy it before writing to it."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store.open(str(path)).close()
    return path


@pytest.fixture
def store(empty_workspace_file: Path, tmp_path: Path):
    """A fresh, empty workspace on disk (a copy of one migrated once: the same file, without running
    every migration again for each test; tests/test_store.py covers creating a workspace)."""
    target = tmp_path / "empty.duckdb"
    shutil.copyfile(empty_workspace_file, target)
    s = Store.open(str(target))
    yield s
    s.close()


@pytest.fixture(scope="session")
def app_url(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a copy of the demo workspace, for the browser tests that only read it
    (tests/browser_helpers.py): started once per test process, like a server many people visit.
    Skipped without Chromium unless VANTAGE_REQUIRE_BROWSER=1."""
    from browser_helpers import browser_or_skip, serve_app

    browser_or_skip()
    db = tmp_path_factory.mktemp("browser") / "workspace.duckdb"
    shutil.copyfile(demo_workspace_file, db)
    with serve_app(db, tmp_path_factory.mktemp("browser-log")) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the browser tests of a module (tests/browser_helpers.py); each test opens
    its own pages, each page in a context of its own, and closes them. Skipped without Chromium unless
    VANTAGE_REQUIRE_BROWSER=1."""
    from browser_helpers import chromium_browser

    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def immutable_workspace(tmp_path: Path):
    """A workspace file that not even root may write (`chattr +i`), made writable again afterwards."""
    path = tmp_path / "locked-down.duckdb"
    store = Store.open(str(path))
    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Acme"})
    store.close()
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("this file system cannot mark a file immutable (chattr +i)")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


# Files that take minutes (a real Streamlit server and Chromium, LibreOffice): handed to the
# workers first, so the two cores finish together instead of both running them at the end
# (pytest.ini: --dist loadfile --no-loadscope-reorder gives out files in collection order; by
# default xdist would order them by their number of tests, which puts these last).
_LONG_FILES = ("_browser.py", "test_present_render.py", "test_headless.py",
               # the longest of the rest (a minute or so each): started early too, so no worker is left
               # with one of them at the end while the other has finished
               "test_serbian_sweep.py", "test_data_entry_cells.py", "test_segments_clustering_scale.py",
               "test_security_privacy.py", "test_query_snapshots.py", "test_types.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.split("::", 1)[0].endswith(_LONG_FILES))
