"""Where a TAM's contract value comes from (issue 15, item 5): a constant, a share of an account column, or won deals.

The bug this pins: one flat €20,000 per account for a Fortune-500 company and a corner
shop alike. A share of revenue is converted to EUR at the newest rate; accounts without a
value or without a rate are counted and reported, never valued at 0 silently; won deals
value each account by its employee band, falling back to all won deals and saying so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_one_line_error, cli
from data_helpers import plan_for
from page_helpers import assert_clean, run_app

from research.data import imports
from research.errors import ValidationError
from research.i18n import t
from research.present import decks, views
from research.present.model import RenderContext
from research.segments import saved, sizing
from research.segments.rules import MATCH_ALL, compile_rule
from research.store import Store

BAND_SQL = ("CASE WHEN employees IS NULL THEN NULL WHEN employees < 50 THEN 'lt50' WHEN employees < 250 THEN '50_249' "
            "WHEN employees < 1000 THEN '250_999' ELSE '1000plus' END")
SERBIA = {"field": "country", "in": ["RS"]}


@pytest.fixture
def demo(demo_copy: Path):
    s = Store.open(str(demo_copy))
    yield s
    s.close()


def _apply(store: Store, entity: str, lines: list[str]) -> None:
    imports.apply_import(store, plan_for(store, entity, "\n".join(lines).encode()), "ana")


def _fresh(path: Path) -> None:
    """Imported fresh: 4 EUR accounts (one without revenue), 3 in USD; USD rates of two dates; no deal."""
    store = Store.open(str(path))
    try:
        _apply(store, "exchange_rates", ["currency,valid_on,per_eur", "USD,2026-01-05,2.0", "USD,2026-11-27,1.25"])
        _apply(store, "accounts", [
            "name,country,industry,status,employees,annual_revenue,revenue_currency",
            "Alpha,RS,Food,prospect,20,1000000,EUR",
            "Beta,RS,Food,prospect,120,2000000,EUR",
            "Gamma,RS,Food,prospect,600,,EUR",
            "Delta,RS,Food,prospect,,4000000,EUR",
            "Echo,US,Food,prospect,30,500000,USD",
            "Foxtrot,US,Food,prospect,300,1250000,USD",
            "Golf,US,Food,prospect,3000,2500000,USD",
        ])
        saved.save_rule_segment(store, "ana", name="All", rule={})
    finally:
        store.close()


@pytest.fixture
def fresh_path(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.duckdb"
    _fresh(path)
    return path


@pytest.fixture
def fresh(fresh_path: Path):
    s = Store.open(str(fresh_path))
    yield s
    s.close()


def _drop_usd_rate(store: Store) -> None:
    # An editor deleted the rates on the Data page after the import (the importer itself refuses USD without one).
    with store.transaction("ana") as tx:
        tx.execute("DELETE FROM exchange_rates WHERE currency = 'USD'")


# ---- constant (the default) ------------------------------------------------------------------


def test_a_constant_is_accounts_times_the_value_as_before(demo: Store) -> None:
    cond = compile_rule(SERBIA)
    valuation = sizing.value_accounts(demo, cond, sizing.ContractValue("constant", amount=20_000))
    accounts = demo.query_value("SELECT count(*) FROM accounts WHERE country = 'RS' AND NOT archived")
    assert (valuation.accounts, valuation.valued, valuation.total) == (accounts, accounts, accounts * 20_000)
    result = sizing.size_segment(valuation.accounts, sizing.Assumptions(20_000, 0.6, 0.1, 0.2), valuation=valuation)
    plain = sizing.size_segment(accounts, sizing.Assumptions(20_000, 0.6, 0.1, 0.2))
    assert (result.tam, result.sam, result.som) == (plain.tam, plain.sam, plain.som)
    assert sizing.contract_text(valuation, "en") == (
        f"contract value: €20,000 per account (constant), {accounts:,} of {accounts:,} accounts valued"
    )


# ---- a share of an account column ------------------------------------------------------------


def test_a_share_of_revenue_sums_each_account(demo: Store) -> None:
    cond = compile_rule(SERBIA)
    valuation = sizing.value_accounts(demo, cond, sizing.ContractValue("share", share=0.005, column="annual_revenue"))
    revenue = float(demo.query_value("SELECT sum(annual_revenue) FROM accounts WHERE country = 'RS' AND NOT archived"))
    assert valuation.total == pytest.approx(0.005 * revenue)
    assert valuation.valued == valuation.accounts and valuation.no_value == valuation.no_rate == 0
    n = f"{valuation.accounts:,}"
    assert sizing.contract_text(valuation, "en") == f"contract value: 0.5% of annual revenue (EUR), {n} of {n} accounts valued"
    assert sizing.contract_text(valuation, "sr").startswith("вредност уговора: 0,5% годишњег прихода (€)")


def test_usd_revenue_is_converted_at_the_newest_rate_and_missing_values_are_counted(fresh: Store) -> None:
    contract = sizing.ContractValue("share", share=0.01, column="annual_revenue")
    valuation = sizing.value_accounts(fresh, MATCH_ALL, contract)
    eur = 1_000_000 + 2_000_000 + 4_000_000
    usd = (500_000 + 1_250_000 + 2_500_000) / 1.25  # the newest rate, not the January one
    assert valuation.total == pytest.approx(0.01 * (eur + usd))
    assert (valuation.accounts, valuation.valued, valuation.no_value, valuation.no_rate) == (7, 6, 1, 0)
    assert sizing.contract_text(valuation, "en") == (
        "contract value: 1% of annual revenue (EUR), 6 of 7 accounts valued; 1 without a value"
    )


def test_usd_revenue_without_a_rate_is_reported_not_valued_at_zero_or_one_to_one(fresh: Store) -> None:
    _drop_usd_rate(fresh)
    contract = sizing.ContractValue("share", share=0.01, column="annual_revenue")
    valuation = sizing.value_accounts(fresh, MATCH_ALL, contract)
    assert valuation.total == pytest.approx(0.01 * 7_000_000)  # the USD accounts are out, not taken 1:1
    assert (valuation.valued, valuation.no_value, valuation.no_rate, valuation.missing_rates) == (3, 1, 3, ("USD",))
    assert sizing.contract_text(valuation, "en").endswith(
        "3 of 7 accounts valued; 1 without a value, 3 without an exchange rate (USD)"
    )
    result = sizing.size_segment(valuation.accounts, sizing.Assumptions(0, 0.5, 0.1, 0.2), valuation=valuation)
    assert result.tam == pytest.approx(70_000) and result.accounts == 7


def test_a_column_added_later_is_offered_and_taken_as_eur(fresh: Store) -> None:
    assert list(sizing.amount_columns(fresh)) == ["employees", "annual_revenue"]
    with fresh.transaction("ana") as tx:
        tx.execute("ALTER TABLE accounts ADD COLUMN packaging_spend DOUBLE")
        tx.execute("UPDATE accounts SET packaging_spend = 1000 WHERE country = 'RS'")
    assert sizing.amount_columns(fresh)["packaging_spend"] is None  # no currency: taken as it is
    valuation = sizing.value_accounts(fresh, MATCH_ALL, sizing.ContractValue("share", share=0.5, column="packaging_spend"))
    assert valuation.total == pytest.approx(4 * 500) and (valuation.valued, valuation.no_value) == (4, 3)
    assert "taken as EUR" in sizing.contract_text(valuation, "en")
    assert "column “packaging_spend”" in sizing.contract_text(valuation, "en")


@pytest.mark.parametrize(
    ("contract", "message"),
    [
        (sizing.ContractValue("share", share=0.01, column="nope"),
         "no column “nope”; numeric columns: employees, annual_revenue"),
        (sizing.ContractValue("share", share=0.01, column="name"), "“name” is not a numeric column"),
        (sizing.ContractValue("share", share=0.01, column="id"), "“id” is not a numeric column"),
        (sizing.ContractValue("share", share=-0.01, column="annual_revenue"), "cannot be negative"),
        (sizing.ContractValue("share", share=1.5, column="annual_revenue"), "between 0 % and 100 %"),
        (sizing.ContractValue("share", share=float("nan"), column="annual_revenue"), "as a number"),
        (sizing.ContractValue("constant", amount=-1), "cannot be negative"),
        (sizing.ContractValue("median"), "not 'median'"),
    ],
)
def test_bad_contract_values_are_refused_with_a_message(fresh: Store, contract: sizing.ContractValue, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        sizing.value_accounts(fresh, MATCH_ALL, contract)


# ---- won deals of similar size ---------------------------------------------------------------


def test_deals_value_each_account_by_its_employee_band(demo: Store) -> None:
    medians = {r["band"]: float(r["m"]) for r in demo.query_rows(
        f"SELECT {BAND_SQL} AS band, median(d.value) AS m FROM deals d JOIN accounts a ON a.id = d.account_id "
        "WHERE d.outcome = 'won' AND d.value IS NOT NULL GROUP BY ALL")}
    members = demo.query_rows(f"SELECT {BAND_SQL} AS band, count(*) AS n FROM accounts WHERE country = 'RS' GROUP BY ALL")
    assert all(r["band"] in medians for r in members)  # the demo has won deals in every band
    valuation = sizing.value_accounts(demo, compile_rule(SERBIA), sizing.ContractValue("deals"))
    assert valuation.total == pytest.approx(sum(medians[r["band"]] * r["n"] for r in members))
    assert valuation.fallback == 0 and valuation.valued == valuation.accounts
    won = demo.query_value("SELECT count(*) FROM deals WHERE outcome = 'won' AND value IS NOT NULL")
    assert sizing.contract_text(valuation, "en").startswith(
        f"contract value: median won deal of accounts in the same employee band (from {won:,} won deals)"
    )


def test_deals_fall_back_to_all_won_deals_and_say_so(fresh: Store) -> None:
    with pytest.raises(ValidationError, match="No won deal with a value"):
        sizing.value_accounts(fresh, MATCH_ALL, sizing.ContractValue("deals"))
    ids = {r["name"]: r["id"] for r in fresh.query_rows("SELECT id, name FROM accounts")}
    with fresh.transaction("ana") as tx:
        for name, outcome, value, currency in (
            ("Alpha", "won", 1_000, "EUR"), ("Echo", "won", 5_000, "USD"),  # band lt50: 1,000 and 4,000 EUR
            ("Beta", "won", 9_000, "EUR"),  # band 50_249
            ("Beta", "lost", 99_000, "EUR"), ("Gamma", "open", 99_000, "EUR"),  # neither counts
        ):
            tx.insert("deals", {"account_id": ids[name], "outcome": outcome, "value": value, "currency": currency,
                                "closed_on": dt.date(2026, 6, 1)})
    valuation = sizing.value_accounts(fresh, MATCH_ALL, sizing.ContractValue("deals"))
    lt50, mid, overall = (1_000 + 4_000) / 2, 9_000, 4_000  # medians; overall of 1,000 / 4,000 / 9,000
    # Alpha, Echo: lt50; Beta: 50_249; Gamma, Foxtrot (250_999), Golf (1000plus), Delta (no employees): all deals.
    assert valuation.total == pytest.approx(2 * lt50 + mid + 4 * overall)
    assert (valuation.valued, valuation.fallback, valuation.deals) == (7, 4, 3)
    assert sizing.contract_text(valuation, "en").endswith(
        "(from 3 won deals), 7 of 7 accounts valued; 4 at the median of all won deals (no won deal in their employee band)"
    )
    _drop_usd_rate(fresh)
    valuation = sizing.value_accounts(fresh, MATCH_ALL, sizing.ContractValue("deals"))
    assert valuation.deals_no_rate == 1 and valuation.deals == 2
    assert "1 won deals left out (no exchange rate for their currency)" in sizing.contract_text(valuation, "en")


# ---- command line ----------------------------------------------------------------------------


def test_the_size_command_says_where_the_value_came_from(fresh_path: Path) -> None:
    db = str(fresh_path)
    default = cli("segment", "size", "all", "--db", db)
    assert default.returncode == 0, default.stderr
    assert "contract value: €20,000 per account (constant), 7 of 7 accounts valued" in default.stdout
    assert re.search(r"^TAM +EUR +140,000 ", default.stdout, re.M)  # 7 × the configured default, no won deal yet
    share = cli("segment", "size", "All", "--db", db, "--contract-share", "1%", "--contract-column", "annual_revenue",
                "--sam", "0.5", "--som", "0.1")
    assert share.returncode == 0, share.stderr
    assert "1% of annual revenue (EUR), 6 of 7 accounts valued; 1 without a value" in share.stdout
    assert re.search(r"^TAM +EUR +104,000 ", share.stdout, re.M)
    assert "(50% of TAM" in share.stdout and "(10% of SAM" in share.stdout
    assert_one_line_error(cli("segment", "size", "All", "--db", db, "--contract-from-deals"), 1, "No won deal with a value")


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (["--contract-share", "0.01", "--contract-column", "turnover"], 1, "no column “turnover”"),
        (["--contract-share", "0.01", "--contract-column", "industry"], 1, "“industry” is not a numeric column"),
        (["--contract-share", "-0.005"], 1, "cannot be negative"),
        (["--contract-value", "-1"], 1, "cannot be negative"),
        (["--contract-column", "annual_revenue"], 1, "--contract-column needs --contract-share"),
        (["--sam", "1.5"], 1, "between 0 % and 100 %"),
        (["--contract-share", "lots"], 2, "not a share"),
        (["--contract-value", "1", "--contract-from-deals"], 2, "not allowed with"),
    ],
)
def test_the_size_command_refuses_bad_input(fresh_path: Path, options: list[str], code: int, message: str) -> None:
    run = cli("segment", "size", "All", "--db", str(fresh_path), *options)
    if code == 1:
        assert_one_line_error(run, 1, message)
    else:
        assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


# ---- page and slide --------------------------------------------------------------------------


def test_the_page_sizes_by_a_share_of_revenue_and_says_so(fresh_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(fresh_path, monkeypatch, page="segments")
    at.session_state["segments_view"] = "sizing"
    at.run()
    assert_clean(at)
    assert "per account (constant), 7 of 7 accounts valued" in at.caption[1].value
    at.radio(key="segments_contract_source").set_value("share").run()
    assert_clean(at)
    assert at.selectbox(key="segments_contract_column").options == ["Employees (employees)", "Annual revenue (annual_revenue)"]
    at.number_input(key="segments_contract_share").set_value(1.0).run()
    assert_clean(at)
    expected = "contract value: 1% of annual revenue (EUR), 6 of 7 accounts valued; 1 without a value"
    assert expected in [c.value for c in at.caption]
    chart = at.get("vega_lite_chart")[0]
    assert expected in json.loads(chart.proto.spec)["title"]["subtitle"]
    assert _funnel_values(chart)[0] == pytest.approx(0.01 * (7_000_000 + 4_250_000 / 1.25))
    at.radio(key="segments_contract_source").set_value("deals").run()
    assert at.error and "No won deal with a value" in at.error[0].value  # said, not valued at 0
    assert not at.get("vega_lite_chart")


def test_the_page_in_serbian_names_the_source(fresh_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(fresh_path, monkeypatch, page="segments", lang="sr")
    at.session_state["segments_view"] = "sizing"
    at.run()
    at.radio(key="segments_contract_source").set_value("share").run()
    assert_clean(at)
    assert any(c.value.startswith("вредност уговора: 0,5% годишњег прихода (€), процењено 6 од 7") for c in at.caption)


def _funnel_values(chart: Any) -> list[float]:
    """TAM, SAM, SOM as the funnel draws them (Streamlit ships the data apart from the spec, as Arrow)."""
    import pyarrow as pa

    table = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
    return [float(table.loc[table["stage"] == stage, "value"].iloc[0]) for stage in ("TAM", "SAM", "SOM")]


def test_a_slide_keeps_the_source_and_loses_it_with_the_column(fresh: Store) -> None:
    segment = saved.get_segment(fresh, "All")
    with fresh.transaction("ana") as tx:
        tx.execute("ALTER TABLE accounts ADD COLUMN packaging_spend DOUBLE")
        tx.execute("UPDATE accounts SET packaging_spend = 1000")
    params = {"segment": segment.id, "sam_share": 0.5, "som_share": 0.1, "sensitivity": 0.2,
              "contract": {"source": "share", "share": 0.1, "column": "packaging_spend"}}
    content = views.VIEWS["segments.sizing"].render(fresh, json.loads(json.dumps(params)), RenderContext())
    tam, sam, som = content.native.series[0].values
    assert tam == pytest.approx(7 * 100) and sam == pytest.approx(350)
    assert "0.1" not in content.subtitle and "10% of column “packaging_spend”" in content.subtitle
    assert "7 of 7 accounts valued" in content.text
    with fresh.transaction("ana") as tx:
        tx.execute("ALTER TABLE accounts DROP COLUMN packaging_spend")
    slide = decks.Slide(0, 0, 1, "view", "Kept title", "", "", "segments.sizing", params, 1)
    gone = views.render_slide(fresh, slide, RenderContext(language="en"))
    assert gone.missing and gone.text == t("present.data_gone", "en")
