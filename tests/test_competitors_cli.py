"""The competitor commands of `python -m research`: SWOT list/add, stale queue, exports."""

from __future__ import annotations

import io
import json
from pathlib import Path

from cli_helpers import CliResult, cli
from pptx import Presentation


def one_line_error(result: CliResult, text: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr


def test_swot_add_then_list_and_refusals(demo_copy: Path) -> None:
    db = str(demo_copy)
    added = cli("swot", "add", "--db", db, "--actor", "marija", "--company", "stretchline", "--quadrant", "s",
                "--text", "Opened a depot in Belgrade", "--impact", "4", "--source", "https://www.stretchline.example/news",
                "--tags", "delivery,coverage")
    assert added.returncode == 0, added.stderr
    assert "Added S" in added.stdout and "Stretchline" in added.stdout
    listed = cli("swot", "list", "--db", db, "--company", "Stretchline", "--json")
    items = json.loads(listed.stdout)
    mine = [i for i in items if i["statement"] == "Opened a depot in Belgrade"]
    assert mine and mine[0]["author"] == "marija" and mine[0]["tags"] == ["delivery", "coverage"]
    assert not mine[0]["stale"]
    text = cli("swot", "list", "--db", db, "--company", "Stretchline")
    assert "Opened a depot in Belgrade" in text.stdout and "STALE" in text.stdout
    one_line_error(cli("swot", "add", "--db", db, "--company", "Stretchline", "--quadrant", "Q", "--text", "x"),
                   "Unknown SWOT quadrant")
    one_line_error(cli("swot", "add", "--db", db, "--company", "Stretchline", "--quadrant", "S", "--text", "x",
                       "--impact", "9"), "Impact must be from 1 to 5")
    one_line_error(cli("swot", "add", "--db", db, "--company", "Stretchline", "--quadrant", "S", "--text", " ",
                       "--impact", "3"), "statement is empty")
    one_line_error(cli("swot", "add", "--db", db, "--company", "Stretchline", "--quadrant", "S", "--text", "x",
                       "--source", "file:///etc/passwd"), "http")
    one_line_error(cli("swot", "add", "--db", db, "--company", "Stretchline", "--quadrant", "S", "--text", "x",
                       "--observed-on", "2999-01-01"), "in the future")
    one_line_error(cli("swot", "list", "--db", db, "--company", "Nobody"), "No company is called")
    one_line_error(cli("swot", "list", "--db", db), "--stale")
    after = json.loads(cli("swot", "list", "--db", db, "--company", "Stretchline", "--json").stdout)
    assert len(after) == len(items)  # the refusals stored nothing


def test_stale_queue_across_companies(demo_copy: Path) -> None:
    result = cli("swot", "list", "--db", str(demo_copy), "--stale", "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert len({i["company"] for i in items}) == 8
    assert all(i["stale"] for i in items)
    assert [i["evidence_on"] for i in items] == sorted(i["evidence_on"] for i in items)


def test_battlecard_and_board_exports(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    pptx = tmp_path / "card.pptx"
    result = cli("battlecard", "--db", db, "--company", "PackPro International", "--out", str(pptx))
    assert result.returncode == 0, result.stderr
    deck = Presentation(io.BytesIO(pptx.read_bytes()))
    text = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "Battlecard: PackPro International" in text and "Why we win" in text
    md = tmp_path / "card.md"
    assert cli("battlecard", "--db", db, "--company", "GreenFold", "--out", str(md), "--lang", "sr").returncode == 0
    assert "Картица за продају: GreenFold" in md.read_text("utf-8")
    png = tmp_path / "board.png"
    assert cli("swot", "board", "--db", db, "--company", "GreenFold", "--out", str(png)).returncode == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    one_line_error(cli("battlecard", "--db", db, "--company", "GreenFold", "--out", str(tmp_path / "x.docx")), ".pptx or .md")
    one_line_error(cli("battlecard", "--db", db, "--company", "Danubia Packaging", "--out", str(pptx)), "our own company")
    folder = tmp_path / "folder.pptx"
    folder.mkdir()
    one_line_error(cli("battlecard", "--db", db, "--company", "GreenFold", "--out", str(folder)), "folder")
    listing = cli("company", "list", "--db", db)
    assert "Danubia Packaging (us)" in listing.stdout and "GreenFold" in listing.stdout
