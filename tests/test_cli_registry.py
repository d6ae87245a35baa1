"""The CLI's explicit command registry (issue 16 item 5): one table of commands, modules loaded on demand."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from research import cli

ROOT = Path(__file__).resolve().parent.parent


def registered(module_name: str) -> dict[str, str]:
    """What a command module really registers: command -> its help line."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db")
    common.add_argument("--actor")
    importlib.import_module(module_name).register(sub, common)
    helps = {action.dest: action.help for action in sub._choices_actions}
    return {name: helps.get(name) for name in sub.choices}


@pytest.mark.parametrize("module_name", cli.COMMAND_MODULES)
def test_the_registry_lists_exactly_what_each_module_registers(module_name: str) -> None:
    listed = {name: text for name, (module, text) in cli.COMMANDS.items() if module == module_name}
    assert listed == registered(module_name)


def test_help_and_version_load_no_data_libraries() -> None:
    probe = (
        "import sys\n"
        "from research import cli\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try:\n"
        "        cli.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('pandas', 'altair', 'lxml', 'requests', 'sklearn', 'research.demo') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_info_opens_a_workspace_without_pandas(demo_copy: Path) -> None:
    probe = (
        "import sys\n"
        "from research import cli\n"
        f"code = cli.main(['info', '--db', {str(demo_copy)!r}])\n"
        "print(code, 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "0 False"


def test_each_command_still_parses_and_runs_through_main(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["segment", "list", "--db", str(demo_copy)]) == 0
    assert cli.main(["field", "list", "--db", str(demo_copy)]) == 0
    with pytest.raises(SystemExit) as exited:
        cli.main(["no-such-command"])
    assert exited.value.code == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["info"], ["compare", "summary"], ["deck", "list"], ["company", "list"], ["watch", "list"],
    ["query", "SELECT 1"], ["field", "list"], ["dataset", "list"], ["report", "--out", "report.md"],
    ["segment", "list"], ["batches"], ["undo", "1"], ["backup", "--out", "backup"],
])
def test_every_command_refuses_a_workspace_that_does_not_exist_the_same_way(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo.duckdb"
    assert cli.main([*argv, "--db", str(missing)]) == 1
    assert "There is no workspace at typo.duckdb; check --db" in capsys.readouterr().err
    assert not missing.exists()
