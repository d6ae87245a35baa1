"""Overview at 5 M accounts (issue 19 item 2): narrower queries that answer exactly what the plain ones
did, and figures computed once per data version that a write refreshes on the next run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research import market
from research.data import fields
from research.i18n import fmt_percent, t
from research.store import Store

# The plain formulations the Overview used before it was narrowed: every account joined to its
# supplier, every observation sorted per product (by time, then id: the price-move rule's one
# tie-break). The oracle of the tests below.
PLAIN_MOVES_SQL = """
WITH newest AS (SELECT max(observed_at) AS at FROM price_observations),
recent AS (
    SELECT po.product_id, po.observed_at, po.price, po.currency,
           lag(po.price) OVER (PARTITION BY po.product_id ORDER BY po.observed_at, po.id) AS previous_price,
           lag(po.currency) OVER (PARTITION BY po.product_id ORDER BY po.observed_at, po.id) AS previous_currency
    FROM price_observations po
)
SELECT r.observed_at, c.id AS company_id, c.name AS company, c.is_us, p.name AS product, p.category,
       r.previous_price, r.price, r.currency,
       CAST(r.price / r.previous_price - 1 AS DOUBLE) AS change
FROM recent r, newest
JOIN products p ON p.id = r.product_id
JOIN companies c ON c.id = p.company_id
WHERE r.observed_at > newest.at - to_days(CAST($days AS INTEGER))
  AND r.previous_price > 0
  AND r.currency = r.previous_currency
  AND abs(r.price / r.previous_price - 1) >= $threshold
  AND NOT p.archived
ORDER BY r.observed_at DESC, abs(r.price / r.previous_price - 1) DESC, p.name, c.name
"""
PLAIN_SHARE_SQL = """
WITH served AS (
    SELECT coalesce(CAST(a.{dimension} AS VARCHAR), '') AS segment, c.name AS company, c.is_us, count(*) AS accounts
    FROM accounts a
    JOIN companies c ON c.id = a.supplier_company_id
    WHERE NOT a.archived
    GROUP BY ALL
)
SELECT segment, company, is_us, accounts,
       CAST(accounts AS DOUBLE) / sum(accounts) OVER (PARTITION BY segment) AS share,
       sum(accounts) OVER (PARTITION BY segment) AS segment_accounts
FROM served
ORDER BY segment_accounts DESC, segment, accounts DESC, company
"""
PLAIN_KPI_SQL = """
SELECT count(*) FILTER (WHERE a.status = 'customer') AS customers,
       count(*) FILTER (WHERE a.status = 'prospect') AS prospects,
       count(*) FILTER (WHERE a.status = 'lost') AS lost,
       count(*) FILTER (WHERE a.supplier_company_id IS NOT NULL) AS served_accounts,
       count(*) FILTER (WHERE c.is_us) AS our_served_accounts
FROM accounts a LEFT JOIN companies c ON c.id = a.supplier_company_id
WHERE NOT a.archived
"""
MOVE_KEYS = ["observed_at", "company", "product", "price", "previous_price"]


def _same_moves(store: Store, days: int, threshold: float) -> pd.DataFrame:
    """price_moves next to the plain query: the same rows (ties in the sort order may come in any order)."""
    moves = market.price_moves(store, days=days, threshold=threshold)
    plain = store.query_df(PLAIN_MOVES_SQL, {"days": days, "threshold": threshold})
    pd.testing.assert_frame_equal(moves.sort_values(MOVE_KEYS).reset_index(drop=True),
                                  plain.sort_values(MOVE_KEYS).reset_index(drop=True))
    assert moves["observed_at"].tolist() == plain["observed_at"].tolist()  # newest first, as before
    return moves


@pytest.fixture
def priced(store: Store) -> Store:
    """One rival's products with weekly prices that sit on every edge of the price-move rule."""
    start = dt.datetime(2026, 8, 3, 9, 0)  # newest observation: start + 13 weeks = 2 Nov 2026

    def series(tx, name: str, prices: list[tuple[int, str, str]], archived: bool = False) -> None:
        product = tx.insert("products", {"company_id": rival, "name": name, "category": "Boxes", "unit": "piece",
                                         "currency": "EUR", "archived": archived})["id"]
        for week, price, currency in prices:
            tx.insert("price_observations", {"product_id": product, "price": price, "currency": currency,
                                             "observed_at": start + dt.timedelta(weeks=week)})

    with store.transaction("ana") as tx:
        tx.insert("companies", {"name": "Us", "is_us": True})
        rival = tx.insert("companies", {"name": "Rival"})["id"]
        flat = [(w, "10.00", "EUR") for w in range(14)]
        series(tx, "Flat", flat)  # never moves
        series(tx, "Exactly up", [*flat[:12], (13, "10.30", "EUR")])  # +3 % exactly, a move
        series(tx, "Exactly down", [*flat[:12], (13, "9.70", "EUR")])  # -3 % exactly, a move
        series(tx, "Just under", [*flat[:12], (13, "10.29", "EUR")])  # +2.9 %, none
        # The first recent price against the last one before the window (lag reaches back out of it).
        series(tx, "Across the edge", [(w, "10.00", "EUR") for w in range(9)] + [(10, "11.00", "EUR"),
                                                                                  (12, "11.00", "EUR")])
        # Drifting by 1 % a week: 4 % over the window, but no single move of 3 %.
        series(tx, "Drift", [(w, f"{10 * 1.01 ** w:.2f}", "EUR") for w in range(14)])
        series(tx, "Requoted", [*flat[:12], (13, "1170.00", "RSD")])  # another currency: not a move
        series(tx, "From zero", [(11, "0.00", "EUR"), (12, "5.00", "EUR")])  # no previous price above 0
        # A previous price beyond 3 × 30 days is still the previous one (issue 16: the report's rule too).
        series(tx, "Long gap", [(0, "5.00", "EUR"), (13, "9.00", "EUR")])
        series(tx, "Only old", [(w, f"{w + 1}.00", "EUR") for w in range(6)])  # nothing recent
        series(tx, "Archived", [*flat[:12], (13, "20.00", "EUR")], archived=True)
    return store


def test_price_moves_match_the_plain_query_on_every_edge(priced: Store) -> None:
    moves = _same_moves(priced, 30, 0.03)
    assert sorted(moves["product"]) == ["Across the edge", "Exactly down", "Exactly up", "Long gap"]
    for days, threshold in ((7, 0.03), (30, 0.0), (30, 0.02), (90, 0.01), (1, 0.03), (400, 0.5)):
        _same_moves(priced, days, threshold)


def test_price_moves_on_a_workspace_without_prices_are_empty_with_their_columns(store: Store) -> None:
    moves = market.price_moves(store)
    assert moves.empty
    assert list(moves.columns) == ["observed_at", "company_id", "company", "is_us", "product", "category",
                                   "previous_price", "price", "currency", "change"]


def test_narrowed_overview_queries_answer_what_the_plain_ones_did(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        # A yes/no custom field with some values unset, and an archived account, as edges of the share.
        fields.add_field(store, "tester", "accounts", "key_account", "bool")
        with store.cursor() as cur:
            cur.execute("UPDATE accounts SET key_account = (id % 3 = 0) WHERE id % 5 <> 0")
            cur.execute("UPDATE accounts SET archived = true WHERE id % 11 = 0")
        kpis = market.overview_kpis(store)
        plain = store.query_rows(PLAIN_KPI_SQL)[0]
        assert {k: getattr(kpis, k) for k in plain} == plain
        assert "key_account" in market.segment_dimensions(store)
        for dimension in market.segment_dimensions(store):
            plain_share = store.query_df(PLAIN_SHARE_SQL.format(dimension=dimension))
            pd.testing.assert_frame_equal(market.share_by_segment(store, dimension, max_segments=1000), plain_share)
        for days, threshold in ((30, 0.03), (7, 0.01), (90, 0.05)):
            _same_moves(store, days, threshold)
    finally:
        store.close()


def _kpi(at: AppTest, key: str) -> int:
    shown = {m.label: m.value for m in at.metric}[t(key, "en")]
    return int(shown.replace(",", ""))


def test_overview_figures_last_until_the_workspace_data_changes(demo_copy: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(demo_copy, monkeypatch)
    assert_clean(at)
    customers = _kpi(at, "overview.kpi.customers")
    store = Store.open(str(demo_copy))  # same settings as the app's store in this process
    try:
        prospect = store.query_rows("SELECT id, version FROM accounts WHERE status = 'prospect' ORDER BY id LIMIT 2")
        # A change that bypasses the store's audited writes leaves the data version alone: the
        # figures computed for this version are shown again, not recomputed on every rerun.
        with store.cursor() as cur:
            cur.execute("UPDATE accounts SET status = 'customer' WHERE id = ?", [prospect[0]["id"]])
        at.run()
        assert _kpi(at, "overview.kpi.customers") == customers
        # An audited write moves the version: the next run counts both accounts and the new price move.
        product = store.query_rows(
            "SELECT p.id, p.name, o.price, o.currency, o.observed_at FROM products p "
            "JOIN price_observations o ON o.product_id = p.id WHERE NOT p.archived "
            "ORDER BY o.observed_at DESC, p.id LIMIT 1")[0]
        with store.transaction("ana") as tx:
            tx.update("accounts", prospect[1]["id"], {"status": "customer"}, expected_version=prospect[1]["version"])
            tx.insert("price_observations", {"product_id": product["id"], "price": product["price"] * 2,
                                             "currency": product["currency"],
                                             "observed_at": product["observed_at"] + dt.timedelta(hours=1)})
        at.run()
        assert_clean(at)
        assert _kpi(at, "overview.kpi.customers") == customers + 2
        assert _kpi(at, "overview.kpi.moves") == len(market.price_moves(store))
        [table] = [d.value for d in at.dataframe if t("col.product", "en") in d.value.columns]
        assert table[t("col.product", "en")].iloc[0] == product["name"]  # the newest move first
        assert table[t("col.change", "en")].iloc[0] == "+" + fmt_percent(1.0, "en", 1)
        changes = next(d.value for d in at.dataframe if t("col.who", "en") in d.value.columns)
        assert changes[t("col.who", "en")].iloc[0] == "ana"  # recent changes refreshed too
    finally:
        store.close()
