"""The Collect page's Test explains each field as `extract --explain` does, in English and Serbian.

Pages come from a real local HTTP server or are uploaded as a saved file; the expected
candidates are read from the extractor itself (`extract_page(...).evidence`), so the page
is checked to show the extractor's decision, not one of its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest
from test_collect_support import FIXTURES, LocalSite, fixture_page, page, site  # noqa: F401

from research.collect import views
from research.collect.extract import extract_page
from research.collect.fetch import decode_body
from research.i18n import t
from research.ui.text import escape_markdown

TEST_BUTTON = "FormSubmitter:collect_add_form-{}"


@pytest.fixture(autouse=True)
def _local_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_COLLECT_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("VANTAGE_COLLECT_HOST_INTERVAL", "0")
    monkeypatch.setenv("VANTAGE_COLLECT_TIMEOUT", "3")


def _add_view(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> AppTest:
    at = run_app(db, monkeypatch, page="collect", lang=lang)
    at.session_state["collect_view"] = "add"
    at.run()
    return at


def _click_test(at: AppTest, lang: str) -> None:
    at.button(key=TEST_BUTTON.format(t("collect.form.test", lang))).click().run()
    assert_clean(at)


def _explained(at: AppTest, fields: list[str]) -> dict[str, tuple[str, object]]:
    """field -> (expander label, candidates frame), one expander per decided field in the extractor's order."""
    expanders = [e for e in at.expander if e.dataframe]
    assert len(expanders) == len(fields), [e.label for e in expanders]
    return {field: (e.label, e.dataframe[0].value) for field, e in zip(fields, expanders)}


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_test_shows_each_fields_candidates_sources_scores_and_the_winner(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, site: LocalSite, lang: str  # noqa: F811
) -> None:
    # A visible "SKU: MB-1294" label near the heading against the id in the address /p/4667999.
    site.routes["/p/4667999"] = fixture_page("us_heuristic_sale.html")
    url = site.url("/p/4667999")
    at = _add_view(demo_copy, monkeypatch, lang)
    at.text_input(key="collect_url").input(url)
    _click_test(at, lang)

    assert at.subheader[-1].value == t("collect.explain.title", lang)
    html = (FIXTURES / "us_heuristic_sale.html").read_text(encoding="utf-8")
    evidence = {d["field"]: d for d in extract_page(html, url=url).evidence}
    assert list(evidence) == ["price", "sku", "availability"]
    shown = _explained(at, list(evidence))

    cols = {c: t(f"collect.explain.col.{c}", lang) for c in ("chosen", "value", "source", "where", "score", "notes")}
    label, sku = shown["sku"]
    assert label == escape_markdown(t("collect.explain.heading", lang, field=t("collect.field.sku", lang), value="MB-1294",
                                      source=t("collect.source.page", lang)))
    # Every candidate the extractor weighed, best first, the winner marked and its source named.
    assert sku[cols["value"]].tolist() == [c["value"] for c in evidence["sku"]["candidates"]] == ["MB-1294", "4667999"]
    assert sku[cols["chosen"]].tolist() == ["✅", ""]
    assert sku[cols["source"]].tolist() == [t("collect.source.page", lang), t("collect.source.address", lang)]
    assert sku[cols["score"]].tolist() == (["1.00", "0.35"] if lang == "en" else ["1,00", "0,35"])
    labelled = t("collect.explain.d.labelled", lang, label="SKU")
    assert sku[cols["where"]].tolist() == [
        t("collect.explain.d.near", lang, what=labelled),
        t("collect.explain.d.segment_after", lang, segment="/p/"),
    ]

    _, price = shown["price"]
    assert price[cols["chosen"]].tolist() == ["✅"] and price[cols["value"]].tolist() == ["1299.00"]
    assert price[t("collect.explain.col.currency", lang)].tolist() == ["USD"]
    _, stock = shown["availability"]
    assert stock[cols["value"]].tolist() == [t("collect.availability.InStock", lang)]
    assert stock[cols["where"]].iloc[0] == t(
        "collect.explain.d.near", lang, what=t("collect.explain.d.stock_element", lang, text="In stock"))

    # Why the winner won, in one sentence: its source, its score and the runner-up's.
    reasons = [m.value for m in at.markdown]
    assert escape_markdown(t(
        "collect.explain.reason.beat", lang, source=t("collect.source.page", lang),
        where=t("collect.explain.d.near", lang, what=labelled), score="1.00" if lang == "en" else "1,00",
        runner="4667999", runner_source=t("collect.source.address", lang),
        runner_score="0.35" if lang == "en" else "0,35")) in reasons
    if lang == "sr":  # the explanation's own words are Serbian: no English sentence of the extractor shows
        for frame in (sku, price, stock):
            for cell in frame[[cols["where"], cols["notes"]]].to_numpy().ravel():
                assert not re.search(r"\b(the|near|page|address|words|element)\b", cell), cell


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_test_a_saved_page_explains_structured_data_and_agreement(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    # A windows-1251 page with microdata, loose itemprops and a visible price that agree.
    data = (FIXTURES / "rs_microdata_1251.html").read_bytes()
    at = _add_view(demo_copy, monkeypatch, lang)
    at.file_uploader(key="collect_file").set_value(("paleta.html", data, "text/html"))
    _click_test(at, lang)  # no address: the file is the page

    assert t("collect.test.ok_file", lang, file=escape_markdown("paleta.html")) in [m.value for m in at.markdown]
    evidence = {d["field"]: d for d in extract_page(decode_body(data, None)).evidence}
    shown = _explained(at, list(evidence))
    _, price = shown["price"]
    winner = evidence["price"]["candidates"][0]
    assert winner["source"] == "microdata"
    assert price.iloc[0][t("collect.explain.col.chosen", lang)] == "✅"
    assert price.iloc[0][t("collect.explain.col.value", lang)] == winner["value"] == "12499.90"
    assert price.iloc[0][t("collect.explain.col.source", lang)] == t("collect.source.microdata", lang)
    notes = price.iloc[0][t("collect.explain.col.notes", lang)]
    # The extractor's notes: shown as the current price, and the other sources that agree.
    assert t("collect.explain.n.shown", lang) in notes
    assert t("collect.explain.n.also_from", lang, sources=", ".join(
        [t("collect.source.itemprop", lang, name="itemprop"), t("collect.source.page", lang)])) in notes
    label, _ = shown["price"]
    assert label == escape_markdown(t("collect.explain.heading", lang, field=t("collect.field.price", lang),
                                      value="12499.90 RSD", source=t("collect.source.microdata", lang)))


def test_scraped_candidates_stay_plain_text(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, site: LocalSite) -> None:  # noqa: F811
    # Markdown and HTML in what the page shows reach the screen as typed, never as markup.
    site.routes["/item"] = page(
        "<html><body><h1>Box</h1><p class='price'>€ 12,50</p>"
        "<div class='product-code'>SKU: **AB_12**</div><p>In stock <img src=x onerror=alert(1)></p></body></html>")
    at = _add_view(demo_copy, monkeypatch, "en")
    at.text_input(key="collect_url").input(site.url("/item"))
    _click_test(at, "en")
    shown = _explained(at, ["price", "sku", "availability"])
    for label, frame in shown.values():
        assert "<" not in label.replace("\\<", "")  # any angle bracket in a label is escaped
    for markdown in at.markdown:
        assert "<img" not in markdown.value
    assert not at.get("html")


def test_test_a_saved_watcher_explains_without_recording(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, site: LocalSite  # noqa: F811
) -> None:
    from research.collect.watchers import WatcherDraft, add_watcher
    from research.store import Store

    site.routes["/p/4667999"] = fixture_page("us_heuristic_sale.html")
    store = Store.open(str(demo_copy))
    try:
        watcher = add_watcher(store, "ana", WatcherDraft(url=site.url("/p/4667999")))
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="collect", lang="sr")
    at.button(key="collect_test_selected").click().run()
    assert at.warning[0].value == t("collect.test_one", "sr")
    at.multiselect(key="collect_selected").select(watcher.id)
    at.button(key="collect_test_selected").click().run()
    assert_clean(at)
    assert _explained(at, ["price", "sku", "availability"])
    # Nothing was recorded: the watcher has still never run.
    table = at.dataframe[-1].value
    assert table[t("collect.col.status", "sr")].tolist() == [t("collect.status.never", "sr")]


def test_every_phrase_of_the_fixture_explanations_has_a_translation() -> None:
    """A new sentence shape in the extractor fails here until views.EXPLAIN_PHRASES knows it."""
    technical = re.compile(r'(Product[ .]\S+.*|<meta [^>]*>|itemprop="[\w:-]+".*|[\w:-]+="[^"]*")')
    unknown = set()
    for path in sorted(FIXTURES.glob("*.html")):
        html = decode_body(path.read_bytes(), None)
        for url in ("https://shop.example.rs/p/4667999", "https://shop.example.com/item?pid=260591-x"):
            for decision in extract_page(html, url=url).evidence:
                for candidate in decision["candidates"]:
                    for text in [candidate["detail"], *candidate.get("notes", [])]:
                        serbian = views.phrase_text(text, "sr")
                        if serbian == text and not technical.fullmatch(text):
                            unknown.add(text)
                        core = re.sub(r"“[^”]*”|\S+=\"[^\"]*\"|<[^>]*>|Product\S*|/\S*/", "", serbian)
                        if re.search(r"\b(the|near|page|address|of|from|and|words)\b", core):
                            unknown.add(text)
    assert not unknown, sorted(unknown)


@pytest.mark.parametrize(
    ("message", "key", "params"),
    [
        ("HTTP 404 Not Found", "collect.msg.http", {"code": "404"}),
        ("a bot check or captcha was served instead of the page", "collect.msg.captcha", {}),
        ("no complete answer within 1.5 s (total deadline)", "collect.msg.deadline", {"seconds": "1.5"}),
        ("HTTP 429: the site asks to wait 120 s; try later", "collect.msg.wait", {"code": "429", "seconds": "120"}),
    ],
)
def test_run_messages_read_in_serbian(message: str, key: str, params: dict) -> None:
    assert views.message_text(message, "sr") == t(key, "sr", **params)


def test_page_warnings_joined_by_semicolons_are_each_translated() -> None:
    joined = "name: not found on the page; price: not found on the page"
    assert views.message_text(joined, "sr") == "; ".join(
        t("collect.msg.not_found", "sr", field=t(f"collect.field.{f}", "sr")) for f in ("name", "price"))
    assert views.message_text("something new happened", "sr") == "something new happened"  # unknown: as it came
