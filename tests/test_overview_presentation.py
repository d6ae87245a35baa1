"""Overview at presentation grade (issue 17): domain values in the viewer's language, Recent changes in words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research import market
from research.data.labels import labels_for
from research.i18n import MESSAGES, t
from research.present import decks
from research.store import Store

# Every table audit rows can name (each table of the schema but the log itself): a word each.
UNAUDITED = {"audit_log", "schema_version"}


def chart_rows(at: AppTest) -> list[dict]:
    """The rows of the page's one Vega-Lite chart as the browser gets them: Streamlit sends the
    datasets apart from the spec, as Arrow (any inlined in the spec are read too)."""
    [element] = at.get("vega_lite_chart")
    rows = [r for d in element.proto.datasets
            for r in pa.ipc.open_stream(d.data.data).read_all().to_pandas().to_dict("records")]
    spec = json.loads(element.proto.spec)
    return rows + [r for dataset in (spec.get("datasets") or {}).values() for r in dataset]


def demo_names(db: Path, domain: str) -> dict[str, str]:
    """The demo's stored values of `domain` -> their Serbian names."""
    store = Store.open(str(db))
    try:
        return dict(labels_for(store, "sr").names[domain])
    finally:
        store.close()


@pytest.mark.parametrize("dimension", ["industry", "region"])
def test_serbian_overview_charts_industries_and_regions_by_their_serbian_names(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, dimension: str
) -> None:
    names = demo_names(demo_copy, dimension)
    at = run_app(demo_copy, monkeypatch, lang="sr")
    at.button_group(key="overview_dimension").set_value(dimension).run()
    assert_clean(at)
    rows = chart_rows(at)
    shown = {r["segment_label"] for r in rows}
    assert shown and shown <= set(names.values()), shown  # every segment by its Serbian name
    assert not shown & set(names), "no stored English value on a Serbian chart"
    assert {r["segment"] for r in rows} <= set(names)  # the stored value stays the key under the label
    # The bars are sorted by the very labels the axis shows.
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert set(spec["layer"][0]["encoding"]["y"]["sort"]) == shown


def test_english_overview_keeps_the_english_names(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, lang="en")
    assert_clean(at)
    assert "Food & beverage" in {r["segment_label"] for r in chart_rows(at)}


def _change_a_slide_and_an_account(db: Path) -> tuple[str, str]:
    """A deck with a view slide whose notes change, and one account's status and industry changed."""
    store = Store.open(str(db))
    try:
        deck = decks.create_deck(store, "Marija", "Board meeting")
        slide = decks.add_view_slide(store, "Marija", deck.id, "overview.share", {"dimension": "region"}, title="")
        decks.update_slide(store, "Marija", slide.id, slide.version, notes="Say where we lead.")
        account = store.query_rows("SELECT id, name, version FROM accounts WHERE status = 'prospect' ORDER BY id LIMIT 1")[0]
        with store.transaction("Petar") as tx:
            tx.update("accounts", account["id"], {"status": "customer", "industry": "Pharma"},
                      expected_version=account["version"])
        return deck.name, account["name"]
    finally:
        store.close()


def _codes_and_tables(db: Path) -> set[str]:
    store = Store.open(str(db))
    try:
        tables = set(store.tables())
    finally:
        store.close()
    return tables | {"insert", "update", "delete", "bulk", "customer", "prospect", "lost", "None", "nan", "NaN"}


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_recent_changes_describe_a_slide_and_an_account_change_in_words(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    deck, account = _change_a_slide_and_an_account(demo_copy)
    at = run_app(demo_copy, monkeypatch, lang=lang)
    assert_clean(at)
    [changes] = [d.value for d in at.dataframe if t("col.what", lang) in d.value.columns]
    assert list(changes.columns) == [t(f"col.{c}", lang) for c in ("when", "who", "what", "item")]
    what, item = changes[t("col.what", lang)].tolist(), changes[t("col.item", lang)].tolist()
    verb = {a: t(f"action.{a}", lang).capitalize() for a in ("insert", "update", "bulk")}
    noun = {k: t(f"changes.thing.{k}", lang).split("|")[0] for k in ("accounts", "deck_slides", "decks")}
    # newest first: the account, the slide's notes, the slide added (the deck's version moves along)
    assert what[:4] == [f"{verb['update']}: {noun['accounts']}", f"{verb['update']}: {noun['deck_slides']}",
                        f"{verb['update']}: {noun['decks']}", f"{verb['insert']}: {noun['deck_slides']}"]
    assert item[:4] == [account, t("present.view.overview.share", lang), deck, t("present.view.overview.share", lang)]
    assert what[-1] == f"{verb['bulk']}: {t('changes.all_tables', lang)}"
    assert item[-1] == t("changes.demo_built", lang, seed=42)
    assert changes[t("col.who", lang)].tolist()[:2] == ["Petar", "Marija"]
    # No table name, action or status code, no None/NaN, no empty cell anywhere in the table.
    raw = _codes_and_tables(demo_copy)
    for column in changes.columns:
        for cell in changes[column].astype(str):
            assert cell.strip(), (column, cell)
            words = set(re.findall(r"[A-Za-z_]+", cell))
            assert not words & raw, (column, cell)


def test_every_table_an_audit_row_can_name_has_a_word_in_both_languages(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        tables = set(store.tables()) - UNAUDITED
    finally:
        store.close()
    missing = sorted(t_ for t_ in tables if f"changes.thing.{t_}" not in MESSAGES)
    assert not missing, missing
    for table in tables:
        english, serbian = MESSAGES[f"changes.thing.{table}"]
        assert len(english.split("|")) == 2 and len(serbian.split("|")) == 3, table  # one|other; one|few|other


def test_a_batch_is_counted_and_its_items_summarised(store: Store) -> None:
    with store.transaction("ana") as tx:
        for n in range(5):
            tx.insert("accounts", {"name": f"Firm {n}", "country": "RS", "region": "Western Balkans",
                                   "industry": "Pharma", "status": "prospect"})
    with store.transaction("ana") as tx:
        tx.insert("capabilities", {"company_id": tx.insert("companies", {"name": "Us", "is_us": True})["id"],
                                   "capability": "Delivery speed", "score": 4})
    labels = {"capability": {"Delivery speed": "Брзина испоруке"}}
    table = market.recent_changes_table(market.recent_changes(store), "sr",
                                        lambda domain, value: labels.get(domain, {}).get(value, value))
    assert table.to_dict("records")[0]["Шта"] == "Додато: оцена способности"
    assert table.to_dict("records")[0]["Ставка"] == "Брзина испоруке"  # a capability by its Serbian name
    assert table.to_dict("records")[2] | {"Када": ""} == {
        "Када": "", "Ко": "ana", "Шта": "Додато: 5 клијената", "Ставка": "Firm 4 и још 4"}


def test_a_change_without_a_name_shows_a_dash_not_none(store: Store) -> None:
    with store.transaction("ana") as tx:
        tx.audit("workspace_meta", "something_else", "update", None, {"key": "something_else"})
    table = market.recent_changes_table(market.recent_changes(store), "en")
    assert table.to_dict("records")[0]["What"] == "Changed: workspace setting"
    assert table.to_dict("records")[0]["Item"] == "–"
    assert not table.isna().any().any() and not (table == "None").any().any()
    assert isinstance(table, pd.DataFrame)
