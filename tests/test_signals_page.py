"""The Signals page (AppTest): the inbox in both languages, triage by click (accept, attach, dismiss,
bulk), the empty state, rules, viewers read-only, scraped text shown as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from page_helpers import ROOT, assert_clean, run_app
from streamlit.testing.v1 import AppTest
from sweep_helpers import report, seen_in_app, vocabulary

from research.competitors import swot
from research.signals import records
from research.signals.generate import generate_signals
from research.signals.rules import list_rules
from research.store import Store

TODAY = dt.date(2026, 11, 2)  # the demo's today


@pytest.fixture
def db(demo_copy: Path) -> Path:
    with Store.open(str(demo_copy)) as store:
        generate_signals(store, "demo", today=TODAY)
    return demo_copy


def signals_of(db: Path, **filters: object) -> list[records.Signal]:
    with Store.open(str(db)) as store:
        return records.list_signals(store, **filters)


def widget_keys(at: AppTest) -> set[str]:
    return {w.key for w in [*at.button, *at.toggle, *at.text_area, *at.text_input, *at.selectbox]}


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_inbox_lists_signals_newest_first_with_counts_and_a_detail(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(db, monkeypatch, page="signals")
    assert_clean(at)
    assert metrics(at) == {"New": "50", "Accepted": "0", "Attached": "0", "Dismissed": "0"}
    table = at.dataframe[0].value
    newest = signals_of(db)
    assert list(table["#"]) == [s.id for s in newest]
    assert list(table.columns) == ["#", "Date", "Kind", "Company", "Proposed quadrant", "Proposed statement", "Evidence",
                                   "Status"]
    assert at.selectbox(key="signals_pick").value == newest[0].id
    assert f"signals_{newest[0].id}_accept" in widget_keys(at)

    at.selectbox(key="signals_kind").select("stale_item").run()
    assert metrics(at)["New"] == "4" and set(at.dataframe[0].value["Kind"]) == {"SWOT item stale"}
    assert "Still true?" in " ".join(c.value for c in at.caption)


def test_the_inbox_and_rules_in_serbian_show_no_english(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(str(db)) as store:
        vocab = vocabulary(store)
    for state in ({}, {"signals_kind": "price_move"}, {"signals_view": "rules"}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        monkeypatch.setenv("VANTAGE_DB", str(db))
        at.session_state["vantage_lang"] = "sr"
        at.run()
        at.switch_page("pages/signals.py")
        for key, value in state.items():
            at.session_state[key] = value
        at.run()
        assert_clean(at)
        offences = vocab.offences(seen_in_app(at))
        assert not offences, report(f"signals {state}", offences)
    assert metrics(run_app(db, monkeypatch, page="signals", lang="sr"))["Ново"] == "50"


def test_accept_an_edited_draft_by_click(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(db, monkeypatch, page="signals")
    at.selectbox(key="signals_kind").select("price_move").run()
    chosen = at.selectbox(key="signals_pick").value
    at.selectbox(key=f"signals_{chosen}_quadrant").select("O")
    at.text_area(key=f"signals_{chosen}_statement").input("Their cut on board sheets: pitch our lead times")
    at.button(key=f"signals_{chosen}_accept").click().run()
    assert_clean(at)
    signal = signals_of(db, ids=[chosen])[0]
    assert signal.status == "accepted" and f"is now SWOT item {signal.item_id}" in at.success[0].value
    with Store.open(str(db)) as store:
        item = swot.get_item(store, signal.item_id)
    assert (item.quadrant, item.statement, item.company_id) == (
        "O", "Their cut on board sheets: pitch our lead times", signal.company_id)
    assert metrics(at)["New"] == "4"  # the kind filter still on: 5 price moves, one accepted


def test_attach_a_stale_signal_to_its_item_by_click(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(db, monkeypatch, page="signals")
    at.selectbox(key="signals_kind").select("stale_item").run()
    chosen = at.selectbox(key="signals_pick").value
    signal = signals_of(db, ids=[chosen])[0]
    assert at.selectbox(key=f"signals_{chosen}_item").value == signal.evidence["item_id"]  # its own item first
    assert f"signals_{chosen}_accept" not in widget_keys(at)  # a stale item is re-verified, not added again
    at.button(key=f"signals_{chosen}_attach").click().run()
    assert_clean(at)
    with Store.open(str(db)) as store:
        item = swot.get_item(store, signal.evidence["item_id"])
    assert item.observed_on == dt.date.today() and not item.stale


def test_dismiss_needs_a_reason_and_bulk_mode_dismisses_several(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(db, monkeypatch, page="signals")
    chosen = at.selectbox(key="signals_pick").value
    at.button(key=f"signals_{chosen}_dismiss").click().run()
    assert "the reason is empty" in at.error[0].value and signals_of(db, ids=[chosen])[0].status == "new"

    at.toggle(key="signals_bulk").set_value(True).run()
    picks = [s.id for s in signals_of(db, kind="lost_deal")][:3]
    at.multiselect(key="signals_bulk_pick").set_value(picks).run()
    at.text_input(key="signals_bulk_reason").input("Lost in the spring tender round")
    at.button(key="signals_bulk_dismiss").click().run()
    assert_clean(at)
    assert {s.status for s in signals_of(db, ids=picks)} == {"dismissed"}
    assert "3 signals dismissed" in at.success[0].value
    assert metrics(at) == {"New": "47", "Accepted": "0", "Attached": "0", "Dismissed": "3"}

    at.toggle(key="signals_bulk").set_value(False)
    at.selectbox(key="signals_status").select("dismissed").run()
    at.selectbox(key="signals_pick").select(picks[0]).run()
    assert any("Lost in the spring tender round" in i.value for i in at.info)  # what became of it
    assert f"signals_{picks[0]}_dismiss" not in widget_keys(at)


def test_bulk_accept_from_the_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(db, monkeypatch, page="signals")
    at.selectbox(key="signals_kind").select("price_move").run()
    at.toggle(key="signals_bulk").set_value(True).run()
    picks = [s.id for s in signals_of(db, kind="price_move")][:2]
    at.multiselect(key="signals_bulk_pick").set_value(picks).run()
    at.button(key="signals_bulk_accept").click().run()
    assert_clean(at)
    assert [s.status for s in signals_of(db, ids=picks)] == ["accepted", "accepted"]


def test_an_empty_inbox_says_where_signals_come_from(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="signals", lang="sr")
    assert_clean(at)
    assert "Још нема сигнала" in at.info[0].value and not at.dataframe
    at.button(key="signals_refresh").click().run()  # the clock's month: the demo's SWOT items that went stale
    assert_clean(at)
    assert at.success and at.dataframe


def test_rules_are_changed_on_the_page(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(db, monkeypatch, page="signals")
    at.session_state["signals_view"] = "rules"
    at.run()
    at.number_input(key="signals_rule_threshold_price_move").set_value(7.5)
    at.number_input(key="signals_rule_window_price_move").set_value(45)
    at.button(key="signals_rule_save_price_move").click().run()
    assert_clean(at)
    with Store.open(str(db)) as store:
        rule = list_rules(store)["price_move"]
    assert (rule.threshold, rule.window_days, rule.is_default) == (pytest.approx(0.075), 45, False)
    assert list(at.dataframe[0].value.iloc[0])[-3:] == ["7.5%", "45", "this workspace"]


SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie-secret-of-some-length",
             "client_id": "vantage", "client_secret": "secret",
             "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"},
    "vantage": {"roles": {"editors": ["editor@example.com"], "viewers": ["@example.com"]}},
}


def test_viewers_read_the_inbox_but_cannot_triage(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = SECRETS
    at.user = {"is_logged_in": True, "email": "viewer@example.com", "email_verified": True}
    at.run()
    at.switch_page("pages/signals.py").run()
    assert_clean(at)
    chosen = at.selectbox(key="signals_pick").value
    assert at.dataframe and metrics(at)["New"] == "50"
    assert not widget_keys(at) & {"signals_refresh", "signals_bulk", f"signals_{chosen}_accept", f"signals_{chosen}_dismiss",
                        f"signals_{chosen}_statement", f"signals_{chosen}_reason"}
    assert "editors and admins triage it" in " ".join(c.value for c in at.caption)


def test_scraped_text_is_shown_as_text(store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with store.transaction("setup") as tx:
        rival = tx.insert("companies", {"name": "Rival <b>bold</b>"})
        watcher = tx.insert("watchers", {"url": "https://rival.example.com/news", "kind": "text",
                                         "label": "<img src=x onerror=alert(1)>", "company_id": rival["id"]})
        snapshot = tx.execute("INSERT INTO snapshots (watcher_id, run_id, fetched_at, status) "
                              "VALUES (?, 'r1', current_localtimestamp(), 'changed') RETURNING id", [watcher["id"]]).fetchone()[0]
        tx.insert("changes", {"watcher_id": watcher["id"], "snapshot_id": snapshot, "detected_at": dt.datetime.now(),
                              "field": "text", "diff": "-old\n+<script>alert(1)</script>"})
    generate_signals(store, "ana")
    path = store.database
    store.close()
    at = run_app(path, monkeypatch, page="signals")
    assert_clean(at)
    assert "+<script>alert(1)</script>" in at.code[0].value
    assert "<img src=x onerror=alert(1)>" in " ".join(t.value for t in at.text)
    assert all("<img" not in m.value and "<script" not in m.value for m in at.markdown)
