"""Clustering a market larger than VANTAGE_SEGMENT_FIT_SAMPLE: fitted on a seeded sample, every account
assigned in chunks streamed from DuckDB, clusters described from the sample and saying so.

The large path is forced on small real workspaces by setting the sample (and the chunk) low;
bench/bench_segments.py measures it at 5 million accounts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import cli
from page_helpers import assert_clean, run_app
from sklearn.metrics import adjusted_rand_score
from test_segments_clustering import plant

from research.data import fields
from research.errors import ValidationError
from research.i18n import t
from research.segments import clustering, saved
from research.segments.rules import ACCOUNTS_SQL, compile_rule
from research.store import Store

FEATURES = ["employees", "annual_revenue", "relationship_years", "deals", "industry", "region"]


@pytest.fixture
def sampled(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Any market above 500 accounts takes the large path, 500 accounts a chunk (rounded up to 2,048 rows)."""
    monkeypatch.setenv("VANTAGE_SEGMENT_FIT_SAMPLE", "500")
    monkeypatch.setenv("VANTAGE_SEGMENT_CHUNK", "500")
    return monkeypatch


@pytest.fixture
def demo(demo_workspace_file: Path):
    store = Store.open(str(demo_workspace_file), read_only=True)
    yield store
    store.close()


def test_every_account_gets_a_label_chunk_by_chunk(demo: Store, sampled: pytest.MonkeyPatch) -> None:
    steps: list[tuple[float, str]] = []
    result = clustering.cluster_accounts(demo, FEATURES, progress=lambda f, m: steps.append((f, m)))
    ids = demo.query_df("SELECT id FROM accounts WHERE NOT archived ORDER BY id")["id"].to_numpy()
    assert result.sample == 500 and result.rows == len(ids) == 5000
    assert np.array_equal(result.ids, ids) and len(result.labels) == len(ids)
    assert set(np.unique(result.labels).tolist()) == set(range(result.k))
    assert sum(result.sizes) == 5000 and result.sizes == sorted(result.sizes, reverse=True)
    assert result.sizes == [len(result.members(c)) for c in range(result.k)]
    # 5,000 accounts in chunks of whole DuckDB vectors (500 rows round up to 2,048): three chunks, in order.
    assert [m for _, m in steps].count("assign") == 3
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    texts = result.descriptions("en")
    assert len(set(texts)) == result.k and all("firms" in text.lower() for text in texts)
    assert "described from a sample of 500 accounts" in result.sample_note("en")
    assert "all 5,000 accounts" in result.sample_note("en")
    assert "узорку од 500 клијената" in result.sample_note("sr") and "5.000" in result.sample_note("sr")
    assert all("{" not in text for text in result.descriptions("sr"))


def test_same_seed_same_clusters_whatever_the_chunk_size(demo: Store, sampled: pytest.MonkeyPatch) -> None:
    a = clustering.cluster_accounts(demo, FEATURES)
    b = clustering.cluster_accounts(demo, FEATURES)
    sampled.setenv("VANTAGE_SEGMENT_CHUNK", "100000")  # one chunk
    c = clustering.cluster_accounts(demo, FEATURES)
    for other in (b, c):
        assert np.array_equal(a.labels, other.labels) and a.scan.equals(other.scan)
        assert a.descriptions("en") == other.descriptions("en") and a.sizes == other.sizes


def test_the_sample_fit_agrees_with_fitting_every_account(demo: Store, sampled: pytest.MonkeyPatch) -> None:
    from_sample = clustering.cluster_accounts(demo, FEATURES)
    sampled.setenv("VANTAGE_SEGMENT_FIT_SAMPLE", "5000")  # the whole market fits: loaded and fitted on, as always
    from_all = clustering.cluster_accounts(demo, FEATURES)
    assert from_all.sample == 0 and from_all.sample_note("en") == ""
    assert from_sample.k == from_all.k
    assert adjusted_rand_score(from_all.labels, from_sample.labels) > 0.85


def test_a_rule_and_custom_fields_on_the_large_path(demo_copy: Path, sampled: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        fields.add_field(store, "tester", "accounts", "profit", "money", label_en="Profit", label_sr="Добит")
        fields.add_field(store, "tester", "accounts", "tier", "choice", choices=["gold", "silver", "bronze"])
        fields.add_field(store, "tester", "accounts", "listed", "bool")
        with store.transaction("tester") as tx:
            tx.execute("UPDATE accounts SET profit = annual_revenue * (hash(id, 'p') % 20) / 100, "
                       "tier = CASE hash(id, 't') % 4 WHEN 0 THEN 'gold' WHEN 1 THEN 'silver' WHEN 2 THEN 'bronze' END, "
                       "listed = CASE WHEN hash(id, 'l') % 3 = 0 THEN NULL ELSE employees > 100 END")
        rule = compile_rule({"field": "region", "in": ["Western Balkans", "Central Europe"]})
        ids = store.query_df(f"SELECT s.id FROM ({ACCOUNTS_SQL}) s WHERE {rule.sql} ORDER BY s.id", rule.params)["id"]
        features = ["employees", "profit", "deals", "tier", "listed", "supplier", "industry"]
        result = clustering.cluster_accounts(store, features, k=4, condition=rule)
        again = clustering.cluster_accounts(store, features, k=4, condition=rule)
        missing = store.query_df(f"SELECT count(*) - count(tier) AS tier, count(*) - count(listed) AS listed, "
                                 f"count(*) - count(supplier_id) AS supplier "
                                 f"FROM ({ACCOUNTS_SQL}) s WHERE {rule.sql}", rule.params).iloc[0]
    finally:
        store.close()
    assert 500 < len(ids) < 5000 and result.sample == 500 and result.rows == len(ids)
    assert np.array_equal(result.ids, ids.to_numpy()) and sum(result.sizes) == len(ids) and result.k == 4
    assert np.array_equal(result.labels, again.labels) and result.descriptions("sr") == again.descriptions("sr")
    # Counted over every account the rule matches, in SQL, not over the sample.
    assert result.imputed == {f: int(missing[f]) for f in ("tier", "listed", "supplier")}
    assert len(set(result.descriptions("en"))) == 4


def test_planted_clusters_are_recovered_from_a_sample(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    plant(store)
    # One more Serbian food firm, stored last but with the smallest id: the chunks arrive out of id order.
    with store.transaction("test") as tx:
        tx.execute("INSERT INTO accounts (id, name, country, region, industry, employees, annual_revenue, status, "
                   "supplier_company_id) VALUES (1, 'Late', 'RS', 'Western Balkans', 'Food & beverage', 15, 1500000, "
                   "'prospect', 2)")
    monkeypatch.setenv("VANTAGE_SEGMENT_FIT_SAMPLE", "200")
    monkeypatch.setenv("VANTAGE_SEGMENT_CHUNK", "1")
    result = clustering.cluster_accounts(store, ["employees", "annual_revenue", "industry", "country", "supplier"], k_max=6)
    assert result.sample == 200 and result.rows == 901
    assert result.ids[0] == 1 and bool(np.all(np.diff(result.ids) > 0))
    assert result.suggested_k == 3 == result.k
    assert adjusted_rand_score(np.maximum(result.ids // 100000, 1), result.labels) > 0.95
    assert sorted(result.sizes) == [300, 300, 301]
    texts = result.descriptions("en")
    assert any(t.startswith("Large Automotive firms in Austria") and "served by Rival B" in t for t in texts), texts
    assert any(t.startswith("Small Food & beverage firms in Serbia") for t in texts), texts


def test_checks_and_missing_counts_cover_every_account_not_the_sample(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    plant(store, 100, missing_employees=7)
    monkeypatch.setenv("VANTAGE_SEGMENT_FIT_SAMPLE", "100")
    result = clustering.cluster_accounts(store, ["employees", "industry"], k=3)
    assert result.sample == 100 and result.rows == 300 and result.imputed == {"employees": 21}
    # Two owners among 300 accounts: a sample of 100 may miss them, the market does not.
    with store.transaction("test") as tx:
        tx.execute("UPDATE accounts SET owner = CASE id WHEN 100001 THEN 'Ana' ELSE 'Marko' END WHERE id IN (100001, 200001)")
    result = clustering.cluster_accounts(store, ["employees", "owner"], k=2)
    assert result.imputed == {"employees": 21, "owner": 298} and sum(result.sizes) == 300
    with pytest.raises(ValidationError, match="same value for every account"):
        clustering.cluster_accounts(store, ["employees", "status"], k=2)
    with store.transaction("test") as tx:
        tx.execute("UPDATE accounts SET owner = NULL")
    with pytest.raises(ValidationError, match="empty for every account"):
        clustering.cluster_accounts(store, ["owner"], k=2)


def test_a_scale_fitted_on_a_sample_holds_for_the_accounts_outside_it() -> None:
    sample = np.array([1.0, 2.0, 4.0, np.nan])
    assert clustering.fit_scale(sample, "log").log == "log"
    as_market = clustering.fit_scale(sample, "log", floor=0.0)  # a zero among the accounts not sampled
    assert as_market.log == "log1p" and np.isfinite(as_market.apply(np.array([0.0, 3.0, np.nan]))).all()
    with pytest.raises(ValidationError, match="negative values"):
        clustering.fit_scale(sample, "log", "employees", floor=-1.0)
    # Known for a few accounts, none of them sampled: the column weighs nothing, not millions unscaled.
    unknown = clustering.fit_scale(np.full(4, np.nan), "z", floor=2e6)
    assert np.array_equal(unknown.apply(np.array([2e6, 9e6, np.nan])), np.zeros(3))
    # Fitted on every row, a constant column is all centre, as before.
    assert np.array_equal(clustering.scale_column(np.full(3, 5.0), "z"), np.zeros(3))


def test_categories_come_from_the_whole_market_in_a_stable_order() -> None:
    columns = clustering.categories_from_counts([("b", 5), (None, 9), ("a", 5), ("c", 1)])
    assert columns.values == (None, "a", "b", "c") and not columns.other
    many = clustering.categories_from_counts([(f"v{i:02}", 100 - i) for i in range(20)])
    assert len(many.values) == clustering.MAX_CATEGORIES - 1 and many.other and many.width == clustering.MAX_CATEGORIES


def test_clusters_of_a_large_market_save_as_segments(demo_copy: Path, sampled: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        result = clustering.cluster_accounts(store, FEATURES)
        segments = saved.save_cluster_segments(
            store, "tester", names=[f"Sampled {i + 1}" for i in range(result.k)],
            descriptions=result.descriptions("en"), members=[result.members(i) for i in range(result.k)],
            definitions=[{"features": result.features, "cluster": i + 1} for i in range(result.k)],
            colours=["#5D6D7E"] * result.k,
        )
        counts = [store.query_value("SELECT count(*) FROM segment_members WHERE segment_id = ?", [s.id]) for s in segments]
    finally:
        store.close()
    assert counts == result.sizes and sum(counts) == 5000


def test_cli_and_page_say_the_clusters_come_from_a_sample(demo_copy: Path, sampled: pytest.MonkeyPatch) -> None:
    run = cli("segment", "cluster", "--db", str(demo_copy), "--features", ",".join(FEATURES), "--k", "3")
    assert run.returncode == 0, run.stderr
    assert "Clustered 5,000 accounts" in run.stdout and "described from a sample of 500 accounts" in run.stdout
    # In English: AppTest formats a selectbox's value with the page's format_func outside the page,
    # where tr() speaks the default language (the Serbian note is checked above, in the result).
    at = run_app(demo_copy, sampled, page="segments")
    at.session_state["segments_view"] = "cluster"
    at.run()
    next(b for b in at.button if b.label == t("segments.cluster.run", "en")).click().run()
    assert_clean(at)
    captions = [c.value for c in at.caption]
    assert any("described from a sample of 500 accounts" in c and "5,000" in c for c in captions), captions
    assert at.dataframe[0].value.shape[0] == at.session_state["segments_cluster_result"].k
