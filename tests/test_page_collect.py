"""The Collect page under AppTest: add with Test, run with progress, change log, history chart, inbox merge."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app
from test_collect_support import LocalSite, _private_inbox, fast_policy, page, site  # noqa: F401

from research.collect import inbox
from research.collect.collector import collect_into_inbox
from research.collect.watchers import WatcherDraft, add_watcher
from research.i18n import t
from research.store import Store


def product_html(price: str) -> str:
    return (
        "<html><head><script type='application/ld+json'>{\"@type\":\"Product\",\"name\":\"Crate <b>42</b>\","
        f"\"offers\":{{\"price\":\"{price}\",\"priceCurrency\":\"EUR\"}}}}</script></head><body><h1>Crate</h1></body></html>"
    )


@pytest.fixture(autouse=True)
def _local_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_COLLECT_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("VANTAGE_COLLECT_HOST_INTERVAL", "0")
    monkeypatch.setenv("VANTAGE_COLLECT_TIMEOUT", "3")


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_empty_workspace_explains_what_to_do(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = run_app(demo_copy, monkeypatch, page="collect", lang=lang)
    assert_clean(at)
    assert at.title[0].value == t("page.collect", lang)
    assert at.info[0].value == t("collect.empty", lang)
    for view in ("add", "changes", "history"):
        at.session_state["collect_view"] = view
        at.run()
        assert_clean(at)


def test_add_test_save_run_and_see_the_change(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, site: LocalSite) -> None:
    site.routes["/crate"] = page(product_html("100.00"))
    at = run_app(demo_copy, monkeypatch, page="collect")
    at.session_state["collect_view"] = "add"
    at.run()
    at.text_input(key="collect_url").input(site.url("/crate"))
    at.selectbox(key="collect_product").select_index(1)
    at.button(key="FormSubmitter:collect_add_form-" + t("collect.form.test", "en")).click().run()
    assert_clean(at)
    shown = at.dataframe[0].value
    assert "100.00" in shown.iloc[:, 1].tolist() and "Crate <b>42</b>" in shown.iloc[:, 1].tolist()
    assert at.warning and t("collect.field.sku", "en") in at.warning[0].value  # missing fields are pointed out
    at.button(key="FormSubmitter:collect_add_form-" + t("collect.form.save", "en")).click().run()
    assert_clean(at)
    assert at.success[0].value == t("collect.saved", "en", id=1)

    at.session_state["collect_view"] = "watchers"
    at.run()
    at.button(key="collect_run_all").click().run()
    assert_clean(at)
    site.routes["/crate"] = page(product_html("120.00"))
    at.button(key="collect_run_all").click().run()
    assert_clean(at)
    statuses = at.dataframe[0].value.iloc[:, 1].tolist()
    assert statuses == [t("collect.status.changed", "en")]

    at.session_state["collect_view"] = "changes"
    at.run()
    assert_clean(at)
    changes = at.dataframe[0].value
    assert changes.iloc[0, 3] == t("collect.field.price", "en") and changes.iloc[0, 4] == "100.00" and changes.iloc[0, 5] == "120.00"

    at.session_state["collect_view"] = "history"
    at.run()
    assert_clean(at)
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "fetched_at" in spec and "diamond" in spec


def test_run_selected_and_remove_with_confirmation(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, site: LocalSite) -> None:
    site.routes["/a"] = page(product_html("1.00"))
    store = Store.open(str(demo_copy))
    try:
        first = add_watcher(store, "ana", WatcherDraft(url=site.url("/a")))
        add_watcher(store, "ana", WatcherDraft(url=site.url("/missing")))
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="collect", lang="sr")
    at.button(key="collect_run_selected").click().run()
    assert at.warning[0].value == t("collect.nothing_selected", "sr")
    at.multiselect(key="collect_selected").select(first.id)
    at.button(key="collect_run_selected").click().run()
    assert_clean(at)
    assert at.dataframe[0].value.iloc[:, 1].tolist() == [t("collect.status.new", "sr"), t("collect.status.never", "sr")]
    at.toggle(key="collect_remove_toggle").set_value(True).run()
    at.button(key="collect_remove_confirm").click().run()
    assert_clean(at)
    assert len(at.dataframe[0].value) == 1


def test_page_merges_results_a_cron_run_left_in_the_inbox(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, site: LocalSite) -> None:
    site.routes["/a"] = page(product_html("5.00"))
    store = Store.open(str(demo_copy))
    try:
        add_watcher(store, "ana", WatcherDraft(url=site.url("/a")))
    finally:
        store.close()
    watchers, conditional = inbox.load_exported_watchers()
    collect_into_inbox(watchers, conditional, policy=fast_policy())
    at = run_app(demo_copy, monkeypatch, page="collect")
    assert_clean(at)
    assert at.success[0].value == t("collect.merged", "en", recorded=1)
    assert at.dataframe[0].value.iloc[:, 1].tolist() == [t("collect.status.new", "en")]
    assert inbox.pending_batches() == []
