"""Clustering: recovers planted clusters, suggests k by silhouette, explains clusters, refuses bad input clearly."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from research.errors import ValidationError
from research.segments import clustering
from research.store import Store

# Three planted groups: (country, region, industry, employees centre, supplier id)
PLANTED = (
    ("RS", "Western Balkans", "Food & beverage", 15, 2),
    ("AT", "Central Europe", "Automotive", 3000, 3),
    ("HU", "Central Europe", "Chemicals", 250, 1),
)


def plant(store: Store, per_group: int = 300, *, missing_employees: int = 0) -> None:
    with store.transaction("test") as tx:
        tx.execute("INSERT INTO companies (id, name, is_us) VALUES (1, 'Us', true), (2, 'Rival A', false), (3, 'Rival B', false)")
        for g, (country, region, industry, size, supplier) in enumerate(PLANTED):
            tx.execute(
                """
                INSERT INTO accounts (id, name, country, region, industry, employees, annual_revenue, status, supplier_company_id)
                SELECT ? * 100000 + i, 'Firm ' || i, ?, ?, ?,
                       CASE WHEN i < ? THEN NULL
                            ELSE CAST(? * exp(0.15 * (hash(i, ?) % 1000 / 1000.0 - 0.5)) AS INTEGER) END,
                       ? * 100000 * exp(0.15 * (hash(i, 'r', ?) % 1000 / 1000.0 - 0.5)), 'prospect', ?
                FROM range(?) r(i)
                """,
                [g + 1, country, region, industry, missing_employees, size, g, size, g, supplier, per_group],
            )


def test_recovers_planted_clusters_suggests_k_and_explains_them(store: Store) -> None:
    plant(store)
    result = clustering.cluster_accounts(store, ["employees", "annual_revenue", "industry", "country", "supplier"], k_max=6)
    assert result.suggested_k == 3 == result.k
    assert list(result.scan["k"]) == [2, 3, 4, 5, 6]
    truth = result.ids // 100000
    assert adjusted_rand_score(truth, result.labels) > 0.95
    texts = [result.describe(i, "en") for i in range(3)]
    assert any(t.startswith("Large Automotive firms in Austria") and "served by Rival B" in t for t in texts), texts
    assert any(t.startswith("Small Food & beverage firms in Serbia") for t in texts), texts
    assert all("{" not in result.describe(i, "sr") for i in range(3))
    assert sorted(result.sizes) == [300, 300, 300]
    assert sum(len(result.members(i)) for i in range(3)) == 900


def test_same_seed_same_clusters(store: Store) -> None:
    plant(store, 100)
    a = clustering.cluster_accounts(store, ["employees", "industry"], k=3)
    b = clustering.cluster_accounts(store, ["employees", "industry"], k=3)
    assert np.array_equal(a.labels, b.labels) and a.scan.empty


def test_missing_values_are_imputed_and_counted(store: Store) -> None:
    plant(store, 100, missing_employees=7)
    result = clustering.cluster_accounts(store, ["employees", "industry"], k=3)
    assert result.imputed == {"employees": 21}
    assert result.rows == 300


def test_bad_inputs_give_clear_messages(store: Store) -> None:
    with pytest.raises(ValidationError, match="more accounts than clusters"):
        clustering.cluster_accounts(store, ["employees"], k=3)
    plant(store, 2)
    with pytest.raises(ValidationError, match="more accounts than clusters"):
        clustering.cluster_accounts(store, ["employees"], k=8)
    with pytest.raises(ValidationError, match="same value for every account"):
        clustering.cluster_accounts(store, ["status"], k=2)
    with pytest.raises(ValidationError, match="empty for every account"):
        clustering.cluster_accounts(store, ["owner"], k=2)
    with pytest.raises(ValidationError, match="Cannot cluster on"):
        clustering.parse_features("employees,name; DROP TABLE accounts")
    with pytest.raises(ValidationError, match="at least one feature"):
        clustering.parse_features(" , ")
