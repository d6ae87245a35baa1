"""Names of domain values in both languages (issue 17 item 5): table value_labels, research/data/labels.py.

The stored value stays the key; these tests pin the mapping, the checks on names, the audit
and undo of a change, the CLI and the Data page's Names view.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import cli
from page_helpers import assert_clean, run_app

from research.data import labels, undo
from research.errors import ValidationError
from research.i18n import error_text, t
from research.store import Store


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def test_the_demo_names_every_value_it_uses_in_serbian(demo: Store) -> None:
    listed = labels.list_labels(demo)
    assert set(listed["domain"]) == set(labels.DOMAINS)
    assert listed["label_sr"].notna().all(), listed[listed["label_sr"].isna()]
    assert (listed["rows"] > 0).all(), "every demo name belongs to a value the data uses"
    sr = labels.labels_for(demo, "sr")
    assert sr("industry", "Food & beverage") == "Храна и пиће"
    assert sr("unit", "piece") == "комад"
    assert labels.labels_for(demo, "en")("industry", "Food & beverage") == "Food & beverage"


def test_values_without_a_name_blanks_and_frames_map_as_shown(demo: Store) -> None:
    sr = labels.labels_for(demo, "sr")
    assert sr("industry", "Shipbuilding") == "Shipbuilding", "an unnamed value is shown as stored"
    assert sr("industry", None) == "" and sr("region", float("nan")) == ""
    frame = pd.DataFrame({"industry": ["Pharma", None, "Shipbuilding"], "region": ["Western Balkans"] * 3, "n": [1, 2, 3]})
    shown = sr.frame(frame, {"industry": "industry", "region": "region", "absent": "unit"})
    assert shown["industry"].tolist()[0] == "Фармација" and pd.isna(shown["industry"].tolist()[1])
    assert shown["industry"].tolist()[2] == "Shipbuilding"
    assert set(shown["region"]) == {"Западни Балкан"} and shown["n"].tolist() == [1, 2, 3]
    assert frame["industry"].tolist()[0] == "Pharma", "the caller's frame is not changed"


def test_setting_names_is_audited_undoable_and_an_english_name_can_differ(demo: Store) -> None:
    with demo.transaction("ana") as tx:
        tx.execute("UPDATE accounts SET industry = 'AUTO' WHERE industry = 'Automotive'")
    changed = labels.set_label(demo, "ana", "industry", "AUTO", label_en="Automotive", label_sr="Аутомобилска")
    assert changed == 1
    assert labels.labels_for(demo, "en")("industry", "AUTO") == "Automotive"
    assert labels.labels_for(demo, "sr")("industry", "AUTO") == "Аутомобилска"
    batch = demo.query_value("SELECT max(batch_id) FROM audit_log WHERE table_name = 'value_labels'")
    undo.undo_batch(demo, int(batch), "ana")
    assert labels.labels_for(demo, "sr")("industry", "AUTO") == "AUTO"


def test_a_serbian_name_alone_keeps_the_english_and_empty_names_remove_the_row(demo: Store) -> None:
    labels.set_label(demo, "ana", "region", "Western Balkans", label_sr="Балкан")
    row = demo.query_rows("SELECT label_en, label_sr FROM value_labels WHERE value = 'Western Balkans'")[0]
    assert row == {"label_en": "Western Balkans", "label_sr": "Балкан"}
    assert labels.set_labels(demo, "ana", [("region", "Western Balkans", "", "  ")]) == 1
    assert not demo.query_rows("SELECT * FROM value_labels WHERE value = 'Western Balkans'")
    assert labels.list_labels(demo, "region", missing=True)["value"].tolist() == ["Western Balkans"]


def test_bad_rows_are_refused_with_their_row_and_nothing_is_saved(demo: Store) -> None:
    before = demo.query_rows("SELECT * FROM value_labels ORDER BY id")
    with pytest.raises(ValidationError) as refused:
        labels.set_labels(demo, "ana", [("industry", "Pharma", "Pharma", "Фарма"), ("colour", "red", "Red", "Црвена")])
    assert "Row 2" in refused.value.message and "colour" in refused.value.message
    assert error_text(refused.value, "sr")[1].startswith("Ред 2")
    with pytest.raises(ValidationError, match="longer than 200"):
        labels.set_labels(demo, "ana", [("unit", "kg", "kg", "к" * 201)])
    with pytest.raises(ValidationError, match="Row 1: the value is empty"):
        labels.set_labels(demo, "ana", [("unit", " ", "x", "y")])
    assert demo.query_rows("SELECT * FROM value_labels ORDER BY id") == before


def test_csv_round_trip_and_a_wrong_header_is_refused(demo: Store, tmp_path: Path) -> None:
    text = labels.to_csv(labels.list_labels(demo, "unit"))
    edited = text.replace(",комад", ",ком.")
    assert edited != text
    assert labels.set_labels(demo, "ana", labels.read_csv(edited.encode("utf-8-sig"))) == 1
    assert labels.labels_for(demo, "sr")("unit", "piece") == "ком."
    with pytest.raises(ValidationError, match="domain, value, label_en"):
        labels.read_csv(b"kind;value;name\nunit;kg;kilo\n")


def test_cli_lists_sets_imports_and_refuses(demo_copy: Path, tmp_path: Path) -> None:
    db = str(demo_copy)
    shown = cli("label", "list", "region", "--db", db)
    assert shown.returncode == 0 and "Western Balkans" in shown.stdout and "Западни Балкан" in shown.stdout
    assert cli("label", "set", "industry", "Pharma", "--sr", "Фарма", "--db", db).returncode == 0
    assert "Фарма" in cli("label", "list", "industry", "--db", db).stdout
    names = tmp_path / "names.csv"
    names.write_text("domain,value,label_en,label_sr\nregion,Central Europe,Central Europe,Средња Европа\n",
                     encoding="utf-8")
    done = cli("label", "import", str(names), "--db", db)
    assert done.returncode == 0 and "1 name(s) changed" in done.stdout
    assert "Средња Европа" in cli("label", "list", "region", "--csv", "--db", db).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("domain,value,label_en,label_sr\nplanet,Mars,Mars,Марс\n", encoding="utf-8")
    refused = cli("label", "import", str(bad), "--db", db)
    assert refused.returncode == 1 and "Row 1" in refused.stderr and "planet" in refused.stderr
    missing = cli("label", "remove", "unit", "furlong", "--db", db)
    assert missing.returncode == 1 and "furlong" in missing.stderr
    assert cli("label", "set", "unit", "kg", "--db", db).returncode == 1, "a name to set is required"


def _names_page(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str = "en"):  # noqa: ANN202
    at = run_app(db, monkeypatch, page="data", lang=lang)
    at.session_state["data_view"] = "labels"
    at.run()
    assert_clean(at)
    return at


def test_names_view_saves_typed_names_and_says_what_is_missing(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        with store.transaction("ana") as tx:
            tx.execute("UPDATE accounts SET region = 'Nordics' WHERE id <= 3")
    finally:
        store.close()
    at = _names_page(demo_copy, monkeypatch, "sr")
    at.selectbox(key="data_labels_domain").select("region").run()
    assert_clean(at)
    assert t("data.labels.missing", "sr", n="1", total="4") in [c.value for c in at.caption]
    grid = at.session_state["data_labels_grid_region"] if "data_labels_grid_region" in at.session_state else None
    assert grid is None or not grid.get("edited_rows")
    values = ["Central Europe", "Nordics", "South-East EU", "Western Balkans"]
    at.session_state["data_labels_grid_region"] = {"edited_rows": {values.index("Nordics"): {"label_sr": "Нордијске земље"}},
                                                   "added_rows": [], "deleted_rows": []}
    at.button(key="data_labels_save").click().run()
    assert_clean(at)
    assert at.success[0].value == t("data.labels.saved", "sr", n="1")
    assert t("data.labels.all_named", "sr") in [c.value for c in at.caption]
    store = Store.open(str(demo_copy))
    try:
        assert labels.labels_for(store, "sr")("region", "Nordics") == "Нордијске земље"
    finally:
        store.close()
