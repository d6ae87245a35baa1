"""Overview's signals per competitor (issue 20): counts by status for each competitor, and an empty state."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app

from research.demo import DEMO_TODAY
from research.i18n import t
from research.signals import records
from research.signals.demo import fill_demo_inbox
from research.store import Store


def _signals_table(at):  # noqa: ANN001, ANN202
    total = t("signals.col.total", at.session_state["vantage_lang"])
    found = [d.value for d in at.dataframe if total in d.value.columns]
    return found[0] if found else None


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_overview_counts_signals_per_competitor(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    store = Store.open(str(demo_copy))
    try:
        fill_demo_inbox(store, "ana", today=DEMO_TODAY)
        counts = records.counts_by_company(store)
    finally:
        store.close()
    rivals = counts[(~counts["is_us"]) & (counts["total"] > 0)]
    at = run_app(demo_copy, monkeypatch, page="overview", lang=lang)
    assert_clean(at)
    table = _signals_table(at)
    assert table is not None
    assert table[t("signals.col.company", lang)].tolist() == rivals["company"].tolist(), "competitors only, ours left out"
    assert table[t("signals.col.total", lang)].tolist() == rivals["total"].tolist()
    waiting = int(counts["new"].sum())
    assert any(str(waiting) in c.value and c.value.startswith(t("overview.signals.caption", lang, n="")[:20])
               for c in at.caption)


def test_overview_without_signals_says_how_they_come(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch, page="overview")
    assert_clean(at)
    assert _signals_table(at) is None
    assert t("overview.signals.empty", "en") in [i.value for i in at.info]
