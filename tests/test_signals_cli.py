"""`python -m research signals …` in process: list, refresh, accept, attach, dismiss, rules, and clear errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, cli

from research.store import Store


@pytest.fixture
def db(demo_copy: Path) -> str:
    return str(demo_copy)


def signals(db: str, *args: str) -> list[dict]:
    result = cli("signals", "list", "--db", db, "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_refresh_then_list_newest_first_in_json_and_text(db: str) -> None:
    assert signals(db) == []
    assert cli("signals", "list", "--db", db).stdout.strip() == "No signals match."
    first = cli("signals", "refresh", "--db", db, "--actor", "cron")
    assert first.returncode == 0 and first.stdout.startswith(tuple("123456789")) and "stale_item" in first.stdout
    again = cli("signals", "refresh", "--db", db)
    assert again.returncode == 0 and again.stdout.startswith("No new signals")
    found = signals(db)
    assert found and [s["occurred_at"] for s in found] == sorted((s["occurred_at"] for s in found), reverse=True)
    stale = found[0]
    assert stale["status"] == "new" and stale["draft"]["quadrant"] in "SWOT" and stale["draft"]["statement"]
    sr = signals(db, "--lang", "sr", "--kind", "stale_item")
    assert sr[0]["evidence_text"].startswith("Доказ од")
    company = stale["company"]
    assert {s["company"] for s in signals(db, "--company", company.upper())} == {company}
    text = cli("signals", "list", "--db", db, "--status", "new", "--limit", "2").stdout.splitlines()
    assert text[0].startswith(f"#{stale['id']}") and len([line for line in text if line.startswith("#")]) == 2


def test_accept_attach_and_dismiss_from_the_command_line(db: str) -> None:
    cli("signals", "refresh", "--db", db)
    stale = signals(db, "--kind", "stale_item")
    item = stale[0]["evidence"]["item_id"]
    done = cli("signals", "attach", str(stale[0]["id"]), "--item", str(item), "--db", db, "--actor", "ana")
    assert done.returncode == 0 and done.stdout.strip() == f"Signal {stale[0]['id']} is fresh evidence for SWOT item {item}."
    refused = cli("signals", "accept", str(stale[0]["id"]), "--db", db)
    assert_one_line_error(refused, 1, f"Signal {stale[0]['id']} was already attached to SWOT item {item}")

    chosen = stale[1]["id"]
    refused = cli("signals", "accept", str(chosen), "--db", db)
    assert_one_line_error(refused, 1, f"Signal {chosen} says SWOT item")
    dismissed = cli("signals", "dismiss", str(chosen), str(stale[2]["id"]), "--reason", "re-checked by phone", "--db", db)
    assert dismissed.returncode == 0 and dismissed.stdout.startswith("Dismissed 2 signals")
    assert {s["dismiss_reason"] for s in signals(db, "--status", "dismissed")} == {"re-checked by phone"}
    assert_one_line_error(cli("signals", "dismiss", str(chosen), "--reason", "again", "--db", db), 1,
                          f"Signal {chosen} was already dismissed")
    assert_one_line_error(cli("signals", "dismiss", str(stale[3]["id"]), "--reason", " ", "--db", db), 1,
                          "the reason is empty")


def test_accept_with_an_edited_draft_and_accept_twice(db: str, tmp_path: Path) -> None:
    # The demo's deals closed before the clock's 30-day window: one is lost today.
    with Store.open(db) as store, store.transaction("ana") as tx:
        deal = store.query_value("SELECT min(id) FROM deals WHERE outcome = 'lost'")
        tx.update("deals", deal, {"closed_on": dt.date.today()})
    cli("signals", "refresh", "--db", db)
    lost = signals(db, "--kind", "lost_deal")[0]
    done = cli("signals", "accept", str(lost["id"]), "--quadrant", "W", "--statement", "We lose on price in tenders",
               "--db", db, "--actor", "ana")
    assert done.returncode == 0, done.stderr
    item = int(done.stdout.split("SWOT item ")[1].rstrip(".\n"))
    with Store.open(db) as store:
        row = store.query_rows("SELECT quadrant, statement, author, company_id FROM swot_items WHERE id = ?", [item])[0]
    assert (row["quadrant"], row["statement"], row["author"], row["company_id"]) == (
        "W", "We lose on price in tenders", "ana", lost["company_id"])
    again = cli("signals", "accept", str(lost["id"]), "--db", db)
    assert_one_line_error(again, 1, f"it became SWOT item {item} (“We lose on price in tenders”)")


@pytest.mark.parametrize(("args", "message"), [
    (("accept", "12x"), "'12x' is not a signal number"),
    (("accept", "999999"), "There is no signal 999999"),
    (("accept", "1", "2", "--quadrant", "T"), "change one signal's draft"),
    (("attach", "999999", "--item", "1"), "There is no signal 999999"),
    (("list", "--company", "Nobody at all"), "Nobody at all"),
    (("list", "--limit", "0"), "Show between 1 and 5,000 signals"),
    (("rules", "price_move", "--threshold", "-2"), "must be a fraction from 0 to 10"),
    (("rules", "--window", "9"), "Name the kind of signal to change"),
    (("rules", "stale_item", "--threshold", "2"), "have no threshold"),
])
def test_bad_input_is_one_clear_line_and_exit_1(db: str, args: tuple[str, ...], message: str) -> None:
    assert_one_line_error(cli("signals", *args, "--db", db), 1, message)


def test_rules_list_and_change(db: str) -> None:
    shown = json.loads(cli("signals", "rules", "--db", db, "--json").stdout)
    assert [r["kind"] for r in shown][:2] == ["price_move", "product_added"] and all(r["default"] for r in shown)
    changed = cli("signals", "rules", "price_move", "--threshold", "5%", "--window", "14", "--enabled", "on", "--db", db)
    assert changed.returncode == 0 and "price_move       on   threshold 5.0%   last 14 days\n" in changed.stdout
    off = json.loads(cli("signals", "rules", "lost_deal", "--enabled", "off", "--db", db, "--json").stdout)
    assert next(r for r in off if r["kind"] == "lost_deal")["enabled"] is False
    assert cli("signals", "rules", "lost_deal", "--enabled", "maybe", "--db", db).returncode == 2
