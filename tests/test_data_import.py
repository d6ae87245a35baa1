"""Entity imports on real workspaces: validation, duplicates, upsert, same file twice, refusals change nothing."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from data_helpers import checksums, file_checksums, plan_for

from research.data import entities, export, imports, undo
from research.data.reading import ImportRefused
from research.errors import ReadOnlyError
from research.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def _accounts_csv(rows: int, bad_row: int | None = None) -> bytes:
    lines = ["name;country;industry;status;employees;annual_revenue"]
    for i in range(rows):
        employees = "-5" if i == bad_row else str(i % 500)
        lines.append(f"Zeta Import {i:05d};RS;Logistics;prospect;{employees};{i},50")
    return "\n".join(lines).encode()


def test_one_bad_row_in_ten_thousand_refuses_the_file_and_names_it(demo: Store) -> None:
    before = checksums(demo)
    plan = plan_for(demo, "accounts", _accounts_csv(10_000, bad_row=6_789))
    assert [(p.row, p.column, p.value) for p in plan.problems] == [(6_791, "employees", "-5")]
    with pytest.raises(ImportRefused, match="row 6791 employees '-5'"):
        imports.apply_import(demo, plan, "ana")
    assert checksums(demo) == before


def test_a_clean_file_imports_in_one_batch_with_an_audit_row_per_row(demo: Store) -> None:
    plan = plan_for(demo, "accounts", _accounts_csv(300))
    assert plan.ok and plan.inserts == 300
    result = imports.apply_import(demo, plan, "ana")
    assert result.inserted == 300
    audited = demo.query_rows(
        "SELECT table_name, count(*) AS n FROM audit_log WHERE batch_id = ? GROUP BY 1 ORDER BY 1", [result.batch_id])
    assert audited == [{"table_name": "accounts", "n": 300}, {"table_name": "data_imports", "n": 1}]
    row = demo.query_rows("SELECT region, annual_revenue, revenue_currency FROM accounts WHERE name = 'Zeta Import 00002'")[0]
    assert row["region"] == "Western Balkans"  # filled from the country
    assert str(row["annual_revenue"]) == "2.50" and row["revenue_currency"] == "EUR"


def test_the_same_file_twice_is_noticed(demo: Store) -> None:
    data = _accounts_csv(3)
    imports.apply_import(demo, plan_for(demo, "accounts", data), "ana")
    again = plan_for(demo, "accounts", data)
    assert again.previous and again.previous["actor"] == "ana"
    before = checksums(demo)
    with pytest.raises(ImportRefused, match="already imported"):
        imports.apply_import(demo, again, "bob", duplicates="import")
    assert checksums(demo) == before
    result = imports.apply_import(demo, again, "bob", duplicates="import", again=True)
    assert result.inserted == 3


def test_possible_duplicates_need_a_decision(demo: Store) -> None:
    existing = demo.query_rows("SELECT name, vat_id, website FROM accounts WHERE vat_id IS NOT NULL AND website IS NOT NULL LIMIT 2")
    data = (
        "name,vat_id,website,country,industry,status\n"
        f"Someone Else,{existing[0]['vat_id']},,RS,Logistics,prospect\n"
        f"Other Name,,{existing[1]['website']}/contact,RS,Logistics,prospect\n"
        f"{existing[1]['name'].upper().replace(' D.O.O.', ' DOO')},,,RS,Logistics,prospect\n"
        "Brand New Account,,,RS,Logistics,prospect\n"
        "Brand New Acount,,,RS,Logistics,prospect\n"
    ).encode()
    plan = plan_for(demo, "accounts", data)
    reasons = dict(zip(plan.duplicates["row"], plan.duplicates["reason"]))
    assert reasons[2] == "same VAT number" and reasons[3] == "same website"
    assert reasons[4] in {"same name", "same website"} or reasons[4].startswith("similar name")
    assert 5 not in reasons
    before = checksums(demo)
    with pytest.raises(ImportRefused, match="possible duplicate"):
        imports.apply_import(demo, plan, "ana")
    assert checksums(demo) == before
    result = imports.apply_import(demo, plan, "ana", duplicates="skip")
    assert result.inserted == 5 - len(reasons) and result.skipped == len(reasons)


def test_formula_text_is_stored_as_typed_and_exported_neutralised(demo: Store) -> None:
    formula = '=HYPERLINK("http://evil.example","x")'
    data = f'name,country,industry,status\n"{formula.replace(chr(34), chr(34) * 2)}",RS,Logistics,prospect\n'.encode()
    imports.apply_import(demo, plan_for(demo, "accounts", data), "ana")
    assert demo.query_value("SELECT count(*) FROM accounts WHERE name = ?", [formula]) == 1
    exported = export.export_csv(demo, entities.get_entity("accounts")).decode("utf-8-sig")
    assert "'" + formula.replace('"', '""') in exported
    assert "\n=" not in exported and ",=" not in exported


def test_newcomer_round_trip_export_edit_in_a_spreadsheet_import_and_undo(demo: Store) -> None:
    """The issue's "done when": export, edit (semicolons, decimal commas, Cyrillic), fix flagged rows, import, undo."""
    before = checksums(demo)
    frame = pd.read_csv(io.BytesIO(export.export_csv(demo, entities.get_entity("accounts"))), encoding="utf-8-sig",
                        dtype=str, keep_default_na=False)
    frame = frame.head(50).copy()
    frame.loc[0, "name"] = "Млекара Шабац д.о.о."
    frame.loc[1, "employees"] = "-3"  # flagged
    frame.loc[2, "status"] = "maybe"  # flagged
    frame["annual_revenue"] = frame["annual_revenue"].str.replace(".", ",", regex=False)
    frame["first_contact"] = pd.to_datetime(frame["first_contact"], errors="coerce").dt.strftime("%d.%m.%Y").fillna("")
    edited = frame.to_csv(index=False, sep=";").encode("utf-8-sig")
    plan = plan_for(demo, "accounts", edited, "accounts.csv", mode="upsert")
    assert plan.raw.encoding == "utf-8-sig" and plan.raw.decimal == "," and plan.raw.delimiter == ";"
    assert {"id", "name", "annual_revenue", "first_contact"} <= set(plan.mapping)
    assert sorted((p.row, p.column) for p in plan.problems) == [(3, "employees"), (4, "status")]
    frame.loc[1, "employees"] = "3"
    frame.loc[2, "status"] = "lost"
    fixed = frame.to_csv(index=False, sep=";").encode("utf-8-sig")
    plan = plan_for(demo, "accounts", fixed, "accounts.csv", mode="upsert")
    assert plan.ok and plan.updates == 50 and plan.inserts == 0
    result = imports.apply_import(demo, plan, "newcomer")
    first_id = int(frame.loc[0, "id"])
    row = demo.query_rows("SELECT name, status, version FROM accounts WHERE id = ?", [first_id])[0]
    assert row["name"] == "Млекара Шабац д.о.о." and row["version"] == 2
    undo.undo_batch(demo, result.batch_id, "newcomer")
    after = checksums(demo)
    for table in before:
        if table not in {"audit_log", "data_undos", "accounts"}:
            assert after[table] == before[table], table
    restored = demo.query_df("SELECT * EXCLUDE (version, updated_at) FROM accounts ORDER BY id")
    assert demo.query_value("SELECT name FROM accounts WHERE id = ?", [first_id]) != "Млекара Шабац д.о.о."
    assert len(restored) == before["accounts"][0]


def test_unique_keys_cannot_be_appended_twice_but_upsert_updates(demo: Store) -> None:
    company = demo.query_value("SELECT name FROM companies WHERE NOT is_us ORDER BY id LIMIT 1")
    capability = demo.query_value("SELECT capability FROM capabilities ORDER BY id LIMIT 1")
    data = f"company,capability,score\n{company},{capability},5\n".encode()
    plan = plan_for(demo, "capabilities", data)
    assert "already in capabilities" in plan.problems[0].reason
    plan = plan_for(demo, "capabilities", data, mode="upsert")
    assert plan.ok and plan.updates == 1
    imports.apply_import(demo, plan, "ana")


def test_references_resolve_by_label_and_unknown_ones_are_listed(demo: Store) -> None:
    sku = demo.query_value("SELECT sku FROM products WHERE sku IS NOT NULL ORDER BY id LIMIT 1")
    data = f"sku,date,price,currency\n{sku},2026-11-20 10:00,12.5,EUR\nNOPE-1,2026-11-20,3,EUR\n".encode()
    plan = plan_for(demo, "prices", data)
    assert [(p.row, p.column) for p in plan.problems] == [(3, "product_id")]


def test_a_read_only_workspace_refuses_clearly(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy), read_only=True)
    try:
        plan = plan_for(store, "accounts", _accounts_csv(2))
        with pytest.raises(ReadOnlyError, match="read-only"):
            imports.apply_import(store, plan, "ana")
    finally:
        store.close()


_KILL_SCRIPT = """
import sys, time
from research.data import writes, imports
from research.store import Store
from data_helpers import plan_for
store = Store.open(sys.argv[1])
plan = plan_for(store, "accounts", open(sys.argv[2], "rb").read())
original = writes._audit_rows
def slow_audit(*args, **kwargs):
    original(*args, **kwargs)
    print("inside", flush=True)  # rows and audit rows written, not committed
    time.sleep(60)
writes._audit_rows = slow_audit
imports.apply_import(store, plan, "ana")
"""


def test_kill_9_in_the_middle_of_an_import_leaves_the_workspace_as_before(demo_copy: Path, tmp_path: Path) -> None:
    before = file_checksums(demo_copy)
    source = tmp_path / "accounts.csv"
    source.write_bytes(_accounts_csv(20_000))
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    process = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(demo_copy), str(source)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        line = b""
        while time.monotonic() < deadline and b"inside" not in line:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
        assert b"inside" in line, process.stderr.read().decode()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert file_checksums(demo_copy) == before
