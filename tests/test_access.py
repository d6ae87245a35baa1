"""Access: role resolution, the role checks inside the research functions, private SWOT items, production config.

Every write/import/collect/export/query/backup function is called with a viewer, an
editor and (where it needs one) an admin Principal on a real demo workspace: the
refusal comes from the function itself, not from a hidden button.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import assert_one_line_error, cli

from research import config, demo, market
from research.access import (
    ACTIONS,
    PermissionDenied,
    Principal,
    actor_name,
    allowed,
    require,
    resolve_role,
    rules_from_mapping,
    sees_private,
    signed_in,
)
from research.access import roles as access_roles
from research.collect import inbox
from research.collect.collector import collect_into_store
from research.collect.watchers import WatcherDraft, add_watcher, remove_watcher, set_enabled
from research.competitors import profiles, swot
from research.data import backup, datasets, entities, export, imports, undo
from research.errors import ValidationError
from research.query import export as query_export
from research.query import saved
from research.query.sandbox import close_sandbox, run_sandboxed
from research.segments import export as segment_export
from research.segments.rules import compile_rule
from research.store import Store
from tests.data_helpers import checksums, plan_for

ROOT = Path(__file__).resolve().parent.parent
VIEWER = signed_in("viewer@example.com", "viewer")
EDITOR = signed_in("editor@example.com", "editor")
OTHER_EDITOR = signed_in("other.editor@example.com", "editor")
ADMIN = signed_in("admin@example.com", "admin")
PRINCIPALS = {"viewer": VIEWER, "editor": EDITOR, "admin": ADMIN}


@pytest.fixture
def ws(demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    # Watcher changes export the watcher list to the collect inbox: keep it in the test's folder.
    monkeypatch.setenv("VANTAGE_COLLECT_INBOX", str(tmp_path / "inbox"))
    store = Store.open(str(demo_copy))
    yield store
    close_sandbox(store)
    store.close()


# ---- role resolution -----------------------------------------------------------------------------

RULES = rules_from_mapping({
    "admins": ["Boss@Example.com"],
    "editors": ["@example.com", "freelancer@partner.example"],
    "viewers": ["@partner.example", "demoted@example.com"],
})


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("boss@example.com", "admin"),  # exact address, case-insensitive
        ("BOSS@EXAMPLE.COM", "admin"),
        ("ana@example.com", "editor"),  # by domain
        ("Ana@Example.COM", "editor"),
        ("demoted@example.com", "viewer"),  # an exact address wins over its domain
        ("freelancer@partner.example", "editor"),
        ("someone@partner.example", "viewer"),
        ("stranger@elsewhere.example", None),  # unknown -> no role, no data
        ("ana@sub.example.com", None),  # a domain rule is not a suffix rule
        ("", None),
        (None, None),
        ("not-an-address", None),
    ],
)
def test_roles_resolve_by_address_then_domain(email: str | None, role: str | None) -> None:
    assert resolve_role(email, RULES) == role


def test_the_highest_role_wins_among_equally_specific_rules() -> None:
    rules = [("@example.com", "viewer"), ("@example.com", "editor"), ("x@example.com", "viewer"), ("x@example.com", "admin")]
    assert resolve_role("y@example.com", rules) == "editor"
    assert resolve_role("x@example.com", rules) == "admin"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"owners": ["a@example.com"]}, "Unknown role list 'owners'"),
        ({"editors": ["example.com"]}, "not an e-mail address or an @domain"),
        ({"editors": ["@"]}, "not a domain rule"),
        ({"viewers": ["a b@example.com"]}, "not an e-mail address"),
    ],
)
def test_a_typo_in_the_role_lists_is_refused_not_ignored(section: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rules_from_mapping(section)


def test_a_single_string_is_a_list_of_one() -> None:
    assert rules_from_mapping({"admins": "Ana@Example.com"}) == [("ana@example.com", "admin")]


def test_the_action_table_orders_the_roles() -> None:
    for action, least in ACTIONS.items():
        for role, principal in PRINCIPALS.items():
            expected = ["viewer", "editor", "admin"].index(role) >= ["viewer", "editor", "admin"].index(least)
            assert allowed(principal, action) is expected, (action, role)
        assert allowed("local", action)  # local mode and the CLI: full rights
    with pytest.raises(PermissionDenied, match="viewer@example.com is signed in as viewer and may not change data"):
        require(VIEWER, "write")
    with pytest.raises(ValueError, match="Unknown access action"):
        require(ADMIN, "fly")


def test_actor_names_for_the_audit_trail() -> None:
    assert actor_name(EDITOR) == "editor@example.com"
    assert actor_name("  marija ") == "marija"
    assert signed_in(" Ana@Example.COM ", "editor") == Principal("ana@example.com", "editor", "ana@example.com", "oidc")


# ---- the store refuses a viewer's write; the audit trail names the signed-in user ------------------


def test_a_viewer_cannot_write_through_the_store_and_nothing_is_written(ws: Store) -> None:
    before = checksums(ws)
    with pytest.raises(PermissionDenied), ws.transaction(VIEWER) as tx:
        tx.insert("sources", {"kind": "web", "title": "should never land"})
    assert checksums(ws) == before


def test_the_audit_actor_is_the_signed_in_email(ws: Store) -> None:
    company = profiles.find_company(ws, "Kartonaža Sava")
    item = swot.add_item(ws, EDITOR, company.id, quadrant="S", statement="Fast delivery in Vojvodina")
    actors = ws.query_rows("SELECT DISTINCT actor FROM audit_log WHERE table_name = 'swot_items' AND row_id = ?", [str(item.id)])
    assert actors == [{"actor": "editor@example.com"}]
    assert item.author == "editor@example.com"


# ---- every capability checks the role itself ----------------------------------------------------------

CSV_ACCOUNTS = b"name,country,industry,status\nAccess Test d.o.o.,RS,Logistics,prospect\n"


def _company_id(store: Store) -> int:
    return profiles.find_company(store, "Kartonaža Sava").id


def _first_watcher(store: Store) -> int:
    return int(store.query_value("SELECT min(id) FROM watchers"))


def _dataset_file(tmp_path: Path) -> str:
    path = tmp_path / "fair.csv"
    path.write_text("booth,visitors\nA1,120\n", encoding="utf-8")
    return str(path)


# name -> (least role, call(store, actor, tmp_path))
CALLS: dict[str, tuple[str, Callable[[Store, Any, Path], Any]]] = {
    "swot.add_item": ("editor", lambda s, a, _: swot.add_item(s, a, _company_id(s), quadrant="O", statement="A new tender")),
    "profiles.add_company": ("editor", lambda s, a, _: profiles.add_company(s, a, name="Access Test Pack")),
    "saved.save_query": ("editor", lambda s, a, _: saved.save_query(s, a, name="Access", sql="SELECT 1 AS one")),
    "sandbox.run_sandboxed": ("editor", lambda s, a, _: run_sandboxed(s, "SELECT count(*) AS n FROM companies", actor=a)),
    "query.export_result": ("editor", lambda s, a, _: query_export.export_result(s, "SELECT 1 AS one", None, "csv", actor=a)),
    "data.export_csv": ("editor", lambda s, a, _: export.export_csv(s, entities.get_entity("companies"), actor=a)),
    "segments.export_members": ("editor", lambda s, a, _: segment_export.export_members(
        s, compile_rule({"op": "and", "items": [{"field": "country", "in": ["RS"]}]}), actor=a, limit=10)),
    "imports.apply_import": ("admin", lambda s, a, _: imports.apply_import(s, plan_for(s, "accounts", CSV_ACCOUNTS), a)),
    "datasets.import_dataset": ("admin", lambda s, a, t: datasets.import_dataset(s, "fair", _dataset_file(t), a)),
    "collector.collect_into_store": ("admin", lambda s, a, _: collect_into_store(s, a, [])),
    "inbox.merge_inbox": ("admin", lambda s, a, t: inbox.merge_inbox(s, a, t / "empty-inbox")),
    "watchers.add_watcher": ("admin", lambda s, a, _: add_watcher(s, a, WatcherDraft(url="https://shop.example.com/p"))),
    "watchers.set_enabled": ("admin", lambda s, a, _: set_enabled(s, a, _first_watcher(s), False)),
    "watchers.remove_watcher": ("admin", lambda s, a, _: remove_watcher(s, a, _first_watcher(s))),
    "backup.backup_zip": ("admin", lambda s, a, _: backup.backup_zip(s, actor=a)),
    "backup.backup_workspace": ("admin", lambda s, a, t: backup.backup_workspace(s, str(t / "backup"), actor=a)),
    "demo.build_demo": ("admin", lambda s, a, _: demo.build_demo(s, actor=a, replace=True)),
    "roles.assign_role": ("admin", lambda s, a, _: access_roles.assign_role(s, a, "@example.com", "editor")),
    "roles.list_assignments": ("admin", lambda s, a, _: access_roles.list_assignments(s, a)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_function_refuses_a_viewer_and_serves_its_least_role(ws: Store, tmp_path: Path, name: str) -> None:
    least, call = CALLS[name]
    add_watcher(ws, "local", WatcherDraft(url="https://shop.example.com/box"))
    before = checksums(ws)
    with pytest.raises(PermissionDenied, match="viewer@example.com is signed in as viewer"):
        call(ws, VIEWER, tmp_path)
    assert checksums(ws) == before, "a refused call wrote something"
    if least == "admin":
        with pytest.raises(PermissionDenied, match="needs the admin role"):
            call(ws, EDITOR, tmp_path)
        assert checksums(ws) == before
    call(ws, PRINCIPALS[least], tmp_path)  # the least role is served (no exception)


def test_restore_needs_an_admin(ws: Store, tmp_path: Path) -> None:
    backup.backup_workspace(ws, str(tmp_path / "b"))
    for principal in (VIEWER, EDITOR):
        with pytest.raises(PermissionDenied):
            backup.restore_workspace(str(tmp_path / "b"), str(tmp_path / f"{principal.role}.duckdb"), actor=principal)
        assert not (tmp_path / f"{principal.role}.duckdb").exists()
    counts = backup.restore_workspace(str(tmp_path / "b"), str(tmp_path / "restored.duckdb"), actor=ADMIN)
    assert counts["companies"] == ws.row_counts()["companies"]


def test_editors_undo_their_own_batches_only_admins_undo_anyones(ws: Store) -> None:
    mine = profiles.add_company(ws, EDITOR, name="Undo Mine")
    theirs = profiles.add_company(ws, OTHER_EDITOR, name="Undo Theirs")
    batch = lambda name: int(ws.query_value(  # noqa: E731
        "SELECT max(batch_id) FROM audit_log WHERE table_name = 'companies' AND after ->> 'name' = ?", [name]))
    with pytest.raises(PermissionDenied):
        undo.undo_batch(ws, batch("Undo Mine"), VIEWER)
    with pytest.raises(PermissionDenied, match="undo someone else's batch"):
        undo.undo_batch(ws, batch("Undo Theirs"), EDITOR)
    assert undo.undo_batch(ws, batch("Undo Mine"), EDITOR).reverted == 1
    assert undo.undo_batch(ws, batch("Undo Theirs"), ADMIN).reverted == 1
    assert not ws.query_rows("SELECT id FROM companies WHERE id IN (?, ?)", [mine.id, theirs.id])


def test_viewers_may_read_and_present(ws: Store) -> None:
    # Reading functions take no actor; the board a viewer sees holds no private items.
    company_id = _company_id(ws)
    assert swot.list_items(ws, company_id, viewer=VIEWER)
    assert allowed(VIEWER, "read") and allowed(VIEWER, "present")


# ---- private SWOT items ----------------------------------------------------------------------------


@pytest.fixture
def private_item(ws: Store) -> swot.SwotItem:
    return swot.add_item(ws, EDITOR, _company_id(ws), quadrant="W", statement="Our rep hears they lose money on Bosnia",
                         private=True)


def _statements(items: list[swot.SwotItem]) -> set[str]:
    return {i.statement for i in items}


def test_a_private_item_is_seen_by_its_author_and_admins_only(ws: Store, private_item: swot.SwotItem) -> None:
    company_id = private_item.company_id
    secret = private_item.statement
    assert private_item.private and private_item.author == "editor@example.com"
    assert secret in _statements(swot.list_items(ws, company_id, viewer=EDITOR))
    assert secret in _statements(swot.list_items(ws, company_id, viewer=ADMIN))
    assert secret in _statements(swot.list_items(ws, company_id, viewer="local"))  # CLI, local mode
    assert secret not in _statements(swot.list_items(ws, company_id, viewer=OTHER_EDITOR))
    assert secret not in _statements(swot.list_items(ws, company_id, viewer=VIEWER))
    assert secret not in _statements(swot.list_items(ws, company_id))  # no viewer: the safe default
    # Presentation mode: not even the author's own private notes.
    assert secret not in _statements(swot.list_items(ws, company_id, viewer=EDITOR, include_private=False))
    assert sees_private(signed_in("EDITOR@example.com", "editor"), "editor@example.com")


def test_someone_elses_private_item_cannot_be_changed(ws: Store, private_item: swot.SwotItem) -> None:
    with pytest.raises(PermissionDenied, match="private note of someone else"):
        swot.update_item(ws, OTHER_EDITOR, private_item.id, private_item.version, statement="overwritten")
    with pytest.raises(PermissionDenied):
        swot.set_item_archived(ws, OTHER_EDITOR, private_item.id, private_item.version)
    updated = swot.update_item(ws, ADMIN, private_item.id, private_item.version, private=False)
    assert not updated.private


def test_private_items_stay_out_of_history_overview_and_sql(ws: Store, private_item: swot.SwotItem) -> None:
    secret = private_item.statement
    other_history = profiles.company_history(ws, private_item.company_id, viewer=OTHER_EDITOR)
    assert secret not in set(other_history["item"].dropna())
    own_history = profiles.company_history(ws, private_item.company_id, viewer=EDITOR)
    assert secret in set(own_history["item"].dropna())
    assert secret not in set(market.recent_changes(ws)["item"].dropna())
    # User SQL runs on a snapshot without private items or their audit rows.
    found = run_sandboxed(ws, "SELECT count(*) AS n FROM swot_items WHERE private", actor=EDITOR).frame
    assert int(found["n"].iat[0]) == 0
    leaked = run_sandboxed(ws, "SELECT count(*) AS n FROM audit_log WHERE CAST(after AS VARCHAR) LIKE '%Bosnia%'",
                           actor=EDITOR).frame
    assert int(leaked["n"].iat[0]) == 0


def test_shared_screen_views_leave_out_private_items_even_for_the_author(ws: Store) -> None:
    from research.competitors import analysis, battlecard

    company_id = _company_id(ws)
    us = profiles.our_company(ws)
    swot.add_item(ws, EDITOR, us.id, quadrant="S", statement="Our private edge", tags="secretsauce")
    swot.add_item(ws, EDITOR, company_id, quadrant="W", statement="Their private gap", tags="secretsauce", private=True)
    points = analysis.talking_points(ws, company_id)
    assert "Their private gap" not in set(points["their_weakness"])
    swot.add_item(ws, EDITOR, company_id, quadrant="W", statement="Their public gap", tags="secretsauce")
    assert "Their public gap" in set(analysis.talking_points(ws, company_id)["their_weakness"])
    heat = analysis.swot_heatmap_data(ws)
    weak = heat[(heat["company_id"] == company_id) & (heat["quadrant"] == "W")]["items"].iat[0]
    assert weak == len([i for i in swot.list_items(ws, company_id, viewer=ADMIN) if i.quadrant == "W" and not i.private])
    card = battlecard.build_battlecard(ws, company_id)
    assert "Their private gap" not in {i.statement for group in card.key_items.values() for i in group}


def test_board_exports_leave_out_private_items_of_others(ws: Store, private_item: swot.SwotItem) -> None:
    from pptx import Presentation

    from research.competitors import exports

    company = profiles.get_company(ws, private_item.company_id)

    def deck_text(viewer: Any) -> str:
        data = exports.board_pptx(company, swot.list_items(ws, company.id, viewer=viewer), "en")
        import io

        deck = Presentation(io.BytesIO(data))
        return " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)

    assert private_item.statement in deck_text(EDITOR)
    assert private_item.statement not in deck_text(OTHER_EDITOR)


def test_cli_swot_add_private_and_list_as_local_admin(demo_copy: Path, tmp_path: Path) -> None:
    from research.cli import main

    db = str(demo_copy)
    assert main(["swot", "add", "--db", db, "--actor", "marija", "--company", "Kartonaža Sava", "--quadrant", "T",
                 "--text", "Private CLI note", "--private"]) == 0
    store = Store.open(db, read_only=True)
    try:
        rows = store.query_rows("SELECT author, private FROM swot_items WHERE statement = 'Private CLI note'")
    finally:
        store.close()
    assert rows == [{"author": "marija", "private": True}]


# ---- role assignments in the workspace ----------------------------------------------------------------


def test_admins_assign_roles_that_sign_in_then_uses(ws: Store) -> None:
    secrets_roles = {"admins": ["admin@example.com"]}
    assert access_roles.role_for(ws, "new.person@example.com", secrets_roles) is None
    access_roles.assign_role(ws, ADMIN, "New.Person@Example.com", "editor", note="joined in November")
    assert access_roles.role_for(ws, "new.person@example.com", secrets_roles) == "editor"
    access_roles.assign_role(ws, ADMIN, "@example.com", "viewer")
    assert access_roles.role_for(ws, "someone@example.com", secrets_roles) == "viewer"
    assert access_roles.role_for(ws, "new.person@example.com", secrets_roles) == "editor"  # exact wins
    found = access_roles.list_assignments(ws, ADMIN)
    assert [(a.pattern, a.role) for a in found] == [("new.person@example.com", "editor"), ("@example.com", "viewer")]
    access_roles.remove_assignment(ws, ADMIN, found[0].id, expected_version=found[0].version)
    assert access_roles.role_for(ws, "new.person@example.com", secrets_roles) == "viewer"
    with pytest.raises(ValidationError, match="not a role"):
        access_roles.assign_role(ws, ADMIN, "x@example.com", "owner")
    actors = {r["actor"] for r in ws.query_rows("SELECT actor FROM audit_log WHERE table_name = 'user_roles'")}
    assert actors == {"admin@example.com"}
    # Who has which role stays off the overview and out of user SQL (research.access.visible_audit_log).
    assert "user_roles" not in set(market.recent_changes(ws, limit=50)["table_name"])
    in_sql = run_sandboxed(ws, "SELECT (SELECT count(*) FROM user_roles) + (SELECT count(*) FROM audit_log "
                               "WHERE table_name = 'user_roles') AS n", actor=EDITOR).frame
    assert int(in_sql["n"].iat[0]) == 0


# ---- the shipped production config ------------------------------------------------------------------


def test_shipped_config_keeps_xsrf_on_and_error_details_off() -> None:
    shipped = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert shipped["server"]["enableXsrfProtection"] is True
    # "none": one generic sentence on screen. The legacy `false` means "stacktrace" in Streamlit 1.67.
    assert shipped["client"]["showErrorDetails"] == "none"
    assert shipped["server"]["maxUploadSize"] == int(next(
        s.default for s in config.SETTINGS if s.env == "VANTAGE_DATA_MAX_UPLOAD_MB"
    )), "the browser's upload limit and the import limit must agree"


def test_streamlit_reads_the_shipped_config_that_way() -> None:
    import subprocess
    import sys

    code = (
        "from streamlit import config; config.get_config_options(force_reparse=True);"
        "print(config.get_option('server.enableXsrfProtection'), config.get_option('client.showErrorDetails'),"
        " config.get_option('server.maxUploadSize'))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["True", "none", "50"]


def test_secrets_are_never_committed_and_the_example_is_complete() -> None:
    ignored = (ROOT / ".gitignore").read_text("utf-8").splitlines()
    assert ".streamlit/secrets.toml" in ignored
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text("utf-8"))
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(example["auth"])
    assert example["auth"]["redirect_uri"].endswith("/oauth2callback")
    assert rules_from_mapping(example["vantage"]["roles"])  # the example's role lists are valid


# ---- password sign-in (small teams without an identity provider) -----------------------------------


def test_passwords_are_argon2_hashes_and_plain_text_is_refused() -> None:
    from research.access import passwords

    hashed = passwords.hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$") and "correct" not in hashed
    section = {"Ana@Example.com": hashed}
    assert passwords.verify(section, "ana@example.com", "correct horse battery") == "ana@example.com"
    assert passwords.verify(section, "ANA@example.com ", "correct horse battery") == "ana@example.com"
    assert passwords.verify(section, "ana@example.com", "wrong horse battery") is None
    assert passwords.verify(section, "bob@example.com", "correct horse battery") is None
    with pytest.raises(ValidationError, match="plain-text passwords are refused"):
        passwords.verify({"ana@example.com": "correct horse battery"}, "ana@example.com", "correct horse battery")
    with pytest.raises(ValidationError, match="one e-mail address per entry"):
        passwords.password_table({"@example.com": hashed})
    with pytest.raises(ValidationError, match="at least 12 characters"):
        passwords.hash_password("short")


def test_cli_hashes_a_password_from_stdin() -> None:
    from research.access import passwords

    assert_one_line_error(cli("hash-password", input="short\n"), 1, "at least 12 characters")
    done = cli("hash-password", input="a long enough secret\n")  # a pipe, not a terminal
    assert done.returncode == 0, done.stderr
    hashed = done.stdout.strip()
    assert passwords.verify({"x@example.com": hashed}, "x@example.com", "a long enough secret") == "x@example.com"

