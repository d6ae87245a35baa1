"""Private company notes (issue 10, migration 0011): a profile's notes marked private are shown to
their author and admins only, never on a shared screen or a battlecard, never in user SQL, the Data
grid or its export, and only their author or an admin may change them.

Real demo workspaces, real Principals, the real query sandbox and the app through AppTest.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation

from research import market
from research.access import PermissionDenied, signed_in
from research.access import roles as access_roles
from research.competitors import battlecard, exports, profiles
from research.data import entities, export, grid
from research.errors import ConflictError
from research.i18n import t
from research.query.sandbox import close_sandbox, run_sandboxed
from research.store import Store
from tests.cli_helpers import cli
from tests.page_helpers import assert_clean
from tests.test_access_pages import signed_app

VIEWER = signed_in("viewer@example.com", "viewer")
EDITOR = signed_in("editor@example.com", "editor")
OTHER_EDITOR = signed_in("other.editor@example.com", "editor")
ADMIN = signed_in("admin@example.com", "admin")
SECRET = "Secret: their owner wants to sell the Bosnian plant"
PUBLIC = "Public: strong in food packaging"
COMPANY = "Kartonaža Sava"


@pytest.fixture
def ws(demo_copy: Path) -> Any:
    store = Store.open(str(demo_copy))
    yield store
    close_sandbox(store)
    store.close()


def _private(store: Store, notes: str = SECRET) -> profiles.Company:
    company = profiles.find_company(store, COMPANY, viewer=EDITOR)
    return profiles.update_company(store, EDITOR, company.id, company.version, notes=notes, notes_private=True)


def _stored(store: Store, company_id: int) -> dict[str, Any]:
    return store.query_rows(
        "SELECT notes, notes_private, notes_author, version FROM companies WHERE id = ?", [company_id]
    )[0]


def test_the_migration_adds_the_columns_with_safe_defaults(ws: Store) -> None:
    rows = ws.query_rows(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_name = 'companies' AND column_name IN ('notes_private', 'notes_author') ORDER BY column_name"
    )
    assert [(r["column_name"], r["data_type"], r["is_nullable"]) for r in rows] == [
        ("notes_author", "VARCHAR", "YES"), ("notes_private", "BOOLEAN", "NO"),
    ]
    assert ws.query_value("SELECT count(*) FROM companies WHERE notes_private OR notes_author IS NOT NULL") == 0


def test_private_notes_are_seen_by_their_author_and_admins_only(ws: Store) -> None:
    saved = _private(ws)
    assert saved.notes == SECRET and saved.notes_private and saved.notes_author == "editor@example.com"
    assert not saved.notes_hidden
    for who in (EDITOR, ADMIN, "local", signed_in("EDITOR@example.com", "editor")):
        assert profiles.get_company(ws, saved.id, viewer=who).notes == SECRET, who
    for who in (OTHER_EDITOR, VIEWER, None):
        hidden = profiles.get_company(ws, saved.id, viewer=who)
        assert hidden.notes is None and hidden.notes_hidden, who
    assert profiles.find_company(ws, COMPANY, viewer=OTHER_EDITOR).notes is None
    assert profiles.find_company(ws, COMPANY, viewer=ADMIN).notes == SECRET
    # Presentation mode: not even the author's own private notes.
    assert profiles.get_company(ws, saved.id, viewer=EDITOR, include_private=False).notes is None
    # Public notes stay public for everyone.
    profiles.update_company(ws, EDITOR, saved.id, saved.version, notes=PUBLIC, notes_private=False)
    for who in (OTHER_EDITOR, VIEWER, None):
        assert profiles.get_company(ws, saved.id, viewer=who, include_private=False).notes == PUBLIC


def test_our_company_hides_private_notes_too(ws: Store) -> None:
    us = profiles.our_company(ws, viewer=EDITOR)
    profiles.update_company(ws, EDITOR, us.id, us.version, notes=SECRET, notes_private=True)
    assert profiles.our_company(ws, viewer=EDITOR).notes == SECRET
    assert profiles.our_company(ws, viewer=OTHER_EDITOR).notes is None
    assert profiles.our_company(ws).notes is None


def test_someone_elses_private_notes_cannot_be_changed(ws: Store) -> None:
    saved = _private(ws)
    before = _stored(ws, saved.id)
    with pytest.raises(PermissionDenied, match="private note of someone else; only their author or an admin"):
        profiles.update_company(ws, OTHER_EDITOR, saved.id, saved.version, notes="overwritten")
    with pytest.raises(PermissionDenied):
        profiles.update_company(ws, OTHER_EDITOR, saved.id, saved.version, notes_private=False)
    with pytest.raises(PermissionDenied):  # blanking them is changing them
        profiles.update_company(ws, OTHER_EDITOR, saved.id, saved.version, description="x", notes="")
    assert _stored(ws, saved.id) == before, "nothing half-written"
    # Other facts stay editable by other editors, and the private notes survive untouched.
    edited = profiles.update_company(ws, OTHER_EDITOR, saved.id, saved.version, description="Corrugated boxes")
    assert edited.description == "Corrugated boxes" and edited.notes_hidden
    assert _stored(ws, saved.id) | {"version": 0} == before | {"version": 0}
    # The optimistic version still decides first for the author.
    with pytest.raises(ConflictError):
        profiles.update_company(ws, EDITOR, saved.id, saved.version, notes="late edit")
    # An admin may change them; the author keeps them (and still sees them).
    fixed = profiles.update_company(ws, ADMIN, saved.id, edited.version, notes=SECRET + " (checked)")
    assert fixed.notes_author == "editor@example.com"
    assert profiles.get_company(ws, saved.id, viewer=EDITOR).notes == SECRET + " (checked)"


def test_the_notes_author_follows_who_writes_them(ws: Store) -> None:
    company = profiles.find_company(ws, "GreenFold", viewer=EDITOR)
    public = profiles.update_company(ws, EDITOR, company.id, company.version, notes=PUBLIC)
    assert public.notes_author == "editor@example.com" and not public.notes_private
    # A public note may be taken private by anyone who may write: they become its author.
    taken = profiles.update_company(ws, OTHER_EDITOR, company.id, public.version, notes_private=True)
    assert taken.notes_author == "other.editor@example.com" and taken.notes == PUBLIC
    assert profiles.get_company(ws, company.id, viewer=EDITOR).notes is None
    # Saving a form with the same notes is no change of the notes.
    same = profiles.update_company(ws, OTHER_EDITOR, company.id, taken.version, notes=PUBLIC, notes_private=True,
                                   employees=120)
    assert same.notes_author == "other.editor@example.com" and same.employees == 120
    added = profiles.add_company(ws, EDITOR, name="Nova Ambalaža", notes=SECRET, notes_private=True)
    assert added.notes_author == "editor@example.com" and added.notes == SECRET
    assert profiles.get_company(ws, added.id, viewer=VIEWER).notes is None


def test_battlecards_leave_private_notes_out_even_for_the_author(ws: Store, demo_copy: Path, tmp_path: Path) -> None:
    saved = _private(ws)
    card = battlecard.build_battlecard(ws, saved.id)
    assert card.company.notes is None and card.company.notes_hidden
    markdown = exports.battlecard_markdown(card, "en")
    deck = Presentation(io.BytesIO(exports.battlecard_pptx(card, "en")))
    slides = " ".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)
    assert "Bosnian plant" not in markdown and "Bosnian plant" not in slides
    ws.close()
    out = tmp_path / "card.md"
    result = cli("battlecard", "--db", str(demo_copy), "--company", COMPANY, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert COMPANY in out.read_text("utf-8") and "Bosnian plant" not in out.read_text("utf-8")


def test_history_blanks_private_notes_for_others(ws: Store) -> None:
    company = profiles.find_company(ws, COMPANY, viewer=EDITOR)
    # Written in public first, then made private: the earlier version goes too.
    public = profiles.update_company(ws, EDITOR, company.id, company.version, notes=SECRET)
    profiles.update_company(ws, EDITOR, company.id, public.version, notes_private=True)

    def notes_in(history: Any) -> set[str]:
        rows = history[history["table_name"] == "companies"]
        return {json.loads(s).get("notes") or "" for s in [*rows["before"], *rows["after"]] if isinstance(s, str)}

    assert SECRET in notes_in(profiles.company_history(ws, company.id, viewer=EDITOR))
    assert SECRET in notes_in(profiles.company_history(ws, company.id, viewer=ADMIN))
    others = profiles.company_history(ws, company.id, viewer=OTHER_EDITOR)
    assert len(others[others["table_name"] == "companies"]) == 2, "the changes stay, only the notes go"
    assert SECRET not in notes_in(others)
    assert SECRET not in notes_in(profiles.company_history(ws, company.id))
    recent = market.recent_changes(ws)
    assert not recent.astype(str).apply(lambda col: col.str.contains("Bosnian plant")).any().any()


def test_user_sql_never_sees_private_notes(ws: Store) -> None:
    company = profiles.find_company(ws, COMPANY, viewer=EDITOR)
    public = profiles.update_company(ws, EDITOR, company.id, company.version, notes=SECRET)
    profiles.update_company(ws, EDITOR, company.id, public.version, notes_private=True)
    other = profiles.find_company(ws, "GreenFold", viewer=EDITOR)
    profiles.update_company(ws, EDITOR, other.id, other.version, notes=PUBLIC)
    audit_rows = ws.query_value("SELECT count(*) FROM audit_log WHERE table_name = 'companies'")
    for who in (EDITOR, ADMIN):
        notes = run_sandboxed(ws, "SELECT notes FROM companies", actor=who).frame
        assert SECRET not in set(notes["notes"].dropna()) and PUBLIC in set(notes["notes"].dropna())
        flags = run_sandboxed(ws, "SELECT notes_private, notes_author FROM companies WHERE name = 'Kartonaža Sava'",
                              actor=who).frame
        assert bool(flags["notes_private"].iat[0]) and flags["notes_author"].iat[0] == "editor@example.com"
        leaked = run_sandboxed(
            ws, "SELECT count(*) AS n FROM audit_log WHERE CAST(before AS VARCHAR) LIKE '%Bosnian plant%' "
                "OR CAST(after AS VARCHAR) LIKE '%Bosnian plant%'", actor=who).frame
        assert int(leaked["n"].iat[0]) == 0
        kept = run_sandboxed(ws, "SELECT count(*) AS n, count(*) FILTER (WHERE CAST(after AS VARCHAR) LIKE "
                                 "'%food packaging%') AS public FROM audit_log WHERE table_name = 'companies'",
                             actor=who).frame
        assert int(kept["n"].iat[0]) == audit_rows and int(kept["public"].iat[0]) == 1
    assert _stored(ws, company.id)["notes"] == SECRET, "the workspace itself keeps the notes"


def test_the_data_grid_and_export_neither_show_nor_overwrite_private_notes(ws: Store) -> None:
    saved = _private(ws)
    companies = entities.get_entity("companies")
    assert not {"notes", "notes_private", "notes_author"} & set(companies.field_names)
    frame = export.export_frame(ws, companies, actor=OTHER_EDITOR)
    assert not frame.astype(str).apply(lambda col: col.str.contains("Bosnian plant")).any().any()
    page = grid.load_page(ws, companies, search=COMPANY)
    assert "notes" not in page.frame.columns
    position = page.frame.index[page.frame["name"] == COMPANY][0]
    result = grid.save_grid(ws, companies, page.frame,
                            {"edited_rows": {int(position): {"notes": "overwritten", "employees": 321}}}, OTHER_EDITOR)
    assert result.updated == 1
    stored = _stored(ws, saved.id)
    assert stored["notes"] == SECRET and stored["notes_private"] and stored["notes_author"] == "editor@example.com"
    assert profiles.get_company(ws, saved.id, viewer=EDITOR).employees == 321


# ---- the app -----------------------------------------------------------------------------------------


def _texts(at: Any) -> str:
    parts = [e.value for kind in ("text", "caption", "markdown") for e in at.get(kind)]
    parts += [w.value or "" for w in at.text_area]
    return " ".join(str(p) for p in parts)


def test_the_private_note_tick_saves_private_and_author_and_hides_it_from_others(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(str(demo_copy))
    try:
        company_id = profiles.find_company(store, COMPANY).id
        access_roles.assign_role(store, ADMIN, "other.editor@example.com", "editor")
    finally:
        store.close()
    state = {"competitors_company": company_id, "competitors_view": "profile"}
    at = signed_app(demo_copy, monkeypatch, "editor@example.com", page="competitors", state=state)
    assert_clean(at)
    at.toggle(key="competitors_edit_toggle").set_value(True).run()
    prefix = f"competitors_profile_{company_id}_"
    at.text_area(key=f"{prefix}notes").input(SECRET)
    at.checkbox(key=f"{prefix}notes_private").check()
    at.button(key=f"{prefix}submit").click().run()
    assert_clean(at)
    store = Store.open(str(demo_copy))
    try:
        stored = _stored(store, company_id)
    finally:
        store.close()
    assert stored["notes"] == SECRET and stored["notes_private"] is True
    assert stored["notes_author"] == "editor@example.com"
    assert SECRET in [e.value for e in at.text], "the author reads their private note on the profile"
    assert t("competitors.notes_private_marker", "en", author="editor@example.com") in _texts(at).replace("\\", "")

    for email in ("viewer@example.com", "other.editor@example.com"):
        at = signed_app(demo_copy, monkeypatch, email, page="competitors", state=state)
        assert_clean(at)
        assert "Bosnian plant" not in _texts(at), email
        assert t("competitors.notes_hidden", "en") in _texts(at)
    # The other editor's form sends no notes back: saving other facts leaves the private note as it was.
    at.toggle(key="competitors_edit_toggle").set_value(True).run()
    assert f"{prefix}notes" not in {w.key for w in at.text_area}
    assert f"{prefix}notes_private" not in {w.key for w in at.checkbox}
    at.text_input(key=f"{prefix}employees").input("77")
    at.button(key=f"{prefix}submit").click().run()
    assert_clean(at)
    assert "Bosnian plant" not in _texts(at)
    store = Store.open(str(demo_copy))
    try:
        stored = _stored(store, company_id)
        assert stored["notes"] == SECRET and stored["notes_private"] is True
        assert store.query_value("SELECT employees FROM companies WHERE id = ?", [company_id]) == 77
    finally:
        store.close()
