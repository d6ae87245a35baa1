"""The layers of research/ hold (docs/ARCHITECTURE.md, issue 16 item 2).

import-linter checks the contracts of .importlinter on the real import graph of `research`
(imports inside functions included). Each contract is also shown to break when an import
it forbids is planted into that graph, so a contract that can no longer fail is caught too.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter import api as importlinter_api
from importlinter.application import output
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"
CONTRACT_TYPES: dict[str, type[Contract]] = {"layers": LayersContract, "forbidden": ForbiddenContract}
# The modules the store may import: the rules below it (everything else of research is above).
STORE_MAY_IMPORT = {"research.config", "research.errors", "research.permissions"}


@pytest.fixture(scope="module")
def config() -> dict:
    return importlinter_api.read_configuration(str(CONFIG))


@pytest.fixture(scope="module")
def graph(config: dict) -> grimp.ImportGraph:
    options = config["session_options"]
    return grimp.build_graph(
        *options["root_packages"],
        include_external_packages=options["include_external_packages"] == "True",
        cache_dir=None,
    )


def _contracts(config: dict) -> dict[str, Contract]:
    return {
        options["id"]: CONTRACT_TYPES[options["type"]](
            name=options["name"], session_options=config["session_options"], contract_options=options
        )
        for options in config["contracts_options"]
    }


def _broken(config: dict, graph: grimp.ImportGraph) -> dict[str, str]:
    """The contracts `graph` breaks: id -> import-linter's own account of the violations."""
    found = {}
    for contract_id, contract in _contracts(config).items():
        check = contract.check(copy.deepcopy(graph), verbose=False)
        if not check.kept:
            with output.console.capture() as captured:
                contract.render_broken_contract(check)
            found[contract_id] = captured.get() or str(check.metadata)
    return found


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_the_contracts_are_those_the_architecture_names(config: dict) -> None:
    assert {(c["id"], c["type"]) for c in config["contracts_options"]} == {
        ("layers", "layers"), ("headless", "forbidden"), ("charts", "forbidden"), ("store", "forbidden"),
    }


def test_research_keeps_every_contract(config: dict, graph: grimp.ImportGraph) -> None:
    broken = _broken(config, graph)
    assert not broken, "\n\n".join(f"contract {name} is broken:\n{text}" for name, text in broken.items())


def test_the_forbidden_lists_cover_every_package_of_research(config: dict, graph: grimp.ImportGraph) -> None:
    """A new package is placed in the layers (the layers contract is exhaustive) and must be in these lists too."""
    options = {c["id"]: c for c in config["contracts_options"]}
    children = graph.find_children("research")
    assert "research.permissions" in children and "research.ui" in children
    assert set(_listed(options["headless"]["source_modules"])) == children - {"research.ui"}
    assert set(_listed(options["store"]["forbidden_modules"])) == children - STORE_MAY_IMPORT - {"research.store"}


@pytest.mark.parametrize(
    ("importer", "imported", "breaks"),
    [
        # the store calling up into the domains (as it did for the pre-migration backup)
        ("research.store.core", "research.data.backup", {"layers", "store"}),
        # the store importing the access package, which builds on the store (a cycle)
        ("research.store.core", "research.access.roles", {"layers", "store"}),
        # the rules below the store importing it
        ("research.permissions", "research.store.core", {"layers"}),
        # a chart builder reaching into a domain for a threshold
        ("research.charts.theme", "research.segments.rules", {"layers", "charts"}),
        # a chart builder translating its own titles (they come in as arguments)
        ("research.charts.market", "research.i18n", {"layers", "charts"}),
        # a domain importing the UI: streamlit reached through research.ui
        ("research.data.entities", "research.ui.widgets", {"layers", "headless"}),
        # a domain importing streamlit itself
        ("research.market", "streamlit", {"headless"}),
        # the CLI may import any layer, but not what loads streamlit
        ("research.cli", "research.ui.context", {"headless"}),
        # a domain importing present (above it)
        ("research.segments.rules", "research.present.decks", {"layers"}),
        # domains below importing those above them
        ("research.data.fields", "research.compare.data", {"layers"}),
        ("research.market", "research.compare.views", {"layers"}),
    ],
)
def test_a_planted_import_breaks_its_contracts(
    config: dict, graph: grimp.ImportGraph, importer: str, imported: str, breaks: set[str]
) -> None:
    planted = copy.deepcopy(graph)
    assert importer in planted.modules and imported in planted.modules
    planted.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    broken = _broken(config, planted)
    assert set(broken) == breaks
    assert importer in "".join(broken.values())


def test_a_module_placed_in_no_layer_breaks_the_layers(config: dict, graph: grimp.ImportGraph) -> None:
    planted = copy.deepcopy(graph)
    planted.add_module("research.unplaced")
    broken = _broken(config, planted)
    assert set(broken) == {"layers"} and "research.unplaced" in broken["layers"]


def test_every_exception_is_documented(config: dict) -> None:
    """Each ignored import is named in docs/ARCHITECTURE.md, which says who removes it and when."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    ignored = {rule for c in config["contracts_options"] for rule in _listed(c.get("ignore_imports", []))}
    missing = sorted(rule for rule in ignored if f"`{rule}`" not in text)
    assert not missing, f"not in docs/ARCHITECTURE.md: {missing}"


def test_entities_load_no_altair() -> None:
    """Data entry builds on the CSV rules of research.exports, which loads altair only for a chart image."""
    probe = "import sys\nimport research.data.entities\nprint(sorted(m for m in ('altair', 'vl_convert') if m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_raw_html_is_only_our_own_static_css() -> None:
    """st.html renders raw HTML: only module-level *_CSS constants built from layout numbers reach it,
    never stored or scraped text (docs/SECURITY.md: user text is never rendered as raw HTML)."""
    import ast
    import importlib

    root = Path(__file__).resolve().parent.parent
    calls = []
    for path in [*root.glob("research/**/*.py"), *root.glob("pages/*.py"), root / "app.py"]:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "html"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"):
                calls.append((path.relative_to(root), node.args[0]))
    assert calls, "the check must see the st.html calls it guards"
    names = set()
    for where, arg in calls:
        parts = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
        for part in parts:
            assert isinstance(part, (ast.Name, ast.Attribute)), f"{where}: st.html takes something other than a constant"
            name = part.id if isinstance(part, ast.Name) else part.attr
            assert name.isupper() and name.endswith("_CSS"), f"{where}: st.html({name})"
            names.add(name)
    present = importlib.import_module("research.ui.present")
    for name in names:
        css = getattr(present, name)
        assert css.strip().startswith("<style>") and css.strip().endswith("</style>") and css.count("<") == 2, name
