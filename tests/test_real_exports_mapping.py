"""Issue 15, slice C: an import mapping that never guesses silently.

Pins what a Fortune-style list (rank, company, revenue in US$ millions, profit, two-letter
state, CEO, ticker, no country column) did to an empty workspace: the suggested mapping put
the state codes into `status` and the rank into `archived` (rank 1 silently read as
"archived = yes"), state/profit/rank/ticker were dropped without a word, a country could not
be given for every row and revenue in millions could not be scaled.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from page_helpers import run_app

from research.cli import main
from research.data import entities, imports, mapping, reading
from research.errors import ValidationError
from research.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_exports"
FORTUNE = FIXTURES / "c_fortune_style.csv"
FORTUNE_COLUMNS = ["Rank", "Company", "Revenues ($M)", "Profits ($M)", "Employees", "State", "CEO", "Ticker", "Sector"]
US_REGION = "North America"


def _raw(text: str) -> reading.RawTable:
    return reading.read_upload(text.encode(), "file.csv")


def _csv(header: str, values: list[str], name_values: bool = True) -> str:
    """A two-column file: a name column (so `name` has something to map) and `header` with `values`."""
    lines = [f"Company;{header}"] if name_values else [header]
    for i, value in enumerate(values):
        lines.append(f"Firm {i};{value}" if name_values else value)
    return "\n".join(lines) + "\n"


STATES = ["CA", "TX", "NY", "WA", "AR", "MN", "OH", "PA", "MI", "IL", "GA", "NC"]
TICKERS = ["WMT", "AMZN", "XOM", "AAPL", "GE", "GM", "CVS", "UNH", "MCK", "T", "F", "BA"]

# (entity, header, values, field the column must NOT be suggested for). Each header matches
# the field by name (alias or fuzzy); the values say otherwise.
TRAPS = [
    ("accounts", "State", STATES, "status"),
    ("accounts", "Status", STATES, "status"),
    ("accounts", "Rank", [str(i) for i in range(1, 13)], "archived"),
    ("accounts", "Archived", [str(i) for i in range(1, 13)], "archived"),
    ("companies", "Rank", [str(i) for i in range(1, 13)], "archived"),
    ("accounts", "Country", TICKERS, "country"),
    ("accounts", "Country code", ["USA", "DEU", "FRA", "GBR", "SRB", "HRV", "ITA", "ESP", "AUT", "HUN"], "country"),
    ("companies", "Country", TICKERS, "hq_country"),
    ("accounts", "Stage", ["Qualified", "Negotiation", "Proposal", "Closed won", "Discovery"] * 2, "status"),
    ("accounts", "Employees", ["C. Douglas McMillon", "Jeffrey P. Bezos", "Darren W. Woods"] * 3, "employees"),
    ("accounts", "Revenue", ["Q1 2024", "Q2 2024", "Q3 2024", "FY 2023"] * 3, "annual_revenue"),
    ("accounts", "Currency", ["US Dollar", "Euro", "Dinar"] * 4, "revenue_currency"),
    ("accounts", "First contact", ["yes", "no", "yes", "no"] * 3, "first_contact"),
    ("companies", "Founded", ["Acme Inc", "Globex", "Initech"] * 4, "founded"),
    ("companies", "Positioning", ["leader", "challenger", "niche"] * 4, "price_positioning"),
    ("capabilities", "Score", [str(i * 10) for i in range(1, 12)], "score"),
]


@pytest.mark.parametrize(("entity_name", "header", "values", "field_name"), TRAPS,
                         ids=[f"{e}-{h}->{f}" for e, h, _, f in TRAPS])
def test_a_header_that_matches_is_not_suggested_when_the_values_do_not_fit(
        entity_name: str, header: str, values: list[str], field_name: str) -> None:
    entity = entities.get_entity(entity_name)
    raw = _raw(_csv(header, values))
    # The header alone does match: without the values the old guess comes back.
    assert mapping.suggest_mapping(entity, raw.columns).get(field_name) == header
    suggestion = mapping.suggest_for_file(entity, raw)
    assert suggestion.mapping.get(field_name) != header
    rejected = {(r.field, r.column) for r in suggestion.rejected}
    assert (field_name, header) in rejected


CONTROLS = [
    ("accounts", "Status", ["customer", "kupac", "prospect", "lost", "Customer"] * 2, "status"),
    ("accounts", "Country", ["US", "RS", "de", "HR", "GB"] * 2, "country"),
    ("accounts", "Archived", ["yes", "no", "0", "1", "da", ""] * 2, "archived"),
    ("accounts", "Employees", ["12", "1200", "", "45", "7"] * 2, "employees"),
    ("accounts", "First contact", ["2024-01-02", "2023-05-06"] * 5, "first_contact"),
    ("companies", "Founded", ["1999", "2004", "1962"] * 4, "founded"),
    # Nothing to contradict the header: an empty column keeps its suggestion.
    ("accounts", "Status", ["", "", ""], "status"),
]


@pytest.mark.parametrize(("entity_name", "header", "values", "field_name"), CONTROLS,
                         ids=[f"{e}-{h}->{f}" for e, h, _, f in CONTROLS])
def test_a_header_whose_values_fit_is_still_suggested(entity_name: str, header: str, values: list[str],
                                                      field_name: str) -> None:
    entity = entities.get_entity(entity_name)
    assert mapping.suggest_for_file(entity, _raw(_csv(header, values))).mapping.get(field_name) == header


@pytest.mark.parametrize(("valid", "suggested"), [(10, True), (9, True), (8, False), (0, False)])
def test_a_fuzzy_header_needs_ninety_percent_of_the_non_empty_sample(valid: int, suggested: bool) -> None:
    values = ["customer"] * valid + ["CA"] * (10 - valid) + ["", " "] * 5
    raw = _raw(_csv("Account status", values))
    assert mapping.suggest_mapping(entities.get_entity("accounts"), raw.columns).get("status") == "Account status"
    result = mapping.suggest_for_file(entities.get_entity("accounts"), raw)
    assert (result.mapping.get("status") == "Account status") is suggested


@pytest.mark.parametrize(("valid", "suggested"), [(10, True), (5, True), (4, False), (0, False)])
def test_an_exact_header_needs_half_of_the_sample(valid: int, suggested: bool) -> None:
    # "Status" is the field's own name: a typo in a short file is a row problem, not a lost column.
    values = ["customer"] * valid + ["CA"] * (10 - valid)
    result = mapping.suggest_for_file(entities.get_entity("accounts"), _raw(_csv("Status", values)))
    assert (result.mapping.get("status") == "Status") is suggested


def test_a_column_rejected_for_one_field_can_still_feed_another() -> None:
    # "Company" fuzzy-matches nothing but name; the check is per (field, column) pair.
    raw = _raw(_csv("Country", ["RS", "US"] * 5))
    result = mapping.suggest_for_file(entities.get_entity("accounts"), raw)
    assert result.mapping == {"name": "Company", "country": "Country"}


@pytest.mark.parametrize("entity_name", ["accounts", "companies"])
def test_the_fortune_list_suggestion_falls_into_no_trap(entity_name: str) -> None:
    entity = entities.get_entity(entity_name)
    raw = reading.read_upload(FORTUNE.read_bytes(), FORTUNE.name)
    assert raw.columns == FORTUNE_COLUMNS
    suggested = mapping.suggest_for_file(entity, raw).mapping
    assert "Rank" not in suggested.values()
    assert "State" not in suggested.values()
    assert "Ticker" not in suggested.values()
    assert suggested["name"] == "Company"
    assert suggested["employees"] == "Employees"


# ---- the command line: constants, scales, every column accounted for -----------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty workspace that knows one US account (so US -> region) and a USD rate."""
    db = tmp_path / "ws.duckdb"
    store = Store.open(str(db))
    try:
        with store.transaction("ana") as tx:
            tx.insert("accounts", {"name": "Seed Corp", "country": "US", "region": US_REGION,
                                   "industry": "Retailing", "status": "customer"})
            # Revenue in US$: should an import refuse money without a rate, the rate is there.
            tx.insert("exchange_rates", {"currency": "USD", "valid_on": date(2024, 1, 2), "per_eur": 1.1})
    finally:
        store.close()
    return db


FORTUNE_ARGS = ["--set", "country=US", "--set", "status=prospect", "--set", "revenue_currency=USD",
                "--scale", "annual_revenue=1e6"]


def _import(db: Path, *extra: str) -> list[str]:
    return ["import", "accounts", str(FORTUNE), *extra, "--db", str(db)]


def test_a_dry_run_lists_every_column_that_is_not_imported(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_import(workspace, *FORTUNE_ARGS, "--ignore", "Ticker", "--dry-run"))
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.splitlines()
    not_imported = next(line for line in lines if line.startswith("Not imported"))
    for column in ["Rank", "Profits ($M)", "State", "CEO"]:
        assert repr(column) in not_imported
    assert "'Ticker'" not in not_imported
    on_purpose = next(line for line in lines if line.startswith("Ignored"))
    assert "'Ticker'" in on_purpose and "on purpose" in on_purpose
    constants = next(line for line in lines if line.startswith("Constants"))
    assert "country = 'US'" in constants and "status = 'prospect'" in constants
    assert any(line.startswith("Scale") and "annual_revenue" in line and "1,000,000" in line for line in lines)
    # Every column of the file is named in exactly one of mapped / not imported / ignored.
    mapped = next(line for line in lines if line.startswith("Mapping"))
    for column in FORTUNE_COLUMNS:
        places = [repr(column) in line for line in (mapped, not_imported, on_purpose)]
        assert sum(places) == 1, (column, places)


def test_the_import_stores_revenue_scaled_with_constants(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_import(workspace, *FORTUNE_ARGS))
    out = capsys.readouterr()
    assert code == 0, out.err
    store = Store.open(str(workspace))
    try:
        row = store.query_rows("SELECT * FROM accounts WHERE name = 'Walmart'")[0]
        assert store.query_value("SELECT count(*) FROM accounts WHERE country = 'US' AND status = 'prospect'") == 40
        assert store.query_value("SELECT count(*) FROM accounts WHERE archived") == 0
    finally:
        store.close()
    assert float(row["annual_revenue"]) == 523_964_000_000
    assert row["revenue_currency"] == "USD"
    assert row["region"] == US_REGION
    assert row["industry"] == "Retailing"
    assert row["employees"] == 2_200_000


@pytest.mark.parametrize(("option", "field_name", "value"), [
    ("country=Atlantis", "country", "Atlantis"),
    ("status=AR", "status", "AR"),
    ("employees=many", "employees", "many"),
    ("first_contact=31.02.2025", "first_contact", "31.02.2025"),
    ("archived=maybe", "archived", "maybe"),
    ("revenue_currency=dollars", "revenue_currency", "dollars"),
    ("supplier_company_id=Nobody Ltd", "supplier_company_id", "Nobody Ltd"),
])
def test_an_invalid_constant_is_refused_naming_field_and_value(
        workspace: Path, capsys: pytest.CaptureFixture[str], option: str, field_name: str, value: str) -> None:
    code = main(_import(workspace, *FORTUNE_ARGS, "--set", option, "--dry-run"))
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert field_name in err and repr(value) in err


@pytest.mark.parametrize(("extra", "message"), [
    (["--set", "nickname=x"], "no field 'nickname'"),
    (["--set", "country"], "field=value"),
    (["--map", "country=State", "--set", "country=US"], "both"),
    (["--set", "id=4"], "id"),
    (["--scale", "annual_revenue=0"], "positive"),
    (["--scale", "annual_revenue=-1000"], "positive"),
    (["--scale", "annual_revenue=inf"], "finite"),
    (["--scale", "annual_revenue=nan"], "finite"),
    (["--scale", "annual_revenue=millions"], "not a number"),
    (["--scale", "name=1000"], "not a number field"),
    (["--scale", "revenue_currency=1000"], "not a number field"),
    (["--map", "employees=", "--scale", "employees=1000"], "not imported"),
    (["--ignore", "Turnover"], "no column 'Turnover'"),
    (["--map", "employees=Employees", "--ignore", "Employees"], "Employees"),
])
def test_bad_set_scale_and_ignore_options_are_refused(
        workspace: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str) -> None:
    code = main(_import(workspace, *FORTUNE_ARGS, *extra, "--dry-run"))
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and message in err, err


def test_a_suggested_column_gives_way_to_a_constant_and_is_then_listed(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Employees is suggested for employees; --set employees=10 is the person's explicit word.
    code = main(_import(workspace, *FORTUNE_ARGS, "--set", "employees=10", "--dry-run"))
    out = capsys.readouterr().out
    assert code == 0
    not_imported = next(line for line in out.splitlines() if line.startswith("Not imported"))
    assert "'Employees'" in not_imported


def test_a_scaled_value_past_the_field_range_is_a_problem_of_its_row(workspace: Path) -> None:
    entity = entities.get_entity("accounts")
    raw = _raw("Company;Country;Sector;Status;Revenue\nSmall;US;Retail;prospect;5\nHuge;US;Retail;prospect;99000000000\n")
    store = Store.open(str(workspace))
    try:
        plan = imports.prepare_import(store, entity, raw, mapping.suggest_for_file(entity, raw).mapping,
                                      scales={"annual_revenue": 1e6})
    finally:
        store.close()
    assert [(p.row, p.column, p.value) for p in plan.problems] == [(3, "annual_revenue", "99000000000")]
    assert "×1,000,000" in plan.problems[0].reason
    assert float(plan.frame["annual_revenue"].iloc[0]) == 5_000_000


def test_the_core_refuses_a_constant_and_a_column_for_one_field(workspace: Path) -> None:
    entity = entities.get_entity("accounts")
    raw = _raw("Company;Country;Sector;Status\nA;US;Retail;prospect\n")
    store = Store.open(str(workspace))
    try:
        with pytest.raises(ValidationError, match="country"):
            imports.prepare_import(store, entity, raw, {"name": "Company", "country": "Country", "industry": "Sector",
                                                        "status": "Status"}, constants={"country": "US"})
    finally:
        store.close()


def test_the_report_says_when_money_is_stored_in_the_default_currency(
        workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--set", "country=US", "--set", "status=prospect", "--scale", "annual_revenue=1e6"]
    main(_import(workspace, *args, "--dry-run"))
    out = capsys.readouterr().out
    currency = next(line for line in out.splitlines() if line.startswith("Currency"))
    assert "EUR" in currency and "--set revenue_currency=" in currency


# ---- the wizard -------------------------------------------------------------------------------


def test_the_wizard_lists_unmapped_columns_and_takes_constants_and_a_multiplier(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(workspace, monkeypatch, page="data")
    at.session_state["data_view"] = "import"
    at.run()
    at.radio(key="data_import_source").set_value("paste").run()
    at.text_area(key="data_import_paste").input(FORTUNE.read_text()).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="data_map_accounts_status").value == ""
    assert at.selectbox(key="data_map_accounts_archived").value == ""
    shown = " ".join(w.value for w in at.warning)
    for column in ["Rank", "Profits ($M)", "State", "CEO", "Ticker"]:
        assert column in shown
    # A constant for each unmapped field, none for mapped ones; a multiplier for mapped numbers.
    at.text_input(key="data_const_accounts_country").input("US")
    at.text_input(key="data_const_accounts_status").input("prospect")
    at.text_input(key="data_const_accounts_revenue_currency").input("USD")
    with pytest.raises(KeyError):
        at.text_input(key="data_const_accounts_name")
    at.selectbox(key="data_scale_accounts_annual_revenue").set_value(1_000_000).run()
    at.button(key="data_check").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.button(key="data_import_go").click().run()
    assert not at.error, [e.value for e in at.error]
    store = Store.open(str(workspace))
    try:
        revenue = store.query_value("SELECT annual_revenue FROM accounts WHERE name = 'Walmart'")
        assert store.query_value("SELECT count(*) FROM accounts WHERE country = 'US' AND status = 'prospect'") == 40
    finally:
        store.close()
    assert float(revenue) == 523_964_000_000


def test_the_wizard_refuses_an_invalid_constant_naming_it(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(workspace, monkeypatch, page="data", lang="sr")
    at.session_state["data_view"] = "import"
    at.run()
    at.radio(key="data_import_source").set_value("paste").run()
    at.text_area(key="data_import_paste").input(FORTUNE.read_text()).run()
    at.text_input(key="data_const_accounts_country").input("Atlantis")
    at.text_input(key="data_const_accounts_status").input("prospect").run()
    at.button(key="data_check").click().run()
    assert not at.exception
    # In Serbian (issue 17 item 5): the field by its label, the value in Serbian quotes.
    assert at.error and "Држава" in at.error[0].value and "„Atlantis”" in at.error[0].value


def test_amounts_written_with_a_bare_dollar_are_suggested_and_the_currency_asked_per_row(
        workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "$523,964" fits a money field; whether "$" means USD, CAD or AUD is a question of the row's
    # currency, asked in the plan. The value check used to count those cells as invalid, so the
    # revenue column of a Fortune-style export was never suggested.
    path = tmp_path / "dollars.csv"
    path.write_text('Company,Country,Industry,Revenue,Status\nAlpha Corp,US,Retail,"$523,964",prospect\n'
                    'Beta Inc,US,Energy,"$280,522",prospect\nGamma LLC,US,Energy,-,prospect\n', encoding="utf-8")
    main(["import", "accounts", str(path), "--dry-run", "--db", str(workspace)])
    out = capsys.readouterr().out
    assert "annual_revenue <- 'Revenue'" in out
    problem = next(line for line in out.splitlines() if "annual_revenue" in line and "may be" in line)
    assert problem.split()[1] == "2" and "--set revenue_currency=USD" in problem
    assert main(["import", "accounts", str(path), "--set", "revenue_currency=USD", "--db", str(workspace)]) == 0
    store = Store.open(str(workspace), read_only=True)
    try:
        stored = store.query_rows("SELECT name, annual_revenue, revenue_currency FROM accounts "
                                  "WHERE name IN ('Alpha Corp', 'Gamma LLC') ORDER BY name")
    finally:
        store.close()
    assert [(r["name"], r["annual_revenue"], r["revenue_currency"]) for r in stored] == [
        ("Alpha Corp", 523964, "USD"), ("Gamma LLC", None, "USD")]
