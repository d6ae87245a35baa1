"""Segments at presentation grade (issue 17): domain values and statuses in the viewer's language,
money rounded for its size, cluster descriptions that agree in Serbian, errors in the viewer's language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from page_helpers import assert_clean, run_app
from streamlit.testing.v1 import AppTest

from research.data.labels import labels_for
from research.errors import ValidationError
from research.i18n import error_text, fmt_money_round, t
from research.segments import bands, clustering, saved
from research.segments.clustering import Trait, describe_traits
from research.segments.rules import compile_rule
from research.store import Store


def serbian_names(db: Path, domain: str) -> dict[str, str]:
    store = Store.open(str(db))
    try:
        names = dict(labels_for(store, "sr").names[domain])
    finally:
        store.close()
    assert names, f"the demo names no {domain}"
    return names


def open_segments(db: Path, monkeypatch: pytest.MonkeyPatch, lang: str, view: str = "build") -> AppTest:
    at = run_app(db, monkeypatch, page="segments", lang=lang)
    at.session_state["segments_view"] = view
    at.run()
    assert_clean(at)
    return at


def frame_with(at: AppTest, header: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if header in d.value.columns)


def errors(at: AppTest) -> list[str]:
    """The error boxes' text without the Markdown escapes show_error adds (the message may hold user text)."""
    return [e.value.replace("\\", "") for e in at.error]


def chart_rows(at: AppTest) -> list[dict]:
    """The rows of the page's one chart as the browser gets them (Arrow datasets, or inlined in the spec)."""
    [element] = at.get("vega_lite_chart")
    rows = [r for d in element.proto.datasets
            for r in pa.ipc.open_stream(d.data.data).read_all().to_pandas().to_dict("records")]
    spec = json.loads(element.proto.spec)
    return rows + [r for dataset in (spec.get("datasets") or {}).values() for r in dataset]


# ---- domain values and statuses ------------------------------------------------------------


def test_serbian_builder_offers_industries_regions_and_statuses_by_their_names(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    industries, regions = serbian_names(demo_copy, "industry"), serbian_names(demo_copy, "region")
    at = open_segments(demo_copy, monkeypatch, "sr")
    assert set(at.multiselect(key="segments_g0_industry").options) == set(industries.values())
    assert set(at.multiselect(key="segments_g0_region").options) == set(regions.values())
    assert set(at.multiselect(key="segments_g0_status").options) == {t(f"status.{s}", "sr")
                                                                      for s in ("customer", "prospect", "lost")}
    # The rule keeps the stored values: picking by the raw key still works and is what is saved.
    at.multiselect(key="segments_g0_industry").set_value(["Pharma"]).run()
    at.multiselect(key="segments_g0_region").set_value(["Western Balkans"]).run()
    assert_clean(at)
    preview = frame_with(at, t("segments.field.industry", "sr"))
    assert set(preview[t("segments.field.industry", "sr")]) == {industries["Pharma"]}
    statuses = set(preview[t("segments.field.status", "sr")])
    assert statuses and statuses <= {t(f"status.{s}", "sr") for s in ("customer", "prospect", "lost")}
    assert at.session_state["segments_groups"][0]["industry"] == ["Pharma"]


def test_serbian_prospect_scores_name_the_industry_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    industries = serbian_names(demo_copy, "industry")
    at = open_segments(demo_copy, monkeypatch, "sr", "prospects")
    shown = set(frame_with(at, t("segments.col.reasons", "sr"))[t("segments.field.industry", "sr")])
    assert shown and shown <= set(industries.values()), shown - set(industries.values())


def test_cluster_descriptions_name_regions_and_industries_in_the_viewers_language(demo_copy: Path) -> None:
    regions, industries = serbian_names(demo_copy, "region"), serbian_names(demo_copy, "industry")
    store = Store.open(str(demo_copy))
    try:
        result = clustering.cluster_accounts(store, ["employees", "annual_revenue", "industry", "region"], k=4)
    finally:
        store.close()
    serbian, english = " ".join(result.descriptions("sr")), " ".join(result.descriptions("en"))
    assert any(name in serbian for name in [*regions.values(), *industries.values()]), serbian
    assert not any(value in serbian for value in [*regions, *industries] if value not in regions.values()), serbian
    assert any(value in english for value in [*regions, *industries]), english


def test_serbian_cluster_traits_agree_with_firms() -> None:
    # "фирме" is feminine plural: "све" (not "сви"), and a status is quoted rather than declined.
    traits = [Trait("status", "customer", "all"), Trait("listed", "yes", "all")]
    serbian = describe_traits(traits, "sr", units={"listed": "bool"}, names={"listed": {"sr": "Берза", "en": "Listed"}})
    assert serbian == "Фирме, све са статусом „купац”, све — берза: да"
    assert describe_traits(traits[:1], "en") == "Firms, all customers"
    assert describe_traits([Trait("status", "lost", "mostly")], "en") == "Firms, mostly lost customers"
    assert describe_traits([Trait("industry", "Pharma", "all"), Trait("region", "Western Balkans", "mostly")], "sr",
                           values={"industry": {"sr": {"Pharma": "Фармација"}},
                                   "region": {"sr": {"Western Balkans": "Западни Балкан"}}}) == (
        "Фирме из делатности Фармација углавном у: Западни Балкан")


# ---- money rounded for its size --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_profile_and_comparison_show_revenue_rounded_for_its_size(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    store = Store.open(str(demo_copy))
    try:
        for region in ("Western Balkans", "Central Europe"):
            saved.save_rule_segment(store, "ana", name=region, rule={"field": "region", "in": [region]})
        total = float(store.query_value(
            "SELECT sum(annual_revenue / coalesce((SELECT arg_max(per_eur, valid_on) FROM exchange_rates r "
            "WHERE r.currency = a.revenue_currency), 1)) FROM accounts a WHERE NOT archived"))
        ids = [s.id for s in saved.list_segments(store)]
    finally:
        store.close()
    at = open_segments(demo_copy, monkeypatch, lang, "profile")
    revenue = {m.label: m.value for m in at.metric}[t("segments.kpi.revenue", lang)]
    assert revenue == fmt_money_round(total, "EUR", lang)
    assert len(revenue) <= 12 and ("bn" in revenue if lang == "en" else "млрд." in revenue)
    top = frame_with(at, t("segments.col.revenue", lang))[t("segments.col.revenue", lang)]
    assert all(len(v) <= 12 and ("€" in v or v == "–") for v in top), top.tolist()
    at.multiselect(key="segments_profile_pick").set_value(ids).run()
    assert_clean(at)
    side = frame_with(at, t("segments.col.revenue", lang))[t("segments.col.revenue", lang)]
    # "€12.3m" / "12,3 мил. €": at most three digits and one decimal, not 12,345,678
    assert all(re.fullmatch(r"\D*\d{1,3}([.,]\d)?\D*", v) and "€" in v for v in side), side.tolist()


def test_sizing_labels_and_contract_text_are_rounded(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        saved.save_rule_segment(store, "ana", name="Pharma", rule={"field": "industry", "in": ["Pharma"]})
    finally:
        store.close()
    at = open_segments(demo_copy, monkeypatch, "sr", "sizing")
    rows = chart_rows(at)
    texts = {r["stage"]: r["value_text"] for r in rows if "value_text" in r}
    values = {r["stage"]: r["value"] for r in rows if "value_text" in r}
    assert set(texts) == {"TAM", "SAM", "SOM"}
    assert all(texts[s] == fmt_money_round(values[s], "EUR", "sr") for s in texts), texts
    caption = next(c.value for c in at.caption if c.value.startswith("вредност уговора"))
    assert ",00" not in caption  # "38.500 €", not "38.500,00 €"


# ---- errors in the viewer's language -------------------------------------------------------


def test_a_contradictory_range_is_refused_in_serbian_naming_the_field_by_its_label(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_segments(demo_copy, monkeypatch, "sr")
    at.number_input(key="segments_g0_employees_min").set_value(500).run()
    at.number_input(key="segments_g0_employees_max").set_value(100).run()
    assert errors(at) == [
        (f"**{t('error.title.ValidationError', 'sr')}** — Распон поља „Запослени” је празан: најмања вредност 500 је "
         "изнад највеће 100.")]


def test_saving_without_a_name_is_refused_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_segments(demo_copy, monkeypatch, "sr")
    at.button(key="segments_save").click().run()
    assert any(t("segments.error.no_name", "sr") in e for e in errors(at)), errors(at)


def test_zero_weights_are_refused_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_segments(demo_copy, monkeypatch, "sr", "matrix")
    for factor in ("size", "growth", "margin", "intensity"):
        at.slider(key=f"segments_w_{factor}").set_value(0).run()
    assert any(t("segments.error.weights_zero", "sr") in e for e in errors(at)), errors(at)


def test_bands_in_use_are_named_by_their_labels_in_serbian(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(str(demo_copy))
    try:
        saved.save_rule_segment(store, "ana", name="Мали", rule={"field": "employee_band", "in": ["lt50"]})
    finally:
        store.close()
    at = open_segments(demo_copy, monkeypatch, "sr")
    at.radio(key="segments_bands_employees_mode").set_value("custom").run()
    at.text_input(key="segments_bands_employees_cuts").input("20, 200").run()
    at.button(key="segments_bands_save").click().run()
    [warning] = [w.value for w in at.warning]
    assert warning.startswith("Ови сачувани сегменти користе распон поља „Број запослених (распон)”")
    assert "„Мали”" in warning and "испод 20; 20–199; 200 и више" in warning and "b1" not in warning


@pytest.mark.parametrize(
    ("call", "english", "serbian"),
    [
        (lambda: compile_rule({"field": "revenue_eur", "min": 5, "max": 1}),
         "The range of “revenue_eur” is empty", "Распон поља „Годишњи приход (€)” је празан"),
        (lambda: bands.parse_cuts("20, x", "employees"),
         "'x' is not a number; write the employees cuts as e.g. 50, 250, 1000.",
         "'x' није број; границе („Распони запослених”) пишите нпр. као 50, 250, 1000."),
        (lambda: bands.parse_cuts("200, 20", "revenue"), "Band cuts must rise: 20 does not come after 200.",
         "Границе распона морају да расту: 20 не долази после 200."),
        (lambda: clustering.parse_features([]), "Choose at least one feature to cluster on.",
         "Изаберите бар једно обележје за груписање."),
    ],
)
def test_errors_keep_their_english_message_and_read_in_serbian(call, english: str, serbian: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.message.startswith(english)  # the CLI's words, unchanged
    assert error_text(caught.value, "sr")[1].startswith(serbian)
    assert error_text(caught.value, "en")[1] == caught.value.message


def test_a_clustering_feature_with_one_value_is_named_by_its_serbian_label(store: Store) -> None:
    with store.transaction("ana") as tx:
        for n in range(6):
            tx.insert("accounts", {"name": f"Firm {n}", "country": "RS", "region": "Western Balkans",
                                   "industry": "Pharma", "status": "prospect", "employees": 10 + n})
    with pytest.raises(ValidationError) as caught:
        clustering.cluster_accounts(store, ["employees", "region"], k=2)
    assert "“region” has the same value" in caught.value.message
    assert error_text(caught.value, "sr")[1] == ("„Регион” има исту вредност за сваког клијента, па не може да "
                                                "раздвоји групе.")
