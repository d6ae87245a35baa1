"""The domain core runs headless: importing research (but research.ui) never loads streamlit."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import research

ROOT = Path(__file__).resolve().parent.parent


def _core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(research.__path__, prefix="research."):
        if info.name == "research.ui" or info.name.startswith("research.ui.") or info.name == "research.__main__":
            continue
        names.append(info.name)
    return names


def test_core_modules_do_not_import_streamlit() -> None:
    modules = _core_modules()
    assert "research.store.core" in modules and "research.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"streamlit was loaded: {result.stdout.strip()}"


def test_pages_hold_no_sql() -> None:
    import re

    sql = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b[^\n]{0,40}\b(FROM|INTO|SET)\b", re.IGNORECASE)
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        assert not sql.search(path.read_text("utf-8")), f"{path.name} contains SQL; move it into research/"
