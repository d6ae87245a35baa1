"""The demo market generator: deterministic per seed, refuses to overwrite, plausible data.

Real DuckDB workspaces under tmp_path, built at scale 1 (one test at scale 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from research import demo
from research.errors import DemoError, ReadOnlyError
from research.store import Store

TODAY = demo.DEMO_TODAY
# Columns stamped with the wall clock; everything else must repeat exactly.
CLOCK_COLUMNS = {"created_at", "updated_at", "changed_at", "applied_at"}
REGIONS = {
    "RS": "Western Balkans", "BA": "Western Balkans", "MK": "Western Balkans", "ME": "Western Balkans",
    "HR": "South-East EU", "RO": "South-East EU", "BG": "South-East EU",
    "SI": "Central Europe", "HU": "Central Europe", "AT": "Central Europe",
}


def _open(path: Path) -> Store:
    return Store.open(str(path))


def _contents(store: Store, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table without its clock columns, in a stable order."""
    columns = [
        r["column_name"]
        for r in store.query_rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        )
        if r["column_name"] not in CLOCK_COLUMNS
    ]
    select = ", ".join(f'"{c}"' for c in columns)
    with store.cursor() as cur:
        return cur.execute(f'SELECT {select} FROM "{table}" ORDER BY ALL').fetchall()


def _snapshot(
    store: Store, *, skip: frozenset[str] = frozenset({"schema_version"})
) -> dict[str, list[tuple[Any, ...]]]:
    return {t: _contents(store, t) for t in store.tables() if t not in skip}


@pytest.fixture(scope="module")
def seven(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Seed 7 at scale 1, built once for the read-only checks of this module."""
    store = _open(tmp_path_factory.mktemp("demo7") / "w.duckdb")
    demo.build_demo(store, seed=7)
    yield store
    store.close()


# ---- determinism ----------------------------------------------------------------------------


def test_one_seed_builds_the_same_workspace_twice(tmp_path: Path) -> None:
    first, second = _open(tmp_path / "a.duckdb"), _open(tmp_path / "b.duckdb")
    try:
        summary_a = demo.build_demo(first, seed=7)
        summary_b = demo.build_demo(second, seed=7)
        assert summary_a.counts == summary_b.counts
        a, b = _snapshot(first), _snapshot(second)
        assert a.keys() == b.keys()
        for table in a:
            assert a[table] == b[table], f"{table} differs between two builds with seed 7"
    finally:
        first.close()
        second.close()


def test_another_seed_builds_another_market(tmp_path: Path, seven: Store) -> None:
    store = _open(tmp_path / "w.duckdb")
    try:
        demo.build_demo(store, seed=8)
        for table in ("accounts", "deals", "price_observations", "swot_items"):
            assert _contents(store, table) != _contents(seven, table), table
        # The cast of companies is the same in every demo market.
        assert _contents(store, "companies") == _contents(seven, "companies")
    finally:
        store.close()


# ---- refusing, replacing, bad arguments ----------------------------------------------------


def test_refuses_a_workspace_that_holds_data(tmp_path: Path) -> None:
    store = _open(tmp_path / "w.duckdb")
    try:
        demo.build_demo(store, seed=7)
        before = _snapshot(store)
        with pytest.raises(DemoError) as caught:
            demo.build_demo(store, seed=8)
        assert "already holds a workspace (8 companies, 5,000 accounts" in caught.value.message
        assert "--replace" in caught.value.message
        assert _snapshot(store) == before
    finally:
        store.close()


def test_refuses_hand_entered_data_too(tmp_path: Path) -> None:
    store = _open(tmp_path / "w.duckdb")
    try:
        with store.transaction("tester") as tx:
            tx.insert("companies", {"name": "Our own entry", "is_us": True})
        assert not demo.is_empty(store)
        with pytest.raises(DemoError, match=r"\(1 companies, 0 accounts\)"):
            demo.build_demo(store)
        assert store.query_value("SELECT count(*) FROM accounts") == 0
    finally:
        store.close()


def test_replace_rebuilds_exactly_the_fresh_market(tmp_path: Path) -> None:
    store, fresh = _open(tmp_path / "w.duckdb"), _open(tmp_path / "fresh.duckdb")
    try:
        demo.build_demo(store, seed=7, scale=2)
        # Hand-entered rows that reference demo rows must go too.
        with store.transaction("tester") as tx:
            company = tx.insert("companies", {"name": "Hand-made competitor"})
            tx.insert("products", {"company_id": company["id"], "name": "Box", "category": "Corrugated boxes",
                                   "unit": "piece", "currency": "EUR"})
        summary = demo.build_demo(store, seed=8, scale=1, replace=True)
        demo.build_demo(fresh, seed=8, scale=1)

        assert summary.counts["accounts"] == demo.ACCOUNTS_PER_SCALE
        skip = frozenset({"schema_version", "audit_log"})
        assert _snapshot(store, skip=skip) == _snapshot(fresh, skip=skip)
        audit = store.query_rows("SELECT actor, action, before, after FROM audit_log ORDER BY id")
        assert any(r["before"] and "demo_replace_deleted" in r["before"] for r in audit)
        assert audit[-1]["action"] == "bulk" and '"demo_seed": 8' in audit[-1]["after"]
        assert store.meta("demo_seed") == "8" and store.meta("demo_scale") == "1"
    finally:
        store.close()
        fresh.close()


def test_failed_replace_leaves_the_workspace_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _open(tmp_path / "w.duckdb")
    try:
        demo.build_demo(store, seed=7)
        before = _snapshot(store)

        def power_cut(*args: Any, **kwargs: Any) -> None:
            raise KeyboardInterrupt  # a BaseException in the middle of the rebuild

        monkeypatch.setattr(demo, "_fill", power_cut)
        with pytest.raises(KeyboardInterrupt):
            demo.build_demo(store, seed=8, replace=True)
        assert _snapshot(store) == before
    finally:
        store.close()


@pytest.mark.parametrize("scale", [0, -1, 1001, 1.5, "2", True, None])
def test_refuses_a_bad_scale(tmp_path: Path, scale: Any) -> None:
    store = _open(tmp_path / "w.duckdb")
    try:
        with pytest.raises(DemoError, match="scale must be a whole number from 1 to 1,000"):
            demo.build_demo(store, seed=7, scale=scale)
        assert demo.is_empty(store)
    finally:
        store.close()


@pytest.mark.parametrize("seed", [-1, 2**63, 7.0, "7", False, None])
def test_refuses_a_bad_seed(tmp_path: Path, seed: Any) -> None:
    store = _open(tmp_path / "w.duckdb")
    try:
        with pytest.raises(DemoError, match="seed must be a whole number from 0"):
            demo.build_demo(store, seed=seed)
        assert demo.is_empty(store)
    finally:
        store.close()


def test_a_read_only_workspace_is_refused_before_any_write(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _open(path).close()
    store = Store.open(str(path), read_only=True)
    try:
        with pytest.raises(ReadOnlyError):
            demo.build_demo(store)
    finally:
        store.close()


def test_sequences_continue_after_the_explicit_ids(tmp_path: Path) -> None:
    store = _open(tmp_path / "w.duckdb")
    try:
        summary = demo.build_demo(store, seed=7)
        with store.transaction("tester") as tx:
            source = tx.insert("sources", {"title": "New report"})
            company = tx.insert("companies", {"name": "Newcomer"})
            product = tx.insert("products", {"company_id": company["id"], "name": "Box",
                                             "category": "Corrugated boxes", "unit": "piece", "currency": "EUR"})
            observation = tx.insert("price_observations", {"product_id": product["id"], "price": 1,
                                                           "currency": "EUR", "observed_at": dt.datetime(2026, 11, 3)})
            account = tx.insert("accounts", {"name": "New d.o.o.", "country": "RS", "region": "Western Balkans",
                                             "industry": "Pharma", "status": "prospect"})
            deal = tx.insert("deals", {"account_id": account["id"], "outcome": "open"})
            swot = tx.insert("swot_items", {"company_id": company["id"], "quadrant": "S", "statement": "New"})
            capability = tx.insert("capabilities", {"company_id": company["id"], "capability": "Delivery speed",
                                                    "score": 3})
        counts = summary.counts
        assert source["id"] == counts["sources"] + 1
        assert company["id"] == counts["companies"] + 1
        assert product["id"] == counts["products"] + 1
        assert observation["id"] == counts["price_observations"] + 1
        assert account["id"] == counts["accounts"] + 1
        assert deal["id"] == counts["deals"] + 1
        assert swot["id"] == counts["swot_items"] + 1
        assert capability["id"] == counts["capabilities"] + 1
    finally:
        store.close()


# ---- a plausible market -------------------------------------------------------------------


def test_companies_and_workspace_meta(seven: Store) -> None:
    companies = seven.query_rows("SELECT * FROM companies ORDER BY id")
    assert len(companies) == 8
    assert [c["name"] for c in companies if c["is_us"]] == ["Danubia Packaging"]
    assert {c["price_positioning"] for c in companies} == {"budget", "mid", "premium"}
    assert all(c["website"].startswith("https://www.") and c["website"].endswith(".example") for c in companies)
    assert seven.meta("name") == "Demo market: industrial packaging"
    assert seven.meta("demo_seed") == "7" and seven.meta("demo_scale") == "1"
    assert seven.meta("demo_today") == TODAY.isoformat()


def test_account_mix(seven: Store) -> None:
    assert seven.query_value("SELECT count(*) FROM accounts") == demo.ACCOUNTS_PER_SCALE
    shares = {r["status"]: r["share"] for r in seven.query_rows(
        "SELECT status, count(*) / sum(count(*)) OVER () AS share FROM accounts GROUP BY status")}
    assert 0.30 <= shares["customer"] <= 0.40
    assert 0.44 <= shares["prospect"] <= 0.56
    assert 0.11 <= shares["lost"] <= 0.19
    # Customers buy from us, lost accounts from a competitor; only prospects may have no supplier.
    wrong = seven.query_value(
        "SELECT count(*) FROM accounts a LEFT JOIN companies c ON c.id = a.supplier_company_id "
        "WHERE (a.status = 'customer' AND NOT coalesce(c.is_us, false)) "
        "   OR (a.status = 'lost' AND (c.id IS NULL OR c.is_us)) "
        "   OR (a.status = 'prospect' AND coalesce(c.is_us, false))"
    )
    assert wrong == 0
    assert seven.query_value("SELECT count(*) FROM accounts WHERE supplier_company_id IS NULL") > 0


def test_employees_are_skewed_and_revenue_follows(seven: Store) -> None:
    row = seven.query_rows(
        "SELECT median(employees) AS med, avg(employees) AS mean, min(employees) AS lo, max(employees) AS hi, "
        "corr(ln(employees), ln(annual_revenue)) AS r FROM accounts"
    )[0]
    assert row["med"] < 0.6 * row["mean"]
    assert 10 <= row["lo"] and row["hi"] <= 20_000 and row["hi"] > 1_000
    assert row["r"] > 0.7


def test_regions_match_countries(seven: Store) -> None:
    pairs = {(r["country"], r["region"]) for r in seven.query_rows("SELECT DISTINCT country, region FROM accounts")}
    assert pairs == set(REGIONS.items())
    top = seven.query_value("SELECT country FROM accounts GROUP BY country ORDER BY count(*) DESC LIMIT 1")
    assert top == "RS"


def test_we_lead_some_industries_and_lag_others(seven: Store) -> None:
    leaders = seven.query_rows(
        "WITH share AS (SELECT a.industry, c.is_us, count(*) AS n FROM accounts a "
        "               JOIN companies c ON c.id = a.supplier_company_id GROUP BY a.industry, c.id, c.is_us) "
        "SELECT industry, arg_max(is_us, n) AS us_lead FROM share GROUP BY industry"
    )
    assert len(leaders) == 10
    assert any(r["us_lead"] for r in leaders), "we lead no industry"
    assert any(not r["us_lead"] for r in leaders), "we lead every industry"


def test_catalogues_and_weekly_prices(seven: Store) -> None:
    per_company = seven.query_rows("SELECT company_id, count(*) AS n FROM products GROUP BY company_id")
    assert {r["n"] for r in per_company} == {demo.PRODUCTS_PER_COMPANY} and len(per_company) == 8
    currencies = seven.query_rows(
        "SELECT DISTINCT c.hq_country, p.currency FROM products p JOIN companies c ON c.id = p.company_id"
    )
    assert all(r["hq_country"] == "RS" for r in currencies if r["currency"] == "RSD")
    assert 2 <= seven.query_value("SELECT count(DISTINCT company_id) FROM products WHERE currency = 'RSD'") <= 3
    weeks = seven.query_rows(
        "SELECT product_id, count(DISTINCT CAST(observed_at AS DATE)) AS weeks, "
        "min(CAST(observed_at AS DATE)) AS first, max(CAST(observed_at AS DATE)) AS last "
        "FROM price_observations GROUP BY product_id"
    )
    assert len(weeks) == seven.query_value("SELECT count(*) FROM products")
    assert {(r["weeks"], r["first"], r["last"]) for r in weeks} == {
        (demo.WEEKS, TODAY - dt.timedelta(weeks=demo.WEEKS - 1), TODAY)
    }
    # The list price is the latest observation.
    assert seven.query_value(
        "SELECT count(*) FROM products p JOIN price_observations o ON o.product_id = p.id "
        "WHERE CAST(o.observed_at AS DATE) = ? AND o.price <> p.list_price", [TODAY]
    ) == 0
    # Premium lists above budget for the same catalogue item, in EUR.
    by_positioning = {r["price_positioning"]: r["ratio"] for r in seven.query_rows(
        "WITH eur AS (SELECT p.name, c.price_positioning, "
        "                    p.list_price / CASE p.currency WHEN 'RSD' THEN 117.2 ELSE 1 END AS price "
        "             FROM products p JOIN companies c ON c.id = p.company_id), "
        "     mean AS (SELECT name, avg(price) AS m FROM eur GROUP BY name) "
        "SELECT price_positioning, avg(price / m) AS ratio FROM eur JOIN mean USING (name) GROUP BY 1"
    )}
    assert by_positioning["premium"] > by_positioning["mid"] > by_positioning["budget"]


def test_exchange_rates(seven: Store) -> None:
    rows = seven.query_rows(
        "SELECT currency, count(*) AS n, min(per_eur) AS lo, max(per_eur) AS hi, max(valid_on) AS last "
        "FROM exchange_rates GROUP BY currency ORDER BY currency"
    )
    by = {r["currency"]: r for r in rows}
    assert set(by) == {"EUR", "RSD", "USD"}
    assert all(r["n"] == demo.WEEKS and r["last"] == TODAY for r in rows)
    assert by["EUR"]["lo"] == by["EUR"]["hi"] == 1
    assert 117.0 <= by["RSD"]["lo"] and by["RSD"]["hi"] <= 117.5
    assert 1.05 <= by["USD"]["lo"] and by["USD"]["hi"] <= 1.12


def test_deals(seven: Store) -> None:
    rows = {r["outcome"]: r for r in seven.query_rows(
        "SELECT outcome, count(*) AS n, count(competitor_id) AS with_competitor, count(closed_on) AS closed "
        "FROM deals GROUP BY outcome"
    )}
    assert set(rows) == {"won", "lost", "open"}
    assert sum(r["n"] for r in rows.values()) == demo.DEALS_PER_SCALE
    assert rows["lost"]["with_competitor"] == rows["lost"]["n"]
    # a won deal names the competitor we displaced, except new business (about one in four)
    assert 0.6 * rows["won"]["n"] < rows["won"]["with_competitor"] < 0.9 * rows["won"]["n"]
    assert rows["open"]["with_competitor"] == 0
    assert rows["open"]["closed"] == 0 and rows["won"]["closed"] == rows["won"]["n"]
    against_us = "SELECT count(*) FROM deals d JOIN companies c ON c.id = d.competitor_id WHERE c.is_us"
    assert seven.query_value(against_us) == 0
    assert seven.query_value("SELECT max(closed_on) FROM deals") <= TODAY


def test_swot_boards_have_evidence_and_age(seven: Store) -> None:
    per_quadrant = seven.query_rows("SELECT company_id, quadrant, count(*) AS n FROM swot_items GROUP BY ALL")
    assert len(per_quadrant) == 8 * 4
    assert all(3 <= r["n"] <= 6 for r in per_quadrant)
    ages = seven.query_rows(
        "SELECT count(*) FILTER (WHERE observed_on < ? - 90) AS stale, "
        "       count(*) FILTER (WHERE observed_on >= ? - 90) AS fresh, "
        "       count(*) FILTER (WHERE source_id IS NULL AND source_url IS NULL AND source_note IS NULL) AS unsourced, "
        "       count(*) FILTER (WHERE source_id IS NOT NULL) AS with_source_row, "
        "       count(*) FILTER (WHERE len(tags) = 0) AS untagged "
        "FROM swot_items",
        [TODAY, TODAY],
    )[0]
    assert ages["stale"] > 0 and ages["fresh"] > 0
    assert ages["unsourced"] == 0 and ages["with_source_row"] > 0 and ages["untagged"] == 0
    positions = seven.query_rows(
        "SELECT company_id, quadrant, list(position ORDER BY position) AS p, count(*) AS n FROM swot_items GROUP BY ALL"
    )
    assert all(r["p"] == list(range(r["n"])) for r in positions)


def test_capability_scores_differ_per_company(seven: Store) -> None:
    rows = seven.query_rows("SELECT company_id, capability, score FROM capabilities")
    assert len(rows) == 8 * len(demo.CAPABILITIES)
    assert {r["capability"] for r in rows} == set(demo.CAPABILITIES)
    profiles = {
        tuple(r["score"] for r in sorted((x for x in rows if x["company_id"] == c), key=lambda x: x["capability"]))
        for c in range(1, 9)
    }
    assert len(profiles) == 8
    ours = {r["capability"]: r["score"] for r in rows if r["company_id"] == 1}
    assert ours["Delivery speed"] == 5 and ours["Product range"] <= 2
