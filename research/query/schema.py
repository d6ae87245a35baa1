"""The schema browser and example queries of the workbench: tables and curated views with their columns.

Descriptions live in the message catalog (`query.object.<name>`), so they follow
the UI language; row counts of tables come from DuckDB's estimate (instant), of
views from counting them.
"""

from __future__ import annotations

from dataclasses import dataclass

from research.i18n import MESSAGES
from research.store import Store, quote_ident

# Curated views of migration 0005, in the order the browser lists them.
CURATED_VIEWS = ("price_index", "latest_prices", "accounts_by_segment", "swot_staleness", "watcher_changes")


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class SchemaObject:
    name: str
    kind: str  # "view" or "table"
    rows: int | None
    columns: tuple[Column, ...]

    @property
    def description_key(self) -> str | None:
        key = f"query.object.{self.name}"
        return key if key in MESSAGES else None


def schema_objects(store: Store, *, count_views: bool = True) -> list[SchemaObject]:
    """Curated views first, then the other views and tables, each with columns and row count."""
    columns = store.query_rows(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    )
    by_object: dict[str, list[Column]] = {}
    for row in columns:
        by_object.setdefault(row["table_name"], []).append(Column(row["column_name"], row["data_type"]))
    tables = {
        r["table_name"]: int(r["estimated_size"])
        for r in store.query_rows("SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'main' AND NOT internal")
    }
    views = [
        r["view_name"]
        for r in store.query_rows("SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal")
    ]
    ordered_views = [v for v in CURATED_VIEWS if v in views] + sorted(v for v in views if v not in CURATED_VIEWS)
    objects = []
    for name in ordered_views:
        rows = int(store.query_value(f"SELECT count(*) FROM {quote_ident(name)}")) if count_views else None
        objects.append(SchemaObject(name, "view", rows, tuple(by_object.get(name, []))))
    for name in sorted(tables):
        objects.append(SchemaObject(name, "table", tables[name], tuple(by_object.get(name, []))))
    return objects


def column_types(store: Store, source: str) -> dict[str, str]:
    """Column name → DuckDB type of one table or view of the workspace (empty if unknown)."""
    rows = store.query_rows(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [source],
    )
    return {r["column_name"]: r["data_type"] for r in rows}


# Example queries: a title key in the message catalog and the SQL. The first one
# answers the question the workbench is built around.
EXAMPLES: dict[str, str] = {
    "undercut": (
        "-- Competitors cheaper than us, per category, since a date\n"
        "SELECT company, category,\n"
        "       round(avg(price_index), 1) AS price_index,\n"
        "       round(avg(avg_price_eur), 2) AS avg_price_eur,\n"
        "       round(avg(our_avg_price_eur), 2) AS our_avg_price_eur\n"
        "FROM price_index\n"
        "WHERE month >= $since AND NOT is_us\n"
        "GROUP BY company, category\n"
        "HAVING avg(price_index) < 100\n"
        "ORDER BY price_index"
    ),
    "price_trend": (
        "-- Average price per month in one category, every company\n"
        "SELECT month, company, avg_price_eur\n"
        "FROM price_index\n"
        "WHERE category = $category\n"
        "ORDER BY month, company"
    ),
    "supplier_share": (
        "-- Accounts per supplier in one region\n"
        "SELECT supplier, sum(accounts) AS accounts\n"
        "FROM accounts_by_segment\n"
        "WHERE region = $region AND supplier <> '(unknown)'\n"
        "GROUP BY supplier\n"
        "ORDER BY accounts DESC"
    ),
    "stale_swot": (
        "-- SWOT items whose evidence is stale\n"
        "SELECT company, quadrant, statement, evidence_on, age_days, source\n"
        "FROM swot_staleness\n"
        "WHERE stale\n"
        "ORDER BY age_days DESC NULLS FIRST"
    ),
    "lost_deals": (
        "-- Deals we lost, by the competitor who won them\n"
        "SELECT c.name AS company, count(*) AS deals_lost, sum(d.value) AS value\n"
        "FROM deals d JOIN companies c ON c.id = d.competitor_id\n"
        "WHERE d.outcome = 'lost'\n"
        "GROUP BY c.name\n"
        "ORDER BY deals_lost DESC"
    ),
    "price_vs_value": (
        "-- Latest prices: our price against each competitor's, per product category\n"
        "SELECT category, company, avg(price_eur) AS avg_price_eur, count(*) AS products\n"
        "FROM latest_prices\n"
        "GROUP BY category, company\n"
        "ORDER BY category, avg_price_eur"
    ),
}

# Parameter specs of the examples (kind and a default), so they open ready to run.
EXAMPLE_PARAMS: dict[str, list[tuple[str, str, str, str | None]]] = {
    "undercut": [("since", "date", "2026-08-01", None)],
    "price_trend": [("category", "choice", "Corrugated boxes", "products.category")],
    "supplier_share": [("region", "choice", "Western Balkans", "accounts.region")],
}
