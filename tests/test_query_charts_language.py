"""The Query page speaks the viewer's language (issue 17 items 5 and 6): chart titles, values and errors.

Axis titles are words, not column names (the catalog's name for a known column, in the viewer's
language); domain values and fixed codes are shown by their names while the result keeps the
stored values; refusals and failures of the sandbox, the builder and saved queries carry a
catalog key, so a Serbian viewer reads Serbian while the CLI keeps its English sentence.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from research.charts.query import ChartChoice, ChartRefused, build_chart, humanise, suggest_chart
from research.data import fields
from research.data.labels import labels_for
from research.errors import QueryError, QueryRefused, ValidationError, VantageError
from research.i18n import MESSAGES, error_text, t
from research.query import builder, saved
from research.query.display import column_title, column_titles, shown_values
from research.query.sandbox import close_sandbox, run_sandboxed
from research.query.statements import ALLOWED_TEXT, ENGLISH, REFUSED_STATEMENT, refusal_of
from research.store import Store

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
SQL_WORDS = {w for w in re.findall(r"[A-Za-z]+", ALLOWED_TEXT + " " + " ".join(REFUSED_STATEMENT.values()))} | {"FROM"}


def latin_words(text: str, allowed: set[str] = frozenset()) -> list[str]:
    """Latin words of three letters or more, other than SQL keywords and `allowed` (quoted details removed)."""
    unquoted = re.sub(r"„[^”]*”", "", text)
    return [w for w in re.findall(r"[A-Za-z]{3,}", unquoted) if w not in SQL_WORDS | set(allowed)]


@pytest.fixture(scope="module")
def workspace(demo_workspace_file: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("query_language") / "demo.duckdb"
    shutil.copyfile(demo_workspace_file, path)
    store = Store.open(str(path))
    yield store
    close_sandbox(store)
    store.close()


# ---- axis titles -----------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "en", "sr"), [
    ("category", "Category", "Категорија"),  # a field of the data grid
    ("month", "Month", "Месец"),  # a column the curated views and examples produce
    ("price_index", "Price index (our price = 100)", "Индекс цене (наша цена = 100)"),
    ("avg_price", "Average price", "Просек: цена"),  # a builder measure over a known column
    ("sum_employees", "Total employees", "Збир: запослени"),
    ("count_rows", "Number of rows", "Број: број редова"),
    ("avg_margin_pct", "Avg margin %", "Avg margin %"),  # unknown: the name turned into words
    ("revenue_eur", "Revenue EUR", "Revenue EUR"),
])
def test_axis_titles_are_words_in_the_viewers_language(column: str, en: str, sr: str) -> None:
    assert column_title(column, "en") == en
    assert column_title(column, "sr") == sr


def test_a_custom_field_is_titled_by_its_own_label() -> None:
    labels = {"fortune_rank": "Rang na listi"}
    assert column_title("fortune_rank", "sr", labels) == "Rang na listi"
    assert column_title("avg_fortune_rank", "en", {"fortune_rank": "Fortune rank"}) == "Average fortune rank"
    assert humanise("fortune_rank") == "Fortune rank"


def test_a_custom_field_of_the_workspace_titles_its_axis(workspace: Store) -> None:
    fields.add_field(workspace, "tester", "accounts", "fortune_rank", "int", label_en="Fortune rank",
                     label_sr="Ранг на листи")
    frame = run_sandboxed(workspace, "SELECT industry, avg(employees) AS fortune_rank FROM accounts GROUP BY 1").frame
    labels = {f.name: f.label("sr") for f in fields.list_fields(workspace)}
    spec = build_chart(frame, suggest_chart(frame), lang="sr", titles=column_titles(frame.columns, "sr", labels)).to_dict()
    assert spec["encoding"]["x"]["title"] == "Ранг на листи"
    assert spec["encoding"]["y"]["title"] == "Делатност"


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_example_charts_carry_no_column_name_as_a_title(workspace: Store, lang: str) -> None:
    frame = run_sandboxed(workspace, "SELECT month, company, avg_price_eur FROM price_index "
                                     "WHERE category = 'Corrugated boxes'").frame
    spec = build_chart(frame, suggest_chart(frame, [("Danubia Packaging", True)]), [("Danubia Packaging", True)],
                       lang=lang, titles=column_titles(frame.columns, lang)).to_dict()
    titles = [spec["encoding"]["x"]["title"], spec["encoding"]["y"]["title"], spec["encoding"]["color"]["title"]]
    assert titles == [t("query.column.month", lang), t("query.column.avg_price_eur", lang), t("query.column.company", lang)]
    assert not any("_" in title for title in titles)
    if lang == "sr":
        assert all(CYRILLIC.search(title) for title in titles)
        assert spec["encoding"]["x"]["axis"]["format"] == "%-m. %Y."  # Vega's month names are English


# ---- values ----------------------------------------------------------------------------------


def test_domain_values_and_codes_are_shown_by_their_names_and_the_result_keeps_its_values(workspace: Store) -> None:
    frame = run_sandboxed(workspace, "SELECT region, industry, status, NULL AS note, count(*) AS accounts "
                                     "FROM accounts GROUP BY ALL ORDER BY accounts DESC").frame
    shown = shown_values(frame, labels_for(workspace, "sr"), "sr")
    assert "Western Balkans" in set(frame["region"]), "the result keeps the stored value"
    assert "Западни Балкан" in set(shown["region"]) and "Western Balkans" not in set(shown["region"])
    assert "Храна и пиће" in set(shown["industry"])
    assert set(shown["status"]) <= {t(f"status.{s}", "sr") for s in ("customer", "prospect", "lost")}
    assert shown["accounts"].equals(frame["accounts"]) and shown["note"].isna().all()
    english = shown_values(frame, labels_for(workspace, "en"), "en")
    assert set(english["status"]) <= {"Customer", "Prospect", "Lost"}


def test_a_column_of_other_text_is_left_as_it_is(workspace: Store) -> None:
    frame = pd.DataFrame({"category": ["Tapes", "Something else"], "name": ["Corrugated boxes", "x"], "n": [1, 2]})
    shown = shown_values(frame, labels_for(workspace, "sr"), "sr")
    assert shown["category"].tolist() == ["Лепљиве траке", "Something else"]  # named by its column: a category
    assert shown["name"].tolist() == ["Corrugated boxes", "x"]  # only half are categories: not a domain
    status = pd.DataFrame({"status": ["customer", "open"]})  # not every value is a known code: left alone
    assert shown_values(status, None, "sr")["status"].tolist() == ["customer", "open"]


def test_grouped_bars_name_serbian_categories_on_the_axis(workspace: Store) -> None:
    frame = run_sandboxed(workspace, "SELECT category, company, avg(price_eur) AS avg_price_eur "
                                     "FROM latest_prices GROUP BY ALL").frame
    companies = [("Danubia Packaging", True)]
    shown = shown_values(frame, labels_for(workspace, "sr"), "sr")
    spec = build_chart(shown, suggest_chart(shown, companies), companies, lang="sr",
                       titles=column_titles(shown.columns, "sr")).to_dict()
    axis = spec["encoding"]["y"]["axis"]["labelExpr"]
    assert "Кутије од валовитог картона" in axis and "Corrugated boxes" not in axis
    assert spec["encoding"]["y"]["title"] == "Категорија"


# ---- errors ----------------------------------------------------------------------------------


def test_the_workers_english_is_the_catalogs_english() -> None:
    """The sandbox worker words refusals without the catalog: both must say the same."""
    for key, english in ENGLISH.items():
        assert MESSAGES[key][0] == english, key


@pytest.mark.parametrize("kind", [*REFUSED_STATEMENT, "SOMETHING_NEW"])
def test_every_refused_statement_type_reads_in_both_languages(kind: str) -> None:
    refusal = refusal_of(kind)
    assert str(refusal) == t(refusal.key, "en", **refusal.params)
    serbian = t(refusal.key, "sr", **refusal.params)
    assert CYRILLIC.search(serbian) and not latin_words(serbian, {"SOMETHING_NEW", "SOMETHING", "NEW"}), serbian
    assert REFUSED_STATEMENT.get(kind, kind) in serbian


def sandbox_error(store: Store, sql: str) -> VantageError:
    with pytest.raises(QueryError) as caught:
        run_sandboxed(store, sql)
    return caught.value


def test_a_refused_statement_reads_in_serbian_and_the_cli_keeps_its_english(workspace: Store) -> None:
    error = sandbox_error(workspace, "DROP TABLE accounts")
    assert isinstance(error, QueryRefused) and error.key == "query.refused.DROP"
    assert error.message.startswith("DROP (removes tables or views) is not allowed")
    title, message = error_text(error, "sr")
    assert title == "Упит је одбијен" and "DROP" in message and "није дозвољено" in message
    assert not latin_words(title + " " + message), message
    assert workspace.query_value("SELECT count(*) FROM accounts") > 0


@pytest.mark.parametrize(("sql", "lead"), [
    ("SELECT * FROM nema_te_tabele", "База података је пријавила грешку"),  # DuckDB's binder
    ("SELEC 1", "База података је пријавила грешку"),  # DuckDB's parser
    ("COPY accounts TO 'out.csv'", None),  # refused by type before DuckDB runs it
    ("SELECT 1; SELECT 2", None),
    ("", None),
])
def test_failures_get_a_serbian_sentence_with_duckdbs_words_quoted(workspace: Store, sql: str, lead: str | None) -> None:
    error = sandbox_error(workspace, sql)
    assert error.key in MESSAGES, error.key
    title, message = error_text(error, "sr")
    assert CYRILLIC.search(title) and CYRILLIC.search(message)
    if lead:
        assert message.startswith(lead) and "„" in message
    assert not latin_words(message, {"csv", "out"}), message


def test_builder_and_parameter_errors_read_in_serbian() -> None:
    columns = {"region": "VARCHAR", "accounts": "BIGINT"}
    errors: list[VantageError] = []
    for spec in (
        builder.BuilderSpec("accounts_by_segment", sort="nowhere"),
        builder.BuilderSpec("accounts_by_segment", measures=(builder.Measure("sum", "region"),)),
        builder.BuilderSpec("accounts_by_segment", filters=(builder.Filter("accounts", "=", "many"),)),
    ):
        with pytest.raises(ValidationError) as caught:
            builder.build_sql(spec, columns)
        errors.append(caught.value)
    for raw, kind in (("", "text"), ("soon", "date"), ("x", "number")):
        with pytest.raises(ValidationError) as caught:
            saved.coerce_value(saved.ParamSpec("since", kind), raw)
        errors.append(caught.value)
    with pytest.raises(ValidationError) as caught:
        saved.validate_saved("Drop it", "DROP TABLE accounts", [])
    errors.append(caught.value)
    for error in errors:
        assert error.key in MESSAGES, error.message
        message = error_text(error, "sr")[1]
        assert CYRILLIC.search(message) and not latin_words(message, {"nowhere", "region", "many", "soon", "accounts",
                                                                      "sum", "VARCHAR", "since"}), message


def test_a_chart_that_cannot_be_drawn_says_why_in_both_languages() -> None:
    frame = pd.DataFrame({"category": ["a", "b"], "note": ["x", "y"]})
    for choice in (ChartChoice("bar", "category", "nowhere"), ChartChoice("bar", "category", None),
                   ChartChoice("histogram", "note"), ChartChoice("pie", "category", "note")):
        with pytest.raises(ChartRefused) as caught:
            build_chart(frame, choice)
        refused = caught.value
        assert isinstance(refused, ValueError)  # slides skip a chart that cannot be drawn
        assert t(refused.key, "en", **refused.params) and CYRILLIC.search(t(refused.key, "sr", **refused.params))
