"""`python -m research deal …` and `import deals` in-process (tests/cli_helpers.py): list, show,
set-reasons, the reason list, a CRM export imported and a bad file refused naming row and value."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import CliResult, assert_one_line_error, cli
from test_deals import CRM_EXPORT

from research.store import Store


def refused(result: CliResult, text: str) -> None:
    """Exit code 1 and one `error: …` line containing `text`."""
    assert_one_line_error(result, 1, text)


def _query(db: Path, sql: str, params: list | None = None):
    store = Store.open(str(db))
    try:
        return store.query_rows(sql, params)
    finally:
        store.close()


def test_deal_list_filters_by_outcome_and_competitor(demo_copy: Path) -> None:
    db = str(demo_copy)
    listed = cli("deal", "list", "--db", db, "--outcome", "lost", "--competitor", "corrutech", "--limit", "500",
                 "--json")
    assert listed.returncode == 0, listed.stderr
    deals = json.loads(listed.stdout)
    expected = _query(demo_copy, "SELECT count(*) AS n FROM deals d JOIN companies c ON c.id = d.competitor_id "
                                 "WHERE d.outcome = 'lost' AND c.name = 'CorruTech'")[0]["n"]
    assert len(deals) == expected and {d["competitor"] for d in deals} == {"CorruTech"}
    assert all(d["reasons"] for d in deals) and "price" in {r for d in deals for r in d["reasons"]}
    assert [d["closed_on"] for d in deals] == sorted((d["closed_on"] for d in deals), reverse=True)
    text = cli("deal", "list", "--db", db, "--outcome", "won", "--limit", "3")
    assert text.returncode == 0 and len(text.stdout.strip().splitlines()) == 3 and " won " in text.stdout
    refused(cli("deal", "list", "--db", db, "--competitor", "Nobody Pack"), "Nobody Pack")
    assert cli("deal", "list", "--db", db, "--outcome", "maybe").returncode == 2


def test_set_reasons_by_code_or_name_with_notes_show_and_refusals(demo_copy: Path) -> None:
    db = str(demo_copy)
    deal = _query(demo_copy, "SELECT min(id) AS id FROM deals WHERE outcome = 'lost'")[0]["id"]
    done = cli("deal", "set-reasons", str(deal), "price", "Рок испоруке", "--note", "price=8 % below ours",
               "--db", db, "--actor", "marija")
    assert done.returncode == 0, done.stderr
    assert f"Deal {deal}: reasons price (8 % below ours), lead_time" in done.stdout
    shown = json.loads(cli("deal", "show", str(deal), "--db", db, "--json").stdout)
    assert [(r["code"], r["note"]) for r in shown["reasons"]] == [("price", "8 % below ours"), ("lead_time", None)]
    assert _query(demo_copy, "SELECT DISTINCT actor FROM audit_log WHERE table_name = 'deal_reason_links' "
                             "AND batch_id = (SELECT max(batch_id) FROM audit_log)") == [{"actor": "marija"}]
    # A note for every reason named.
    cli("deal", "set-reasons", str(deal), "quality", "--note", "trial batch", "--db", db)
    assert "quality" in cli("deal", "show", str(deal), "--db", db).stdout
    assert "trial batch" in cli("deal", "show", str(deal), "--db", db).stdout
    before = _query(demo_copy, "SELECT count(*) AS n FROM audit_log")[0]["n"]
    refused(cli("deal", "set-reasons", str(deal), "prize", "--db", db), "Unknown reason 'prize'")
    refused(cli("deal", "set-reasons", "999999", "price", "--db", db), "There is no deal 999999")
    refused(cli("deal", "set-reasons", str(deal), "--db", db), "--none")
    refused(cli("deal", "show", "999999", "--db", db), "There is no deal 999999")
    assert _query(demo_copy, "SELECT count(*) AS n FROM audit_log")[0]["n"] == before
    cleared = cli("deal", "set-reasons", str(deal), "--none", "--db", db)
    assert cleared.returncode == 0 and "reasons none" in cleared.stdout
    assert _query(demo_copy, "SELECT count(*) AS n FROM deal_reason_links WHERE deal_id = ?", [deal])[0]["n"] == 0


def test_the_reason_list_from_the_command_line(demo_copy: Path) -> None:
    db = str(demo_copy)
    added = cli("deal", "reasons", "add", "payment_terms", "--en", "Payment terms", "--sr", "Услови плаћања",
                "--db", db)
    assert added.returncode == 0, added.stderr
    assert "Added reason payment_terms (Payment terms / Услови плаћања) at position 9" in added.stdout
    listed = json.loads(cli("deal", "reasons", "list", "--db", db, "--json").stdout)
    assert [r["code"] for r in listed][-1] == "payment_terms" and listed[0]["deals"] > 0
    renamed = cli("deal", "reasons", "rename", "payment_terms", "--sr", "Рокови плаћања", "--db", db)
    assert renamed.returncode == 0 and "Рокови плаћања" in renamed.stdout
    archived = cli("deal", "reasons", "archive", "price", "--db", db)
    assert archived.returncode == 0 and "archived: it stays on" in archived.stdout
    assert "price" in cli("deal", "reasons", "list", "--db", db).stdout.splitlines()[-1]  # archived ones last
    assert cli("deal", "reasons", "restore", "price", "--db", db).returncode == 0
    refused(cli("deal", "reasons", "add", "Payment", "--en", "X", "--sr", "Икс", "--db", db),
                          "cannot be a reason code")
    refused(cli("deal", "reasons", "add", "cost", "--en", "Price", "--sr", "Трошак", "--db", db),
                          "already names the reason 'price'")
    refused(cli("deal", "reasons", "archive", "nothing", "--db", db), "There is no reason 'nothing'")


def test_import_deals_from_a_crm_export_and_refuse_a_bad_file(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    good = tmp_path / "crm-deals.csv"
    good.write_text(CRM_EXPORT, encoding="utf-8")
    done = cli("import", "deals", str(good), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "Imported   5 new and 0 updated deals" in done.stdout and "Not imported 'Opportunity ID'" in done.stdout
    links = _query(demo_copy, "SELECT count(*) AS n FROM deal_reason_links WHERE deal_id > 1000")[0]["n"]
    assert links == 6
    bad = tmp_path / "bad-deals.csv"
    bad.write_text("Account Name,Result,Competitor,Amount\nAcme Ltd,lost,CorruTech,100\n"
                   "Sloga Metal Kft.,lost,Nobody Pack,200\n", encoding="utf-8")
    refused = cli("import", "deals", str(bad), "--db", db)
    assert refused.returncode == 1
    assert "row      2  account_id           'Acme Ltd'" in refused.stdout
    assert "row      3  competitor_id        'Nobody Pack'" in refused.stdout
    assert "row 2 account_id 'Acme Ltd': no such account" in refused.stderr
    assert _query(demo_copy, "SELECT count(*) AS n FROM deals")[0]["n"] == 1005
