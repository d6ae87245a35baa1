"""Issue 15 items 1 and 2, import side: a file's columns kept as custom fields.

Pins what a newcomer's first import did: a Fortune-style list's state, rank, ticker, CEO
and profit were dropped (at best listed as "not imported"); a European CRM export lost
every column Vantage had no field for. Now each column is mapped, kept as a new custom
field (name and kind read from it, editable) or ignored on purpose; the new fields are
created in the same transaction as the rows, so a refused import leaves no column behind.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from page_helpers import assert_clean, run_app

from research.cli import main
from research.data import entities, fields, imports, mapping, reading
from research.errors import ValidationError
from research.i18n import t
from research.store import Store
from research.ui.data import keep_key

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_exports"
FORTUNE = FIXTURES / "c_fortune_style.csv"
FORTUNE_DOLLARS = FIXTURES / "b_fortune_style.csv"
EUROPEAN = FIXTURES / "e_european_crm_extra.csv"
FORTUNE_KEPT = {"Rank": ("rank", "int"), "Profits ($M)": ("profits", "money"), "State": ("state", "text"),
                "CEO": ("ceo", "text"), "Ticker": ("ticker", "text")}
FORTUNE_ARGS = ["--set", "country=US", "--set", "status=prospect", "--set", "revenue_currency=USD",
                "--scale", "annual_revenue=1e6"]


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _empty(tmp_path: Path, name: str = "ws.duckdb") -> Path:
    db = tmp_path / name
    Store.open(str(db)).close()
    return db


def _with_usd_rate(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The one thing an empty workspace needs for US$ amounts: a rate, added the way the refusal says."""
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,valid_on,per_eur\nUSD,2024-01-02,1.1\n", encoding="utf-8")
    assert main(["import", "exchange_rates", str(rates), "--db", str(db)]) == 0
    capsys.readouterr()


def _custom(db: Path, entity: str = "accounts") -> dict[str, str]:
    store = Store.open(str(db))
    try:
        return {f.name: f.kind for f in fields.list_fields(store, entity)}
    finally:
        store.close()


def _columns(db: Path, table: str = "accounts") -> list[str]:
    store = Store.open(str(db))
    try:
        return fields.table_columns(store, table)
    finally:
        store.close()


def _query(db: Path, sql: str) -> pd.DataFrame:
    store = Store.open(str(db))
    try:
        return store.query_df(sql)
    finally:
        store.close()


def _import(db: Path, path: Path, *extra: str, entity: str = "accounts") -> list[str]:
    return ["import", entity, str(path), *extra, "--db", str(db)]


def _kept_lines(out: str) -> dict[str, str]:
    """Kept lines of the report by column: "'State' -> new field state (text), 40 values"."""
    lines = {}
    for line in out.splitlines():
        if line.startswith("Kept"):
            column = line.split("'")[1]
            lines[column] = line
    return lines


# ---- the command line ---------------------------------------------------------------------------


def test_the_fortune_list_keeps_every_column_in_an_empty_workspace(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    args = _import(db, FORTUNE, *FORTUNE_ARGS, "--scale", "profits=1e6", "--keep-all")
    before = _columns(db)

    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    kept = _kept_lines(out)
    assert set(kept) == set(FORTUNE_KEPT)
    for column, (name, kind) in FORTUNE_KEPT.items():
        assert f"-> new field {name} ({kind})" in kept[column]
    assert kept["Rank"].endswith("40 values")
    assert kept["Ticker"].endswith("39 values")  # State Farm's ticker is "-"
    assert not any(line.startswith("Not imported") for line in out.splitlines())
    # The dry run wrote nothing: no field, no column.
    assert _custom(db) == {} and _columns(db) == before

    assert main(args) == 0, capsys.readouterr().err
    assert _custom(db) == {name: kind for name, kind in FORTUNE_KEPT.values()}
    stored = _query(db, "SELECT name, rank, profits, state, ceo, ticker, annual_revenue, revenue_currency, region "
                        "FROM accounts").set_index("name")
    assert len(stored) == 40
    for row in _rows(FORTUNE):
        got = stored.loc[row["Company"]]
        assert got["rank"] == int(row["Rank"])
        assert got["profits"] == Decimal(row["Profits ($M)"]) * 1_000_000
        assert got["state"] == row["State"]
        assert got["ceo"] == row["CEO"]
        assert (got["ticker"] if pd.notna(got["ticker"]) else "-") == row["Ticker"]
        assert got["annual_revenue"] == Decimal(row["Revenues ($M)"]) * 1_000_000
        assert got["revenue_currency"] == "USD"
    # A multiplied column is named without the unit it no longer is in; the others keep their header.
    store = Store.open(str(db))
    try:
        labels = {f.name: f.label("en") for f in fields.list_fields(store, "accounts")}
        types = {r["column_name"]: r["data_type"] for r in store.query_rows(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'accounts'")}
    finally:
        store.close()
    assert labels["profits"] == "Profits" and labels["ceo"] == "CEO"
    assert types["rank"] == "BIGINT" and types["profits"] == "DECIMAL(18,2)" and types["state"] == "VARCHAR"


def test_without_keep_the_columns_are_listed_and_the_hint_names_keep(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    assert main(_import(db, FORTUNE, *FORTUNE_ARGS, "--keep", "State", "--ignore", "CEO")) == 0
    out = capsys.readouterr().out
    not_imported = next(line for line in out.splitlines() if line.startswith("Not imported"))
    for column in ["Rank", "Profits ($M)", "Ticker"]:
        assert repr(column) in not_imported
    assert "--keep COLUMN" in not_imported and "--keep-all" in not_imported
    assert "'State' -> new field state (text), 40 values" in out
    assert _custom(db) == {"state": "text"}


def test_keep_takes_a_name_and_a_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    code = main(_import(db, FORTUNE, *FORTUNE_ARGS, "--keep", "Rank=fortune_rank:number", "--keep", "Ticker=symbol",
                        "--keep", "State=:choice", "--keep-all"))
    out = capsys.readouterr()
    assert code == 0, out.err
    kept = _kept_lines(out.out)
    assert "new field fortune_rank (number)" in kept["Rank"]
    assert "new field symbol (text)" in kept["Ticker"]
    assert "new field state (choice)" in kept["State"]
    assert _custom(db) == {"fortune_rank": "number", "symbol": "text", "state": "choice", "profits": "money",
                           "ceo": "text"}
    store = Store.open(str(db))
    try:
        state = fields.get_field(store, "accounts", "state")
    finally:
        store.close()
    assert set(state.choices) == {r["State"] for r in _rows(FORTUNE)}


@pytest.mark.parametrize(("extra", "message"), [
    (["--keep", "Rank=order"], "reserved SQL word"),
    (["--keep", "Rank=industry"], "built-in field"),
    (["--keep", "Rank=Fortune Rank"], "not a field name"),
    (["--keep", "Rank=rank:colour"], "'colour' is not a field kind"),
    (["--keep", "Turnover"], "no column 'Turnover'"),
    (["--keep", "Rank", "--keep", "Rank=other"], "kept twice"),
    (["--keep", "Rank=x", "--keep", "State=x"], "under that name too"),
    (["--keep", "Company"], "not mapped to a column: name"),  # an explicit keep beats the guess
    (["--map", "name=Company", "--keep", "Company"], "cannot feed a field and be kept"),
    (["--ignore", "Rank", "--keep", "Rank"], "kept and ignored"),
    (["--keep", "CEO=ceo:date"], "not a date"),
])
def test_bad_keep_options_are_refused_naming_the_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    code = main(_import(db, FORTUNE, *FORTUNE_ARGS, *extra))
    captured = capsys.readouterr()
    assert code == 1
    text = captured.err + captured.out
    assert message in text, text
    assert _custom(db) == {}


def test_a_keep_is_refused_for_a_table_without_custom_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,valid_on,per_eur,source\nUSD,2024-01-02,1.1,ECB\n", encoding="utf-8")
    for extra in (["--keep", "source"], ["--keep-all"]):
        assert main(_import(db, rates, *extra, entity="exchange_rates")) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "exchange_rates has no custom fields" in err, err
    assert main(_import(db, rates, "--ignore", "source", entity="exchange_rates")) == 0


def test_a_refused_import_leaves_no_new_field_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    bad = tmp_path / "fortune_bad.csv"
    lines = FORTUNE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("74900", "many")  # Exxon's employees: not a number
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _columns(db)
    assert main(_import(db, bad, *FORTUNE_ARGS, "--keep-all")) == 1
    captured = capsys.readouterr()
    assert "'many'" in captured.out + captured.err
    assert _custom(db) == {}
    assert _columns(db) == before
    assert _query(db, "SELECT count(*) AS n FROM accounts")["n"].iat[0] == 0


def test_a_failure_while_writing_rolls_the_new_fields_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The plan was checked; meanwhile someone added a field of the name one kept column takes.
    # The import fails as a whole: no rows, and none of its other new fields.
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    entity = entities.get_entity("accounts")
    raw = reading.read_upload(FORTUNE.read_bytes(), FORTUNE.name)
    store = Store.open(str(db))
    try:
        suggested = mapping.suggest_for_file(entity, raw).mapping
        kept = [mapping.suggest_keep(store, entity, raw, c) for c in ["Rank", "State", "CEO"]]
        plan = imports.prepare_import(store, fields.entity_for(store, "accounts"), raw, suggested,
                                      constants={"country": "US", "status": "prospect"}, kept=kept)
        assert plan.ok and [k.name for k in plan.new_fields] == ["rank", "state", "ceo"]
        fields.add_field(store, "bob", "accounts", "state", "int")
        with pytest.raises(ValidationError, match="state"):
            imports.apply_import(store, plan, "ana")
        assert {f.name for f in fields.list_fields(store, "accounts")} == {"state"}
        assert "rank" not in fields.table_columns(store, "accounts")
        assert store.query_value("SELECT count(*) FROM accounts") == 0
    finally:
        store.close()


def test_a_kept_dollar_column_needs_a_currency_like_revenue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    base = ["--map", "country=Country", "--set", "status=prospect", "--keep", "Profits ($M)", "--ignore", "Rank",
            "--ignore", "State", "--ignore", "Ticker", "--ignore", "CEO", "--ignore", "Revenues ($M)"]
    assert main(_import(db, FORTUNE_DOLLARS, *base, "--dry-run")) == 1
    out = capsys.readouterr().out
    problems = [line for line in out.splitlines() if line.strip().startswith("row") and "profits" in line]
    # `$14,881` may be US, Canadian or Australian dollars: asked per row, exactly as for revenue.
    assert problems and all("--set revenue_currency=USD" in line for line in problems)
    assert main(_import(db, FORTUNE_DOLLARS, *base, "--set", "revenue_currency=USD")) == 0
    out = capsys.readouterr().out
    assert "'Profits ($M)' -> new field profits (money), 6 values" in out
    stored = _query(db, "SELECT name, profits FROM accounts ORDER BY name").set_index("name")["profits"]
    assert stored["Walmart"] == 14881 and stored["Uber Technologies"] == -8506
    assert stored["Hertz Global"] == -1714 and pd.isna(stored["Procter & Gamble"])


def test_a_kept_column_fills_an_existing_field_of_the_same_name_and_kind(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    store = Store.open(str(db))
    try:
        fields.add_field(store, "ana", "accounts", "ceo", "text", label_en="Chief executive", label_sr="Директор")
        fields.add_field(store, "ana", "accounts", "rank", "text")
    finally:
        store.close()
    columns = _columns(db)
    # `CEO` maps to the field by its name already; --keep CEO=ceo names it explicitly: same field.
    code = main(_import(db, FORTUNE, *FORTUNE_ARGS, "--map", "ceo=", "--keep", "CEO=ceo", "--keep", "Rank"))
    out = capsys.readouterr()
    assert code == 0, out.err
    kept = _kept_lines(out.out)
    assert "-> existing field ceo (text), 40 values" in kept["CEO"]
    # `rank` exists as text; the column's values are whole numbers, so it becomes a new field.
    assert "-> new field rank_value (int)" in kept["Rank"]
    assert _custom(db) == {"ceo": "text", "rank": "text", "rank_value": "int"}
    assert _columns(db) == [*columns, "rank_value"]
    assert _query(db, "SELECT ceo FROM accounts WHERE name = 'Apple'")["ceo"].iat[0] == "Timothy D. Cook"
    # Asking for the existing name with another kind is refused, not a second field.
    assert main(_import(db, FORTUNE, *FORTUNE_ARGS, "--keep", "Rank=rank:int", "--dry-run")) == 1
    assert "already has a custom field 'rank' of kind text" in capsys.readouterr().err


def test_custom_fields_are_mapping_targets_and_their_labels_aliases(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    _with_usd_rate(db, tmp_path, capsys)
    store = Store.open(str(db))
    try:
        fields.add_field(store, "ana", "accounts", "hq_state", "text", label_en="State", label_sr="Савезна држава")
        fields.add_field(store, "ana", "accounts", "symbol", "text", label_en="Stock symbol", label_sr="Тикер")
        entity = fields.entity_for(store, "accounts")
    finally:
        store.close()
    raw = reading.read_upload("Company;Тикер;State\nA;WMT;AR\nB;AMZN;WA\n".encode(), "f.csv")
    assert mapping.suggest_for_file(entity, raw).mapping == {"name": "Company", "hq_state": "State",
                                                              "symbol": "Тикер"}
    code = main(_import(db, FORTUNE, *FORTUNE_ARGS, "--map", "symbol=Ticker", "--dry-run"))
    out = capsys.readouterr().out
    assert code == 0
    mapped = next(line for line in out.splitlines() if line.startswith("Mapping"))
    assert "hq_state <- 'State'" in mapped and "symbol <- 'Ticker'" in mapped


def test_the_european_crm_export_keeps_its_extra_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    code = main(_import(db, EUROPEAN, "--keep-all"))
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "decimal mark ','" in out.out and "dates %d.%m.%Y" in out.out
    assert _custom(db) == {"marza": "percent", "broj_ugovora": "int", "obnova_ugovora": "date",
                           "kreditni_limit": "money", "aktivan": "bool", "napomena": "text"}
    stored = _query(db, "SELECT * FROM accounts").set_index("name")
    assert len(stored) == 5
    bajic = stored.loc["Типографија Бајић д.о.о."]
    assert bajic["marza"] == 12.5 and bajic["broj_ugovora"] == 3
    assert bajic["obnova_ugovora"].date() == dt.date(2025, 12, 31)
    assert float(bajic["kreditni_limit"]) == 15000 and bool(bajic["aktivan"]) is True
    assert bajic["napomena"] == "Плаћа на време, тражи попуст"
    assert float(bajic["annual_revenue"]) == pytest.approx(1234567.89)
    zlatar = stored.loc["Млекара Златар а.д."]
    assert zlatar["marza"] == 8.25 and float(zlatar["kreditni_limit"]) == 2500.5 and pd.isna(zlatar["napomena"])
    cacak = stored.loc["Čačak Metal a.d."]
    assert cacak["marza"] == -3.5 and cacak["napomena"] == "„Лош платиша“ — опрез"
    logistics = stored.loc["Kovačević Logistika d.o.o."]
    assert pd.isna(logistics["marza"]) and pd.isna(logistics["obnova_ugovora"]) and logistics["broj_ugovora"] == 0
    # Every non-empty cell of a kept column is in the workspace.
    for column, name in [("Marža (%)", "marza"), ("Broj ugovora", "broj_ugovora"), ("Obnova ugovora", "obnova_ugovora"),
                         ("Kreditni limit", "kreditni_limit"), ("Aktivan", "aktivan"), ("Напомена", "napomena")]:
        present = sum(1 for r in _rows(EUROPEAN, ";") if r[column] not in ("-", "—", "n/a", "N/A", ""))
        assert int(stored[name].notna().sum()) == present, column
    store = Store.open(str(db))
    try:
        note = fields.get_field(store, "accounts", "napomena")
    finally:
        store.close()
    assert note.label("en") == "Напомена" and note.label("sr") == "Напомена"


def test_a_kept_column_can_be_undone_with_its_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _empty(tmp_path)
    columns = _columns(db)
    assert main(_import(db, EUROPEAN, "--keep", "Напомена")) == 0
    batch = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Imported")).split(
        "batch ")[1].split()[0]
    assert _custom(db) == {"napomena": "text"}
    assert main(["undo", batch, "--db", str(db)]) == 0
    assert _custom(db) == {} and _columns(db) == columns


# ---- reading amounts with a currency -------------------------------------------------------------


def test_dollar_amounts_in_a_semicolon_file_are_read_with_a_decimal_point() -> None:
    # Only currency-marked amounts carry numbers here; they used to be skipped, the tie went to
    # the `;` file's usual decimal comma, and `$523,964` would have been 523.964.
    text = 'Company;Revenue;Profit\nWalmart;$523,964;$14,881\nAmazon;$280,522;($1,234)\nApple;US$ 260,174;-$636\n'
    raw = reading.read_upload(text.encode(), "dollars.csv")
    assert raw.delimiter == ";" and raw.decimal == "."
    euro = reading.read_upload("Firma;Prihod\nA;€ 1.299,00\nB;12.500,50 RSD\nC;7,5%\n".encode(), "euro.csv")
    assert euro.decimal == ","


@pytest.mark.parametrize(("header", "cells", "kind"), [
    ("Profits ($M)", ["14881", "-636", "34"], "money"),
    ("Revenue (EUR)", ["1.5", "2"], "money"),
    ("Umsatz in EUR", ["15", "2"], "money"),
    ("Annual Income (k$)", ["15", "137"], "money"),
    ("Rank", ["1", "2", "3"], "int"),
    ("CEO", ["1", "2"], "int"),  # three capitals are not a currency unless in brackets or after "in"
    ("Margin (%)", ["12.5%", "3%"], "percent"),
    ("Spending Score (1-100)", ["39", "81"], "int"),
])
def test_a_header_that_names_a_currency_makes_plain_numbers_money(header: str, cells: list[str], kind: str) -> None:
    assert mapping.kept_kind(pd.Series(cells), header) == kind


def test_a_long_column_is_a_number_only_when_every_cell_is_one() -> None:
    # The kind is first read from a sample of a long column; a cell the sample missed still counts.
    cells = [str(i) for i in range(10_000)]
    assert mapping.kept_kind(pd.Series(cells), "Visits") == "int"
    cells[4_321] = "about 40"
    assert mapping.kept_kind(pd.Series(cells), "Visits") == "text"
    dates = [f"{1 + i % 28:02d}.{1 + i % 12:02d}.20{10 + i % 15}" for i in range(10_000)]
    assert mapping.kept_kind(pd.Series(dates), "Since") == "date"
    dates[7_777] = "31.02.2020"
    assert mapping.kept_kind(pd.Series(dates), "Since") == "text"


# ---- the wizard --------------------------------------------------------------------------------


@pytest.fixture
def usd_workspace(tmp_path: Path) -> Path:
    db = tmp_path / "wizard.duckdb"
    store = Store.open(str(db))
    try:
        with store.transaction("ana") as tx:
            tx.insert("exchange_rates", {"currency": "USD", "valid_on": dt.date(2024, 1, 2), "per_eur": 1.1})
    finally:
        store.close()
    return db


def _paste(at, text: str):  # AppTest in, AppTest out
    at.session_state["data_view"] = "import"
    at.run()
    at.radio(key="data_import_source").set_value("paste").run()
    at.text_area(key="data_import_paste").input(text).run()
    assert_clean(at)
    return at


def test_the_wizard_keeps_unmapped_columns_as_custom_fields(usd_workspace: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    at = _paste(run_app(usd_workspace, monkeypatch, page="data"), FORTUNE.read_text(encoding="utf-8"))
    positions = {c: i for i, c in enumerate(_rows(FORTUNE)[0])}
    for column in FORTUNE_KEPT:
        assert at.selectbox(key=keep_key("accounts", positions[column], "action")).value == "none"
    at.button(key="data_keep_all_accounts").click().run()
    assert_clean(at)
    for column, (name, kind) in FORTUNE_KEPT.items():
        assert at.selectbox(key=keep_key("accounts", positions[column], "action")).value == "keep"
        assert at.text_input(key=keep_key("accounts", positions[column], "name")).value == name
        assert at.selectbox(key=keep_key("accounts", positions[column], "kind")).value == kind
    assert not any("Rank" in w.value for w in at.warning)  # nothing left "not imported"
    # Name and kind are editable; one column is ignored on purpose instead.
    at.text_input(key=keep_key("accounts", positions["Rank"], "name")).input("fortune_rank")
    at.selectbox(key=keep_key("accounts", positions["Rank"], "kind")).set_value("number")
    at.selectbox(key=keep_key("accounts", positions["CEO"], "action")).set_value("ignore")
    at.text_input(key="data_const_accounts_country").input("US")
    at.text_input(key="data_const_accounts_status").input("prospect")
    at.text_input(key="data_const_accounts_revenue_currency").input("USD").run()
    # The kept money column gets a unit multiplier like revenue.
    at.selectbox(key="data_scale_accounts_annual_revenue").set_value(1_000_000)
    at.selectbox(key="data_scale_accounts_profits").set_value(1_000_000).run()
    at.button(key="data_check").click().run()
    assert_clean(at)
    kept = at.dataframe[-1].value
    assert list(kept.iloc[:, 1]) == ["fortune_rank", "profits", "state", "ticker"]
    assert list(kept.iloc[:, 4]) == [40, 40, 40, 39]
    assert _custom(usd_workspace) == {}  # checking created nothing
    at.button(key="data_import_go").click().run()
    assert_clean(at)
    assert any("fortune_rank" in s.value for s in at.success)
    assert _custom(usd_workspace) == {"fortune_rank": "number", "profits": "money", "state": "text", "ticker": "text"}
    stored = _query(usd_workspace, "SELECT name, fortune_rank, profits, state, ticker FROM accounts").set_index("name")
    assert stored.loc["Walmart", "fortune_rank"] == 1.0
    assert stored.loc["Walmart", "profits"] == 14_881_000_000
    assert stored.loc["Boeing", "state"] == "IL" and pd.isna(stored.loc["State Farm Insurance", "ticker"])
    assert "ceo" not in _columns(usd_workspace)


def test_the_wizard_leaves_no_field_behind_when_rows_are_refused(usd_workspace: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    text = FORTUNE.read_text(encoding="utf-8").replace("74900", "many")
    at = _paste(run_app(usd_workspace, monkeypatch, page="data", lang="sr"), text)
    at.button(key="data_keep_all_accounts").click().run()
    at.text_input(key="data_const_accounts_country").input("US")
    at.text_input(key="data_const_accounts_status").input("prospect")
    at.text_input(key="data_const_accounts_revenue_currency").input("USD").run()
    at.button(key="data_check").click().run()
    assert not at.exception
    assert at.error and at.error[0].value == t("data.problems_file", "sr")
    with pytest.raises(KeyError):
        at.button(key="data_import_go")
    assert _custom(usd_workspace) == {}


def test_the_wizard_shows_region_as_optional_with_a_note(usd_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _paste(run_app(usd_workspace, monkeypatch, page="data"), FORTUNE.read_text(encoding="utf-8"))
    region = t("data.field.region", "en")
    assert at.selectbox(key="data_map_accounts_region").label == region  # no star
    assert at.selectbox(key="data_map_accounts_country").label == t("data.required_mark", "en",
                                                                    field=t("data.field.country", "en"))
    assert at.text_input(key="data_const_accounts_region").label == region
    note = t("data.derived_note", "en", field=region, source=t("data.field.country", "en"))
    assert note in [c.value for c in at.caption]


def test_the_wizard_offers_only_ignore_for_a_table_without_custom_fields(
        usd_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(usd_workspace, monkeypatch, page="data")
    at.session_state["data_view"] = "import"
    at.run()
    at.selectbox(key="data_import_entity").set_value("exchange_rates").run()
    at = _paste(at, "currency,valid_on,per_eur,source\nGBP,2024-01-02,0.86,ECB\n")
    action = at.selectbox(key=keep_key("exchange_rates", 3, "action"))
    assert action.options == [t("data.keep.action.none", "en"), t("data.keep.action.ignore", "en")]
    with pytest.raises(KeyError):
        at.button(key="data_keep_all_exchange_rates")
    action.set_value("ignore").run()
    assert not at.warning
    at.button(key="data_check").click().run()
    at.button(key="data_import_go").click().run()
    assert_clean(at)
    assert _query(usd_workspace, "SELECT count(*) AS n FROM exchange_rates")["n"].iat[0] == 2
