"""Values as real exports write them (issue 15, item 2): amounts, empty markers, HTML entities, money without
a rate, regions of countries the workspace has never seen. Fixtures: tests/fixtures/real_exports/b_*."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest
from data_helpers import checksums

from research.data import dependents, entities, imports, reading, regions
from research.data.reading import ImportRefused
from research.data.values import decode_entities, parse_amounts
from research.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_exports"
FORTUNE_MAP = {"name": "Name", "industry": "Sector", "annual_revenue": "Revenues ($M)", "employees": "Employees",
               "country": "Country", "status": "Status"}
CRM_MAP = {"name": "Naziv", "vat_id": "PIB", "country": "Država", "city": "Grad", "industry": "Delatnost",
           "employees": "Zaposleni", "annual_revenue": "Prihod", "revenue_currency": "Valuta", "status": "Status",
           "first_contact": "Prvi kontakt", "contact_person": "Kontakt"}


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def _plan(store: Store, entity: str, data: bytes, mapping: dict[str, str], file_name: str = "file.csv"
          ) -> imports.ImportPlan:
    """The real planning path with an explicit mapping (suggestions are another slice's concern)."""
    raw = reading.read_upload(data, file_name)
    return imports.prepare_import(store, entities.get_entity(entity), raw, mapping)


def _with_columns(data: bytes, **columns: str) -> bytes:
    """The file with one value for every row in new columns, as `--set field=value` gives them."""
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    for name, value in columns.items():
        frame[name] = value
    return frame.to_csv(index=False).encode()


def _fortune() -> bytes:
    return (FIXTURES / "b_fortune_style.csv").read_bytes()


# ---- numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "decimal", "number", "currency"), [
    ("$523,964", ".", 523964.0, "$"),
    ("US$ 1.2", ".", 1.2, "US$"),
    ("€1.299,00", ",", 1299.0, "€"),
    ("1 299,00 RSD", ",", 1299.0, "RSD"),
    ("EUR 12", ".", 12.0, "EUR"),
    ("1,234,567.89", ".", 1234567.89, None),
    ("1.234.567,89", ",", 1234567.89, None),
    ("1 234 567", ".", 1234567.0, None),
    ("1\u202f234,5", ",", 1234.5, None),  # narrow no-break space, as French/Excel exports group
    ("1\u00a0234,5", ",", 1234.5, None),
    ("1'234", ".", 1234.0, None),
    ("(1,234)", ".", -1234.0, None),
    ("($8,506)", ".", -8506.0, "$"),
    ("-$1,714", ".", -1714.0, "$"),
    ("−7", ".", -7.0, None),  # U+2212 minus sign
    ("1,234", ".", 1234.0, None),  # the file's convention decides, never the cell
    ("1,234", ",", 1.234, None),
    ("1.234", ",", 1234.0, None),
    ("1.234", ".", 1.234, None),
    ("12.5%", ".", 12.5, None),
    ("1e6", ".", 1e6, None),
])
def test_amounts_in_the_forms_exports_write(text: str, decimal: str, number: float, currency: str | None) -> None:
    parsed = parse_amounts(pd.Series([text], dtype=object), decimal)
    assert parsed.number[0] == pytest.approx(number)
    assert (None if pd.isna(parsed.currency[0]) else parsed.currency[0]) == currency
    assert not parsed.bad[0]


@pytest.mark.parametrize("text", ["-", "—", "–", "n/a", "N/A", "NA", "", "   ", "\t", None])
def test_missing_markers_are_empty_not_errors(text: str | None) -> None:
    parsed = parse_amounts(pd.Series([text], dtype=object), ".")
    assert math.isnan(parsed.number[0]) and not parsed.bad[0]


@pytest.mark.parametrize(("text", "decimal"), [
    ("12 apples", "."), ("abc", "."), ("1,23,4", "."), ("(5", "."), ("$ 5 €", "."), ("ABC 5", "."),
    ("1.234.567,89", "."), ("1,234,567.89", ","), ("12%€", "."),
])
def test_what_is_not_an_amount_is_refused(text: str, decimal: str) -> None:
    assert parse_amounts(pd.Series([text], dtype=object), decimal).bad[0]


def test_percent_can_be_read_as_a_fraction() -> None:
    parsed = parse_amounts(pd.Series(["12.5%", "7"], dtype=object), ".", percent="fraction")
    assert parsed.number.tolist() == [pytest.approx(0.125), 7.0] and parsed.percent.tolist() == [True, False]


def test_a_refused_number_names_row_column_value_and_what_is_accepted(store: Store) -> None:
    data = b"name,country,industry,status,employees\nAcme,RS,Retail,prospect,12 people\n"
    plan = _plan(store, "accounts", data, {"name": "name", "country": "country", "industry": "industry",
                                           "status": "status", "employees": "employees"})
    [problem] = plan.problems
    assert (problem.row, problem.column, problem.value) == (2, "employees", "12 people")
    assert "not a number" in problem.reason and "1,234,567.89" in problem.reason and "n/a" in problem.reason


def test_a_percentage_or_a_currency_in_a_plain_number_field_is_refused(store: Store) -> None:
    data = b"name,country,industry,status,employees\nA,RS,Retail,prospect,12%\nB,RS,Retail,prospect,$40\n"
    plan = _plan(store, "accounts", data, {"name": "name", "country": "country", "industry": "industry",
                                           "status": "status", "employees": "employees"})
    assert [(p.row, p.column) for p in plan.problems] == [(2, "employees"), (3, "employees")]


# ---- HTML entities -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Lowe&#8217;s", "Lowe’s"), ("AT&amp;T", "AT&T"), ("Caf&eacute; &#x2014; Bar", "Café — Bar"),
    ("AT&T", "AT&T"), ("R&D;", "R&D;"), ("Smith&copy Ltd", "Smith&copy Ltd"),  # incomplete: left as typed
])
def test_html_entities_in_text_are_decoded(text: str, expected: str) -> None:
    decoded, count = decode_entities(pd.Series([text], dtype="string"))
    assert decoded[0] == expected and count == (text != expected)


# ---- the Fortune-style list into an empty workspace ------------------------------------------

def test_fortune_list_dollar_without_currency_is_refused_not_stored_as_eur(store: Store) -> None:
    plan = _plan(store, "accounts", _with_columns(_fortune(), Status="prospect"), FORTUNE_MAP)
    revenue = [p for p in plan.problems if p.column == "annual_revenue"]
    assert len(revenue) == 7 and {p.value for p in revenue} == {"$"}
    assert "AUD, CAD, USD" in revenue[0].reason and "--set revenue_currency=USD" in revenue[0].reason


def test_fortune_list_in_usd_needs_a_rate_then_imports_exactly(store: Store) -> None:
    data = _with_columns(_fortune(), Status="prospect", Currency="USD")
    mapping = FORTUNE_MAP | {"revenue_currency": "Currency"}
    plan = _plan(store, "accounts", data, mapping)
    assert {(p.column, p.value.split()[-1]) for p in plan.problems} == {("annual_revenue", "USD")}
    assert len(plan.problems) == 7
    reason = plan.problems[0].reason
    assert "no exchange rate for USD" in reason and "(7 row(s))" in reason
    assert "python -m research import exchange_rates rates.csv" in reason and "USD," in reason
    before = checksums(store)
    with pytest.raises(ImportRefused, match="no exchange rate for USD"):
        imports.apply_import(store, plan, "ana")
    assert checksums(store) == before

    rates = _plan(store, "exchange_rates", b"currency,valid_on,per_eur\nUSD,2026-11-28,1.08\n",
                  {"currency": "currency", "valid_on": "valid_on", "per_eur": "per_eur"}, "rates.csv")
    imports.apply_import(store, rates, "ana")
    plan = _plan(store, "accounts", data, mapping)
    assert plan.ok, plan.problems
    result = imports.apply_import(store, plan, "ana")
    assert result.inserted == 7
    rows = {r["name"]: r for r in store.query_rows(
        "SELECT name, industry, CAST(annual_revenue AS DOUBLE) AS revenue, revenue_currency, employees, country, "
        "region FROM accounts")}
    assert sorted(rows) == sorted(["Walmart", "Lowe’s", "AT&T", "Procter & Gamble", "Toyota Motor",
                                   "Uber Technologies", "Hertz Global"])
    assert rows["Walmart"]["revenue"] == 523964.0 and rows["Walmart"]["employees"] == 2_200_000
    assert rows["Lowe’s"]["revenue"] == 72148.0 and rows["Toyota Motor"]["industry"] == "Motor Vehicles & Parts"
    assert rows["Hertz Global"]["employees"] is None  # "—"
    assert {r["revenue_currency"] for r in rows.values()} == {"USD"}
    # An empty workspace knows no country -> region: UN M49 sub-regions fill it (names and codes read).
    assert rows["Walmart"]["country"] == "US" and rows["Walmart"]["region"] == "Northern America"
    assert rows["Toyota Motor"]["country"] == "JP" and rows["Toyota Motor"]["region"] == "Eastern Asia"


def test_fortune_list_missing_profit_and_losses_parse(store: Store) -> None:
    raw = reading.read_upload(_fortune(), "fortune.csv")
    assert raw.decimal == "."
    profit = parse_amounts(raw.frame["Profits ($M)"], raw.decimal).number.tolist()
    assert profit[:3] == [14881.0, 4281.0, 13903.0] and math.isnan(profit[3]) and profit[4:] == [19096.0, -8506.0,
                                                                                                  -1714.0]


def test_fortune_entities_decoded_with_a_count(store: Store) -> None:
    raw = reading.read_upload(_fortune(), "fortune.csv")
    frame = raw.frame[["Name", "Sector"]].set_axis(["name", "industry"], axis=1)
    coerced = entities.coerce_frame(entities.get_entity("accounts"), frame)
    assert coerced.decoded_entities == 4
    assert any("HTML entities decoded in 4 text cell(s)" in n for n in coerced.notes)


def test_entities_are_decoded_in_numbers_amounts_and_countries_too(store: Store) -> None:
    # Tables copied from web pages: `&nbsp;` as the thousands separator, `&euro;`, an accented country.
    frame = pd.DataFrame({
        "name": ["Sm&eacute;ltex", "Nord AS", "Blank Ltd"],
        "employees": ["1&nbsp;200", "85", "&nbsp;"],
        "annual_revenue": ["&euro;1,250,000", "2&#8239;400&nbsp;000", "-"],
        "country": ["C&ocirc;te d&#39;Ivoire", "NO", "DE"],
        "first_contact": ["2024-03-01", "2024-04-02", ""],
    }, dtype="string")
    coerced = entities.coerce_frame(entities.get_entity("accounts"), frame)
    assert coerced.problems == []
    f = coerced.frame
    assert f["name"].tolist() == ["Sméltex", "Nord AS", "Blank Ltd"]
    assert f["employees"].tolist()[:2] == [1200, 85] and pd.isna(f["employees"][2])  # `&nbsp;` alone is empty
    assert f["annual_revenue"].tolist()[:2] == [1250000.0, 2400000.0] and pd.isna(f["annual_revenue"][2])
    assert f["revenue_currency"][0] == "EUR"  # the decoded € supplies the currency
    assert f["country"].tolist() == ["CI", "NO", "DE"]
    assert f["first_contact"][1] == pd.Timestamp("2024-04-02") and pd.isna(f["first_contact"][2])
    assert coerced.decoded_entities == 6


# ---- the European CRM export into the demo workspace -----------------------------------------

def test_european_crm_export_parses_exactly(demo: Store) -> None:
    plan = _plan(demo, "accounts", (FIXTURES / "b_european_crm.csv").read_bytes(), CRM_MAP, "crm.csv")
    assert plan.raw.delimiter == ";" and plan.raw.decimal == ","
    assert plan.ok, plan.problems
    f = plan.frame
    assert f["annual_revenue"].tolist()[:2] == [1234567.89, 12500.0]
    assert pd.isna(f["annual_revenue"][2]) and f["annual_revenue"][3] == 98765.4 and pd.isna(f["annual_revenue"][4])
    # "€ 12.500,00" with an empty Valuta cell: the amount's own unambiguous € supplies the currency.
    assert f["revenue_currency"].tolist()[:2] == ["EUR", "EUR"]
    assert f["employees"].tolist() == [45, pd.NA, 1250, 12, pd.NA]
    assert f["country"].tolist() == ["RS", "RS", "HR", "JP", "AT"]  # "Србија", "Јапан" read as codes
    assert [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in f["first_contact"]] == [
        "2024-03-05", "2023-11-17", None, "2022-12-31", "2025-02-01"]
    assert f["status"].tolist() == ["customer", "customer", "prospect", "lost", "prospect"]
    assert f["contact_person"].tolist()[:2] == ["Милица Бајић", pd.NA] and pd.isna(f["contact_person"][4])
    # The workspace's own regions win (RS is "Western Balkans" in the demo, not M49's "Southern Europe");
    # Japan, which the demo never saw, gets its M49 sub-region.
    assert f["region"].tolist() == ["Western Balkans", "Western Balkans", "South-East EU", "Eastern Asia",
                                    "Central Europe"]
    result = imports.apply_import(demo, plan, "ana", duplicates="import")
    assert result.inserted == 5


def test_a_file_region_for_an_unknown_country_is_kept_but_a_known_one_must_agree(demo: Store) -> None:
    data = (b"name,country,region,industry,status\nA,JP,Far East,Retail,prospect\n"
            b"B,RS,Southern Europe,Retail,prospect\n")
    plan = _plan(demo, "accounts", data, {f: f for f in ("name", "country", "region", "industry", "status")})
    assert plan.frame["region"].tolist() == ["Far East", "Southern Europe"]
    assert [(p.row, p.column, p.reason) for p in plan.problems] == [
        (3, "region", "RS belongs to Western Balkans in this workspace")]


def test_an_amount_in_another_currency_than_its_row_says_is_refused(demo: Store) -> None:
    data = "name,country,industry,status,annual_revenue,revenue_currency\nA,RS,Retail,prospect,€ 5,USD\n".encode()
    plan = _plan(demo, "accounts", data, {f: f for f in ("name", "country", "industry", "status", "annual_revenue",
                                                          "revenue_currency")})
    [problem] = plan.problems
    assert (problem.column, problem.value) == ("annual_revenue", "€") and "revenue_currency says USD" in problem.reason


# ---- M49 -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("country", "code", "en", "sr"), [
    ("US", "021", "Northern America", "Северна Америка"), ("JP", "030", "Eastern Asia", "Источна Азија"),
    ("BR", "005", "South America", "Јужна Америка"), ("DE", "155", "Western Europe", "Западна Европа"),
    ("RS", "039", "Southern Europe", "Јужна Европа"), ("NG", "011", "Western Africa", "Западна Африка"),
])
def test_m49_sub_regions(country: str, code: str, en: str, sr: str) -> None:
    assert regions.m49_subregion(country) == code
    assert regions.m49_region(country) == en and regions.m49_region(country, "sr") == sr


def test_every_real_country_has_an_m49_sub_region() -> None:
    # Babel's two-letter territories less the non-countries (EU, UN, pseudo and outlying codes).
    assert sorted(entities.COUNTRY_CODES - set(regions.M49_BY_COUNTRY)) == sorted(
        ["AC", "AQ", "CP", "CQ", "DG", "EU", "EZ", "QO", "TA", "UN", "XA", "XB", "ZZ"])


def test_rate_check_covers_every_money_field() -> None:
    money = {(e.name, f.name) for e in entities.ENTITIES.values() for f in e.fields if f.currency_field}
    assert money == {("accounts", "annual_revenue"), ("companies", "revenue_estimate"), ("products", "list_price"),
                     ("prices", "price"), ("deals", "value")}
    assert dependents.rate_command("GBP").endswith("python -m research import exchange_rates rates.csv")


def test_a_column_reads_every_cell_as_it_reads_that_cell_alone() -> None:
    """Whole columns take fast paths (plain numbers; one currency before or after; a trailing %) and
    the rest the full pattern: a mixed column must give each cell exactly its own reading."""
    cells = ["$523,964", "US$ 1.2", "EUR 12", "12 USD", "1,234,567.89", "(1,234)", "($8,506)", "-$1,714", "€ -5",
             "12.5%", "7 %", "1e6", "12 apples", "$ 5 €", "ABC 5", "5 XYZ", "12%€", "€5%", "-", "", "5\u00a0USD"]
    column = parse_amounts(pd.Series(cells, dtype=object), ".", percent="fraction")
    for i, cell in enumerate(cells):
        alone = parse_amounts(pd.Series([cell], dtype=object), ".", percent="fraction")
        assert (column.bad[i], column.percent[i]) == (alone.bad[0], alone.percent[0]), cell
        assert column.number[i] == pytest.approx(alone.number[0], nan_ok=True), cell
        assert (None if pd.isna(column.currency[i]) else column.currency[i]) == (
            None if pd.isna(alone.currency[0]) else alone.currency[0]), cell
    assert list(column.number[:4]) == [523964.0, 1.2, 12.0, 12.0]
    assert column.number[9] == pytest.approx(0.125) and column.bad[12] and column.bad[17]
