"""Issue 14, findings 3 and 8: sign-in trusts only confirmed addresses, and there is at most one "our company".

Finding 3: with an identity provider that lets people claim any address, an unconfirmed
claim of `admin@example.com` signed in as that admin. Roles now go only to addresses the
provider confirmed (`email_verified`), unless the admin trusts a provider that never sends
the claim (`[vantage] trust_missing_email_verified`); an explicit `false` is always refused.

Finding 8: importing companies with an `is_us` column made three "our companies", and
`python -m research compare summary` crashed with pandas' InvalidIndexError. Imports now
refuse the column, the grid has no such field, migration 0013 keeps at most one (a unique
index over `CASE WHEN is_us THEN true END`), and `company set-ours` is the one way to change it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from cli_helpers import cli
from data_helpers import checksums, plan_for
from streamlit.testing.v1 import AppTest

from research.access import PermissionDenied, signed_in
from research.access.signin import email_verified, trusts_missing_email_verified
from research.competitors import profiles
from research.data import entities
from research.data.reading import ImportRefused
from research.errors import ValidationError
from research.i18n import t
from research.store import Store
from tests.page_helpers import ROOT, assert_clean

# ---- finding 3: the pure rule -------------------------------------------------------------

_MISSING = object()


@pytest.mark.parametrize(
    "claim, trust, expected",
    [
        (True, False, True),
        ("true", False, True),
        (" TRUE ", False, True),  # some providers (Cognito, older ADFS) send the claim as a string
        (False, False, False),
        ("false", False, False),
        (_MISSING, False, False),
        (None, False, False),
        ("yes", False, False),  # only true confirms; anything else is not a confirmation
        (1, False, False),
        (True, True, True),
        ("true", True, True),
        (_MISSING, True, True),  # a provider that never sends the claim, trusted by the admin
        (None, True, True),
        (False, True, False),  # the provider says "not confirmed": trust in the provider does not override it
        ("false", True, False),
        ("yes", True, False),
    ],
)
def test_only_a_confirmed_address_may_receive_a_role(claim: object, trust: bool, expected: bool) -> None:
    claims: dict[str, object] = {"email": "admin@example.com"}
    if claim is not _MISSING:
        claims["email_verified"] = claim
    assert email_verified(claims, trust_missing=trust) is expected


@pytest.mark.parametrize("section, expected", [({}, False), (None, False), ({"trust_missing_email_verified": False}, False),
                                               ({"trust_missing_email_verified": True}, True)])
def test_the_trust_setting_is_off_unless_set_to_true(section: dict | None, expected: bool) -> None:
    assert trusts_missing_email_verified(section) is expected


@pytest.mark.parametrize("value", ["true", "yes", 1])
def test_a_trust_setting_that_is_not_a_boolean_is_a_clear_error(value: object) -> None:
    with pytest.raises(ValidationError, match="trust_missing_email_verified"):
        trusts_missing_email_verified({"trust_missing_email_verified": value})


# ---- finding 3: the app's gate (AppTest's `user` stands in for the identity cookie) -----------

_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret-of-some-length",
        "client_id": "vantage",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    },
    "vantage": {"roles": {"admins": ["admin@example.com"], "viewers": ["@example.com"]}},
}


def _signed_app(db: Path, monkeypatch: pytest.MonkeyPatch, user: dict[str, object], *, lang: str = "en",
                trust: bool | None = None) -> AppTest:
    monkeypatch.setenv("VANTAGE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    secrets = {**_SECRETS, "vantage": dict(_SECRETS["vantage"])}
    if trust is not None:
        secrets["vantage"]["trust_missing_email_verified"] = trust
    at.secrets = secrets
    at.user = {"is_logged_in": True, **user}
    at.session_state["vantage_lang"] = lang
    at.run()
    return at


@pytest.mark.parametrize("lang", ["en", "sr"])
@pytest.mark.parametrize("claim", [False, "false", _MISSING])
def test_an_unconfirmed_admin_address_is_refused_with_the_reason(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, claim: object, lang: str
) -> None:
    user: dict[str, object] = {"email": "Admin@Example.com"}
    if claim is not _MISSING:
        user["email_verified"] = claim
    at = _signed_app(demo_copy, monkeypatch, user, lang=lang)
    assert_clean(at)
    assert [x.value for x in at.title] == [t("access.unverified_title", lang)]
    assert [w.value.replace("\\", "") for w in at.warning] == [t("access.unverified", lang, email="admin@example.com")]
    assert not at.metric and not at.dataframe, "no data for an unconfirmed address"
    assert at.button(key="access_sign_out_unverified") is not None
    assert not at.sidebar.caption or all("admin@example.com" not in c.value for c in at.sidebar.caption)
    at.switch_page("pages/admin.py").run()  # a deep link is gated the same way
    assert [x.value for x in at.title] == [t("access.unverified_title", lang)]
    assert not at.dataframe and not at.text_input


@pytest.mark.parametrize("claim", [True, "true"])
def test_a_confirmed_admin_address_signs_in(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, claim: object) -> None:
    at = _signed_app(demo_copy, monkeypatch, {"email": "admin@example.com", "email_verified": claim})
    assert_clean(at)
    assert t("access.unverified_title", "en") not in [x.value for x in at.title]
    sidebar = " ".join(c.value for c in at.sidebar.caption).replace("\\", "")
    assert "admin@example.com" in sidebar and t("access.role.admin", "en") in sidebar


@pytest.mark.parametrize("claim, admitted", [(_MISSING, True), (False, False)])
def test_trusting_a_provider_admits_a_missing_claim_only(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, claim: object, admitted: bool
) -> None:
    user: dict[str, object] = {"email": "admin@example.com"}
    if claim is not _MISSING:
        user["email_verified"] = claim
    at = _signed_app(demo_copy, monkeypatch, user, trust=True)
    assert_clean(at)
    assert (t("access.unverified_title", "en") in [x.value for x in at.title]) is not admitted


def test_a_malformed_trust_setting_shows_one_sentence(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _signed_app(demo_copy, monkeypatch, {"email": "admin@example.com"}, trust="yes")  # type: ignore[arg-type]
    assert not at.exception
    assert len(at.error) == 1 and "trust_missing_email_verified" in at.error[0].value.replace("\\", "")
    assert not at.metric and not at.dataframe


# ---- finding 8: one "our company" ----------------------------------------------------------


@pytest.fixture
def demo(demo_copy: Path):
    store = Store.open(str(demo_copy))
    yield store
    store.close()


def _ours(store: Store) -> list[str]:
    return [r["name"] for r in store.query_rows("SELECT name FROM companies WHERE is_us ORDER BY id")]


@pytest.mark.parametrize("header", ["is_us", "Our company", "IS US", "mi"])
@pytest.mark.parametrize("mode, names", [("append", ["Nova Pak", "Zeta Box", "Omega Wrap"]),
                                         ("upsert", ["GreenFold", "Nova Pak", "Zeta Box"])])
def test_an_import_that_sets_our_company_is_refused_and_writes_nothing(
    demo: Store, header: str, mode: str, names: list[str]
) -> None:
    before = checksums(demo)
    data = ("name;" + header + "\n" + "\n".join(f"{n};true" for n in names)).encode()
    with pytest.raises(ImportRefused) as refused:
        plan_for(demo, "companies", data, mode=mode)
    message = refused.value.message
    assert repr(header) in message and "company set-ours" in message
    assert checksums(demo) == before
    assert _ours(demo) == ["Danubia Packaging"]


def test_the_companies_grid_and_its_export_have_no_our_company_field() -> None:
    companies = entities.get_entity("companies")
    assert "is_us" not in companies.field_names
    with pytest.raises(ValidationError):
        companies.field("is_us")


def test_the_database_refuses_a_second_our_company(demo: Store, demo_copy: Path) -> None:
    rival = profiles.find_company(demo, "GreenFold")
    with pytest.raises(ValidationError, match="Not saved"):
        with demo.transaction("ana") as tx:
            tx.insert("companies", {"name": "Second Us", "is_us": True})
    with pytest.raises(ValidationError, match="Not saved"):
        with demo.transaction("ana") as tx:
            tx.update("companies", rival.id, {"is_us": True})
    demo.close()
    con = duckdb.connect(str(demo_copy))  # below the store: the schema itself says no
    try:
        with pytest.raises(duckdb.ConstraintException):
            con.execute("UPDATE companies SET is_us = true WHERE name = 'GreenFold'")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO companies (name, is_us) VALUES ('Third Us', true)")
        assert con.execute("SELECT count(*) FROM companies WHERE is_us").fetchone()[0] == 1
    finally:
        con.close()


def test_ordinary_company_edits_still_work_with_the_constraint(demo: Store) -> None:
    ours = profiles.our_company(demo)
    rival = profiles.find_company(demo, "GreenFold")
    renamed = profiles.update_company(demo, "ana", ours.id, ours.version, name="Danubia Packaging d.o.o.")
    assert renamed.is_us and renamed.name == "Danubia Packaging d.o.o."
    archived = profiles.set_company_archived(demo, "ana", rival.id, rival.version, True)
    assert archived.archived and not archived.is_us
    added = profiles.add_company(demo, "ana", name="Nova Pak")
    assert not added.is_us
    assert _ours(demo) == ["Danubia Packaging d.o.o."]


def test_set_ours_moves_the_flag_in_one_step_for_admins_only(demo: Store) -> None:
    rival = profiles.find_company(demo, "GreenFold")
    for role in ("viewer", "editor"):
        with pytest.raises(PermissionDenied):
            profiles.set_our_company(demo, signed_in(f"{role}@example.com", role), rival.id)
    assert _ours(demo) == ["Danubia Packaging"]
    moved = profiles.set_our_company(demo, signed_in("admin@example.com", "admin"), rival.id)
    assert moved.is_us and _ours(demo) == ["GreenFold"]
    batch = demo.query_rows("SELECT row_id, actor FROM audit_log WHERE table_name = 'companies' "
                            "AND batch_id = (SELECT max(batch_id) FROM audit_log) ORDER BY id")
    assert {r["actor"] for r in batch} == {"admin@example.com"} and len(batch) == 2  # the old and the new one
    assert profiles.set_our_company(demo, "ana", rival.id).is_us  # already ours: nothing to do, no error


def test_set_ours_on_the_command_line(demo_copy: Path) -> None:
    done = cli("company", "set-ours", "greenfold", "--db", str(demo_copy))
    assert done.returncode == 0, done.stderr
    assert "GreenFold" in done.stdout
    store = Store.open(str(demo_copy), read_only=True)
    try:
        assert _ours(store) == ["GreenFold"]
    finally:
        store.close()


def test_a_workspace_with_several_our_companies_is_fixed_when_opened(demo_copy: Path) -> None:
    """A workspace from before 0013 with three "us" rows: the first stays ours, the others become
    competitors, one audit row says so, and compare summary (which crashed) runs."""
    con = duckdb.connect(str(demo_copy))
    try:
        con.execute("DROP INDEX companies_one_us")
        con.execute("DELETE FROM schema_version WHERE version = 13")
        con.execute("UPDATE companies SET is_us = true WHERE name IN ('GreenFold', 'Kartonaža Sava')")
        assert con.execute("SELECT count(*) FROM companies WHERE is_us").fetchone()[0] == 3
    finally:
        con.close()
    store = Store.open(str(demo_copy))
    try:
        assert _ours(store) == ["Danubia Packaging"]
        note = store.query_rows("SELECT actor, action, after FROM audit_log WHERE actor = 'migration 0013'")
        assert len(note) == 1 and note[0]["action"] == "bulk"
        assert "GreenFold" in note[0]["after"] and "Kartonaža Sava" in note[0]["after"]
    finally:
        store.close()
    done = cli("compare", "summary", "--db", str(demo_copy))
    assert done.returncode == 0, done.stderr
    assert "#### Against GreenFold" in done.stdout and "#### Against Kartonaža Sava" in done.stdout  # competitors again
    assert done.stdout.count("#### Against ") == 7


def test_compare_summary_runs_after_a_refused_import(demo: Store, demo_copy: Path) -> None:
    data = b"name,is_us\nNova Pak,yes\nZeta Box,yes\n"
    with pytest.raises(ImportRefused):
        plan_for(demo, "companies", data)
    demo.close()
    done = cli("compare", "summary", "--db", str(demo_copy))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("#### Against ") == 7 and "Nova Pak" not in done.stdout  # the refused rows stored nothing
