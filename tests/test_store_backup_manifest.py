"""The store's manifest check raises keyed refusals itself (research/store/backup.py, issue 16 item 2).

`read_manifest` sits below research.i18n and imports nothing of it; its refusals carry their
catalog key and values, so a page shows them in Serbian and the CLI prints the catalog's
English. Each refusal is made for real on a backup of a real workspace in tmp_path.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from research.data import backup as data_backup
from research.errors import ValidationError
from research.i18n import MESSAGES, error_text, t
from research.store import Store
from research.store.backup import MANIFEST, backup_workspace, read_manifest

CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@pytest.fixture(scope="module")
def good_backup(empty_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("manifest")
    workspace = base / "source.duckdb"
    shutil.copyfile(empty_workspace_file, workspace)
    with Store.open(str(workspace)) as store:
        with store.transaction("ana") as tx:
            tx.insert("companies", {"name": "Acme"})
        backup_workspace(store, str(base / "bk"))
    return base / "bk"


@pytest.fixture
def broken(good_backup: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "bk"
    shutil.copytree(good_backup, folder)
    return folder


def _refusal(folder: Path) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read_manifest(folder)
    error = caught.value
    assert error.key in MESSAGES, f"not keyed: {error.message!r}"
    assert error.message == t(error.key, "en", **error.params) == error_text(error, "en")[1]
    return error


def test_a_good_manifest_reads(good_backup: Path) -> None:
    manifest = read_manifest(good_backup)
    assert manifest["counts"]["companies"] == 1 and manifest["vantage_backup"] == 1


def test_a_damaged_manifest_is_refused_in_serbian(broken: Path) -> None:
    (broken / MANIFEST).write_text("{not json", "utf-8")
    error = _refusal(broken)
    assert (error.key, error.message) == ("data.restore.error.manifest_damaged", "The manifest of backup bk is damaged.")
    assert error_text(error, "sr")[1] == "Манифест резервне копије bk је оштећен."


def test_a_manifest_with_foreign_entries_is_refused_in_serbian(broken: Path) -> None:
    manifest = json.loads((broken / MANIFEST).read_text("utf-8"))
    (broken / MANIFEST).write_text(json.dumps({**manifest, "run": "rm -rf /", "also": 1}), "utf-8")
    error = _refusal(broken)
    assert error.message == ("The manifest of backup bk has entries a Vantage backup never writes (also, run); "
                             "the backup is refused.")
    assert error_text(error, "sr")[1] == (
        "Манифест резервне копије bk има ставке које резервна копија Vantage никад не уписује (also, run); "
        "резервна копија је одбијена.")


def test_a_manifest_of_another_format_is_refused_in_serbian(broken: Path) -> None:
    manifest = json.loads((broken / MANIFEST).read_text("utf-8"))
    (broken / MANIFEST).write_text(json.dumps({**manifest, "vantage_backup": 2}), "utf-8")
    error = _refusal(broken)
    assert error.key == "data.restore.error.manifest_format"
    text = error_text(error, "sr")[1]
    assert CYRILLIC.search(text) and "bk" in text and text != error.message


def test_a_folder_that_is_no_backup_is_refused_in_serbian(broken: Path, tmp_path: Path) -> None:
    (broken / "load.sql").unlink()
    error = _refusal(broken)
    assert error.message == "bk is not a Vantage backup (no vantage-backup.json, schema.sql and load.sql)."
    assert error_text(error, "sr")[1] == "bk није резервна копија Vantage (нема vantage-backup.json, schema.sql и load.sql)."

    file = tmp_path / "notes.txt"
    file.write_text("hello", "utf-8")
    error = _refusal(file)
    assert error.key == "data.restore.error.not_folder"
    assert error_text(error, "sr")[1] == "notes.txt није фасцикла; наведите фасциклу коју је записала резервна копија."


def test_the_restore_passes_the_store_refusal_on_as_it_is(broken: Path, tmp_path: Path) -> None:
    (broken / MANIFEST).write_text("[]", "utf-8")
    target = tmp_path / "restored.duckdb"
    with pytest.raises(ValidationError) as caught:
        data_backup.restore_workspace(str(broken), str(target))
    assert caught.value.key == "data.restore.error.manifest_damaged"
    assert caught.value.__cause__ is not None and not isinstance(caught.value.__cause__, ValidationError)
    assert not target.exists()
