"""Prospect reliability checks (issue 20 item 4): payment behaviour, company age, revenue trend and
recent losses in the segment, each a reason with its value; unknown data scores 0 and says so.

The workspace is a real DuckDB file: a fresh one with three custom fields and a handful of accounts
and deals written here, so every point below is worked out by hand from those rows. Dates are relative
to a `today` (fixed for the unit tests, the clock for the page, which scores against the clock).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, cli
from page_helpers import assert_clean, run_app

from research.data import fields, labels
from research.errors import ValidationError
from research.i18n import fmt_date, t
from research.segments import prospects
from research.store import Store

TODAY = dt.date(2026, 6, 30)
FOOD_BALKANS = {"industry": "Food & beverage", "region": "Western Balkans"}
CHEM_CENTRAL = {"industry": "Chemicals", "region": "Central Europe"}
PROSPECTS = ("Reliable d.o.o.", "Risky d.o.o.", "Middling d.o.o.", "Unknown d.o.o.", "Typo d.o.o.")
# Only the checks count in the hand-worked scores: every built-in factor switched off.
NO_BUILTINS = {f: 0 for f in prospects.POINTS}


def build(store: Store, today: dt.date) -> dict[str, int]:
    """The fixture: five prospects, three customers (one archived) and their deals; name -> id."""
    fields.add_field(store, "tester", "accounts", "payment_days_late", "number", label_en="Days late",
                     label_sr="Дана кашњења")
    fields.add_field(store, "tester", "accounts", "founded_year", "int", label_en="Founded", label_sr="Основана")
    fields.add_field(store, "tester", "accounts", "revenue_prev", "money", label_en="Revenue last year",
                     label_sr="Приход прошле године")
    y = today.year
    accounts = {
        # pays on time, 26 years old, revenue +20 %: every check passes
        "Reliable d.o.o.": {**FOOD_BALKANS, "annual_revenue": 2_400_000, "payment_days_late": 3,
                            "founded_year": y - 26, "revenue_prev": 2_000_000},
        # pays late, 2 years old, revenue −20 %: every check fails
        "Risky d.o.o.": {**FOOD_BALKANS, "annual_revenue": 1_600_000, "payment_days_late": 45,
                         "founded_year": y - 2, "revenue_prev": 2_000_000},
        # 15 days late, 6 years old, revenue +2 %: in between on every check
        "Middling d.o.o.": {**FOOD_BALKANS, "annual_revenue": 2_040_000, "payment_days_late": 15,
                            "founded_year": y - 6, "revenue_prev": 2_000_000},
        # nothing known; previous revenue 0 cannot give a trend; no deals in its segment
        "Unknown d.o.o.": {**CHEM_CENTRAL, "annual_revenue": 1_000_000, "revenue_prev": 0},
        # a founding year in the future (a typo); previous revenue but no current revenue
        "Typo d.o.o.": {**CHEM_CENTRAL, "founded_year": y + 5, "revenue_prev": 500_000},
    }
    ids: dict[str, int] = {}
    with store.transaction("tester") as tx:
        for name, values in accounts.items():
            ids[name] = int(tx.insert("accounts", {"name": name, "country": "RS", "status": "prospect",
                                                   "employees": 150, **values})["id"])
        for name in ("Buyer One d.o.o.", "Buyer Two d.o.o.", "Gone d.o.o."):
            ids[name] = int(tx.insert("accounts", {"name": name, "country": "RS", "status": "customer",
                                                   **FOOD_BALKANS})["id"])
        tx.update("accounts", ids["Gone d.o.o."], {"archived": True})
        days = lambda n: today - dt.timedelta(days=n)  # noqa: E731
        for account, outcome, closed in (
            ("Buyer One d.o.o.", "lost", days(60)),
            ("Buyer One d.o.o.", "lost", days(166)),
            ("Buyer One d.o.o.", "won", days(302)),
            ("Buyer One d.o.o.", "lost", days(394)),  # before the window
            ("Buyer Two d.o.o.", "won", days(20)),  # the newest decided deal: the window ends here
            ("Buyer Two d.o.o.", "lost", days(-32)),  # after today: neither counted nor the window's end
            ("Buyer Two d.o.o.", "open", None),
            ("Gone d.o.o.", "lost", days(121)),  # an archived account
            ("Risky d.o.o.", "lost", days(149)),  # Risky's own: the segment's record for the others only
        ):
            tx.insert("deals", {"account_id": ids[account], "outcome": outcome, "closed_on": closed})
    return ids


@pytest.fixture
def ws(empty_workspace_file: Path, tmp_path: Path):
    """(store, ids, path): the fixture on disk, built for TODAY."""
    path = tmp_path / "reliability.duckdb"
    shutil.copyfile(empty_workspace_file, path)
    store = Store.open(str(path))
    ids = build(store, TODAY)
    yield store, ids, path
    store.close()


def by_name(frame):
    return frame.set_index("name")


# ---- scoring, worked out by hand ----------------------------------------------------------------


def test_each_check_scores_as_worked_out_by_hand(ws) -> None:
    store, _, _ = ws
    checks = prospects.make_checks(store)  # the conventional names are found: no sources given
    assert [(c.code, c.weight, c.field.name if c.field else None) for c in checks] == [
        ("payment", 15, "payment_days_late"), ("company_age", 10, "founded_year"),
        ("revenue_trend", 10, "revenue_prev"), ("segment_losses", 10, None)]
    scored = by_name(prospects.score_prospects(store, points=prospects.check_points(NO_BUILTINS), checks=checks,
                                               today=TODAY))
    assert sorted(scored.index) == sorted(PROSPECTS)
    # Food & beverage · Western Balkans, window (today − 385, today − 20]: Buyer One lost 2 and won 1,
    # Buyer Two won 1, Risky lost 1 → 3 of 5 lost (−10 × 3/5 = −6); for Risky itself 2 of 4 (−5).
    expected = {
        "Reliable d.o.o.": ((15, 10, 10, -6), 79),
        "Risky d.o.o.": ((-15, -10, -10, -5), 10),
        "Middling d.o.o.": ((0, 0, 0, -6), 44),
        "Unknown d.o.o.": ((0, 0, 0, 0), 50),
        "Typo d.o.o.": ((0, 0, 0, 0), 50),
    }
    for name, (points, score) in expected.items():
        got = tuple(scored.loc[name, f"_r_{code}_points"] for code in prospects.CHECKS)
        assert got == pytest.approx(points), name
        assert scored.loc[name, "score"] == pytest.approx(score), name
    # best first; Unknown and Typo tie at 50 and the known revenue goes first
    assert list(scored.index) == ["Reliable d.o.o.", "Unknown d.o.o.", "Typo d.o.o.", "Middling d.o.o.", "Risky d.o.o."]
    assert scored.loc["Reliable d.o.o.", "_r_segment_losses"] == 3
    assert scored.loc["Reliable d.o.o.", "_r_segment_losses_decided"] == 5
    assert scored.loc["Risky d.o.o.", "_r_segment_losses_decided"] == 4
    assert scored.loc["Reliable d.o.o.", "_r_company_age"] == 26
    # unknown per check: payment 2 (Unknown, Typo), age 2 (Unknown; Typo's future year), trend 2, losses 2
    assert [(c.code, n, total) for c, n, total in prospects.unknown_counts(scored.reset_index(), checks)] == [
        ("payment", 2, 5), ("company_age", 2, 5), ("revenue_trend", 2, 5), ("segment_losses", 2, 5)]


def test_every_check_is_a_reason_with_its_value_in_both_languages(ws) -> None:
    store, _, _ = ws
    checks = prospects.make_checks(store)
    points = prospects.check_points(NO_BUILTINS)
    scored = by_name(prospects.score_prospects(store, points=points, checks=checks, today=TODAY))
    window = dict(days="365", date=fmt_date(TODAY - dt.timedelta(days=20), "en"))

    def text(name: str, lang: str = "en") -> str:
        return prospects.reasons_text(scored.loc[name], lang, points=points, checks=checks,
                                      labels=labels.labels_for(store, lang))

    assert text("Reliable d.o.o.") == (
        "+15 pays on time (Days late: 3; at most 7 days late); "
        "+10 established company, 26 years old (Founded: 2000); "
        "+10 revenue growing: +20% on the previous year (Revenue last year: €2m); "
        f"−6 3 of 5 deals decided in Food & beverage · Western Balkans in the {window['days']} days to "
        f"{window['date']} were lost")
    assert text("Risky d.o.o.") == (
        "−15 pays late (Days late: 45; over 30 days late); "
        "−10 young company, 2 years old (Founded: 2024); "
        "−10 revenue falling: −20% on the previous year (Revenue last year: €2m); "
        f"−5 2 of 4 deals decided in Food & beverage · Western Balkans in the 365 days to {window['date']} were lost")
    middling = text("Middling d.o.o.")
    assert middling.startswith("−6 3 of 5 deals decided")
    for part in ("±0 pays somewhat late (Days late: 15)", "±0 company 6 years old (Founded: 2020)",
                 "±0 revenue about flat: +2% on the previous year (Revenue last year: €2m)"):
        assert part in middling, middling
    assert text("Unknown d.o.o.") == (
        "±0 Payment behaviour unknown: no value in Days late; "
        "±0 Company age unknown: no value in Founded; "
        "±0 Revenue trend unknown: Revenue last year €0 is not above zero; "
        f"±0 Recent losses in the segment unknown: no deal decided in Chemicals · Central Europe in the 365 days to "
        f"{window['date']}")
    typo = text("Typo d.o.o.")
    assert "±0 Company age unknown: Founded 2031 is not a past year or date" in typo
    assert "±0 Revenue trend unknown: annual revenue unknown" in typo

    # Serbian: the catalog's words, the viewer's number and date formats, the segment's Serbian names
    labels.set_label(store, "tester", "industry", "Food & beverage", label_sr="Храна и пиће")
    labels.set_label(store, "tester", "region", "Western Balkans", label_sr="Западни Балкан")
    serbian = text("Reliable d.o.o.", "sr")
    assert serbian.startswith("+15 плаћа на време (Дана кашњења: 3; највише 7 дана кашњења); "
                              "+10 фирма са стажом, стара 26 год. (Основана: 2000); "
                              "+10 приход расте: +20% у односу на претходну годину "
                              "(Приход прошле године: 2\xa0мил.\xa0€)"), serbian
    assert (f"−6 у сегменту Храна и пиће · Западни Балкан изгубљено је 3 од 5 окончаних послова у 365 дана до "
            f"{fmt_date(TODAY - dt.timedelta(days=20), 'sr')}") in serbian
    assert "±0 Платна дисциплина — непознато: нема вредности у пољу Дана кашњења" in text("Unknown d.o.o.", "sr")
    assert "{" not in serbian and "Food" not in serbian


def test_a_check_without_a_field_is_unknown_for_everyone_and_weight_zero_switches_one_off(ws) -> None:
    store, _, _ = ws
    points = prospects.check_points(NO_BUILTINS)
    checks = prospects.make_checks(store, {"company_age": 0}, {"payment": None})
    assert checks[0].field is None and checks[1].weight == 0
    scored = by_name(prospects.score_prospects(store, points=points, checks=checks, today=TODAY))
    # Reliable: payment unknown (0), age off (0), trend +10, losses −6
    assert scored.loc["Reliable d.o.o.", "score"] == pytest.approx(54)
    assert (scored["_r_payment_points"] == 0).all() and (scored["_r_company_age_points"] == 0).all()
    assert prospects.unknown_counts(scored.reset_index(), checks)[0][1] == len(PROSPECTS)
    reasons = prospects.reasons_text(scored.loc["Reliable d.o.o."], "en", points=points, checks=checks)
    assert "±0 Payment behaviour unknown: no field holds it" in reasons
    assert "Company age" not in reasons and "years old" not in reasons  # switched off: no reason at all
    # no checks at all: the score is the built-in part alone
    plain = by_name(prospects.score_prospects(store, points=points, checks=(), today=TODAY))
    assert (plain["score"] == prospects.BASE).all()


def test_a_founding_date_gives_whole_years(ws) -> None:
    store, ids, _ = ws
    fields.add_field(store, "tester", "accounts", "founded_on", "date", label_en="Founded on", label_sr="Основана дана")
    with store.transaction("tester") as tx:
        tx.update("accounts", ids["Reliable d.o.o."], {"founded_on": dt.date(2016, 6, 30)})  # 10 years today
        tx.update("accounts", ids["Risky d.o.o."], {"founded_on": dt.date(2016, 7, 1)})  # 9 years and a day short
        tx.update("accounts", ids["Middling d.o.o."], {"founded_on": dt.date(2027, 1, 1)})  # in the future
    checks = prospects.make_checks(store, sources={"company_age": "founded_on"})
    scored = by_name(prospects.score_prospects(store, checks=checks, today=TODAY))
    assert scored.loc["Reliable d.o.o.", "_r_company_age"] == 10 and scored.loc["Reliable d.o.o.", "_r_company_age_points"] == 10
    assert scored.loc["Risky d.o.o.", "_r_company_age"] == 9 and scored.loc["Risky d.o.o.", "_r_company_age_points"] == 0
    assert scored.loc["Middling d.o.o.", "_r_company_age_points"] == 0
    text = prospects.check_reason(checks[1], scored.loc["Reliable d.o.o."], "en")
    assert text == f"established company, 10 years old (Founded on: {fmt_date(dt.date(2016, 6, 30), 'en')})"
    assert prospects.check_reason(checks[1], scored.loc["Middling d.o.o."], "en") == (
        f"Company age unknown: Founded on {fmt_date(dt.date(2027, 1, 1), 'en')} is not a past year or date")


def test_bad_check_input_is_refused_with_what_is_accepted(ws) -> None:
    store, _, _ = ws
    with pytest.raises(ValidationError, match=r"'pay' is not a reliability check; they are: payment, company_age"):
        prospects.make_checks(store, {"pay": 5})
    with pytest.raises(ValidationError, match=r"weight of 'payment' must be a number of points from 0 to 50, not 80"):
        prospects.make_checks(store, {"payment": 80})
    with pytest.raises(ValidationError, match=r"'revenue_prev' cannot hold payment behaviour .*: it is a money field\. "
                                              r"The payment check reads a custom account field that is int or number; "
                                              r"this workspace has: payment_days_late, founded_year\."):
        prospects.make_checks(store, sources={"payment": "revenue_prev"})
    with pytest.raises(ValidationError, match="'industry' cannot hold the company's age .*not a custom account field"):
        prospects.make_checks(store, sources={"company_age": "industry"})
    with pytest.raises(ValidationError, match="'segment_losses' is computed from the deals and takes no field"):
        prospects.make_checks(store, sources={"segment_losses": "payment_days_late"})


# ---- weight sets --------------------------------------------------------------------------------


def test_checks_are_saved_reloaded_and_follow_a_renamed_field(ws) -> None:
    store, _, _ = ws
    checks = prospects.make_checks(store, {"payment": 25, "revenue_trend": 0}, {"company_age": None})
    first = prospects.save_weight_set(store, "ana", "Reliable first", points=NO_BUILTINS, checks=checks)
    doc = json.loads(store.query_value("SELECT weights FROM segment_weight_sets WHERE id = ?", [first.id]))
    assert doc["checks"] == {
        "payment": {"weight": 25.0, "field": "payment_days_late"},
        "company_age": {"weight": 10.0, "field": None},
        "revenue_trend": {"weight": 0.0, "field": "revenue_prev"},
        "segment_losses": {"weight": 10.0},
    }
    (loaded,) = prospects.list_weight_sets(store)
    again, dropped = loaded.reliability(store)
    assert again == checks and dropped == []
    points = prospects.check_points(loaded.points)
    before = by_name(prospects.score_prospects(store, points=points, checks=again, today=TODAY))
    assert before.loc["Reliable d.o.o.", "score"] == pytest.approx(50 + 25 - 6)

    fields.rename_field(store, "tester", "accounts", "payment_days_late", new_name="days_late_avg", label_en="Avg. days late")
    (renamed,) = prospects.list_weight_sets(store)
    assert renamed.checks["payment"] == {"weight": 25.0, "field": "days_late_avg"}
    moved, dropped = renamed.reliability(store)
    assert moved[0].field.name == "days_late_avg" and dropped == []
    after = by_name(prospects.score_prospects(store, points=points, checks=moved, today=TODAY))
    assert after["score"].to_dict() == pytest.approx(before["score"].to_dict())
    assert "+25 pays on time (Avg. days late: 3; at most 7 days late)" in prospects.reasons_text(
        after.loc["Reliable d.o.o."], "en", points=points, checks=moved)

    # removing a field a set reads names the set and asks first; confirmed, the check becomes unknown
    with pytest.raises(ValidationError, match="weight set 'Reliable first'"):
        fields.remove_field(store, "tester", "accounts", "days_late_avg")
    fields.remove_field(store, "tester", "accounts", "days_late_avg", confirmed=True)
    (kept,) = prospects.list_weight_sets(store)
    left, dropped = kept.reliability(store)
    assert dropped == ["days_late_avg"] and left[0].field is None and left[0].weight == 25


def test_a_set_saved_before_the_checks_gets_the_default_ones(ws) -> None:
    store, _, _ = ws
    with store.transaction("ana") as tx:
        tx.insert("segment_weight_sets", {"name": "Old", "weights": json.dumps(
            {"kind": "prospects", "points": {"no_vat": 0}, "weights": {}, "factors": {}})})
    (old,) = prospects.list_weight_sets(store)
    assert old.reliability(store) == (prospects.make_checks(store), [])


# ---- command line -------------------------------------------------------------------------------


def test_the_command_line_scores_changes_and_saves_the_checks(ws) -> None:
    store, _, path = ws
    store.close()  # the command opens the file itself
    db = str(path)
    run = cli("segment", "prospects", "--db", db, "--today", TODAY.isoformat(), "--top", "2",
              "--check", "payment=25", "--source", "company_age=none", *sum((["--points", f"{f}=0"] for f in NO_BUILTINS), []),
              "--save", "Reliable first")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Scored 5 prospects (default weights, changed by the options); the best 2 shown."
    assert "  payment          25 points  from payment_days_late (Days late); unknown for 2 of 5" in lines
    assert "  company_age      10 points  no field: unknown for every prospect" in lines
    assert "  segment_losses   10 points  from the deals; unknown for 2 of 5" in lines
    # Reliable: 50 + 25 (pays on time) + 10 (revenue) − 6 (losses), company age unknown
    assert lines[lines.index("  79  Reliable d.o.o.") + 1].startswith("      +25 pays on time (Days late: 3")
    assert lines[-1] == "Saved prospect weight set “Reliable first” (version 1)."

    serbian = cli("segment", "prospects", "--db", db, "--today", TODAY.isoformat(), "--weights", "reliable FIRST",
                  "--lang", "sr", "--top", "1")
    assert serbian.returncode == 0, serbian.stderr
    assert "weight set “Reliable first” v1" in serbian.stdout
    assert "      +25 плаћа на време (Дана кашњења: 3" in serbian.stdout

    assert_one_line_error(cli("segment", "prospects", "--db", db, "--source", "payment=revenue_prev"), 1,
                          "'revenue_prev' cannot hold payment behaviour")
    assert_one_line_error(cli("segment", "prospects", "--db", db, "--check", "payment"), 1,
                          "--check takes NAME=VALUE, e.g. payment=20; got 'payment'")
    assert_one_line_error(cli("segment", "prospects", "--db", db, "--check", "payment=lots"), 1,
                          "--check payment='lots': the weight must be a number of points from 0 to 50")
    assert_one_line_error(cli("segment", "prospects", "--db", db, "--weights", "Nope"), 1,
                          "There is no prospect weight set “Nope”; saved ones: Reliable first.")


# ---- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_the_prospects_view_shows_the_checks_and_saves_them(empty_workspace_file: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    path = tmp_path / "page.duckdb"
    shutil.copyfile(empty_workspace_file, path)
    today = dt.date.today()  # the page scores against the clock
    store = Store.open(str(path))
    try:
        build(store, today)
        labels.set_label(store, "tester", "industry", "Food & beverage", label_sr="Храна и пиће")
        labels.set_label(store, "tester", "region", "Western Balkans", label_sr="Западни Балкан")
    finally:
        store.close()
    at = run_app(path, monkeypatch, page="segments", lang=lang)
    at.session_state["segments_view"] = "prospects"
    at.run()
    assert_clean(at)
    # the suggested fields are picked, labelled in the viewer's language
    source = at.selectbox(key="segments_prospect_cs:payment")
    assert source.value == "payment_days_late"
    assert source.label == t("segments.prospects.check_source", lang, check=t("segments.check.payment", lang))
    assert at.number_input(key="segments_prospect_cw:segment_losses").value == 10
    reasons_col, name_col = t("segments.col.reasons", lang), t("segments.col.name", lang)
    table = at.dataframe[0].value.set_index(name_col)
    reliable = table.loc["Reliable d.o.o.", reasons_col]
    date = fmt_date(today - dt.timedelta(days=20), lang)
    if lang == "en":
        assert "+15 pays on time (Days late: 3; at most 7 days late)" in reliable
        assert f"−6 3 of 5 deals decided in Food & beverage · Western Balkans in the 365 days to {date} were lost" in reliable
    else:
        assert "+15 плаћа на време (Дана кашњења: 3; највише 7 дана кашњења)" in reliable
        assert ("−6 у сегменту Храна и пиће · Западни Балкан изгубљено је 3 од 5 окончаних послова у 365 дана "
                f"до {date}") in reliable
    unknown = t("segments.prospects.check_unknown", lang, check=t("segments.check.payment", lang), n="2", total="5")
    assert unknown in [c.value for c in at.caption]

    # no field for payment, a heavier company age: the scores and captions follow, and the set is saved
    source.set_value(None).run()
    at.number_input(key="segments_prospect_cw:company_age").set_value(30).run()
    assert_clean(at)
    assert t("segments.prospects.check_no_field", lang, check=t("segments.check.payment", lang)) in [
        c.value for c in at.caption]
    scores = at.dataframe[0].value.set_index(name_col)[t("segments.col.score", lang)]
    # 50, in the target (the rule being built: every account) +25, 150 employees +10, no contact, VAT
    # number or account manager −15; then the checks: Middling 0 + 0 + 0 − 6; Risky −30 (age) − 10
    # (revenue) − 5 (losses) and its own lost deal −10
    assert scores["Middling d.o.o."] == 50 + 25 + 10 - 15 - 6
    assert scores["Risky d.o.o."] == 50 + 25 + 10 - 15 - 30 - 10 - 5 - 10
    at.text_input(key="segments_prospect_set_name").input("Age first").run()
    at.button(key="segments_prospect_save").click().run()
    assert_clean(at)
    store = Store.open(str(path))
    try:
        (saved_set,) = prospects.list_weight_sets(store)
    finally:
        store.close()
    assert saved_set.checks["payment"] == {"weight": 15.0, "field": None}
    assert saved_set.checks["company_age"] == {"weight": 30.0, "field": "founded_year"}

    # a fresh session loads the set into the check widgets
    fresh = run_app(path, monkeypatch, page="segments", lang=lang)
    fresh.session_state["segments_view"] = "prospects"
    fresh.run()
    fresh.selectbox(key="segments_prospect_set").set_value(saved_set.id).run()
    assert_clean(fresh)
    assert fresh.selectbox(key="segments_prospect_cs:payment").value is None
    assert fresh.number_input(key="segments_prospect_cw:company_age").value == 30
