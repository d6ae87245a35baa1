"""Exports neutralise formulas and hold the full result; auto-charts pick by column types and highlight us."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from research.charts.query import ChartChoice, build_chart, column_roles, company_column, suggest_chart
from research.charts.theme import US_COLOR
from research import exports
from research.query import export
from research.query.deck import deck_item
from research.query.sandbox import close_sandbox, run_sandboxed
from research.store import Store

COMPANIES = [("Danubia Packaging", True), ("Adria Pack", False), ("CorruTech", False)]
DANGEROUS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rcmd", "plain", "-"]


def test_csv_neutralises_formula_cells_and_headers() -> None:
    df = pd.DataFrame({"=evil": DANGEROUS, "n": range(len(DANGEROUS))})
    text = export.result_bytes(df, 'csv').decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text, newline=""), keep_default_na=False)
    assert len(back) == len(DANGEROUS)  # a CR inside a cell is quoted, not a new row
    assert list(back.columns) == ["'=evil", "n"]
    for value in back["'=evil"]:
        assert not str(value).startswith(exports.FORMULA_START), value
    assert back["'=evil"].iloc[0] == "'" + DANGEROUS[0]
    assert back["'=evil"].iloc[6] == "plain"
    assert back["n"].tolist() == list(range(len(DANGEROUS)))  # numbers untouched, negative ones too


def test_excel_has_no_live_formulas_and_no_control_characters() -> None:
    from openpyxl import load_workbook

    df = pd.DataFrame({
        "text": DANGEROUS,
        "bad": ["bell\x07here"] * len(DANGEROUS),
        "when": [dt.datetime(2026, 11, 2, 8)] * len(DANGEROUS),
        "day": [dt.date(2026, 11, 2)] * len(DANGEROUS),
        "money": [Decimal("12.50")] * len(DANGEROUS),
        "n": [1.5, None, 3, 4, 5, 6, 7, 8],
    })
    book = load_workbook(io.BytesIO(export.result_bytes(df, 'xlsx')))
    sheet = book.active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [sheet.cell(row=i + 2, column=1).value for i in range(len(DANGEROUS))]
    assert texts[0] == "'" + DANGEROUS[0] and texts[6] == "plain"
    assert sheet.cell(row=2, column=2).value == "bellhere"
    assert sheet.cell(row=2, column=6).value == 1.5 and sheet.cell(row=3, column=6).value is None


def test_parquet_round_trips_the_data() -> None:
    df = pd.DataFrame({"name": ["=x", "b"], "n": [1, 2]})
    back = pd.read_parquet(io.BytesIO(export.result_bytes(df, 'parquet')))
    assert back.to_dict("list") == {"name": ["=x", "b"], "n": [1, 2]}  # data, not a spreadsheet: kept as is


def test_download_names_come_from_the_query_name_sanitised() -> None:
    df = pd.DataFrame({"a": [1]})
    chart = build_chart(df.assign(b=["x"]), ChartChoice("bar", "b", "a"))
    assert export.chart_export(chart, "svg", title="../../etc/passwd").file_name == "etc-passwd.svg"
    assert export.chart_export(chart, "png", title="").file_name == "chart.png"


def test_export_holds_the_full_result_up_to_the_cap(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANTAGE_QUERY_EXPORT_ROWS", "25000")
    store = Store.open(str(demo_copy))
    try:
        full = export.export_result(store, "SELECT id, price FROM price_observations", None, "parquet", title="prices")
        assert full.rows == 25000 and full.truncated and full.file_name == "prices.parquet"
        assert len(pd.read_parquet(io.BytesIO(full.data))) == 25000
        small = export.export_result(store, "SELECT name FROM companies WHERE $n > 0", {"n": 1}, "csv", title="")
        assert small.rows == 8 and not small.truncated and small.file_name == "query.csv"
        with pytest.raises(Exception, match="DROP"):
            export.export_result(store, "DROP TABLE companies", None, "csv")
    finally:
        close_sandbox(store)
        store.close()


def test_chart_images_render_offline() -> None:
    df = pd.DataFrame({"company": ["Danubia Packaging", "Adria Pack"], "accounts": [10, 7]})
    chart = build_chart(df, suggest_chart(df, COMPANIES), COMPANIES, title="Accounts")
    png = export.chart_export(chart, "png", title="Accounts")
    assert png.data.startswith(b"\x89PNG") and png.file_name == "Accounts.png"
    svg = export.chart_export(chart, "svg")
    assert svg.data.lstrip().startswith(b"<svg")


def _spec(chart) -> dict:
    return json.loads(chart.to_json())


def test_auto_chart_rules() -> None:
    months = pd.date_range("2026-01-01", periods=4, freq="MS")
    line = pd.DataFrame({"month": list(months) * 2, "company": ["Danubia Packaging"] * 4 + ["Adria Pack"] * 4,
                         "avg_price_eur": [1, 2, 3, 4, 2, 3, 4, 5]})
    assert suggest_chart(line, COMPANIES) == ChartChoice("line", "month", "avg_price_eur", "company", "mean")
    bar = pd.DataFrame({"category": ["Tapes", "Labels"], "accounts": [3, 9]})
    assert suggest_chart(bar) == ChartChoice("bar", "category", "accounts", None, "sum")
    scatter = pd.DataFrame({"employees": [1, 2, 3], "revenue": [2.0, 3.0, 4.0]})
    assert suggest_chart(scatter).kind == "scatter"
    hist = pd.DataFrame({"price": [1.0, 2.0, 2.5, 9.0]})
    assert suggest_chart(hist).kind == "histogram"
    assert suggest_chart(pd.DataFrame({"name": ["a"]})) is None
    assert suggest_chart(pd.DataFrame()) is None
    dates = pd.DataFrame({"day": [dt.date(2026, 1, 1)], "id": [3], "n": [Decimal("1.5")]})
    assert column_roles(dates) == {"day": "time", "id": "category", "n": "measure"}


def test_our_company_is_highlighted_wherever_a_company_column_appears() -> None:
    share = pd.DataFrame({"supplier": ["Adria Pack", "Danubia Packaging", "CorruTech"], "accounts": [5, 9, 2]})
    spec = _spec(build_chart(share, suggest_chart(share, COMPANIES), COMPANIES))
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"][0] == "Danubia Packaging" and scale["range"][0] == US_COLOR
    assert US_COLOR not in scale["range"][1:]
    # a column of company names under any header is recognised by its values
    renamed = share.rename(columns={"supplier": "who"})
    assert company_column(renamed, COMPANIES) == "who"
    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    line = pd.DataFrame({"month": list(months) * 2, "company": ["Danubia Packaging"] * 3 + ["Adria Pack"] * 3,
                         "price": [1, 2, 3, 2, 3, 4]})
    spec = _spec(build_chart(line, suggest_chart(line, COMPANIES), COMPANIES))
    assert spec["encoding"]["color"]["scale"]["range"][0] == US_COLOR
    # ours drawn last and thicker (a line's width is its mark's: Vega-Lite drops a strokeWidth encoding)
    assert [layer["name"] for layer in spec["layer"]] == ["rivals", "ours"]
    assert spec["layer"][1]["mark"]["strokeWidth"] > spec["layer"][0]["mark"]["strokeWidth"]
    # without a company column nothing is orange
    plain = _spec(build_chart(pd.DataFrame({"category": ["a", "b"], "n": [1, 2]}), ChartChoice("bar", "category", "n"), COMPANIES))
    assert "color" not in plain["encoding"] and plain["mark"]["color"] != US_COLOR


def test_big_results_are_reduced_before_charting() -> None:
    n = 12_000
    df = pd.DataFrame({"x": range(n), "y": [i % 7 for i in range(n)], "cat": [f"c{i % 50}" for i in range(n)]})
    for choice in (ChartChoice("scatter", "x", "y"), ChartChoice("bar", "cat", "y"), ChartChoice("histogram", "x")):
        spec = build_chart(df, choice).to_dict()  # Altair raises MaxRowsError above 5,000 rows
        rows = next(iter(spec["datasets"].values()))
        assert len(rows) <= 5000
    odd = pd.DataFrame({"a.b": ["x", "y"], "c[0]": [1, 2]})  # Vega-Lite would read these as nested fields
    build_chart(odd, suggest_chart(odd)).to_dict()


def test_deck_hook_carries_what_a_slide_needs(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        result = run_sandboxed(store, "SELECT name AS company, employees FROM companies")
        chart = build_chart(result.frame, suggest_chart(result.frame, COMPANIES), COMPANIES)
        item = deck_item(result, title="Headcount", sql="SELECT …", chart=chart)
        assert item.title == "Headcount" and len(item.table) == 8 and item.data_as_of == result.snapshot_at
        assert item.chart_spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    finally:
        close_sandbox(store)
        store.close()
