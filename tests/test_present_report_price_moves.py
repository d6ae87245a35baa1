"""One price-move rule (issue 16 item 1): the Overview's moves, the monthly report's and
`market.price_moves_between` are one query, so for the same window they name the same moves, with
one tie-break (time, then id) and one reach back for the previous price (any time before).

Before, the report had its own query: ties broken by id there and not in the Overview, and the
Overview looked back only 3 × its window for a previous price, so the two disagreed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from research import market
from research.errors import ValidationError
from research.present.model import RenderContext
from research.present.report import build_report
from research.store import Store

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
# The newest observation, 1 µs before November: the Overview's 31 days (newest - 31 days, newest] are
# then exactly October, [1 Oct, 1 Nov) — the report's month.
NEWEST = dt.datetime(2026, 10, 31, 23, 59, 59, 999999)
SEPTEMBER = dt.datetime(2026, 9, 14, 9, 0)
MID_OCTOBER = dt.datetime(2026, 10, 14, 9, 0)


@pytest.fixture
def moving(store: Store) -> Store:
    """Prices on every edge of the rule, for us and two rivals."""

    def product(tx, company: int, name: str, category: str, prices: list[tuple[dt.datetime, str, str]],
                archived: bool = False) -> None:
        pid = tx.insert("products", {"company_id": company, "name": name, "category": category, "unit": "piece",
                                     "currency": "EUR", "archived": archived})["id"]
        for at, price, currency in prices:  # in this order: ids rise with it
            tx.insert("price_observations", {"product_id": pid, "price": price, "currency": currency,
                                             "observed_at": at})

    with store.transaction("ana") as tx:
        us = tx.insert("companies", {"name": "Us", "is_us": True})["id"]
        rival = tx.insert("companies", {"name": "Rival"})["id"]
        other = tx.insert("companies", {"name": "Other"})["id"]
        # Two prices taken at the same time in the month: the one stored second comes second, so 10 -> 11
        # is the move (in either order it would be two moves, 10 -> 11 -> 10 or the like).
        product(tx, rival, "Tie inside", "Boxes", [(SEPTEMBER, "10.00", "EUR"), (MID_OCTOBER, "10.00", "EUR"),
                                                   (MID_OCTOBER, "11.00", "EUR")])
        # Two prices at the same time before the month: the previous price is the one stored last (12), so
        # October's 12 is no move (against 10 it would be +20 %).
        product(tx, rival, "Tie before", "Boxes", [(SEPTEMBER, "10.00", "EUR"), (SEPTEMBER, "12.00", "EUR"),
                                                   (MID_OCTOBER, "12.00", "EUR")])
        # Nine months between two prices: the previous observation all the same (the Overview's 3 × 31
        # days did not reach it).
        product(tx, rival, "Long gap", " Bags ", [(dt.datetime(2026, 1, 5), "5.00", "EUR"),
                                                  (MID_OCTOBER, "9.00", "EUR")])
        # The month's first and last microsecond are in it; the microsecond before it is not.
        product(tx, other, "First instant", "  ", [(SEPTEMBER, "20.00", "EUR"),
                                                   (dt.datetime(2026, 10, 1), "21.00", "EUR")])
        product(tx, other, "Last instant", "", [(SEPTEMBER, "20.00", "EUR"), (NEWEST, "19.00", "EUR")])
        product(tx, other, "Just before", "Boxes", [(dt.datetime(2026, 8, 1), "20.00", "EUR"),
                                                    (dt.datetime(2026, 9, 30, 23, 59, 59, 999999), "30.00", "EUR")])
        product(tx, other, "Requoted", "Boxes", [(SEPTEMBER, "10.00", "EUR"), (MID_OCTOBER, "1170.00", "RSD")])
        product(tx, other, "Archived", "Boxes", [(SEPTEMBER, "10.00", "EUR"), (MID_OCTOBER, "20.00", "EUR")],
                archived=True)
        product(tx, us, "Our box", "Boxes", [(SEPTEMBER, "10.00", "EUR"), (MID_OCTOBER, "9.70", "EUR")])  # -3 %
        product(tx, us, "Our flat box", "Boxes", [(SEPTEMBER, "10.00", "EUR"), (MID_OCTOBER, "10.29", "EUR")])
    return store


def test_the_overview_and_the_month_name_the_same_moves_by_one_rule(moving: Store) -> None:
    overview = market.price_moves(moving, days=31)
    month = market.price_moves_between(moving, *OCTOBER)
    pd.testing.assert_frame_equal(overview, month)
    assert sorted(zip(month["product"], month["price"].astype(float), month["previous_price"].astype(float))) == [
        ("First instant", 21.0, 20.0), ("Last instant", 19.0, 20.0), ("Long gap", 9.0, 5.0), ("Our box", 9.7, 10.0),
        ("Tie inside", 11.0, 10.0),
    ]
    assert month["product"].tolist()[0] == "Last instant"  # newest first
    # a date is its midnight
    pd.testing.assert_frame_equal(month, market.price_moves_between(
        moving, dt.datetime(2026, 10, 1), dt.datetime(2026, 11, 1)))


def test_the_reports_price_slides_count_the_overviews_moves(moving: Store) -> None:
    overview = market.price_moves(moving, days=31)
    deck = build_report(moving, "2026-10", RenderContext(language="en", today=dt.date(2026, 11, 20)))
    slides = {s.content.title: s.content for s in deck.slides}

    by_company = slides["Price moves by competitor"].table.set_index("Company")
    expected = overview.assign(company=[market.company_label(c, bool(u), "en")
                                        for c, u in zip(overview["company"], overview["is_us"])])
    counts = expected.groupby("company")["change"].agg(moves="size", up=lambda s: int((s > 0).sum()))
    assert by_company["Moves"].to_dict() == {**counts["moves"].to_dict()}
    assert by_company["Increases"].to_dict() == counts["up"].to_dict()
    assert by_company["Cuts"].to_dict() == (counts["moves"] - counts["up"]).to_dict()
    assert slides["Price moves by competitor"].text.startswith("Prices moved 5 times in October 2026 by 3% or more")

    # Categories without the spaces around them; a blank one counts under "–".
    by_category = slides["Price moves by product category"].table.set_index("Category")["Moves"].to_dict()
    assert by_category == {"Boxes": 2, "Bags": 1, "–": 2}


def test_a_window_that_ends_before_it_starts_or_a_negative_threshold_is_refused(moving: Store) -> None:
    with pytest.raises(ValidationError, match="ends .* before it starts"):
        market.price_moves_between(moving, OCTOBER[1], OCTOBER[0])
    with pytest.raises(ValidationError, match="cannot be negative"):
        market.price_moves_between(moving, *OCTOBER, threshold=-0.01)
    assert market.price_moves_between(moving, OCTOBER[0], OCTOBER[0]).empty  # an empty window holds no move
