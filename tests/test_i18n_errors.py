"""Errors in the viewer's language and money rounded for its size (research.i18n)."""

from __future__ import annotations

import pytest

from research.data.undo import UndoBlocked
from research.errors import QueryRefused, ValidationError, VantageError
from research.i18n import MESSAGES, error_text, fmt_money_round, keyed_error, t
from research.permissions import PermissionDenied


def test_a_keyed_error_speaks_english_on_the_cli_and_serbian_on_a_serbian_page() -> None:
    error = keyed_error(ValidationError, "labels.error.row_value", row=3)
    assert error.message == str(error) == "Row 3: the value is empty."
    assert error_text(error, "sr") == (t("error.title.ValidationError", "sr"), "Ред 3: вредност је празна.")
    assert error_text(error, "en") == ("Invalid input", "Row 3: the value is empty.")


def test_a_plain_error_keeps_its_sentence_and_gets_a_translated_class_title() -> None:
    assert error_text(QueryRefused("Only one statement."), "sr") == ("Упит је одбијен", "Only one statement.")
    assert error_text(ValidationError("x", title="My title"), "sr")[0] == "My title", "a given title is kept"


@pytest.mark.parametrize("cls", [c for c in (VantageError, ValidationError, QueryRefused, UndoBlocked, PermissionDenied)])
def test_every_error_title_in_the_catalog_matches_its_class(cls: type[VantageError]) -> None:
    owner = next(c for c in cls.__mro__ if "title" in c.__dict__)
    assert MESSAGES[f"error.title.{owner.__name__}"][0] == owner.__dict__["title"]


def test_every_catalog_error_title_names_a_real_class_with_that_english_title() -> None:
    import research.collect.inbox
    import research.data.grid
    import research.data.reading
    import research.segments.bands
    import research.segments.saved  # noqa: F401 - classes register as subclasses

    def subclasses(cls: type) -> list[type]:
        return [cls] + [s for c in cls.__subclasses__() for s in subclasses(c)]

    titles = {c.__name__: c.__dict__["title"] for c in subclasses(VantageError) if "title" in c.__dict__}
    for key, (english, _) in MESSAGES.items():
        if key.startswith("error.title."):
            name = key.removeprefix("error.title.")
            assert titles.get(name) == english, f"{key}: class {name} has title {titles.get(name)!r}"


@pytest.mark.parametrize(("value", "en", "sr"), [
    (950, "€950", "950 €"),
    (38_500, "€38,500", "38.500 €"),
    (385_000, "€385k", "385 хиљ. €"),
    (38_500_000.0, "€38.5m", "38,5 мил. €"),
    (-2_400_000, "-€2.4m", "-2,4 мил. €"),
    (None, "–", "–"),
    (float("nan"), "–", "–"),
])
def test_money_is_rounded_for_its_size(value: float | None, en: str, sr: str) -> None:
    assert fmt_money_round(value, "EUR", "en") == en
    assert fmt_money_round(value, "EUR", "sr").replace("\xa0", " ") == sr  # CLDR puts a no-break space


def test_store_refusals_read_the_same_in_english_and_name_the_table_by_its_noun_in_serbian(demo_copy) -> None:  # noqa: ANN001
    from research.errors import ConflictError
    from research.store import Store

    store = Store.open(str(demo_copy))
    try:
        row = store.query_rows("SELECT id, version FROM accounts ORDER BY id LIMIT 1")[0]
        with store.transaction("ana") as tx:
            tx.update("accounts", row["id"], {"city": "Novi Sad"})
        with pytest.raises(ConflictError) as stale, store.transaction("ivan") as tx:
            tx.update("accounts", row["id"], {"city": "Niš"}, expected_version=row["version"])
        with pytest.raises(ConflictError) as gone, store.transaction("ivan") as tx:
            tx.update("accounts", 10**9, {"city": "Niš"})
    finally:
        store.close()
    for error in (stale.value, gone.value):
        assert error_text(error, "en")[1] == error.message, "the catalog's English is the store's own sentence"
        serbian = error_text(error, "sr")[1]
        assert "клијент" in serbian and "accounts" not in serbian, serbian
    assert "ana" in error_text(stale.value, "sr")[1], "who changed it is named"


def test_a_refused_action_names_the_role_and_the_action_in_serbian() -> None:
    from research.permissions import Principal, require

    viewer = Principal("mila@example.com", "viewer")
    with pytest.raises(PermissionDenied) as refused:
        require(viewer, "write")
    assert error_text(refused.value, "en") == ("Not allowed", refused.value.message)
    title, serbian = error_text(refused.value, "sr")
    assert title == "Није дозвољено"
    assert "посматрач" in serbian and t("access.action.write", "sr") in serbian and "уредник" in serbian
    assert "viewer" not in serbian and "change data" not in serbian
