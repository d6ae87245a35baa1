"""Saved parameterised queries, share links, history, and the point-and-click builder on real workspaces."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from research.errors import ConflictError, ValidationError
from research.query import builder, saved
from research.query.sandbox import close_sandbox, run_sandboxed
from research.query.schema import EXAMPLE_PARAMS, EXAMPLES, schema_objects
from research.query.statements import parameter_names
from research.store import Store


@pytest.fixture
def ws(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    close_sandbox(store)
    store.close()


UNDERCUT = EXAMPLES["undercut"]


def test_save_edit_delete_are_audited(ws: Store) -> None:
    specs = saved.infer_parameters(UNDERCUT, values={"since": dt.date(2026, 8, 1)})
    assert specs == [saved.ParamSpec("since", "date", "2026-08-01")]
    item = saved.save_query(ws, "ana", name="Undercut", description="who is cheaper", sql=UNDERCUT, parameters=specs)
    assert item.owner == "ana" and item.parameters == tuple(specs) and item.version == 1
    edited = saved.save_query(
        ws, "marko", name="Undercut by category", sql=UNDERCUT, parameters=specs, saved_id=item.id, expected_version=1
    )
    assert edited.version == 2 and saved.get_saved(ws, item.id).name == "Undercut by category"
    with pytest.raises(ConflictError, match="changed by marko"):
        saved.save_query(ws, "ana", name="Stale", sql=UNDERCUT, parameters=specs, saved_id=item.id, expected_version=1)
    saved.delete_saved(ws, "ana", item.id, expected_version=2)
    assert saved.list_saved(ws) == []
    actions = ws.query_rows(
        "SELECT actor, action FROM audit_log WHERE table_name = 'saved_queries' ORDER BY id"
    )
    assert [(a["actor"], a["action"]) for a in actions] == [("ana", "insert"), ("marko", "update"), ("ana", "delete")]


def test_saving_refuses_writes_duplicates_and_untyped_parameters(ws: Store) -> None:
    with pytest.raises(ValidationError, match="DELETE"):
        saved.save_query(ws, "ana", name="Oops", sql="DELETE FROM companies")
    with pytest.raises(ValidationError, match="name"):
        saved.save_query(ws, "ana", name="  ", sql="SELECT 1")
    saved.save_query(ws, "ana", name="Same", sql="SELECT 1")
    with pytest.raises(ValidationError, match="already exists"):
        saved.save_query(ws, "ana", name="same", sql="SELECT 2")
    with pytest.raises(ValidationError, match=r"\$region"):
        saved.validate_saved("x", "SELECT * FROM accounts WHERE region = $region", [])
    with pytest.raises(ValidationError, match="table.column"):
        saved.validate_saved("x", "SELECT $r", [saved.ParamSpec("r", "choice")])
    with pytest.raises(ValidationError, match="number"):
        saved.validate_saved("x", "SELECT $n", [saved.ParamSpec("n", "number", "ten")])


def test_parameter_kinds_and_coercion() -> None:
    assert saved.guess_kind("since") == "date"
    assert saved.guess_kind("region") == "text"
    assert saved.guess_kind("limit", "25") == "number"
    assert saved.guess_kind("x", "2026-01-31") == "date"
    number = saved.ParamSpec("n", "number")
    assert saved.coerce_value(number, "12") == 12 and saved.coerce_value(number, "1,5") == 1.5
    assert saved.coerce_value(saved.ParamSpec("d", "date"), "2026-08-01") == dt.date(2026, 8, 1)
    with pytest.raises(ValidationError, match="date like"):
        saved.coerce_value(saved.ParamSpec("d", "date"), "yesterday")
    with pytest.raises(ValidationError, match="Give a value"):
        saved.coerce_values([saved.ParamSpec("x")], {})
    assert saved.coerce_values([saved.ParamSpec("x", "text", "fallback")], {}) == {"x": "fallback"}
    assert parameter_names("SELECT $b, $a, $b, '$c'") == ["b", "a"]
    assert saved.parse_cli_params(["since=2026-08-01", "n=3", "name=O'Brien; DROP", "flag=true"]) == {
        "since": dt.date(2026, 8, 1), "n": 3, "name": "O'Brien; DROP", "flag": True,
    }
    with pytest.raises(ValidationError, match="name=value"):
        saved.parse_cli_params(["oops"])


def test_share_links_round_trip(ws: Store) -> None:
    link = saved.share_params(7, {"since": dt.date(2026, 8, 1), "region": "Western Balkans"})
    assert link == {"saved": "7", "p_since": "2026-08-01", "p_region": "Western Balkans"}
    saved_id, values = saved.read_share_params({**link, "lang": "sr"})
    assert saved_id == 7 and values == {"since": "2026-08-01", "region": "Western Balkans"}
    assert saved.read_share_params({"saved": "x"}) == (None, {})


def test_pick_list_choices_come_from_a_checked_column(ws: Store) -> None:
    regions = saved.choices(ws, "accounts.region")
    assert "Western Balkans" in regions and regions == sorted(regions)
    with pytest.raises(ValidationError, match="not a column"):
        saved.choices(ws, "accounts.password")
    with pytest.raises(ValidationError, match="table.column"):
        saved.choices(ws, "accounts; DROP TABLE x")


def test_history_keeps_the_newest_100_per_actor(ws: Store) -> None:
    for i in range(105):
        saved.record_history(ws, "ana", f"SELECT {i}", {"i": i}, status="ok", row_count=1, seconds=0.01)
    saved.record_history(ws, "marko", "DROP TABLE x", None, status="refused", message="DROP is not allowed")
    ana = saved.history(ws, "ana")
    assert len(ana) == 100 and ana["sql"].iloc[0] == "SELECT 104" and ana["sql"].iloc[-1] == "SELECT 5"
    marko = saved.history(ws, "marko")
    assert marko["status"].tolist() == ["refused"]
    sql, values = saved.history_entry(ws, "ana", int(ana["id"].iloc[0]))
    assert sql == "SELECT 104" and values == {"i": 104}
    assert saved.history_entry(ws, "marko", int(ana["id"].iloc[0])) is None  # not someone else's runs
    # history is its own log: no audit rows for it
    assert ws.query_value("SELECT count(*) FROM audit_log WHERE table_name = 'query_history'") == 0


def test_history_is_skipped_on_a_read_only_workspace(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy), read_only=True)
    try:
        saved.record_history(store, "ana", "SELECT 1", None, status="ok")
        assert store.query_value("SELECT count(*) FROM query_history") == 0
    finally:
        store.close()


def test_every_example_runs_with_its_parameters(ws: Store) -> None:
    for key, sql in EXAMPLES.items():
        specs = [saved.ParamSpec(n, k, d, c) for n, k, d, c in EXAMPLE_PARAMS.get(key, [])]
        assert {s.name for s in specs} == set(parameter_names(sql)), key
        result = run_sandboxed(ws, sql, saved.coerce_values(specs, {}))
        assert result.rows > 0, key


def test_schema_browser_lists_curated_views_first_with_counts(ws: Store) -> None:
    objects = schema_objects(ws)
    assert [o.name for o in objects[:4]] == ["price_index", "latest_prices", "accounts_by_segment", "swot_staleness"]
    by_name = {o.name: o for o in objects}
    assert by_name["companies"].rows == 8 and by_name["companies"].kind == "table"
    assert by_name["latest_prices"].rows == ws.query_value("SELECT count(*) FROM products")
    assert "price_index" in [c.name for c in by_name["price_index"].columns]
    assert by_name["price_index"].description_key == "query.object.price_index"


def test_builder_answers_who_undercuts_us_by_clicking(ws: Store) -> None:
    columns = {r["column_name"]: r["data_type"] for r in ws.query_rows(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'price_index'")}
    spec = builder.BuilderSpec(
        source="price_index",
        filters=(builder.Filter("month", ">=", "2026-08-01"), builder.Filter("price_index", "<", "100"),
                 builder.Filter("is_us", "=", "false")),
        group_by=("company", "category"),
        measures=(builder.Measure("avg", "price_index"), builder.Measure("count")),
        sort="avg_price_index",
        descending=False,
        limit=50,
    )
    built = builder.build_sql(spec, columns)
    assert '"month" >= $month' in built.sql and "$price_index" in built.sql
    assert built.params == {"month": dt.date(2026, 8, 1), "price_index": 100, "is_us": "false"}
    assert [s.kind for s in built.specs] == ["date", "number", "text"]
    result = run_sandboxed(ws, built.sql, built.params)
    assert result.rows > 0
    assert list(result.frame.columns) == ["company", "category", "avg_price_index", "rows"]
    assert (result.frame["avg_price_index"] < 100).all()
    assert "Danubia Packaging" not in set(result.frame["company"])
    # the generated SQL saves as a parameterised query as it is
    item = saved.save_query(ws, "ana", name="Undercut (clicked)", sql=built.sql, parameters=list(built.specs))
    assert [p.name for p in item.parameters] == ["month", "price_index", "is_us"]


def test_builder_refuses_unknown_names_and_bad_values() -> None:
    columns = {"name": "VARCHAR", "employees": "INTEGER", "founded": "DATE"}
    with pytest.raises(ValidationError, match="no column"):
        builder.build_sql(builder.BuilderSpec("companies", group_by=('name"; DROP TABLE x; --',)), columns)
    with pytest.raises(ValidationError, match="number"):
        builder.build_sql(builder.BuilderSpec("companies", filters=(builder.Filter("employees", ">", "many"),)), columns)
    with pytest.raises(ValidationError, match="numeric"):
        builder.build_sql(builder.BuilderSpec("companies", measures=(builder.Measure("sum", "name"),)), columns)
    with pytest.raises(ValidationError, match="not a table"):
        builder.build_sql(builder.BuilderSpec("nowhere"), {})
    share = builder.build_sql(
        builder.BuilderSpec("companies", group_by=("name",), measures=(builder.Measure("share", "employees"),)), columns
    )
    assert "sum(\"employees\") / sum(sum(\"employees\")) OVER ()" in share.sql
    text = builder.build_sql(builder.BuilderSpec("companies", filters=(builder.Filter("name", "contains", "x'--"),)), columns)
    assert text.params == {"name": "x'--"} and "x'--" not in text.sql
    assert json.dumps(text.params)


def test_history_keeps_a_shortened_copy_of_a_huge_refused_statement(ws: Store) -> None:
    # A refused 5 MB statement used to land whole in query_history, in every later read of it.
    huge = "SELECT " + "1 + " * 1_250_000 + "1"
    saved.record_history(ws, "ana", huge, None, status="refused", message="too long")
    kept = saved.history(ws, "ana")["sql"].iloc[0]
    assert len(kept) < saved.HISTORY_SQL_CHARS + 40
    assert kept.startswith("SELECT 1 + 1 + ") and kept.endswith(f"({len(huge):,} characters)")
