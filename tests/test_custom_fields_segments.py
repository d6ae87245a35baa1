"""Segmentation on custom fields (issue 15, item 4): rules, the CLI's text form, profiles, clustering,
bands that follow the workspace, renames, and the rule builder offering the workspace's own fields.

Workspaces are real DuckDB files: the demo (seed 42, scale 1) with custom fields added through
research.data.fields, or an empty workspace filled with a planted market.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from page_helpers import assert_clean, run_app

from research import cli
from research.data import fields
from research.errors import ValidationError
from research.i18n import t
from research.segments import bands, clustering, profile, rules, saved
from research.store import Store

MIXED = {t("segments.trait.mixed", lang) for lang in ("en", "sr")}


def add_demo_fields(db: Path) -> None:
    """Four custom fields on the demo's accounts, filled from the id so every count can be checked by hand:
    profit (money, in each account's currency), state (choice), listed (yes/no), founded_on (date)."""
    store = Store.open(str(db))
    try:
        fields.add_field(store, "tester", "accounts", "profit", "money", label_en="Profit", label_sr="Добит")
        fields.add_field(store, "tester", "accounts", "state", "choice", label_en="State", label_sr="Савезна држава",
                         choices=["CA", "NY", "TX"])
        fields.add_field(store, "tester", "accounts", "listed", "bool", label_en="Listed", label_sr="На берзи")
        fields.add_field(store, "tester", "accounts", "founded_on", "date", label_en="Founded", label_sr="Основано")
        with store.transaction("tester") as tx:
            tx.execute(
                "UPDATE accounts SET profit = id * 100, state = ['CA', 'NY', 'TX'][id % 3 + 1], listed = id % 2 = 0, "
                "founded_on = DATE '2000-01-01' + CAST(id AS INTEGER)")
    finally:
        store.close()


def count(store: Store, where: str, params: list | None = None) -> int:
    return int(store.query_value(f"SELECT count(*) FROM accounts WHERE NOT archived AND {where}", params or []))


# ---- rules -------------------------------------------------------------------------------------


def test_rules_on_custom_number_category_bool_and_date_fields(demo_copy: Path) -> None:
    add_demo_fields(demo_copy)
    store = Store.open(str(demo_copy))
    try:
        eur = store.query_value("SELECT count(*) FROM accounts WHERE NOT archived AND revenue_currency = 'EUR'")
        assert eur == store.query_value("SELECT count(*) FROM accounts WHERE NOT archived")  # so money here is 1:1
        rule = {"op": "and", "items": [
            {"field": "profit", "min": 100_000, "max": 300_000},
            {"field": "state", "in": ["CA", "TX"]},
            {"field": "listed", "in": [True]},
            {"field": "founded_on", "min": "2000-03-01"},
        ]}
        condition = rules.compile_rule(rule, store)
        expected = count(store, "id BETWEEN 1000 AND 3000 AND id % 3 IN (0, 2) AND id % 2 = 0 "
                                "AND DATE '2000-01-01' + CAST(id AS INTEGER) >= DATE '2000-03-01'")
        assert 0 < profile.count_members(store, condition) == expected
        # "not in" keeps accounts without a value, like the built-in fields
        with store.transaction("tester") as tx:
            tx.execute("UPDATE accounts SET state = NULL WHERE id <= 30")
        not_ny = rules.compile_rule({"field": "state", "not_in": ["NY"]}, store)
        assert profile.count_members(store, not_ny) == count(store, "(state IS NULL OR state <> 'NY')")
        # without the workspace only the built-in fields are known, as before
        with pytest.raises(ValidationError, match="cannot filter on 'profit'"):
            rules.compile_rule(rule)
    finally:
        store.close()


def test_the_narrow_base_takes_custom_columns(demo_copy: Path) -> None:
    add_demo_fields(demo_copy)
    store = Store.open(str(demo_copy))
    try:
        condition = rules.compile_rule({"op": "and", "items": [{"field": "profit", "min": 50_000},
                                                              {"field": "state", "in": ["NY"]}]}, store)
        custom = rules.custom_columns(store)
        assert custom == ("profit", "state", "listed", "founded_on")
        assert rules.condition_columns(condition.sql) is None  # built-ins only: unsure
        assert rules.condition_columns(condition.sql, custom) == {"profit", "state", rules.RATE_COLUMN}
        narrow = profile.base_sql(condition, "id", custom=custom)
        assert '"profit"' in narrow and '"listed"' not in narrow and "EXCLUDE" not in narrow
        full = store.query_value(f"SELECT count(*) FROM ({rules.ACCOUNTS_SQL}) s WHERE {condition.sql}", condition.params)
        assert profile.count_members(store, condition) == full == count(store, "id >= 500 AND id % 3 = 1")
        with pytest.raises(ValueError, match="Not columns"):
            rules.accounts_sql(["id", "profit"])  # a custom column only when the registry names it
    finally:
        store.close()


def test_money_field_compares_in_eur_at_the_newest_rate(store: Store) -> None:
    fields.add_field(store, "tester", "accounts", "profit", "money")
    with store.transaction("tester") as tx:
        tx.execute("INSERT INTO exchange_rates VALUES ('USD', DATE '2024-01-01', 1.0), ('USD', DATE '2024-06-01', 1.25)")
        tx.execute(
            "INSERT INTO accounts (id, name, country, region, industry, status, revenue_currency, annual_revenue, profit) "
            "VALUES (1, 'Dollar Inc', 'US', 'North America', 'Retail', 'prospect', 'USD', 1250, 125), "
            "       (2, 'Euro AG', 'DE', 'Central Europe', 'Retail', 'prospect', 'EUR', 1000, 110), "
            "       (3, 'Dinar doo', 'RS', 'Western Balkans', 'Retail', 'prospect', 'RSD', 1000, 100)")
    # 125 US$ at 1.25 per EUR is €100, like revenue; a currency without any rate is taken 1:1, as revenue is.
    at_least = {v: profile.count_members(store, rules.compile_rule({"field": "profit", "min": v}, store)) for v in (100, 101, 111)}
    assert at_least == {100: 3, 101: 1, 111: 0}
    revenue = rules.compile_rule({"field": "revenue_eur", "max": 1000})
    assert profile.count_members(store, revenue) == 3
    members = store.query_rows(
        f"SELECT s.id, CAST(s.profit / s._eur_rate AS DOUBLE) AS eur FROM ({rules.ACCOUNTS_SQL}) s ORDER BY s.id")
    assert [r["eur"] for r in members] == [100.0, 110.0, 100.0]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('state = "FL"', ("never 'FL'", "CA, NY, TX")),
        ("state >= 3", ("does not take “>=”",)),
        ('profit >= "a lot"', ("compares with a number",)),
        ('profit in ("1")', ("does not take “in”",)),
        ("listed = maybe", ("yes or no",)),
        ("founded_on >= 2020", ("quoted date",)),
        ('founded_on >= "31.12.2020"', ("must be a date like",)),
        ('founded_on between "2021-01-01" and "2020-01-01"', ("range of “founded_on” is empty",)),
        ('ticker = "AAPL"', ("cannot filter on 'ticker'", "profit", "state", "listed", "founded_on")),
    ],
)
def test_cli_refuses_bad_rules_on_custom_fields(demo_copy: Path, capsys: pytest.CaptureFixture[str], text: str,
                                                fragments: tuple[str, ...]) -> None:
    add_demo_fields(demo_copy)
    code = cli.main(["segment", "add", "Bad", "--db", str(demo_copy), "--rule", text])
    out = capsys.readouterr()
    assert code == 1 and not out.out
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and all(f in lines[0] for f in fragments), out.err
    reopened = Store.open(str(demo_copy))
    try:
        assert reopened.query_value("SELECT count(*) FROM segments") == 0  # nothing written
    finally:
        reopened.close()


def test_cli_segment_add_and_show_with_custom_fields(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_demo_fields(demo_copy)
    db = str(demo_copy)
    text = ('profit between 100000 and 300000 AND state in ("ca", "TX") AND listed = yes '
            'AND founded_on >= "2000-03-01" OR state = "NY" AND listed = false')
    assert cli.main(["segment", "add", "Fields", "--db", db, "--rule", text]) == 0
    out = capsys.readouterr().out
    # The rule read back: choices in the field's own spelling, yes/no as true/false.
    back = ('profit between 100000 and 300000 AND state in ("CA", "TX") AND listed = true AND founded_on >= "2000-03-01" '
            'OR state = "NY" AND listed = false')
    assert f"Saved rule segment “Fields”: {back}" in out
    store = Store.open(db)
    try:
        expected = count(store, "(id BETWEEN 1000 AND 3000 AND id % 3 IN (0, 2) AND id % 2 = 0 AND id >= 60) "
                                "OR (id % 3 = 1 AND id % 2 = 1)")
        segment = saved.get_segment(store, "Fields")
        assert segment.definition["items"][0]["items"][2] == {"field": "listed", "in": [True]}
        assert rules.parse_rule_text(rules.rule_text(segment.definition) or "", fields=rules.fields_of(store)) == segment.definition
    finally:
        store.close()
    assert f"{expected:,} accounts match it now." in out
    assert cli.main(["segment", "show", "fields", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert f"Rule         {back}" in shown and "Custom fields" in shown
    profit_line = next(line for line in shown.splitlines() if line.strip().startswith("profit (Profit)"))
    assert "median €" in profit_line and "known" in profit_line
    state_line = next(line for line in shown.splitlines() if line.strip().startswith("state (State)"))
    assert "NY" in state_line and "%" in state_line


def test_profile_describes_custom_fields(demo_copy: Path) -> None:
    add_demo_fields(demo_copy)
    store = Store.open(str(demo_copy))
    try:
        condition = rules.compile_rule({"field": "profit", "max": 100_000}, store)  # ids 1…1,000
        members = profile.count_members(store, condition)
        summaries = {s.field.name: s for s in profile.field_summaries(store, condition)}
        assert list(summaries) == ["profit", "state", "listed", "founded_on"]
        money = summaries["profit"]
        assert money.known == members and money.minimum == 100 and money.maximum == 100_000
        assert money.median == pytest.approx(store.query_value(
            "SELECT median(profit) FROM accounts WHERE NOT archived AND profit <= 100000"))
        state = summaries["state"]
        assert sum(n for _, n in state.top) == members and {v for v, _ in state.top} == {"CA", "NY", "TX"}
        assert dict(summaries["listed"].top)[True] == count(store, "id <= 1000 AND id % 2 = 0")
        assert str(summaries["founded_on"].minimum) == "2000-01-02"
        text = profile.summary_text(money, members, "sr")
        assert "медијана" in text and "€" in text
    finally:
        store.close()


def test_renaming_a_field_keeps_saved_segments_working(demo_copy: Path) -> None:
    add_demo_fields(demo_copy)
    store = Store.open(str(demo_copy))
    try:
        rule = {"op": "and", "items": [{"field": "profit", "min": 200_000}, {"field": "state", "in": ["CA"]}]}
        segment = saved.save_rule_segment(store, "ana", name="Rich Californians", rule=rule)
        before = profile.count_members(store, segment.condition)
        assert before == count(store, "id >= 2000 AND id % 3 = 0")
        fields.rename_field(store, "ana", "accounts", "profit", new_name="net_profit", label_en="Net profit")
        renamed = saved.get_segment(store, "Rich Californians")
        assert renamed.definition["items"][0] == {"field": "net_profit", "min": 200_000}
        assert profile.count_members(store, renamed.condition) == before
        assert "net_profit >= 200000" in (rules.rule_text(renamed.definition) or "")
    finally:
        store.close()


# ---- clustering ----------------------------------------------------------------------------------

# Four groups planted on custom fields only: (profit in US$, margin %, floor space m²).
PLANTED = ((0.8e6, 4.0, 150), (5e6, 12.0, 900), (25e6, 22.0, 4000), (120e6, 36.0, 20000))


def plant_custom_four(store: Store, per_group: int = 120) -> None:
    fields.add_field(store, "tester", "accounts", "profit", "money", label_en="Profit", label_sr="Добит")
    fields.add_field(store, "tester", "accounts", "margin", "percent", label_en="Margin", label_sr="Маржа")
    fields.add_field(store, "tester", "accounts", "floor_space", "number", label_en="Floor space",
                     label_sr="Површина")
    with store.transaction("tester") as tx:
        tx.execute("INSERT INTO exchange_rates VALUES ('USD', DATE '2024-06-01', 1.25)")
        for g, (profit, margin, floor) in enumerate(PLANTED):
            tx.execute(
                "INSERT INTO accounts (id, name, country, region, industry, status, revenue_currency, profit, margin, floor_space) "
                "SELECT ? * 100000 + i, 'Firm ' || i, 'US', 'North America', 'Retail', 'prospect', 'USD', "
                "       ? * exp(0.3 * (hash(i, 'p', ?) % 1000 / 1000.0 - 0.5)), "
                "       ? + 2 * (hash(i, 'm', ?) % 1000 / 1000.0 - 0.5), "
                "       ? * exp(0.3 * (hash(i, 'f', ?) % 1000 / 1000.0 - 0.5)) "
                "FROM range(?) r(i)",
                [g + 1, profit, g, margin, g, floor, g, per_group],
            )


def test_planted_four_groups_on_custom_fields_found_exactly(store: Store) -> None:
    plant_custom_four(store)
    catalogue = clustering.available_features(store)
    assert {catalogue[f].unit for f in ("profit", "margin", "floor_space")} == {"money", "percent", "number"}
    result = clustering.cluster_accounts(store, ["profit", "margin", "floor_space"], k_max=8)
    assert result.suggested_k == 4 == result.k, result.scan
    truth = result.ids // 100000
    assert sorted(result.sizes) == [120] * 4
    assert all(len(set(truth[result.labels == c])) == 1 for c in range(4))
    assert set(result.scaling) == {"profit", "margin", "floor_space"}
    for lang in ("en", "sr"):
        texts = result.descriptions(lang)
        assert len(set(texts)) == 4 and not MIXED & set(texts), texts
        assert all("{" not in text and "€" in text and "%" in text for text in texts), texts
    english = result.descriptions("en")
    assert all("profit " in text and "margin " in text and "floor space " in text for text in english), english
    assert all(" than cluster " in text for text in english), english
    # Money in EUR: the smallest group's US$0.8M profit is about €0.64M.
    smallest = english[int(result.labels[np.argmin(result.ids)])]
    assert "€6" in smallest and "$" not in smallest, smallest
    assert any("добит" in text for text in result.descriptions("sr"))


def test_cluster_cli_on_custom_features(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    plant_custom_four(store, 40)
    db = store.database
    store.close()
    code = cli.main(["segment", "cluster", "--db", db, "--features", "profit,margin,floor_space", "--k-max", "6",
                     "--scaling", "margin=robust", "--save", "Planted"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Scaling  profit=" in out.out and "margin=robust," in out.out and "Clusters (k = 4)" in out.out
    reopened = Store.open(db)
    try:
        definition = saved.get_segment(reopened, "Planted 1").definition
        assert definition["features"] == ["profit", "margin", "floor_space"] and definition["scaling"]["margin"] == "robust"
        fields.rename_field(reopened, "tester", "accounts", "margin", new_name="gross_margin")
        renamed = saved.get_segment(reopened, "Planted 1").definition
        assert renamed["features"] == ["profit", "gross_margin", "floor_space"] and "gross_margin" in renamed["scaling"]
    finally:
        reopened.close()


# ---- bands -------------------------------------------------------------------------------------------


def plant_fortune(store: Store, n: int = 1000) -> None:
    """The 1,000 largest companies: every one over 1,000 employees and €50M revenue."""
    with store.transaction("tester") as tx:
        tx.execute(
            "INSERT INTO accounts (id, name, country, region, industry, status, employees, annual_revenue) "
            "SELECT i, 'Big ' || i, 'US', 'North America', 'Retail', 'prospect', "
            "       CAST(2000 * exp(6 * (hash(i, 'e') % 10000 / 10000.0)) AS INTEGER), "
            "       5e9 * exp(4.5 * (hash(i, 'r') % 10000 / 10000.0)) "
            "FROM range(1, ? + 1) r(i)", [n])


def test_bands_use_quartiles_when_the_fixed_ones_crowd_one_band(store: Store) -> None:
    plant_fortune(store)
    current = bands.workspace_bands(store)
    for dimension in ("employees", "revenue"):
        assert current[dimension].setting == "auto" and current[dimension].mode == "quantiles"
        assert current[dimension].largest_share == 1.0  # every company in the top fixed band
        assert current[dimension].keys == ("q1", "q2", "q3", "q4")
    sizes = {key: profile.count_members(store, rules.compile_rule({"field": "employee_band", "in": [key]}, store))
             for key in current["employees"].keys}
    assert sum(sizes.values()) == 1000 and all(200 <= n <= 300 for n in sizes.values()), sizes
    labels = current["revenue"].labels("en")
    assert labels["q1"].startswith("Q1: under €") and labels["q4"].endswith("or more"), labels
    assert current["employees"].labels("sr")["q4"].endswith(" и више")
    with pytest.raises(ValidationError, match="no band '1000plus'.*q1, q2, q3, q4"):
        rules.compile_rule({"field": "employee_band", "in": ["1000plus"]}, store)
    rule = rules.parse_rule_text('revenue_band = "q4" AND employee_band != "q1"', fields=rules.fields_of(store))
    top = profile.count_members(store, rules.compile_rule(rule, store))
    assert 150 < top < 250
    # "not in" keeps accounts without a value, like a fixed band
    with store.transaction("tester") as tx:
        tx.execute("UPDATE accounts SET employees = NULL WHERE id <= 10")
    assert profile.count_members(store, rules.compile_rule({"field": "employee_band", "not_in": ["q1", "q2", "q3", "q4"]},
                                                           store)) == 10


def test_the_demo_keeps_its_fixed_bands_and_results(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        current = bands.workspace_bands(store)
        for dimension in ("employees", "revenue"):
            assert current[dimension].mode == "fixed" and current[dimension].largest_share < bands.CROWDED
        assert current["employees"].keys == rules.EMPLOYEE_BANDS and current["revenue"].keys == rules.REVENUE_BANDS
        assert current["employees"].label("lt50", "en") == "1–49" and current["revenue"].label("50mplus", "en") == "€50M or more"
        rule = {"op": "or", "items": [{"field": "employee_band", "in": ["50_249", "250_999"]},
                                      {"field": "revenue_band", "not_in": ["lt2m"]}]}
        with_store, fixed = rules.compile_rule(rule, store), rules.compile_rule(rule)
        assert with_store == fixed  # the very same SQL and values as before bands followed the workspace
        assert profile.count_members(store, with_store) == count(
            store, "(employees >= 50 AND employees < 1000) OR annual_revenue IS NULL OR annual_revenue >= 2e6")
        small = profile.count_members(store, rules.compile_rule({"field": "employee_band", "in": ["lt50"]}, store))
        assert small == count(store, "employees < 50") == 2844  # the demo's figure before bands followed the workspace
    finally:
        store.close()


def test_custom_bands_and_a_change_that_drops_a_used_band(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(demo_copy)
    store = Store.open(db)
    try:
        saved.save_rule_segment(store, "ana", name="Small", rule={"field": "employee_band", "in": ["lt50"]})
        with pytest.raises(bands.BandsInUse, match="“Small”.*b1, b2, b3"):
            bands.set_bands(store, "ana", "employees", "custom", "20, 200")
        assert bands.settings(store)["employees"]["mode"] == "auto"  # nothing written
        for bad, message in (("200, 20", "must rise"), ("20, x", "not a number"), ("-5", "positive")):
            with pytest.raises(ValidationError, match=message):
                bands.set_bands(store, "ana", "employees", "custom", bad, confirmed=True)
    finally:
        store.close()
    assert cli.main(["segment", "bands", "--db", db, "--employees", "20,200"]) == 1
    assert "“Small”" in capsys.readouterr().err
    assert cli.main(["segment", "bands", "--db", db, "--employees", "20,200", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "employee_band  custom" in out and "b1         under 20" in out and "b3         200 or more" in out
    store = Store.open(db)
    try:
        b2 = rules.compile_rule({"field": "employee_band", "in": ["b2"]}, store)
        assert profile.count_members(store, b2) == count(store, "employees >= 20 AND employees < 200")
        with pytest.raises(ValidationError, match="no band 'lt50'"):
            _ = saved.get_segment(store, "Small").condition
        assert store.query_value("SELECT count(*) FROM audit_log WHERE table_name = 'workspace_meta'") >= 1
    finally:
        store.close()


# ---- the page ------------------------------------------------------------------------------------


def test_builder_offers_custom_fields_with_labels_and_counts_live(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_demo_fields(demo_copy)
    at = run_app(demo_copy, monkeypatch, page="segments", lang="sr")
    assert_clean(at)
    picker = at.multiselect(key="segments_g0_cf")
    assert picker.options == ["Добит", "Савезна држава", "На берзи", "Основано"]
    picker.set_value(["state", "listed", "profit"]).run()
    assert_clean(at)
    at.multiselect(key="segments_g0_cf:state").set_value(["NY"]).run()
    at.multiselect(key="segments_g0_cf:listed").set_value([False]).run()
    at.number_input(key="segments_g0_cf:profit:min").set_value(250_000).run()
    assert_clean(at)
    labels = [n.label for n in at.number_input]
    assert "Добит у еврима: од" in labels  # money says it compares in EUR
    store = Store.open(str(demo_copy))
    try:
        expected = count(store, "id % 3 = 1 AND id % 2 = 1 AND id >= 2500")
    finally:
        store.close()
    shown = {m.label: m.value for m in at.metric}[t("segments.count", "sr")]
    assert shown.replace(".", "") == str(expected)
    at.text_input(key="segments_name").input("Њујорк")
    at.button(key="segments_save").click().run()
    assert_clean(at)
    store = Store.open(str(demo_copy))
    try:
        segment = saved.get_segment(store, "Њујорк")
        assert {c["field"] for c in segment.definition["items"]} == {"state", "listed", "profit"}
    finally:
        store.close()
    # Loaded again, the saved rule comes back into the same widgets.
    at.selectbox(key="segments_load").set_value(-1).run()
    at.selectbox(key="segments_load").set_value(segment.id).run()
    assert_clean(at)
    assert at.multiselect(key="segments_g0_cf").value == ["state", "listed", "profit"]
    assert at.multiselect(key="segments_g0_cf:state").value == ["NY"]


def test_builder_bands_follow_the_workspace(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    plant_fortune(store)
    db = store.database
    store.close()
    at = run_app(db, monkeypatch, page="segments")
    assert_clean(at)
    band = at.multiselect(key="segments_g0_employee_band")
    assert band.options[0].startswith("Q1: under ") and len(band.options) == 4
    band.set_value(["q4"]).run()
    assert_clean(at)
    assert 200 <= int({m.label: m.value for m in at.metric}["Matching accounts"].replace(",", "")) <= 300
    assert any("quartiles of your data" in c.value for c in at.caption)
    # An editor sets the workspace's own cuts; the picker then offers those bands.
    at.radio(key="segments_bands_employees_mode").set_value("custom").run()
    at.text_input(key="segments_bands_employees_cuts").input("10000, 100000").run()
    at.button(key="segments_bands_save").click().run()
    assert_clean(at)
    assert at.success and t("segments.bands.saved", "en") in at.success[0].value
    reopened = Store.open(db)
    try:
        assert bands.settings(reopened)["employees"] == {"mode": "custom", "cuts": [10000.0, 100000.0]}
    finally:
        reopened.close()
    assert at.multiselect(key="segments_g0_employee_band").options == ["under 10,000", "10,000–99,999", "100,000 or more"]
    assert at.error == [] and "q4" not in str(at.multiselect(key="segments_g0_employee_band").value)


def test_cluster_scaling_offered_for_the_picked_numeric_features_only(demo_copy: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    add_demo_fields(demo_copy)
    at = run_app(demo_copy, monkeypatch, page="segments")
    at.session_state["segments_view"] = "cluster"
    at.run()
    assert_clean(at)
    picker = at.multiselect(key="segments_cluster_features")
    assert "Profit" in picker.options and "State" in picker.options and "Founded" not in picker.options
    scaling = [s.key for s in at.selectbox if str(s.key).startswith("segments_cluster_scaling_")]
    assert scaling == ["segments_cluster_scaling_employees", "segments_cluster_scaling_annual_revenue"]
    picker.set_value(["profit", "employees", "state"]).run()
    assert_clean(at)
    scaling = [s.key for s in at.selectbox if str(s.key).startswith("segments_cluster_scaling_")]
    assert scaling == ["segments_cluster_scaling_profit", "segments_cluster_scaling_employees"]
    assert at.selectbox(key="segments_cluster_scaling_profit").label == "Scaling: Profit"
