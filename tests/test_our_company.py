""""Which company is ours" has one owner, research.data.our_company (issue 16 item 1).

It was decided five ways (the CLI's `info`, the segment profile's `min(id)`, the deal checks of the
grid and imports, the profiles); these tests move the flag and check that every reader follows it,
and that our company stays active on every write path: the profile form, the grid and imports
refuse to archive it by the same rule (the grid archived it before, while the form refused).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import cli
from data_helpers import checksums, plan_for

from research.competitors import profiles
from research.data import entities, grid, imports
from research.data import reasons as deal_reasons
from research.data.our_company import our_company_id, which_is_ours
from research.data.reading import ImportRefused
from research.errors import ValidationError
from research.i18n import t
from research.segments import profile
from research.segments.rules import compile_rule
from research.store import Store

COMPANIES = entities.get_entity("companies")


@pytest.fixture
def two(store: Store) -> tuple[Store, int, int]:
    """An empty workspace with our company and one rival."""
    us = profiles.add_company(store, "admin", name="Us Co")
    rival = profiles.add_company(store, "admin", name="Rival Co")
    profiles.set_our_company(store, "admin", us.id)
    return store, us.id, rival.id


def test_every_reader_follows_the_flag_when_it_moves(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        old = which_is_ours(store)
        assert old is not None and profiles.our_company_id(store) == old.id == our_company_id(store)
        rival = int(store.query_value("SELECT supplier_company_id FROM accounts WHERE supplier_company_id <> ? "
                                      "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1", [old.id]))
        profiles.set_our_company(store, "admin", rival)
        ours = which_is_ours(store)
        assert ours is not None and ours.id == rival and profiles.our_company_id(store) == rival
        # The segment figures count the (active) accounts our company serves, in both of their statements.
        everyone = compile_rule(None)
        served = int(store.query_value(
            "SELECT count(*) FROM accounts WHERE supplier_company_id = ? AND NOT archived", [rival]))
        assert served > 0
        assert profile.profile(store, everyone).ours == served
        assert int(profile.sizes(store, [everyone]).iloc[0]["ours"]) == served
        suppliers = profile.profile(store, everyone).suppliers
        assert suppliers.loc[suppliers["is_us"], "company_id"].tolist() == [rival]
        # A deal may not name our company as the competitor; the former one is a rival now.
        problems: list[entities.Problem] = []
        frame = pd.DataFrame({"competitor_id": pd.array([rival, old.id], dtype="Int64")})
        deal_reasons.check_deal_rows(store, frame, pd.Series([2, 3]), problems)
        assert [(p.row, p.key, p.value) for p in problems] == [(2, "data.problem.competitor_is_us", ours.name)]
    finally:
        store.close()
    info = cli("info", "--db", str(demo_copy), "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["our_company"] == ours.name


def test_no_company_is_ours_in_a_new_workspace(store: Store) -> None:
    assert which_is_ours(store) is None and our_company_id(store) is None
    profile_ = profile.profile(store, compile_rule(None))
    assert profile_.ours == 0


def test_the_grid_refuses_to_archive_or_delete_our_company_like_the_form(two: tuple[Store, int, int]) -> None:
    store, us, rival = two
    with pytest.raises(ValidationError) as form:
        profiles.set_company_archived(store, "admin", us, profiles.get_company(store, us).version)
    assert form.value.key == "competitors.error.archive_us" and "Us Co" in str(form.value)
    page = grid.load_page(store, COMPANIES, page_size=10).frame
    at = list(page["name"]).index("Us Co")
    before = checksums(store)
    with pytest.raises(grid.GridRefused) as refused:
        grid.save_grid(store, COMPANIES, page, {"edited_rows": {at: {"archived": True}}}, "admin")
    assert [(p.row, p.column, p.key) for p in refused.value.problems] == [(at + 1, "archived", "data.problem.archive_us")]
    assert entities.problem_text(refused.value.problems[0], "sr") == "ово је наша компанија; не може да се архивира"
    with pytest.raises(ValidationError, match="Us Co is our own company; it cannot be deleted") as deleting:
        grid.save_grid(store, COMPANIES, page, {"deleted_rows": [at]}, "admin")
    assert deleting.value.key == "data.error.delete_us"
    assert checksums(store) == before
    # The rule is about our company only: its other cells save, and a rival is archived and deleted.
    grid.save_grid(store, COMPANIES, page, {"edited_rows": {at: {"website": "https://us.example"}}}, "admin")
    page = grid.load_page(store, COMPANIES, page_size=10).frame
    other = list(page["name"]).index("Rival Co")
    assert grid.save_grid(store, COMPANIES, page, {"edited_rows": {other: {"archived": True}}}, "admin").updated == 1
    page = grid.load_page(store, COMPANIES, page_size=10).frame
    assert grid.save_grid(store, COMPANIES, page, {"deleted_rows": [list(page["name"]).index("Rival Co")]},
                          "admin").deleted == 1
    assert store.query_rows("SELECT id, website, archived FROM companies") == [
        {"id": us, "website": "https://us.example", "archived": False}]
    assert rival not in {c for c, _, _ in profiles.company_options(store, include_archived=True)}


def test_an_import_cannot_archive_our_company(two: tuple[Store, int, int]) -> None:
    store, us, rival = two
    plan = plan_for(store, "companies", b"name,archived\nUs Co,yes\nRival Co,yes\n", mode="upsert")
    assert [(p.row, p.column, p.key) for p in plan.problems] == [(2, "archived", "data.problem.archive_us")]
    before = checksums(store)
    with pytest.raises(ImportRefused, match="our own company"):
        imports.apply_import(store, plan, "admin")
    assert checksums(store) == before
    plan = plan_for(store, "companies", b"name,archived\nUs Co,no\nRival Co,yes\n", mode="upsert")
    assert not plan.problems
    imports.apply_import(store, plan, "admin")
    assert store.query_rows("SELECT id, archived FROM companies ORDER BY id") == [
        {"id": us, "archived": False}, {"id": rival, "archived": True}]


def test_an_undo_cannot_archive_our_company_again(two: tuple[Store, int, int]) -> None:
    from research.data import undo

    store, us, rival = two
    # A workspace from before the rule: our company archived. Restoring it is a batch like any other.
    with store.cursor() as cur:
        cur.execute("UPDATE companies SET archived = true WHERE id = ?", [us])
    plan = plan_for(store, "companies", b"name,archived\nUs Co,no\n", mode="upsert")
    imports.apply_import(store, plan, "admin")
    restored = int(store.query_value("SELECT max(batch_id) FROM audit_log"))
    before = checksums(store)
    with pytest.raises(ValidationError) as refused:
        undo.undo_batch(store, restored, "admin")
    assert refused.value.key == "data.undo.error.archives_us"
    assert str(refused.value) == (f"Batch {restored} cannot be undone: it would archive Us Co, our own company. Make "
                                  "another company ours first (Competitors page, admins), or change the rows by hand.")
    assert "архивирала би Us Co, нашу компанију" in t(refused.value.key, "sr", **dict(refused.value.params))
    assert checksums(store) == before
    # Once another company is ours, the row has changed since the batch: the usual blocker, not this rule.
    profiles.set_our_company(store, "admin", rival)
    with pytest.raises(undo.UndoBlocked, match="companies row"):  # the flag moved on its row since: the usual blocker
        undo.undo_batch(store, restored, "admin")
