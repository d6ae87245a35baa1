"""The monthly report: each section's figures checked against SQL written here, its summary
sentences, private SWOT items, Serbian output, empty and refused months, and the CLI writing
PPTX/Markdown files that reopen."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from cli_helpers import CliResult, cli
from pptx import Presentation

from research.access import Principal
from research.competitors import swot
from research.errors import ValidationError
from research.present import decks
from research.present.model import ExportDeck, RenderContext
from research.present.report import build_report, default_month, parse_month, report_file, write_report
from research.segments import saved
from research.store import Store

OCTOBER = "2026-10"  # the demo's last full month of prices, deals and SWOT evidence
TODAY = dt.date.today()
THIS_MONTH = f"{TODAY:%Y-%m}"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.fixture
def demo(demo_copy: Path):
    s = Store.open(str(demo_copy))
    yield s
    s.close()


def _slide(deck: ExportDeck, title: str):
    found = [s.content for s in deck.slides if s.content.title == title]
    assert found, f"no slide titled {title!r} in {[s.content.title for s in deck.slides]}"
    return found[0]


def _summary(deck: ExportDeck) -> list[str]:
    return _slide(deck, "Executive summary").text.split("\n")


# ---- figures against SQL -------------------------------------------------------------------

# Written apart from the report's query: the previous observation found by a correlated subquery.
MOVES_SQL = """
SELECT c.name, count(*) AS moves, count(*) FILTER (WHERE o.price > prev.price) AS ups
FROM price_observations o
JOIN products p ON p.id = o.product_id AND NOT p.archived
JOIN companies c ON c.id = p.company_id
JOIN price_observations prev ON prev.product_id = o.product_id
 AND prev.observed_at = (SELECT max(x.observed_at) FROM price_observations x
                         WHERE x.product_id = o.product_id AND x.observed_at < o.observed_at)
WHERE o.observed_at >= DATE '2026-10-01' AND o.observed_at < DATE '2026-11-01'
  AND abs(o.price - prev.price) >= 0.03 * prev.price
GROUP BY c.name ORDER BY moves DESC, c.name
"""


def test_price_moves_match_sql_per_competitor_and_in_the_summary(demo: Store) -> None:
    expected = demo.query_rows(MOVES_SQL)
    total = sum(r["moves"] for r in expected)
    assert total > 0, "the demo's October should hold price moves"
    deck = build_report(demo, OCTOBER, RenderContext(language="en"))
    content = _slide(deck, "Price moves by competitor")
    moves = dict(zip(content.table["Company"], content.table["Moves"]))
    for row in expected:
        assert moves[row["name"]] == row["moves"], row
    assert sum(moves.values()) == total
    lead = expected[0]
    assert content.text.startswith(f"Prices moved {total} times in October 2026 by 3% or more")
    assert f"{lead['name']} " in content.text and f" {lead['moves']} prices" in content.text
    # the summary sentence leads the executive summary; the native chart carries the same numbers
    assert _summary(deck)[0] == content.text.split(". ")[0] + "."
    native = dict(zip(content.native.categories, content.native.series[0].values))
    assert native[lead["name"]] == lead["moves"]
    assert "Danubia Packaging (us)" in native  # our company is on the chart, highlighted by the spec's scale
    scale = content.chart["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"]))["Danubia Packaging (us)"] == "#D9480F"


def test_price_moves_by_category_match_sql(demo: Store) -> None:
    expected = demo.query_rows(MOVES_SQL.replace("c.name", "p.category"))
    content = _slide(build_report(demo, OCTOBER, RenderContext()), "Price moves by product category")
    assert dict(zip(content.table["Category"], content.table["Moves"])) == {r["category"]: r["moves"] for r in expected}
    top = expected[0]
    assert content.text.startswith(f"Most moves were in {top['category']}: {top['moves']} ")


def test_accounts_won_lost_new_match_sql(demo: Store) -> None:
    window = "BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"
    won = demo.query_value(f"SELECT count(DISTINCT account_id) FROM deals WHERE outcome = 'won' AND closed_on {window}")
    lost = demo.query_value(f"SELECT count(DISTINCT account_id) FROM deals WHERE outcome = 'lost' AND closed_on {window}")
    new = demo.query_value(f"SELECT count(*) FROM accounts WHERE first_contact {window}")
    food_lost = demo.query_value(
        f"SELECT count(DISTINCT d.account_id) FROM deals d JOIN accounts a ON a.id = d.account_id "
        f"WHERE d.outcome = 'lost' AND d.closed_on {window} AND a.industry = 'Food & beverage'"
    )
    assert won and lost and new
    deck = build_report(demo, OCTOBER, RenderContext())
    content = _slide(deck, "Accounts won, lost and new by segment")
    assert content.subtitle.endswith("Segments: industries")
    assert content.text.startswith(f"We won {won}, lost {lost} and added {new} accounts in October 2026.")
    table = content.table.set_index("Segment")
    assert table["Won"].sum() == won and table["Lost"].sum() == lost and table["New"].sum() == new
    assert table.loc["Food & beverage", "Lost"] == food_lost
    assert {s.name for s in content.native.series} == {"Won", "Lost", "New"}


def test_accounts_follow_saved_segments_when_there_are_any(demo: Store) -> None:
    saved.save_rule_segment(demo, "ana", name="Serbia", rule={"field": "country", "in": ["RS"]})
    saved.save_rule_segment(demo, "ana", name="Pharma", rule={"field": "industry", "in": ["Pharma"]})
    new_rs = demo.query_value(
        "SELECT count(*) FROM accounts WHERE country = 'RS' AND first_contact BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"
    )
    content = _slide(build_report(demo, OCTOBER, RenderContext()), "Accounts won, lost and new by segment")
    assert "saved segments" in content.subtitle
    table = content.table.set_index("Segment")
    assert set(table.index) <= {"Serbia", "Pharma"}
    assert table.loc["Serbia", "New"] == new_rs


def test_swot_evidence_and_stale_counts_match_sql(demo: Store) -> None:
    evidence = demo.query_value(
        "SELECT count(*) FROM swot_items WHERE NOT archived AND observed_on BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'"
    )
    stale = demo.query_value("SELECT count(*) FROM swot_staleness WHERE stale")  # the view's 90-day rule
    assert evidence and stale
    deck = build_report(demo, OCTOBER, RenderContext(today=TODAY))
    content = _slide(deck, "SWOT: new, changed and stale items")
    assert content.text.startswith("No SWOT items were added or changed in October 2026.")
    assert f"{evidence} items carry evidence observed in October 2026" in content.text
    assert f"{stale} items are stale now" in content.text
    assert content.table["Evidence in month"].sum() == evidence and content.table["Stale now"].sum() == stale
    items = _slide(deck, "SWOT items to look at").table
    assert set(items["Status"]) == {"Stale"} and len(items) == 20


def test_new_changed_and_private_swot_items_follow_the_viewer(demo: Store) -> None:
    # The demo was built this month: date its items back, as in a workspace kept for a while.
    with demo.transaction("test") as tx:
        tx.execute("UPDATE swot_items SET created_at = TIMESTAMP '2025-06-02 10:00', updated_at = TIMESTAMP '2025-06-02 10:00'")
    sava = demo.query_value("SELECT id FROM companies WHERE name = 'Kartonaža Sava'")
    swot.add_item(demo, "ana", sava, quadrant="T", statement="Opened a plant in Subotica", impact=4)
    swot.add_item(demo, "mira", sava, quadrant="W", statement="Delivery delays in Bosnia", private=True)
    target = swot.list_items(demo, sava)[0]
    swot.update_item(demo, "ana", target.id, target.version, statement=target.statement + " (confirmed)")

    def activity(ctx: RenderContext) -> tuple[int, int, str]:
        content = _slide(build_report(demo, THIS_MONTH, ctx), "SWOT: new, changed and stale items")
        row = content.table.set_index("Company").loc["Kartonaža Sava"]
        return int(row["New"]), int(row["Changed"]), content.text

    new, changed, text = activity(RenderContext(viewer=None))
    assert (new, changed) == (1, 1)  # mira's private item is not counted for nobody in particular
    assert "1 added and 1 changed, most of them for Kartonaža Sava (2)" in text
    assert activity(RenderContext(viewer=Principal("mira", "editor")))[0] == 2
    assert activity(RenderContext(viewer=Principal("ana", "editor")))[0] == 1
    assert activity(RenderContext(viewer=Principal("boss", "admin")))[0] == 2
    assert activity(RenderContext(viewer=Principal("mira", "editor"), presenting=True))[0] == 1
    listed = _slide(build_report(demo, THIS_MONTH, RenderContext()), "SWOT items to look at").table
    assert "Delivery delays in Bosnia" not in set(listed["Statement"])
    assert {"New", "Changed"} <= set(listed["Status"])


def _watch(demo: Store, company: str, label: str, changes: list[tuple[str, str, str, float | None, str]]) -> None:
    """A watcher with one snapshot and its change log rows, as a collect run records them."""
    company_id = demo.query_value("SELECT id FROM companies WHERE name = ?", [company])
    with demo.transaction("collector") as tx:
        watcher = tx.insert("watchers", {"url": f"https://www.example.com/{label}", "label": label,
                                         "company_id": company_id})
        for i, (field, old, new, pct, when) in enumerate(changes):
            at = dt.datetime.fromisoformat(when)
            snapshot = tx.insert("snapshots", {"watcher_id": watcher["id"], "run_id": f"run-{label}-{i}",
                                               "fetched_at": at, "status": "changed"})
            tx.insert("changes", {"watcher_id": watcher["id"], "snapshot_id": snapshot["id"], "detected_at": at,
                                  "field": field, "old_value": old, "new_value": new, "change_pct": pct})


def test_collected_page_changes_are_counted(demo: Store) -> None:
    _watch(demo, "CorruTech", "corrutech-tape", [
        ("price", "1.35", "1.29", -0.0444, "2026-10-05 09:00"),
        ("price", "1.29", "1.41", 0.093, "2026-10-19 09:00"),
        ("price", "1.41", "1.30", -0.078, "2026-11-03 09:00"),  # next month: not counted
    ])
    _watch(demo, "GreenFold", "greenfold-news", [("text", None, None, None, "2026-10-12 10:00")])
    content = _slide(build_report(demo, OCTOBER, RenderContext()), "Collected page changes")
    assert content.text.startswith("3 changes were collected in October 2026 on 2 of the watched pages (price changes: 2).")
    assert "Most came from CorruTech (2)." in content.text
    assert "The largest price change was +9.3% on corrutech-tape." in content.text
    table = content.table.set_index("Page")
    assert table.loc["corrutech-tape", "Changes"] == 2 and table.loc["greenfold-news", "Price changes"] == 0
    assert dict(zip(content.native.categories, content.native.series[0].values)) == {"CorruTech": 2, "GreenFold": 1}


def test_decisions_of_the_month(demo: Store) -> None:
    deck = decks.create_deck(demo, "ana", "Board meeting")
    decks.add_decision(demo, "ana", deck.id, "Match CorruTech's tape prices in Hungary", owner="Maja")
    decks.add_decision(demo, "ana", deck.id, "Call the dairy in Novi Sad", kind="action", owner="Maja",
                       due_date=TODAY - dt.timedelta(days=1))
    report = build_report(demo, THIS_MONTH, RenderContext(today=TODAY))
    content = _slide(report, "Decisions taken")
    assert content.text.startswith(
        f"Decisions recorded {parse_month(THIS_MONTH).in_month('en')}: 1; action items: 1; still open: 2."
    )
    assert "Open action items past their due date: 1." in content.text
    assert list(content.table["Deck"]) == ["Board meeting", "Board meeting"]
    assert [line.kind for line in report.decisions] == ["decision", "action"]
    assert _slide(build_report(demo, OCTOBER, RenderContext()), "Decisions taken").text == (
        "No decisions were recorded in October 2026."
    )


# ---- language, empty and bad months --------------------------------------------------------


def test_serbian_report_is_cyrillic(demo: Store) -> None:
    deck = build_report(demo, OCTOBER, RenderContext(language="sr"))
    assert deck.name == "Месечни извештај — октобар 2026" and "у октобру 2026" in deck.subtitle
    english = build_report(demo, OCTOBER, RenderContext(language="en"))
    assert deck.slides[0].content.title == "Кратак преглед"  # the exporters' opening page carries the name
    for slide in deck.slides:
        assert CYRILLIC.search(slide.content.title), slide.content.title
        assert CYRILLIC.search(slide.content.text), slide.content.text
    # the same figures in both languages, line by line of the executive summary
    for sr_line, en_line in zip(deck.slides[0].content.text.split("\n"), _summary(english)):
        assert sorted(re.findall(r"\d+", sr_line)) == sorted(re.findall(r"\d+", en_line)), (sr_line, en_line)
    assert "у октобру 2026" in deck.slides[0].content.text
    assert not re.search(r"\b(Prices|moved|accounts|recorded|items)\b", "\n".join(s.content.text for s in deck.slides))


def test_an_empty_month_says_so_in_every_section(demo: Store) -> None:
    deck = build_report(demo, "2020-01", RenderContext())
    assert _summary(deck) == [
        "No price moves were recorded in January 2020.",
        "No SWOT items were added or changed in January 2020.",
        "No accounts were won, lost or added in January 2020.",
        "No page changes were collected in January 2020.",
        "No signals in January 2020.",
        "No decisions were recorded in January 2020.",
    ]
    for title in ("Price moves by competitor", "Price moves by product category", "Accounts won, lost and new by segment",
                  "Collected page changes", "Signals", "Decisions taken"):
        assert _slide(deck, title).native is None and _slide(deck, title).chart is None


def test_an_empty_workspace_reports_without_crashing(store: Store) -> None:
    deck = build_report(store, default_month(), RenderContext())
    assert len(_summary(deck)) == 6 and all(slide.kind != "title" for slide in deck.slides)


@pytest.mark.parametrize("month, message", [
    ("2026-13", "the month runs from 01 to 12"),
    ("2026-00", "the month runs from 01 to 12"),
    ("oct", "is not a month: write it as YYYY-MM"),
    ("", "Say which month"),
    ("2026/10", "is not a month"),
    ("1850-01", "too long ago"),
    ("2999-01", "has not begun yet"),
])
def test_bad_and_future_months_are_refused(demo: Store, month: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build_report(demo, month, RenderContext())


def test_months_parse_from_text_or_dates() -> None:
    assert parse_month("2026-10", dt.date(2026, 11, 28)).end == dt.date(2026, 11, 1)
    assert parse_month(dt.date(2025, 12, 17), dt.date(2026, 1, 2)).end == dt.date(2026, 1, 1)
    with pytest.raises(ValidationError, match="The month 2026-12 has not begun"):
        parse_month("2026-12", dt.date(2026, 11, 28))
    assert default_month(dt.date(2026, 1, 5)) == "2025-12"


# ---- files and the CLI -----------------------------------------------------------------------


def test_report_file_formats(demo: Store) -> None:
    text = report_file(demo, OCTOBER, "md", RenderContext()).decode("utf-8")
    assert text.startswith("# Monthly report — October 2026")
    assert "## 2. Price moves by competitor" in text
    with pytest.raises(ValidationError, match="pptx or md"):
        report_file(demo, OCTOBER, "pdf", RenderContext())


def test_write_report_refuses_an_unwritable_place_before_any_work(demo: Store, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        write_report(demo, OCTOBER, tmp_path / "missing" / "r.md", RenderContext())
    (tmp_path / "taken.md").mkdir()
    with pytest.raises(ValidationError, match="a folder of that name exists"):
        write_report(demo, OCTOBER, tmp_path / "taken.md", RenderContext())


def _cli(*args: str) -> CliResult:
    return cli("report", *args)


def test_cli_writes_markdown_and_pptx(demo_copy: Path, tmp_path: Path) -> None:
    md, pptx = tmp_path / "report.md", tmp_path / "report.pptx"
    done = _cli("--db", str(demo_copy), "--month", OCTOBER, "--out", str(md))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote the report for October 2026 to {md}."
    text = md.read_text(encoding="utf-8")
    assert "Prices moved" in text and "## Decision log" in text

    done = _cli("--db", str(demo_copy), "--month", OCTOBER, "--out", str(pptx), "--lang", "sr")
    assert done.returncode == 0, done.stderr
    titles = []
    charts = {}
    for slide in Presentation(str(pptx)).slides:
        title = next((s.text_frame.text for s in slide.shapes if s.name == "Title"), "")
        titles.append(title)
        for shape in slide.shapes:
            if getattr(shape, "has_chart", False):
                charts[title] = shape.chart
    assert "Месечни извештај — октобар 2026" in titles
    for expected in ("Кратак преглед", "Промене цена по конкурентима", "SWOT: нове, измењене и застареле ставке",
                     "Клијенти: добијени, изгубљени и нови по сегментима", "Прикупљене промене на страницама",
                     "Донете одлуке"):
        assert expected in titles, expected
    chart = charts["Промене цена по конкурентима"]
    values = dict(zip(chart.plots[0].categories, chart.plots[0].series[0].values))
    store = Store.open(str(demo_copy), read_only=True)
    try:
        corrutech = {r["name"]: r["moves"] for r in store.query_rows(MOVES_SQL)}["CorruTech"]
    finally:
        store.close()
    assert values["CorruTech"] == corrutech


@pytest.mark.parametrize("month, out, message", [
    ("2026-13", "r.md", "the month runs from 01 to 12"),
    ("oct", "r.md", "is not a month"),
    ("2999-01", "r.pptx", "has not begun yet"),
    ("2026-10", "no-such-folder/r.pptx", "does not exist"),
])
def test_cli_refuses_bad_input_with_exit_1(demo_copy: Path, tmp_path: Path, month: str, out: str, message: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    done = _cli("--db", str(demo_copy), "--month", month, "--out", str(folder / out))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert list(folder.iterdir()) == []  # nothing written, nothing half-written


def test_cli_refuses_other_suffixes_and_missing_workspaces(demo_copy: Path, tmp_path: Path) -> None:
    done = _cli("--db", str(demo_copy), "--out", str(tmp_path / "r.pdf"))
    assert done.returncode == 1 and "use a file ending in .pptx or .md" in done.stderr
    missing = tmp_path / "nothing.duckdb"
    done = _cli("--db", str(missing), "--out", str(tmp_path / "r.md"))
    assert done.returncode == 1 and "There is no workspace at" in done.stderr
    assert not missing.exists()
