"""Datasets linked to accounts by a key column (issue 15 item 3): their columns become account fields."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from research.cli import main
from research.data import datasets, fields, links
from research.errors import ValidationError
from research.store import Store


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def credit_file(store: Store, path: Path, *, rows: int = 40, duplicate: bool = False) -> Path:
    """A credit-rating export keyed by VAT number: some keys in other case and with spaces, one unknown."""
    accounts = store.query_rows("SELECT id, vat_id FROM accounts WHERE vat_id IS NOT NULL ORDER BY id LIMIT ?", [rows])
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["PIB", "Credit score", "Limit EUR", "Risk class", "Checked"])
        for i, account in enumerate(accounts):
            key = account["vat_id"].lower() if i % 2 else f" {account['vat_id']} "
            out.writerow([key, 300 + i, f"{1000 + i * 10}.5", "A" if i % 3 else "B", f"2026-01-{1 + i % 9:02d}"])
        out.writerow(["XX000000", 1, 2, "C", "2026-01-01"])
        if duplicate:
            out.writerow([accounts[0]["vat_id"].upper(), 9, 9, "C", "2026-01-01"])
    return path


def expected(store: Store, rows: int) -> dict[int, int]:
    ids = [r["id"] for r in store.query_rows(
        "SELECT id FROM accounts WHERE vat_id IS NOT NULL ORDER BY id LIMIT ?", [rows])]
    return {account_id: 300 + i for i, account_id in enumerate(ids)}


def test_linking_copies_typed_columns_matched_by_key(demo: Store, tmp_path: Path) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "credit.csv")), "ana")
    link = links.link_dataset(demo, "ana", "credit", key="pib", account_key="vat_id")
    assert (link.matched, link.unmatched) == (40, 1)
    assert {f.name: f.kind for f in fields.list_fields(demo, "accounts")} == {
        "credit_score": "int", "limit_eur": "number", "risk_class": "text", "checked": "date"}
    got = {r["id"]: r["credit_score"] for r in demo.query_rows(
        "SELECT id, credit_score FROM accounts WHERE credit_score IS NOT NULL")}
    assert got == expected(demo, 40)
    assert demo.query_value("SELECT count(*) FROM accounts WHERE checked IS NOT NULL AND risk_class IN ('A', 'B')") == 40


def test_a_key_two_rows_share_is_refused_and_nothing_is_added(demo: Store, tmp_path: Path) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "c.csv", duplicate=True)), "ana")
    with pytest.raises(ValidationError, match=r"does not identify one row of the dataset: .*\(2 rows\)"):
        links.link_dataset(demo, "ana", "credit", key="pib", account_key="vat_id")
    assert fields.list_fields(demo) == [] and links.list_links(demo) == []


def test_a_key_that_matches_no_account_is_refused_and_rolled_back(demo: Store, tmp_path: Path) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "c.csv")), "ana")
    before = fields.table_columns(demo, "accounts")
    with pytest.raises(ValidationError, match="No account's name equals the dataset's pib"):
        links.link_dataset(demo, "ana", "credit", key="pib", account_key="name")
    assert fields.table_columns(demo, "accounts") == before
    assert fields.list_fields(demo) == [] and links.list_links(demo) == []


@pytest.mark.parametrize("kwargs, message", [
    ({"key": "nope", "account_key": "vat_id"}, "has no column 'nope'"),
    ({"key": "pib", "account_key": "status"}, "cannot be matched on 'status'"),
    ({"key": "pib", "account_key": "vat_id", "columns": ["pib"]}, "is the key"),
    ({"key": "pib", "account_key": "vat_id", "columns": ["missing"]}, "has no column 'missing'"),
])
def test_bad_links_say_what_is_wrong(demo: Store, tmp_path: Path, kwargs, message) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "c.csv")), "ana")
    with pytest.raises(ValidationError, match=message):
        links.link_dataset(demo, "ana", "credit", **kwargs)
    with pytest.raises(ValidationError, match="There is no dataset 'other'"):
        links.link_dataset(demo, "ana", "other", key="pib", account_key="vat_id")


def test_refresh_follows_a_new_version_of_the_dataset(demo: Store, tmp_path: Path) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "c.csv", rows=40)), "ana")
    links.link_dataset(demo, "ana", "credit", key="pib", account_key="vat_id", columns=["credit_score"])
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "d.csv", rows=10)), "ana")
    link = links.refresh_link(demo, "ana", "credit")
    assert link.matched == 10
    got = {r["id"]: r["credit_score"] for r in demo.query_rows(
        "SELECT id, credit_score FROM accounts WHERE credit_score IS NOT NULL")}
    assert got == expected(demo, 10)


def test_unlink_keeps_or_removes_the_fields_and_renames_follow_the_link(demo: Store, tmp_path: Path) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "c.csv")), "ana")
    links.link_dataset(demo, "ana", "credit", key="pib", account_key="vat_id", columns=["credit_score", "risk_class"])
    fields.rename_field(demo, "ana", "accounts", "credit_score", new_name="score")
    assert links.get_link(demo, "credit").columns == (("credit_score", "score"), ("risk_class", "risk_class"))
    assert links.refresh_link(demo, "ana", "credit").matched == 40
    with pytest.raises(ValidationError, match="dataset link 'ds_credit'"):
        fields.remove_field(demo, "ana", "accounts", "score")
    links.unlink_dataset(demo, "ana", "credit", remove_fields=True)
    assert fields.list_fields(demo) == []
    assert "score" not in fields.table_columns(demo, "accounts")


def test_dataset_cli_links_lists_and_unlinks(demo_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(str(demo_copy))
    try:
        path = credit_file(store, tmp_path / "c.csv")
    finally:
        store.close()
    db = ["--db", str(demo_copy)]
    assert main(["import", "dataset", "credit", str(path), *db]) == 0
    assert main(["dataset", "link", "credit", "--key", "pib", "--to", "vat_id", "--columns", "credit_score", *db]) == 0
    assert "40 account(s) matched, 1 dataset row(s) matched none" in capsys.readouterr().out
    assert main(["dataset", "list", *db]) == 0
    assert "linked: credit: pib = accounts.vat_id; credit_score -> credit_score" in capsys.readouterr().out
    assert main(["dataset", "link", "credit", "--key", "pib", "--to", "vat_id", *db]) == 1
    assert "already linked" in capsys.readouterr().err
    assert main(["dataset", "unlink", "credit", *db]) == 0
    assert main(["dataset", "refresh", "credit", *db]) == 1
    assert "is not linked to accounts" in capsys.readouterr().err


def test_the_data_page_links_a_dataset_and_lists_the_link(demo_copy: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from page_helpers import assert_clean, run_app

    store = Store.open(str(demo_copy))
    try:
        datasets.import_dataset(store, "credit", str(credit_file(store, tmp_path / "c.csv")), "ana")
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="data")
    at.session_state["data_view"] = "dataset"
    at.run()
    assert_clean(at)
    at.selectbox(key="data_link_key").set_value("pib")
    at.selectbox(key="data_link_account_key").set_value("vat_id")
    at.multiselect(key="data_link_columns").set_value(["credit_score", "risk_class"])
    at.button(key="FormSubmitter:data_link_form-Link to accounts").click().run()
    assert_clean(at)
    assert any("Linked credit: new account fields credit_score, risk_class; 40 accounts matched, 1 dataset rows "
               "matched none." in s.value for s in at.success)
    assert any("**credit**: pib = accounts.vat_id; credit_score → credit_score, risk_class → risk_class"
               in m.value for m in at.markdown)
    store = Store.open(str(demo_copy))
    try:
        assert store.query_value("SELECT count(credit_score) FROM accounts") == 40
    finally:
        store.close()
    # The link's own buttons, side by side under it: refresh, then unlink (the fields stay).
    at.button(key="data_link_refresh_credit").click().run()
    assert_clean(at)
    assert any("credit copied again: 40 accounts matched." in s.value for s in at.success), [s.value for s in at.success]
    at.button(key="data_link_unlink_credit").click().run()
    assert_clean(at)
    assert any("credit is no longer linked; its account fields stay." in s.value for s in at.success)
    assert not any("**credit**: pib = accounts.vat_id" in m.value for m in at.markdown)
    store = Store.open(str(demo_copy))
    try:
        assert store.query_value("SELECT count(credit_score) FROM accounts") == 40
        assert links.list_links(store) == []
    finally:
        store.close()


def test_importing_the_dataset_again_refreshes_its_account_fields(demo: Store, tmp_path: Path) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "c.csv", rows=40)), "ana")
    links.link_dataset(demo, "ana", "credit", key="pib", account_key="vat_id", columns=["credit_score"])
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "d.csv", rows=10)), "ana")
    assert links.get_link(demo, "credit").matched == 10
    assert {r["id"]: r["credit_score"] for r in demo.query_rows(
        "SELECT id, credit_score FROM accounts WHERE credit_score IS NOT NULL")} == expected(demo, 10)


def test_a_new_version_without_a_linked_column_is_refused_whole(demo: Store, tmp_path: Path) -> None:
    datasets.import_dataset(demo, "credit", str(credit_file(demo, tmp_path / "c.csv")), "ana")
    links.link_dataset(demo, "ana", "credit", key="pib", account_key="vat_id", columns=["credit_score"])
    other = tmp_path / "other.csv"
    other.write_text("PIB,Rating\nRS1,A\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="has no column credit_score; nothing was imported"):
        datasets.import_dataset(demo, "credit", str(other), "ana")
    assert demo.query_value("SELECT count(*) FROM ds_credit") == 41
    assert demo.query_value("SELECT count(credit_score) FROM accounts") == 40
