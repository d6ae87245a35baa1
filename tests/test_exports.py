"""Shared exports: formula-safe CSV/Excel, clean file names, chart images."""

from __future__ import annotations

import io
import os
import stat

import altair as alt
import pandas as pd
import pytest
from openpyxl import load_workbook

from research.errors import ValidationError
from research.exports import (
    chart_bytes,
    csv_bytes,
    current_umask,
    neutralise,
    safe_filename,
    write_atomically,
    xlsx_bytes,
    xml_safe,
)

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-3", "@SUM(A1)", "\tx", "\rx", "plain", "Србија"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_are_neutralised(text: str) -> None:
    out = neutralise(text)
    assert out == (text if text in {"plain", "Србија"} else "'" + text)
    assert neutralise(5) == 5


def test_csv_has_no_live_formula_and_keeps_cyrillic() -> None:
    data = csv_bytes(pd.DataFrame({"name": HOSTILE, "n": range(len(HOSTILE))})).decode("utf-8-sig")
    assert "'=HYPERLINK" in data and "\r\n'@SUM(A1)," in data
    assert "Србија" in data
    back = pd.read_csv(io.StringIO(data))
    assert not back["name"].astype(str).str.startswith(("=", "+", "-", "@")).any()


def test_xlsx_cells_are_strings_not_formulas() -> None:
    df = pd.DataFrame({"name": HOSTILE + ["bad\x01char"], "when": pd.Timestamp("2026-11-28")})
    book = load_workbook(io.BytesIO(xlsx_bytes(df, sheet="Accounts: all")))
    ws = book.active
    values = [c.value for c in ws["A"]][1:]
    assert all(c.data_type == "s" for c in ws["A"][1:])
    assert values[0] == "'" + HOSTILE[0]
    assert values[-1] == "badchar"
    assert ws.title == "Accounts  all"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("SWOT: Adria Pack / 2026", "SWOT-Adria-Pack-2026.pptx"),
        ("../../etc/passwd", "etc-passwd.pptx"),
        ("Картонажа Сава", "Картонажа-Сава.pptx"),
        ("CON", "export.pptx"),
        ("", "export.pptx"),
    ],
)
def test_file_names_from_user_text(stem: str, expected: str) -> None:
    assert safe_filename(stem, "PPTX") == expected


def test_xml_safe_strips_control_characters() -> None:
    assert xml_safe("a\x00b\x0bc\td\ne") == "abc\td\ne"


def test_chart_png_and_svg() -> None:
    chart = alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})).mark_bar().encode(x="x:N", y="y:Q").properties(width="container")
    assert chart_bytes(chart, "png").startswith(b"\x89PNG")
    assert b"<svg" in chart_bytes(chart, "svg")
    with pytest.raises(ValidationError):
        chart_bytes(chart, "gif")


# ---- permissions: an exported file is for colleagues too (issue 17) -----------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_atomic_writes_get_the_umasks_permissions_not_mkstemps_0600(tmp_path, umask: int) -> None:  # noqa: ANN001
    old = os.umask(umask)
    try:
        assert current_umask() == umask
        target = tmp_path / "report.pptx"
        write_atomically(target, b"deck")
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
        target.chmod(0o600)  # someone made it private: writing it again keeps that, as open() would
        write_atomically(target, b"again")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_bytes() == b"again"
    finally:
        os.umask(old)


def test_the_watcher_list_for_the_collector_is_readable_by_others(tmp_path, store) -> None:  # noqa: ANN001
    from research.collect.inbox import export_watchers

    old = os.umask(0o022)
    try:
        path = export_watchers(store, tmp_path / "inbox")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
