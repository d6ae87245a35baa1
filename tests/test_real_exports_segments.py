"""Segmentation on any attribute (issue 15, slice D): shape-aware scaling, a suggested k that finds
known structure, descriptions that tell every cluster apart, and rule segments from the CLI.

`tests/fixtures/real_exports/d_mall_customers.csv` is shaped like the public mall-customers file
(200 customers, annual income 15–137 k$ × spending score 1–100, five well-known groups); it is
written by `mall_customers()` below with a fixed seed, and a test checks the two still agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from research import cli
from research.errors import ValidationError
from research.i18n import t
from research.segments import clustering, rules, saved
from research.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "real_exports" / "d_mall_customers.csv"
MIXED = {t("segments.trait.mixed", lang) for lang in ("en", "sr")}

# (income centre k$, sd, spending-score centre, sd, customers): low/low, low/high, mid/mid, high/low, high/high.
MALL_GROUPS = ((26, 6, 20, 9, 23), (26, 6, 79, 9, 22), (55, 7, 50, 6, 81), (88, 15, 17, 9, 35), (86, 15, 82, 8, 39))


def mall_customers(seed: int = 7) -> pd.DataFrame:
    """200 customers in the mall file's shape; `group` is the planted truth (not a column of the real file)."""
    rng = np.random.default_rng(seed)
    rows = []
    for g, (income, income_sd, score, score_sd, n) in enumerate(MALL_GROUPS):
        incomes = np.clip(np.rint(rng.normal(income, income_sd, n)), 15, 137).astype(int)
        scores = np.clip(np.rint(rng.normal(score, score_sd, n)), 1, 100).astype(int)
        if g >= 3:
            incomes[0] = 137  # the real file's two top earners, one spending little and one a lot
        rows += [(g, int(a), int(b)) for a, b in zip(incomes, scores)]
    order = rng.permutation(len(rows))
    df = pd.DataFrame([rows[i] for i in order], columns=["group", "Annual Income (k$)", "Spending Score (1-100)"])
    df.insert(0, "CustomerID", np.arange(1, len(df) + 1))
    df.insert(1, "Gender", rng.choice(["Male", "Female"], len(df)))
    df.insert(2, "Age", rng.integers(18, 71, len(df)))
    return df


def write_fixture() -> None:  # run by hand to regenerate: python -c "import test_real_exports_segments as t; t.write_fixture()"
    mall_customers().drop(columns=["group"]).to_csv(FIXTURE, index=False)


def load_mall(store: Store) -> pd.DataFrame:
    """The mall file as accounts: income (k$ → €) as annual revenue, spending score as employees
    (there are no custom fields yet; the features are named by column either way)."""
    df = pd.read_csv(FIXTURE)
    with store.transaction("test") as tx:
        tx.execute(
            "INSERT INTO accounts (id, name, country, region, industry, status, annual_revenue, employees) "
            "SELECT id, 'Customer ' || id, 'RS', 'Western Balkans', 'Retail', 'prospect', income * 1000, score "
            "FROM (SELECT unnest(?::INTEGER[]) AS id, unnest(?::DOUBLE[]) AS income, unnest(?::INTEGER[]) AS score)",
            [df["CustomerID"].tolist(), df["Annual Income (k$)"].tolist(), df["Spending Score (1-100)"].tolist()],
        )
    return df


def test_the_fixture_is_the_generator_output() -> None:
    on_disk = pd.read_csv(FIXTURE)
    assert on_disk.equals(mall_customers().drop(columns=["group"]))
    assert len(on_disk) == 200
    assert on_disk["Annual Income (k$)"].between(15, 137).all() and on_disk["Annual Income (k$)"].max() == 137
    assert on_disk["Spending Score (1-100)"].between(1, 100).all()


def test_mall_customers_five_groups_found_with_suggested_k_5(store: Store) -> None:
    from sklearn.metrics import adjusted_rand_score

    load_mall(store)
    truth = mall_customers()["group"].to_numpy()
    result = clustering.cluster_accounts(store, ["annual_revenue", "employees"], k_max=10)
    # Neither feature is skewed: both standardised. Log-scaling both (the old pipeline) suggested 6–7.
    assert result.scaling == {"annual_revenue": "z", "employees": "z"}
    assert result.suggested_k == 5 == result.k, result.scan
    assert adjusted_rand_score(truth[np.argsort(pd.read_csv(FIXTURE)["CustomerID"])], result.labels) > 0.9
    texts = result.descriptions("en")
    assert len(set(texts)) == 5 and not MIXED & set(texts), texts
    assert all("€" in text and "employees" in text for text in texts), texts
    # The bug this pins: forcing log scaling on both shapes finds another k.
    forced = clustering.cluster_accounts(store, ["annual_revenue", "employees"], k_max=10,
                                         scaling="annual_revenue=log,employees=log")
    assert forced.scaling == {"annual_revenue": "log", "employees": "log"} and forced.suggested_k != 5


# Four well-separated groups: (industry, employees centre, revenue centre in €).
PLANTED_FOUR = (("Food", 20, 2e6), ("Chemicals", 150, 12e6), ("Automotive", 800, 60e6), ("Pharma", 4000, 400e6))


def plant_four(store: Store, per_group: int = 120) -> None:
    with store.transaction("test") as tx:
        for g, (industry, size, revenue) in enumerate(PLANTED_FOUR):
            tx.execute(
                "INSERT INTO accounts (id, name, country, region, industry, employees, annual_revenue, status) "
                "SELECT ? * 100000 + i, 'Firm ' || i, 'AT', 'Central Europe', ?, "
                "       CAST(? * exp(0.3 * (hash(i, ?) % 1000 / 1000.0 - 0.5)) AS INTEGER), "
                "       ? * exp(0.3 * (hash(i, 'r', ?) % 1000 / 1000.0 - 0.5)), 'prospect' "
                "FROM range(?) r(i)",
                [g + 1, industry, size, g, revenue, g, per_group],
            )


@pytest.mark.parametrize("features", [["employees", "annual_revenue"], ["employees", "annual_revenue", "industry"]])
def test_planted_four_groups_found_exactly_with_four_descriptions(store: Store, features: list[str]) -> None:
    plant_four(store)
    result = clustering.cluster_accounts(store, features, k_max=8)
    assert result.suggested_k == 4 == result.k, result.scan
    truth = result.ids // 100000
    # Every member in its own group: each cluster holds exactly one planted group, whole.
    assert sorted(result.sizes) == [120] * 4
    assert all(len(set(truth[result.labels == c])) == 1 for c in range(4))
    for lang in ("en", "sr"):
        texts = result.descriptions(lang)
        assert len(set(texts)) == 4 and not MIXED & set(texts), texts
        assert all("{" not in text for text in texts)
    texts = result.descriptions("en")
    # Ranges in the field's units, and what sets each apart from its nearest neighbour.
    assert all("employees" in text and "€" in text and " than cluster " in text for text in texts), texts
    middle = [texts[c] for c in range(4) if set(truth[result.labels == c]) & {2, 3}]
    assert all("m revenue" in text.lower() for text in middle), middle  # en_GB writes €12m


@pytest.mark.parametrize("seed", range(12))
def test_no_two_clusters_ever_share_a_description(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    df = pd.DataFrame({
        "id": np.arange(n),
        "employees": np.round(rng.lognormal(4, 1.5, n)),
        "annual_revenue": rng.lognormal(15, 1.2, n),
        "score": rng.normal(50, 15, n).round(),
        "industry": rng.choice(["Food", "Chemicals", "Pharma"], n),
    })
    kinds = {"employees": "number", "annual_revenue": "number", "score": "number", "industry": "category"}
    units = {"employees": "count", "annual_revenue": "money"}
    features = list(rng.choice(list(kinds), size=int(rng.integers(1, 5)), replace=False))
    for k in (2, 5, 8):  # structureless data over-split: where equal descriptions used to appear
        result = clustering.cluster_frame(df, features, kinds=kinds, units=units, k=k)
        for lang in ("en", "sr"):
            texts = result.descriptions(lang)
            assert len(set(texts)) == k, (features, texts)
            assert not MIXED & set(texts)


def test_identical_rows_in_two_clusters_still_read_differently() -> None:
    # Only two distinct points but three clusters asked for: one point is split, so two clusters
    # hold the very same values; the descriptions must still differ.
    df = pd.DataFrame({"id": range(40), "employees": [10] * 20 + [500] * 20, "region": ["A"] * 40})
    df.loc[39, "region"] = "B"
    result = clustering.cluster_frame(df, ["employees", "region"], k=3)
    texts = result.descriptions("en")
    assert len(set(texts)) == 3, texts


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (np.random.default_rng(1).lognormal(10, 1.5, 500), "log"),  # sizes: strictly positive, right-skewed
        (np.random.default_rng(2).pareto(2.0, 500) + 1, "log"),
        (np.random.default_rng(3).normal(50, 10, 500), "z"),  # symmetric
        (np.random.default_rng(4).uniform(1, 100, 500), "z"),
        (np.r_[np.zeros(50), np.random.default_rng(5).lognormal(3, 1.5, 450)], "robust"),  # zeros: never log
        (np.random.default_rng(6).lognormal(3, 1.5, 500) - 5, "robust"),  # negatives: never log
        (-np.random.default_rng(7).lognormal(3, 1.5, 500), "robust"),  # left-skewed
        (np.r_[[15] * 100, [250] * 100, [3000] * 100], "z"),  # three sizes: skew below 1
    ],
)
def test_scaling_follows_the_shape(values: np.ndarray, expected: str) -> None:
    assert clustering.choose_scaling(values) == expected


def test_scaling_is_returned_and_can_be_overridden(store: Store) -> None:
    plant_four(store, 30)
    auto = clustering.cluster_accounts(store, ["employees", "annual_revenue"], k=4)
    assert auto.scaling == auto.auto_scaling and set(auto.scaling) == {"employees", "annual_revenue"}
    forced = clustering.cluster_accounts(store, ["employees", "annual_revenue"], k=4, scaling="employees=robust")
    assert forced.scaling["employees"] == "robust" and forced.auto_scaling == auto.auto_scaling
    for bad, message in (("employees=sqrt", "Unknown scaling"), ("deals=log", "not one of the features"),
                         ("industry=log", "not one of the features")):
        with pytest.raises(ValidationError, match=message):
            clustering.cluster_accounts(store, ["employees", "annual_revenue"], k=4, scaling=bad)
    with pytest.raises(ValidationError, match="is a category"):
        clustering.cluster_accounts(store, ["employees", "industry"], k=4, scaling="industry=log")


# ---- CLI -----------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_error_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert all(f in lines[0] for f in fragments), lines[0]


def test_segment_add_creates_a_rule_segment(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    plant_four(store, 10)
    with store.transaction("test") as tx:
        tx.execute("INSERT INTO companies (id, name, is_us) VALUES (7, 'PackPro \"Intl\"', false)")
        tx.execute("UPDATE accounts SET supplier_company_id = 7 WHERE industry = 'Pharma'")
    db = store.database
    store.close()
    text = 'industry = "Food" AND employees >= 10 OR industry in ("Pharma", "Chemicals") AND supplier = "packpro ""intl"""'
    code, out, err = run(capsys, "segment", "add", "Small or served", "--db", db, "--rule", text)
    assert code == 0, err
    assert "10 accounts match" not in out and "20 accounts match it now." in out
    code, out, err = run(capsys, "segment", "show", "small or served", "--db", db)
    assert code == 0, err
    assert 'industry = "Food" AND employees >= 10 OR industry in ("Pharma", "Chemicals") AND supplier = 7' in out
    assert "Accounts     20 " in out
    reopened = Store.open(db)
    try:
        segment = saved.get_segment(reopened, "Small or served")
    finally:
        reopened.close()
    assert segment.kind == "rule"
    assert rules.parse_rule_text(rules.rule_text(segment.definition) or "") == segment.definition


@pytest.mark.parametrize(
    ("rule", "fragments"),
    [
        ('colour = "red"', ("cannot filter on 'colour'", "industry")),
        ("employees > 50", ("does not take “>”", ">=")),
        ('status = "active"', ("never 'active'", "customer, prospect, lost")),
        ("industry = Food", ("Quote the value",)),
        ('employees >= "50"', ("compares with a number",)),
        ('industry = "Food" AND', ("Expected a field name", "end of the rule")),
        ('industry = "Food"; DROP TABLE accounts', ("unexpected ';'",)),
        ('industry ~ "Food"', ("unexpected '~'",)),
        ('industry in ("Food", "Pharma"', ("Expected “)”",)),
        ('supplier = "Nobody"', ("company id",)),
        ("employees between 500 and 50", ("range of “employees” is empty",)),
        ('industry = "Food" OR OR', ("Expected a field name",)),
    ],
)
def test_segment_add_refuses_bad_rules_with_one_line(
    store: Store, capsys: pytest.CaptureFixture[str], rule: str, fragments: tuple[str, ...]
) -> None:
    db = store.database
    store.close()
    code, out, err = run(capsys, "segment", "add", "Bad", "--db", db, "--rule", rule)
    assert code == 1 and not out
    one_error_line(err, *fragments)
    reopened = Store.open(db)
    try:
        assert reopened.query_value("SELECT count(*) FROM segments") == 0  # nothing written
    finally:
        reopened.close()


def test_cluster_cli_takes_any_numeric_account_column_and_scaling(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    plant_four(store, 40)
    # A numeric column the code has never heard of (as a custom field stored as a column would be).
    with store.transaction("test") as tx:
        tx.execute("ALTER TABLE accounts ADD COLUMN floor_space DOUBLE")
        tx.execute("UPDATE accounts SET floor_space = (id // 100000) * 1000 + id % 7")
    db = store.database
    store.close()
    code, out, err = run(capsys, "segment", "cluster", "--db", db, "--features", "employees,annual_revenue",
                         "--k-max", "6", "--scaling", "employees=robust")
    assert code == 0, err
    assert "Scaling  employees=robust, annual_revenue=" in out and "(auto)" in out
    assert "<- suggested" in out and "Clusters (k = 4)" in out
    code, out, err = run(capsys, "segment", "cluster", "--db", db, "--features", "floor_space,industry", "--k", "4")
    assert code == 0, err
    assert "Scaling  floor_space=z (auto)" in out and "floor space " in out
    code, out, err = run(capsys, "segment", "cluster", "--db", db, "--features", "employees,shoe_size")
    assert code == 1
    one_error_line(err, "Cannot cluster on shoe_size", "choose from employees, annual_revenue", "floor_space")
    code, out, err = run(capsys, "segment", "cluster", "--db", db, "--features", "employees", "--scaling", "employees=cube")
    assert code == 1
    one_error_line(err, "Unknown scaling 'cube'")
