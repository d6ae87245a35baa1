"""The monthly report's signals section (issue 20): the month's signals by kind, per company and by triage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from research.demo import DEMO_TODAY
from research.i18n import t
from research.present import report
from research.present.model import RenderContext
from research.signals import records
from research.signals.demo import fill_demo_inbox
from research.store import Store


def _section(store: Store, month: str, lang: str):  # noqa: ANN202
    deck = report.build_report(store, month, RenderContext(language=lang, today=dt.date(2026, 11, 20)))
    found = [s for s in deck.slides if s.content.title == t("report.signals.title", lang)]
    assert len(found) == 1
    return found[0].content, deck


def test_the_report_counts_the_months_signals_per_company_and_triage(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        fill_demo_inbox(store, "ana", today=DEMO_TODAY)
        start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
        kinds = records.kind_counts(store, start=start, end=end)
        counts = records.counts_by_company(store, start=start, end=end)
        assert sum(kinds.values()) > 0
        content, deck = _section(store, "2026-10", "en")
        assert content.text.startswith(f"{sum(kinds.values())} signals in October 2026")
        assert f"waiting in the inbox: {int(counts['new'].sum())}" in content.text
        shown = counts[counts["total"] > 0]
        assert content.table["Total"].tolist() == shown["total"].tolist()
        assert sum(content.native.series[0].values) == sum(kinds.values()), "the chart adds up to the month's signals"
        assert content.text.split(".")[0] in deck.slides[0].content.text, "the summary slide carries the headline"
        serbian, _ = _section(store, "2026-10", "sr")
        assert serbian.text.startswith("Сигнала у октобру 2026") and t("signals.kind.lost_deal", "sr") in serbian.text
        empty, _ = _section(store, "2025-01", "en")
        assert empty.text == t("report.signals.none", "en", in_month="in January 2025") and empty.table is None
    finally:
        store.close()
