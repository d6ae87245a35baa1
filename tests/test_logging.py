"""Logging (issue 16 item 6): one logger per module under `research`, a line per migration, backup,
import and collect run, a warning for every error that is handled without stopping, and `--verbose`."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cli_helpers import cli
from test_collect_support import LocalSite, fast_policy, page, site  # noqa: F401  (fixtures)

from research.collect import inbox
from research.collect.collector import collect_into_store
from research.collect.watchers import WatcherDraft, add_watcher
from research.store import Store


def test_verbose_logs_each_migration_and_quiet_logs_none(tmp_path: Path) -> None:
    loud = cli("demo", "--db", str(tmp_path / "a.duckdb"), "--verbose")
    assert loud.returncode == 0, loud.stderr
    assert "INFO research.store.core:" in loud.stderr and "applied migration 0001_schema_v1" in loud.stderr
    assert "applied migration 0016_value_labels" in loud.stderr
    quiet = cli("demo", "--db", str(tmp_path / "b.duckdb"))
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_an_upgrade_logs_its_backup_then_the_migration(demo_copy: Path, tmp_path: Path) -> None:
    store = Store.open(str(demo_copy))
    try:  # make it a workspace from before migration 0016
        with store.transaction("ana") as tx:
            tx.execute("DROP TABLE value_labels")
            tx.execute("DROP SEQUENCE seq_value_labels")
            tx.execute("DELETE FROM schema_version WHERE version = 16")
    finally:
        store.close()
    upgraded = cli("label", "set", "industry", "Pharma", "--sr", "Фармација", "--db", str(demo_copy), "-v",
                   env={"VANTAGE_BACKUP_DIR": str(tmp_path / "backups")})
    assert upgraded.returncode == 0, upgraded.stderr
    lines = upgraded.stderr.splitlines()
    backup = next(i for i, line in enumerate(lines) if "backed up to" in line and "[16]" in line)
    migration = next(i for i, line in enumerate(lines) if "applied migration 0016_value_labels" in line)
    assert backup < migration, "the backup is taken before the schema changes"


def test_an_import_logs_what_it_wrote(demo_copy: Path, tmp_path: Path) -> None:
    file = tmp_path / "companies.csv"
    file.write_text("name,country\nNova Pack d.o.o.,RS\n", encoding="utf-8")
    done = cli("import", "companies", str(file), "--db", str(demo_copy), "-v")
    assert done.returncode == 0, done.stderr
    assert "import of companies.csv into companies" in done.stderr and "1 inserted, 0 updated" in done.stderr


def test_a_collect_run_logs_one_line(demo_copy: Path, site: LocalSite, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    store = Store.open(str(demo_copy))
    try:
        site.routes["/box"] = page("<html><body><h1>Box</h1><p>Price: 12.50 EUR</p></body></html>")
        watcher = add_watcher(store, "ana", WatcherDraft(url=site.url("/box"), company_id=2))
        with caplog.at_level(logging.INFO, logger="research"):
            collect_into_store(store, "ana", [watcher], policy=fast_policy())
    finally:
        store.close()
    runs = [r for r in caplog.records if r.name == "research.collect.collector"]
    assert len(runs) == 1 and "1 watcher(s)" in runs[0].getMessage()


def test_an_inbox_export_that_fails_is_a_warning_not_silence(demo_copy: Path, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the inbox folder should be", encoding="utf-8")
    store = Store.open(str(demo_copy))
    try:
        with caplog.at_level(logging.WARNING, logger="research"):
            inbox.export_watchers_quietly(store, blocked)
    finally:
        store.close()
    warned = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "research.collect.inbox"]
    assert warned and "older list" in warned[0].getMessage()
