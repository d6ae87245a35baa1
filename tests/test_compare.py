"""Compare: price index arithmetic with mixed currencies, feature edits, advantage summary, chart builders, exports."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import CliResult, cli

from research.charts.theme import US_COLOR
from research.compare import data, features, views
from research.compare.summary import advantage_summary, summarize
from research.errors import ConflictError, ValidationError
from research.store import Store


def _market(store: Store, *, usd_rate: bool = True) -> dict[str, int]:
    """Us (EUR), a RSD competitor and a USD competitor selling the same tape; rates dated."""
    with store.transaction("t") as tx:
        us = tx.insert("companies", {"name": "Us", "is_us": True})["id"]
        rsd = tx.insert("companies", {"name": "Dinar Co"})["id"]
        usd = tx.insert("companies", {"name": "Dollar Co"})["id"]
        empty = tx.insert("companies", {"name": "Silent Co"})["id"]
        for company, price, currency in ((us, 2.00, "EUR"), (rsd, 351.0, "RSD"), (usd, 1.10, "USD")):
            product = tx.insert("products", {"company_id": company, "name": "Tape 48", "category": "Tapes", "unit": "roll",
                                             "list_price": price, "currency": currency})["id"]
            tx.insert("price_observations", {"product_id": product, "observed_at": dt.datetime(2026, 1, 5, 9),
                                             "price": price, "currency": currency})
        tx.execute("INSERT INTO exchange_rates VALUES ('RSD', DATE '2025-12-29', 117.0), ('RSD', DATE '2026-01-12', 100.0)")
        if usd_rate:
            tx.execute("INSERT INTO exchange_rates VALUES ('USD', DATE '2026-01-01', 1.10)")
        for company, score in ((us, 4), (rsd, 2), (usd, 5)):
            tx.insert("capabilities", {"company_id": company, "capability": "Delivery speed", "score": score})
            tx.insert("capabilities", {"company_id": company, "capability": "Service", "score": 3})
            tx.insert("capabilities", {"company_id": company, "capability": "Design", "score": 6 - score})
    return {"us": us, "rsd": rsd, "usd": usd, "empty": empty}


def test_price_index_converts_each_currency_at_the_rate_valid_on_the_date(store):
    _market(store)
    index = data.price_index(store, data.companies(store)).set_index("company")["price_index"]
    assert index["Us"] == 100
    # 351 RSD at 117/EUR (the rate of 29 Dec, not the later 100) = 3.00 EUR against our 2.00
    assert index["Dinar Co"] == pytest.approx(150.0)
    assert index["Dollar Co"] == pytest.approx(50.0)  # 1.10 USD = 1.00 EUR
    assert "Silent Co" not in index  # no products: no row, never a zero


def test_prices_without_a_rate_are_excluded_and_reported(store):
    _market(store, usd_rate=False)
    chosen = data.companies(store)
    index = data.price_index(store, chosen)
    assert set(index["company"]) == {"Us", "Dinar Co"}
    assert data.unconverted_prices(store, chosen) == {"USD": 1}
    view = views.price_index_view(store, chosen, "en")
    assert any("1 × USD" in note for note in view.notes)
    assert any("Silent Co" in note for note in view.notes)  # "no data", visibly
    spec = view.chart.to_dict()
    assert "no data" in json.dumps(spec)


def test_overall_and_market_index_are_geometric_means():
    index = pd.DataFrame({"company": ["Us", "A", "A", "Us"], "is_us": [True, False, False, True],
                          "category": ["x", "x", "y", "y"], "price_index": [100.0, 200.0, 50.0, 100.0]})
    overall = data.overall_price_index(index).set_index("company")["price_index"]
    assert overall["A"] == pytest.approx(100.0)
    market = data.market_price_index(index).set_index("category")
    assert market.loc["x", "we_are_cheaper"] and not market.loc["y", "we_are_cheaper"]
    assert views.cheaper_sentence(index, "en").startswith("We are cheaper in 1 of 2 categories")


def test_feature_edits_are_validated_audited_and_version_checked(store):
    ids = _market(store)
    feature = features.add_feature(store, "ana", "EDI", "Ordering")
    with pytest.raises(ValidationError):
        features.add_feature(store, "ana", " edi ", "ordering")
    with pytest.raises(ValidationError):
        features.save_cells(store, "ana", [features.CellEdit(feature["id"], ids["us"], "maybe")])
    with pytest.raises(ValidationError):
        features.save_cells(store, "ana", [features.CellEdit(feature["id"], ids["us"], "yes", source_url="javascript:alert(1)")])
    assert features.save_cells(store, "ana", [features.CellEdit(feature["id"], ids["us"], "YES", note=" fast\u202e ")]) == 1
    matrix = data.feature_matrix(store, data.companies(store))
    ours = matrix[matrix["is_us"]].iloc[0]
    assert ours["value"] == "yes" and ours["note"] == "fast"
    assert set(matrix.loc[~matrix["is_us"], "value"]) == {"unknown"}  # missing rows read as unknown
    # a second editor who loaded before the first save: a stale insert and a stale update are refused
    with pytest.raises(ConflictError):
        features.save_cells(store, "bob", [features.CellEdit(feature["id"], ids["us"], "no")])
    features.save_cells(store, "ana", [features.CellEdit(feature["id"], ids["us"], "partial", cell_id=int(ours["cell_id"]),
                                                         version=int(ours["version"]))])
    with pytest.raises(ConflictError):
        features.save_cells(store, "bob", [features.CellEdit(feature["id"], ids["us"], "no", cell_id=int(ours["cell_id"]),
                                                             version=int(ours["version"]))])
    audited = store.query_value("SELECT count(*) FROM audit_log WHERE table_name = 'company_features'")
    assert audited == 2


def test_feature_matrix_marks_advantages_and_gaps(store):
    ids = _market(store)
    f1 = features.add_feature(store, "t", "Portal", "Ordering")["id"]
    f2 = features.add_feature(store, "t", "EDI", "Ordering")["id"]
    features.save_cells(store, "t", [
        features.CellEdit(f1, ids["us"], "yes"), features.CellEdit(f1, ids["rsd"], "no"),
        features.CellEdit(f2, ids["us"], "partial"), features.CellEdit(f2, ids["rsd"], "yes"),
    ])
    matrix = data.feature_matrix(store, data.companies(store)).set_index(["feature", "company"])
    assert matrix.loc[("Portal", "Dinar Co"), "edge"] == "advantage"
    assert matrix.loc[("EDI", "Dinar Co"), "edge"] == "gap"
    assert pd.isna(matrix.loc[("Portal", "Dollar Co"), "edge"])  # unknown compares as nothing


def test_summary_ranks_advantages_and_gaps_with_their_evidence(store):
    ids = _market(store)
    f1 = features.add_feature(store, "t", "Portal", "Ordering")["id"]
    features.save_cells(store, "t", [features.CellEdit(f1, ids["us"], "yes"), features.CellEdit(f1, ids["rsd"], "no")])
    [dinar, silent] = advantage_summary(store, ["Dinar Co", "Silent Co"], top=10)
    kinds = {(i.kind, i.subject) for i in dinar.advantages}
    assert ("capability", "Delivery speed") in kinds and ("feature", "Portal") in kinds
    assert ("price", "overall") in kinds  # they are at 150: we are cheaper
    assert [i.subject for i in dinar.gaps] == ["Design"]
    assert dinar.gaps[0].ours == 2 and dinar.gaps[0].theirs == 4
    assert set(silent.no_data) == {"capability", "price", "feature"}
    assert not silent.advantages and not silent.gaps
    text = views.summary_markdown([dinar, silent], "en")
    assert "Delivery speed — our score 4, Dinar Co: 2" in text
    assert "No data on" in text
    with pytest.raises(ValidationError):
        advantage_summary(store, ["Nobody"])


def test_summary_with_nothing_in_the_workspace_is_empty_not_a_crash():
    empty = pd.DataFrame(columns=["company", "is_us", "capability", "score"])
    matrix = pd.DataFrame(columns=["feature_id", "feature", "company", "is_us", "value", "rank", "edge"])
    index = pd.DataFrame(columns=["company", "is_us", "category", "price_index"])
    share = pd.DataFrame(columns=["company", "is_us", "share"])
    [s] = summarize(matrix, empty, index, share, ["A"])
    assert s.advantages == [] and s.gaps == []


@pytest.fixture(scope="module")
def demo_store(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory):
    """The session's demo market (it includes the demo feature matrix), copied once for this module."""
    path = tmp_path_factory.mktemp("compare") / "demo.duckdb"
    shutil.copyfile(demo_workspace_file, path)
    s = Store.open(str(path))
    yield s
    s.close()


OURS = "Danubia Packaging (us)"


def _colour_scales(node: object) -> Iterator[tuple[str, list, list]]:
    """(field, domain, range) of every colour, stroke and fill scale of a chart spec."""
    if isinstance(node, dict):
        for channel, encoding in (node.get("encoding") or {}).items():
            scale = encoding.get("scale") if isinstance(encoding, dict) else None
            if channel in ("color", "stroke", "fill") and isinstance(scale, dict) and "range" in scale:
                yield encoding.get("field"), scale.get("domain", []), scale["range"]
        for value in node.values():
            yield from _colour_scales(value)
    elif isinstance(node, list):
        for value in node:
            yield from _colour_scales(value)


@pytest.mark.parametrize("kind", views.CHART_KINDS)
def test_every_chart_highlights_us_and_stays_aggregated(demo_store, kind):
    chosen = data.pick_companies(demo_store, ["Kartonaža Sava", "PackPro International"])
    view = views.chart_view(demo_store, kind, chosen, "en")
    spec = view.chart.to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    # Not just "US_COLOR somewhere": the theme's config holds it in every chart. Our company's
    # colour is the highlight colour in every company scale, and no competitor shares it.
    body = {key: value for key, value in spec.items() if key != "config"}
    assert US_COLOR in json.dumps(body)
    scales = list(_colour_scales(body))
    companies = [(domain, colours) for field, domain, colours in scales if field == "company_label"]
    if kind == "matrix":  # one column per company: the edges we have are drawn in our colour
        edges = next((domain, colours) for field, domain, colours in scales if field == "edge_label")
        assert dict(zip(*edges))["We have more"] == US_COLOR
    else:
        assert companies, "no company colour scale"
    for domain, colours in companies:
        assert colours[domain.index(OURS)] == US_COLOR
        assert colours.count(US_COLOR) == 1, colours
    assert OURS in text
    rows = sum(len(v) for v in spec.get("datasets", {}).values())
    assert 0 < rows < 1_000  # aggregated rows only, never raw observations
    assert '"focus"' in text  # click-to-focus selection
    assert not view.data.empty


def test_chart_fields_and_our_bold_line(demo_store):
    chosen = data.pick_companies(demo_store, ["Kartonaža Sava"])
    canvas = views.canvas_view(demo_store, chosen, "en").chart.to_dict()
    ours = [layer for layer in canvas["layer"] if layer.get("transform") == [{"filter": "datum.is_us"}]]
    assert ours and ours[0]["mark"]["strokeWidth"] > 4
    assert canvas["layer"][0]["encoding"]["y"]["field"] == "score"
    radar = views.radar_view(demo_store, chosen, "sr").chart.to_dict()
    assert "Радар способности" in json.dumps(radar, ensure_ascii=False)
    pos = views.positioning_view(demo_store, chosen, "en", x="price_index", y="capability_avg").chart.to_dict()
    assert "White space" in json.dumps(pos) or "Every quadrant" in json.dumps(pos)
    with pytest.raises(ValidationError):
        views.positioning_view(demo_store, chosen, "en", x="share", y="share")


def test_highlight_colour_is_per_workspace_and_validated(demo_store, tmp_path):
    s = Store.open(str(tmp_path / "h.duckdb"))
    try:
        _market(s)
        assert views.highlight_color(s) == US_COLOR
        with pytest.raises(ValidationError):
            views.set_highlight_color(s, "ana", "red; drop")
        assert views.set_highlight_color(s, "ana", "#1f77b4") == "#1F77B4"
        spec = json.dumps(views.canvas_view(s, data.companies(s), "en").chart.to_dict())
        assert '"range": ["#1F77B4"' in spec  # our company first in the colour scale, in the workspace colour
    finally:
        s.close()


def test_missing_scores_show_no_data(store):
    _market(store)
    with store.transaction("t") as tx:
        tx.execute("DELETE FROM capabilities")
    view = views.radar_view(store, data.companies(store), "en")
    assert "no data" in json.dumps(view.chart.to_dict())


def test_csv_export_neutralises_formulas_and_images_render(demo_store):
    frame = pd.DataFrame({"name": ["=HYPERLINK(1)", "+1", "-2", "@x", "\tt", "ok"], "n": [1, 2, 3, 4, 5, None]})
    text = views.csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'+1" in text and "'-2" in text and "'@x" in text and "'\tt" in text
    view = views.chart_view(demo_store, "price-index", data.pick_companies(demo_store, ["CorruTech"]), "en")
    assert views.image_bytes(view.chart, "png").startswith(b"\x89PNG")
    assert b"<svg" in views.image_bytes(view.chart, "svg")[:400]


def test_share_falls_back_to_dimensions_and_sorts_by_our_lead(demo_store):
    chosen = data.companies(demo_store)
    share = data.share_by_segment_for(demo_store, "industry", chosen)
    leads = share.drop_duplicates("segment")["lead"].tolist()
    assert leads == sorted(leads, reverse=True)
    view = views.share_view(demo_store, chosen, "en", source="industry")
    assert any("No saved segments" in n for n in view.notes)
    with pytest.raises(ValidationError):
        data.share_by_segment_for(demo_store, "colour", chosen)


def test_demo_features_are_deterministic_and_seeded_once(demo_store, tmp_path):
    assert features.seed_demo_features(demo_store, 42) == 0  # already there
    counts = demo_store.query_rows("SELECT value, count(*) AS n FROM company_features GROUP BY 1 ORDER BY 1")
    assert {r["value"] for r in counts} == {"yes", "partial", "no"}


def _cli(*args: str) -> CliResult:
    return cli("compare", *args)


def test_cli_summary_chart_and_price_index(demo_copy, tmp_path):
    db = demo_copy
    seeded = _cli("seed-features", "--db", str(db))  # the demo build already filled the matrix
    assert seeded.returncode == 0 and "already has features; nothing written" in seeded.stdout
    out = _cli("summary", "--db", str(db), "--competitor", "CorruTech", "--format", "json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload[0]["competitor"] == "CorruTech" and payload[0]["advantages"]
    png = tmp_path / "radar.png"
    made = _cli("chart", "radar", "--db", str(db), "--out", str(png), "--csv", str(tmp_path / "r.csv"))
    assert made.returncode == 0, made.stderr
    assert png.read_bytes().startswith(b"\x89PNG") and (tmp_path / "r.csv").exists()
    index = _cli("price-index", "--db", str(db), "--category", "Tapes")
    assert index.returncode == 0 and "We are cheaper in" in index.stdout
    bad = _cli("chart", "radar", "--db", str(db), "--out", str(tmp_path / "x.gif"))
    assert bad.returncode == 1 and bad.stderr.startswith("error:")
    unknown = _cli("summary", "--db", str(db), "--competitor", "Nobody")
    assert unknown.returncode == 1 and "No competitor named Nobody" in unknown.stderr


def test_one_query_gives_the_price_index_and_the_prices_left_out(store):
    _market(store, usd_rate=False)
    compared = data.compare_price_index(store, data.companies(store))
    assert set(compared.rows["company"]) == {"Us", "Dinar Co"}
    assert compared.excluded == {"USD": 1}
    spread = data.compare_price_distribution(store, data.companies(store))
    assert spread.excluded == {"USD": 1} and set(spread.rows.columns) >= {"low", "q1", "median", "q3", "high"}


def test_every_write_changes_the_data_version(store):
    before = data.data_version(store)
    _market(store)
    after = data.data_version(store)
    assert after != before
    views.set_highlight_color(store, "ana", "#123456")
    assert data.data_version(store) != after


def test_chart_specs_fit_the_page_focus_a_company_and_list_only_shown_companies(store):
    _market(store)
    chosen = data.pick_companies(store, ["Dinar Co"])
    radar = views.chart_spec(store, "radar", chosen, "en")
    assert radar.spec["autosize"]["type"] == "pad" and not radar.stretch  # fixed size keeps the radar round
    canvas = views.chart_spec(store, "canvas", chosen, "en")
    assert canvas.spec["autosize"]["type"] == "fit-x" and canvas.stretch
    legend_values = [e["legend"]["values"] for e in _encodings(canvas.spec) if "legend" in e and e.get("field") == "company_label"]
    assert legend_values and all(v == ["Us (us)", "Dinar Co"] for v in legend_values)  # not every company of the workspace
    focused = canvas.focused("Dinar Co")
    assert next(p for p in focused["params"] if p["name"] == "focus")["value"] == [{"company_label": "Dinar Co"}]
    assert "value" not in next(p for p in canvas.spec["params"] if p["name"] == "focus")  # the cached spec is untouched
    empty = views.chart_spec(store, "matrix", chosen, "en")  # no features: a "no data" chart without a selection
    assert not empty.selectable and empty.focused("Dinar Co") is empty.spec


def _encodings(spec: dict) -> list[dict]:
    found = []
    for layer in spec.get("layer", []):
        found += [v for v in layer.get("encoding", {}).values() if isinstance(v, dict)]
    return found


def test_links_name_competitors_case_insensitively_with_commas_or_repeats():
    from research.ui.compare import match_names

    rivals = ["Adria Pack", "PackPro International", "Sava, d.o.o."]
    assert match_names("adria pack,PACKPRO international", rivals) == (["Adria Pack", "PackPro International"], [])
    assert match_names(["Sava, d.o.o.", "Nobody"], rivals) == (["Sava, d.o.o."], ["Nobody"])
