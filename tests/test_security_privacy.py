"""Privacy of audit rows, of the query snapshot and of query history (issue 14, findings 1, 9 and 10).

Finding 1: a private SWOT item's audit rows leaked once the item stopped being private *now*
(undone, deleted, made public): the rule looked at the item's current state. Privacy now lives
on the audit row (`audit_log.private`, `private_author`, migration 0012), so every reader —
company history, Overview's recent changes, the query snapshot — hides the row from everyone
but its author and admins, whatever happened to the item afterwards.
Finding 9: the snapshot was a full copy with private rows deleted afterwards, so their bytes
stayed in the file; a killed process left its snapshot folder behind. Finding 10: every editor
could read every other editor's query history through SQL.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from research import market
from research.access import signed_in
from research.access import roles as access_roles
from research.competitors import profiles, swot
from research.data import backup, undo
from research.query import saved
from research.query.sandbox import Sandbox, close_sandbox, run_sandboxed, sandbox_for
from research.store import Store

ROOT = Path(__file__).resolve().parent.parent
VIEWER = signed_in("viewer@example.com", "viewer")
EDITOR = signed_in("editor@example.com", "editor")
OTHER_EDITOR = signed_in("other.editor@example.com", "editor")
ADMIN = signed_in("admin@example.com", "admin")
COMPANY = "Kartonaža Sava"
MARKER = "Zqx-private-marker-7731 Bosnian plant"


@pytest.fixture
def ws(demo_copy: Path) -> Any:
    store = Store.open(str(demo_copy))
    yield store
    close_sandbox(store)
    store.close()


def _company_id(store: Store) -> int:
    return profiles.find_company(store, COMPANY, viewer=EDITOR).id


def _batch_of(store: Store, table: str, row_id: int) -> int:
    return int(store.query_value(
        "SELECT max(batch_id) FROM audit_log WHERE table_name = ? AND row_id = ?", [table, str(row_id)]))


def _private_item(store: Store, statement: str = MARKER) -> swot.SwotItem:
    return swot.add_item(store, EDITOR, _company_id(store), quadrant="W", statement=statement, private=True)


# ---- the ways a private SWOT item's history is written ---------------------------------------------
# Each returns the item's id; the marker text is private in at least one audit row of the item.


def _insert(store: Store) -> int:
    return _private_item(store).id


def _private_to_public(store: Store) -> int:
    item = _private_item(store)
    # Published with another wording: the private wording stays private in the history.
    return swot.update_item(store, EDITOR, item.id, item.version, statement="A public wording", private=False).id


def _public_to_private(store: Store) -> int:
    item = swot.add_item(store, EDITOR, _company_id(store), quadrant="W", statement=MARKER)
    # Made private: the item's history goes with it (as before migration 0012).
    return swot.update_item(store, EDITOR, item.id, item.version, private=True).id


def _archive(store: Store) -> int:
    item = _private_item(store)
    return swot.set_item_archived(store, EDITOR, item.id, item.version).id


def _delete(store: Store) -> int:
    item = _private_item(store)
    with store.transaction(EDITOR) as tx:
        tx.delete("swot_items", item.id)
    return item.id


def _undo(store: Store) -> int:
    # `swot add --private` then `undo <batch>` by its author: the finding's reproduction.
    item = _private_item(store)
    undo.undo_batch(store, _batch_of(store, "swot_items", item.id), EDITOR)
    assert store.query_value("SELECT count(*) FROM swot_items WHERE id = ?", [item.id]) == 0
    return item.id


def _undo_of_undo(store: Store) -> int:
    item = _private_item(store)
    first = undo.undo_batch(store, _batch_of(store, "swot_items", item.id), EDITOR)
    undo.undo_batch(store, first.undo_batch_id, EDITOR)
    return item.id


WRITES: dict[str, Callable[[Store], int]] = {
    "insert": _insert,
    "update-private-to-public": _private_to_public,
    "update-public-to-private": _public_to_private,
    "archive": _archive,
    "delete": _delete,
    "undo": _undo,
    "undo-of-undo": _undo_of_undo,
}


def _mentions(frame: pd.DataFrame, text: str = MARKER) -> bool:
    return bool(frame.astype(str).apply(lambda col: col.str.contains(text, regex=False)).any().any())


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_a_private_items_audit_rows_stay_private_whatever_happens_to_the_item(ws: Store, write: str) -> None:
    item_id = WRITES[write](ws)
    company_id = _company_id(ws)
    rows = ws.query_rows(
        "SELECT private, private_author FROM audit_log WHERE table_name = 'swot_items' AND row_id = ? "
        "AND (CAST(before AS VARCHAR) LIKE '%Zqx-private-marker%' OR CAST(after AS VARCHAR) LIKE '%Zqx-private-marker%')",
        [str(item_id)],
    )
    assert rows, "the marker is in the item's history"
    assert all(r["private"] and r["private_author"] == "editor@example.com" for r in rows), rows
    # Other people, viewers, no viewer (a shared output): not a trace of the private wording.
    for who in (OTHER_EDITOR, VIEWER, None):
        assert not _mentions(profiles.company_history(ws, company_id, viewer=who)), who
    # The author and admins see it in the company's history.
    for who in (EDITOR, ADMIN):
        assert _mentions(profiles.company_history(ws, company_id, viewer=who)), who
    # Overview (a shared screen): nobody.
    assert not _mentions(market.recent_changes(ws, limit=500))
    # User SQL runs on one snapshot shared by everyone: nobody, the author included.
    for who in (EDITOR, OTHER_EDITOR, ADMIN):
        found = run_sandboxed(
            ws, "SELECT before, after FROM audit_log WHERE table_name = 'swot_items'", max_rows=100_000, actor=who
        ).frame
        assert not _mentions(found), who
        close_sandbox(ws)  # a fresh snapshot per reader: nothing depends on which one is warm


def test_public_items_history_stays_visible_to_everyone(ws: Store) -> None:
    item = swot.add_item(ws, EDITOR, _company_id(ws), quadrant="S", statement="A public strength 4410")
    swot.update_item(ws, EDITOR, item.id, item.version, impact=5)
    assert ws.query_value("SELECT count(*) FROM audit_log WHERE private") == 0
    for who in (OTHER_EDITOR, VIEWER, None):
        assert _mentions(profiles.company_history(ws, item.company_id, viewer=who), "A public strength 4410")
    assert _mentions(market.recent_changes(ws), "A public strength 4410")
    found = run_sandboxed(ws, "SELECT after FROM audit_log WHERE table_name = 'swot_items'", actor=OTHER_EDITOR).frame
    assert _mentions(found, "A public strength 4410")


@pytest.mark.parametrize("write", ["undone", "published-with-other-text"])
def test_private_company_notes_stay_blanked_once_no_longer_private(ws: Store, write: str) -> None:
    company = profiles.find_company(ws, COMPANY, viewer=EDITOR)
    changed = profiles.update_company(ws, EDITOR, company.id, company.version, notes=MARKER, notes_private=True)
    if write == "undone":
        undo.undo_batch(ws, _batch_of(ws, "companies", changed.id), EDITOR)
    else:
        profiles.update_company(ws, EDITOR, company.id, changed.version, notes="Public notes", notes_private=False)
    assert not profiles.get_company(ws, company.id).notes_private
    for who in (OTHER_EDITOR, VIEWER, None):
        history = profiles.company_history(ws, company.id, viewer=who)
        assert not _mentions(history), who
        assert len(history[history["table_name"] == "companies"]) >= 2, "the changes stay, only the notes go"
    assert _mentions(profiles.company_history(ws, company.id, viewer=EDITOR))
    assert _mentions(profiles.company_history(ws, company.id, viewer=ADMIN))
    found = run_sandboxed(ws, "SELECT before, after FROM audit_log WHERE table_name = 'companies'",
                          max_rows=100_000, actor=ADMIN).frame
    assert not _mentions(found)


def test_migration_0012_flags_the_audit_rows_written_before_it(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        _private_item(store, MARKER + " kept")
        gone = _private_item(store, MARKER + " undone")
        undo.undo_batch(store, _batch_of(store, "swot_items", gone.id), EDITOR)
        later = swot.add_item(store, EDITOR, _company_id(store), quadrant="O", statement=MARKER + " made private")
        swot.update_item(store, EDITOR, later.id, later.version, private=True)
        company = profiles.find_company(store, COMPANY, viewer=EDITOR)
        profiles.update_company(store, EDITOR, company.id, company.version, notes=MARKER, notes_private=True)
        expected = store.query_rows("SELECT id, private, private_author FROM audit_log ORDER BY id")
        assert sum(r["private"] for r in expected) >= 6
    finally:
        store.close()
    # Back to the schema before 0012 (the columns gone), then opened again: the migration backfills.
    con = duckdb.connect(str(demo_copy))
    con.execute("ALTER TABLE audit_log DROP COLUMN private")
    con.execute("ALTER TABLE audit_log DROP COLUMN private_author")
    con.execute("DELETE FROM schema_version WHERE version = 12")
    con.close()
    store = Store.open(str(demo_copy))
    try:
        assert store.query_rows("SELECT id, private, private_author FROM audit_log ORDER BY id") == expected
    finally:
        store.close()


def test_the_flags_survive_a_backup_and_restore(ws: Store, tmp_path: Path) -> None:
    _undo(ws)
    flagged = ws.query_rows("SELECT id, private, private_author FROM audit_log WHERE private ORDER BY id")
    assert len(flagged) == 2  # the insert and the undo's delete
    backup.backup_workspace(ws, str(tmp_path / "bk"))
    backup.restore_workspace(str(tmp_path / "bk"), str(tmp_path / "restored.duckdb"))
    restored = Store.open(str(tmp_path / "restored.duckdb"))
    try:
        assert restored.query_rows("SELECT id, private, private_author FROM audit_log WHERE private ORDER BY id") == flagged
        assert not _mentions(profiles.company_history(restored, _company_id(restored), viewer=OTHER_EDITOR))
    finally:
        restored.close()


# ---- the snapshot holds no private text, physically ----------------------------------------------


def _snapshot_files(sandbox: Sandbox) -> list[Path]:
    return sorted(Path(sandbox.folder).glob("snapshot-*"))


def test_the_snapshot_file_holds_no_private_text(ws: Store) -> None:
    _private_item(ws, MARKER + " kept private")
    deleted = _private_item(ws, MARKER + " deleted")
    with ws.transaction(EDITOR) as tx:
        tx.delete("swot_items", deleted.id)
    company = profiles.find_company(ws, COMPANY, viewer=EDITOR)
    profiles.update_company(ws, EDITOR, company.id, company.version, notes=MARKER + " notes", notes_private=True)
    access_roles.assign_role(ws, ADMIN, "zqx-role-person@example.com", "editor")
    saved.record_history(ws, "editor@example.com", "SELECT 'zqx-history-sql'", {"p": "zqx-history-param"}, status="ok")
    sandbox = sandbox_for(ws)
    sandbox.refresh()
    files = _snapshot_files(sandbox)
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files), files
    raw = b"".join(f.read_bytes() for f in files)
    for secret in ("Zqx-private-marker", "Zqx-private", "zqx-role-person", "zqx-history-sql", "zqx-history-param"):
        assert secret.encode() not in raw, secret
    # Column statistics keep string prefixes: none of a private text either.
    snapshot = next(f for f in files if f.suffix == ".duckdb")
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        stats = " ".join(str(r[0]) for r in con.execute(
            "SELECT stats FROM pragma_storage_info('swot_items') UNION ALL SELECT stats FROM pragma_storage_info('audit_log') "
            "UNION ALL SELECT stats FROM pragma_storage_info('companies') UNION ALL SELECT stats FROM pragma_storage_info('user_roles')"
        ).fetchall())
    finally:
        con.close()
    assert "Zqx" not in stats and "zqx" not in stats


def test_the_snapshot_folder_is_owner_only_and_named_by_its_process(ws: Store) -> None:
    sandbox = sandbox_for(ws)
    sandbox.refresh()
    folder = Path(sandbox.folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.name.startswith(f"vantage-query-{os.getpid()}-")


_KILLED_CHILD = textwrap.dedent(
    """
    import sys, time
    from research.competitors import profiles, swot
    from research.access import signed_in
    from research.query.sandbox import sandbox_for
    from research.store import Store
    store = Store.open(sys.argv[1])
    editor = signed_in("editor@example.com", "editor")
    company = profiles.find_company(store, "Kartonaža Sava", viewer=editor)
    swot.add_item(store, editor, company.id, quadrant="W", statement="Zqx killed child marker", private=True)
    sandbox = sandbox_for(store)
    sandbox.refresh()
    print(sandbox.folder, flush=True)
    time.sleep(120)
    """
)


def test_a_killed_processs_snapshot_folder_is_removed_by_the_next_sandbox(
    demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _KILLED_CHILD, str(demo_copy)], stdout=subprocess.PIPE, env=env,
                             cwd=ROOT, text=True)
    try:
        folder = Path(child.stdout.readline().strip())
        assert folder.is_dir() and folder.parent == temp
    finally:
        child.send_signal(signal.SIGKILL)  # as `kill -9` of `python -m research query`
        child.wait(timeout=30)
        child.stdout.close()
    assert folder.is_dir(), "SIGKILL runs no clean-up"
    # A folder of a process that is alive stays, and so does anything that is not ours to judge.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        live = temp / f"vantage-query-{sleeper.pid}-live"
        live.mkdir(mode=0o700)
        unrelated = temp / "vantage-query-notapid"
        unrelated.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(temp))
        store = Store.open(str(demo_copy))
        try:
            sandbox = Sandbox(store)
            try:
                assert not folder.exists(), "the dead process's snapshot folder was removed"
                assert live.is_dir() and unrelated.is_dir()
                assert Path(sandbox.folder).parent == temp
            finally:
                sandbox.close()
        finally:
            store.close()
    finally:
        sleeper.kill()
        sleeper.wait(timeout=30)


# ---- query history --------------------------------------------------------------------------------
# Chosen design: nobody reads query history through SQL (the snapshot is shared by everyone, so its
# query_history table is empty); each person sees their own runs in the History panel (saved.history).


def test_query_history_is_not_readable_through_sql_and_each_person_sees_their_own(ws: Store) -> None:
    saved.record_history(ws, EDITOR.name, "SELECT 'zqx-a-sql' AS a", {"secret": "zqx-a-param"}, status="ok")
    saved.record_history(ws, OTHER_EDITOR.name, "SELECT 'zqx-b-sql' AS b", None, status="ok")
    for who in (EDITOR, OTHER_EDITOR, ADMIN):
        found = run_sandboxed(ws, "SELECT * FROM query_history", actor=who).frame
        assert found.empty, who
        close_sandbox(ws)
    own = saved.history(ws, EDITOR)
    assert list(own["sql"]) == ["SELECT 'zqx-a-sql' AS a"] and "zqx-a-param" in own["parameters"].iat[0]
    others = saved.history(ws, OTHER_EDITOR)
    assert list(others["sql"]) == ["SELECT 'zqx-b-sql' AS b"]
    assert saved.history_entry(ws, OTHER_EDITOR, int(own["id"].iat[0])) is None


def test_tables_naming_people_or_holding_secrets_are_empty_in_the_snapshot(ws: Store) -> None:
    access_roles.assign_role(ws, ADMIN, "zqx-role-person@example.com", "editor")
    saved.record_history(ws, EDITOR.name, "SELECT 1", None, status="ok")
    counts = run_sandboxed(
        ws, "SELECT (SELECT count(*) FROM user_roles) AS roles, (SELECT count(*) FROM query_history) AS history, "
            "(SELECT count(*) FROM audit_log WHERE table_name = 'user_roles') AS role_changes",
        actor=ADMIN,
    ).frame
    assert counts.iloc[0].tolist() == [0, 0, 0]
    assert ws.query_value("SELECT count(*) FROM user_roles") >= 1, "the workspace itself keeps them"
