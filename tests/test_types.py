"""mypy checks research/ clean (issue 16 item 6): the settings are mypy.ini's, the library stubs are
pinned in requirements-dev.txt, and no module is ignored wholesale."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_error_in_research(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary"],
        cwd=ROOT, capture_output=True, text=True, timeout=540,
    )
    assert done.returncode == 0, f"mypy found errors:\n{done.stdout}{done.stderr}"


def test_mypy_ignores_no_module_of_ours() -> None:
    # Only libraries without type information may be skipped; never a module of research/.
    config = configparser.ConfigParser()
    config.read(ROOT / "mypy.ini")
    assert config.get("mypy", "files").strip() == "research"
    for section in config.sections():
        if section.startswith("mypy-"):
            assert not section.startswith("mypy-research"), section
            assert not config.has_option(section, "ignore_errors"), section
