"""A profile lists a page of a company's products (a distributor has tens of thousands) and says how many more."""

from __future__ import annotations

from pathlib import Path

import pytest
from page_helpers import assert_clean, run_app

from research.competitors import profiles
from research.i18n import t
from research.store import Store


def test_the_first_products_are_the_same_rows_as_the_whole_list(demo_copy: Path) -> None:
    store = Store.open(str(demo_copy))
    try:
        company = profiles.find_company(store, "Kartonaža Sava", viewer=None)
        everything = profiles.company_products(store, company.id)
        first = profiles.company_products(store, company.id, limit=7)
        assert len(everything) == profiles.count_products(store, company.id) == 40
        assert first.to_dict("records") == everything.head(7).to_dict("records")
    finally:
        store.close()


def test_the_profile_says_how_many_products_it_does_not_list(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import research.ui.competitors as page

    monkeypatch.setattr(page, "PRODUCTS_SHOWN", 5)
    store = Store.open(str(demo_copy))
    try:
        company_id = profiles.find_company(store, "Kartonaža Sava", viewer=None).id
    finally:
        store.close()
    at = run_app(demo_copy, monkeypatch, page="competitors", lang="sr")
    at.session_state["competitors_company"] = company_id
    at.session_state["competitors_view"] = "profile"
    at.run()
    assert_clean(at)
    product = t("competitors.col.product", "sr")
    shown = [d.value for d in at.dataframe if product in d.value.columns]
    assert len(shown) == 1 and len(shown[0]) == 5
    assert t("competitors.products_more", "sr", shown="5", total="40") in [c.value for c in at.caption]
