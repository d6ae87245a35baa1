"""Overview figures on a small hand-made workspace whose answers are known."""

from __future__ import annotations

import datetime as dt

import pytest

from research import market
from research.errors import ValidationError
from research.store import Store


@pytest.fixture
def market_store(store: Store) -> Store:
    """Us and two rivals; 10 accounts in two industries; one product with four weekly prices."""
    with store.transaction("ana") as tx:
        us = tx.insert("companies", {"name": "Us", "is_us": True})["id"]
        a = tx.insert("companies", {"name": "Alpha"})["id"]
        b = tx.insert("companies", {"name": "Beta"})["id"]
        tx.insert("companies", {"name": "Gone", "archived": True})
        rows = [
            # industry, status, supplier
            ("Food", "customer", us), ("Food", "customer", us), ("Food", "lost", a), ("Food", "prospect", None),
            ("Pharma", "customer", us), ("Pharma", "prospect", b), ("Pharma", "prospect", b),
            ("Pharma", "lost", a), ("Pharma", "prospect", None), ("Pharma", "prospect", b),
        ]
        for i, (industry, status, supplier) in enumerate(rows):
            tx.insert("accounts", {"name": f"Acc {i}", "country": "RS", "region": "Western Balkans",
                                   "industry": industry, "status": status, "supplier_company_id": supplier})
        tx.insert("accounts", {"name": "Archived", "country": "RS", "region": "Western Balkans",
                               "industry": "Food", "status": "customer", "supplier_company_id": a, "archived": True})
        product = tx.insert("products", {"company_id": a, "name": "Box", "category": "Boxes", "unit": "piece",
                                         "currency": "EUR"})["id"]
        for week, price in enumerate(["10.00", "10.00", "10.50", "10.40"]):
            tx.insert("price_observations", {"product_id": product, "price": price, "currency": "EUR",
                                             "observed_at": dt.datetime(2026, 10, 5) + dt.timedelta(weeks=week)})
    return store


def test_kpis_count_accounts_and_our_share(market_store: Store) -> None:
    kpis = market.overview_kpis(market_store)
    assert (kpis.competitors, kpis.customers, kpis.prospects, kpis.lost) == (2, 3, 5, 2)
    assert (kpis.served_accounts, kpis.our_served_accounts) == (8, 3)
    assert kpis.our_share == pytest.approx(3 / 8)
    assert kpis.prices_as_of == dt.date(2026, 10, 26)


def test_share_by_segment_and_who_leads(market_store: Store) -> None:
    share = market.share_by_segment(market_store, "industry")
    food = share[share["segment"] == "Food"].set_index("company")["share"].to_dict()
    assert food == pytest.approx({"Us": 2 / 3, "Alpha": 1 / 3})
    pharma = share[share["segment"] == "Pharma"].set_index("company")["accounts"].to_dict()
    assert pharma == {"Beta": 3, "Us": 1, "Alpha": 1}
    assert market.segments_we_lead(share) == ["Food"]


def test_price_moves_keep_only_moves_above_the_threshold(market_store: Store) -> None:
    moves = market.price_moves(market_store, days=30, threshold=0.03)
    assert moves["price"].astype(float).tolist() == [10.5]  # +5 %; the -0.95 % move is below 3 %
    assert moves["change"].iloc[0] == pytest.approx(0.05)
    assert len(market.price_moves(market_store, days=30, threshold=0.005)) == 2
    assert market.price_moves(market_store, days=1, threshold=0.03).empty


def test_a_price_quoted_in_another_currency_is_not_a_move(market_store: Store) -> None:
    box = market_store.query_value("SELECT id FROM products WHERE name = 'Box'")
    with market_store.transaction("ana") as tx:  # the same box, now listed in dinars
        tx.insert("price_observations", {"product_id": box, "price": "1230.00", "currency": "RSD",
                                         "observed_at": dt.datetime(2026, 11, 2)})
    moves = market.price_moves(market_store, days=30, threshold=0.03)
    assert "RSD" not in moves["currency"].tolist()
    assert moves["price"].astype(float).tolist() == [10.5]


def test_recent_changes_are_one_line_per_batch_table_and_action_newest_first(market_store: Store) -> None:
    # The fixture is one transaction: 4 companies, 11 accounts, 1 product and 4 prices, written in that order.
    changes = market.recent_changes(market_store, limit=3)
    assert changes["table_name"].tolist() == ["price_observations", "products", "accounts"]
    assert changes["rows"].tolist() == [4, 1, 11] and changes["action"].tolist() == ["insert"] * 3
    assert changes["batch_id"].nunique() == 1
    table = market.recent_changes_table(market.recent_changes(market_store, limit=50), "sr")
    assert table["Шта"].tolist() == ["Додато: 4 цене", "Додато: производ", "Додато: 11 клијената",
                                     "Додато: 4 компаније"]
    assert table["Ставка"].tolist() == ["10,40\xa0€ и још 3", "Box", "Archived и још 10", "Gone и још 3"]
    english = market.recent_changes_table(market.recent_changes(market_store, limit=50), "en")
    assert english["What"].tolist() == ["Added: 4 prices", "Added: product", "Added: 11 accounts", "Added: 4 companies"]
    assert english["Item"].tolist()[1:3] == ["Box", "Archived and 10 more"]


@pytest.mark.parametrize(
    ("table", "rows", "lang", "expected"),
    [
        ("accounts", 1, "sr", "клијент"), ("accounts", 2, "sr", "2 клијента"), ("accounts", 5, "sr", "5 клијената"),
        ("accounts", 21, "sr", "21 клијент"), ("accounts", 1_234, "sr", "1.234 клијента"),
        ("deck_slides", 1, "en", "slide"), ("deck_slides", 12, "en", "12 slides"), ("deck_slides", 3, "sr", "3 слајда"),
        ("*", 1, "en", "whole workspace"), ("ds_tariffs", 1, "sr", "скуп података"),
        ("some_new_table", 3, "en", "3 records"),
    ],
)
def test_what_a_change_touched_reads_as_words_in_the_right_plural(table: str, rows: int, lang: str,
                                                                  expected: str) -> None:
    assert market.change_thing(table, rows, lang) == expected


@pytest.mark.parametrize("bad", ["owner; DROP TABLE accounts", "name", ""])
def test_unknown_segment_dimension_is_refused(market_store: Store, bad: str) -> None:
    with pytest.raises(ValidationError, match="Cannot segment by"):
        market.share_by_segment(market_store, bad)


def test_bad_price_move_window_is_refused(market_store: Store) -> None:
    with pytest.raises(ValidationError):
        market.price_moves(market_store, days=0)
    with pytest.raises(ValidationError):
        market.price_moves(market_store, threshold=-0.1)


def test_share_chart_view_is_localized(market_store: Store) -> None:
    chart, lead, total = market.share_by_segment_view(market_store, "country", "sr")
    assert (lead, total) == (0, 1)  # 3 accounts each for us and Beta: a tie is no lead
    spec = chart.to_dict()
    assert "Србија" in str(spec["datasets"]) and "Us (ми)" in str(spec["datasets"])


def test_empty_workspace_has_no_chart(store: Store) -> None:
    assert market.share_by_segment_view(store, "industry", "en") == (None, 0, 0)
    kpis = market.overview_kpis(store)
    assert kpis.our_share is None and kpis.prices_as_of is None
