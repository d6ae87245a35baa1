"""The Data page's deals under AppTest, in English and Serbian: deals in the table picker, reasons shown
by their names in the viewer's language, a reasons edit saved as one batch, an unknown reason refused
at its row."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.i18n import t
from research.store import Store
from research.ui.data import PROBLEMS_COLUMN


def _rows(db: Path, sql: str, params: list | None = None) -> list[dict]:
    store = Store.open(str(db))
    try:
        return store.query_rows(sql, params)
    finally:
        store.close()


def _deals_grid(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str, search: str) -> AppTest:
    at = run_app(db, monkeypatch, page="data", lang=lang)
    at.session_state["data_entity"] = "deals"
    at.run()
    at.text_input(key="data_search").input(search).run()
    assert_clean(at)
    return at


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_deals_are_a_table_of_the_data_page_with_reasons_in_the_viewers_language(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = _deals_grid(demo_copy, monkeypatch, lang, "Kartonaža Sava")
    picker = at.selectbox(key="data_entity")
    assert t("data.entity.deals", lang) in picker.options
    grid = at.dataframe[0].value
    assert set(grid["competitor_id"]) == {"Kartonaža Sava"}
    shown = {part for cell in grid["reasons"].dropna() for part in cell.split("; ")}
    expected = {"en": {"Price", "Relationship"}, "sr": {"Цена", "Однос с купцем"}}[lang]
    assert expected <= shown and not ({"price", "relationship"} & shown)
    # deals lost to them and won from them (a won deal names the competitor we displaced), by their names
    assert set(grid["outcome"]) == {t("data.choice.outcome.lost", lang), t("data.choice.outcome.won", lang)}
    offered = "Price, Quality, Lead time" if lang == "en" else "Цена, Квалитет, Рок испоруке"
    assert any(offered in c.value for c in at.caption)


def test_a_reasons_edit_in_serbian_is_saved_as_one_batch(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _deals_grid(demo_copy, monkeypatch, "sr", "GreenFold")
    deal = int(at.dataframe[0].value["id"].iloc[0])
    at.session_state["data_grid"] = {"edited_rows": {0: {"reasons": "Квалитет; Рок испоруке"}}, "added_rows": [],
                                     "deleted_rows": []}
    at.run()
    assert any(t("data.pending", "sr", changed=1, added=0, deleted=0)[:20] in i.value for i in at.info)
    at.button(key="data_save").click().run()
    assert_clean(at)
    codes = [r["code"] for r in _rows(demo_copy, "SELECT r.code FROM deal_reason_links l JOIN deal_reasons r "
                                                 "ON r.id = l.reason_id WHERE l.deal_id = ? ORDER BY r.position", [deal])]
    assert codes == ["quality", "lead_time"]
    assert "quality" not in " ".join(str(v) for v in at.dataframe[0].value["reasons"])


def test_an_unknown_reason_is_refused_at_its_row_in_the_viewers_language(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _deals_grid(demo_copy, monkeypatch, "sr", "GreenFold")
    before = _rows(demo_copy, "SELECT count(*) AS n FROM audit_log")[0]["n"]
    at.session_state["data_grid"] = {"edited_rows": {0: {"reasons": "Цена; Попуст"}}, "added_rows": [],
                                     "deleted_rows": []}
    at.button(key="data_save").click().run()
    assert not at.exception
    assert at.error[0].value.startswith(t("data.problems_in_rows", "sr", count=1, rows=1)[:20])
    note = at.dataframe[0].value[PROBLEMS_COLUMN].iloc[0]
    assert note.startswith(t("data.field.reasons", "sr") + " (Попуст): ")
    assert "Рок испоруке" in note and "Lead time" not in note
    assert _rows(demo_copy, "SELECT count(*) AS n FROM audit_log")[0]["n"] == before
