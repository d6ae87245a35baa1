"""Company profiles: the list with filters, one profile's facts, products and prices, history.

Companies are archived, never deleted. Exactly one company is ours (`is_us`): it
can be edited but not archived, and new companies are always competitors.

A profile's notes can be private (migration 0011, docs/ACCESS.md): `get_company`,
`find_company` and `our_company` blank them (`notes_hidden`) unless `viewer` may see
them (research.access.may_show), and always when `include_private` is False (a
shared screen, a battlecard). Only their author or an admin may change them.

A workspace's custom company fields (research.data.fields) are edited with the profile:
`custom_values` reads them, and `add_company`/`update_company` take them in `custom`,
checked by the same companies schema as the grid and imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pandas as pd

from research.access import (
    Actor,
    PermissionDenied,
    actor_name,
    audit_viewer_params,
    is_author,
    may_show,
    require,
    sees_private,
    visible_audit_log,
)
from research.competitors import validation as v
from research.data import fields
# Which company is ours is decided below the domains (the CLI, segments and deal checks read it
# too); `our_company_id` is that rule, re-exported for the domains above.
from research.data.our_company import our_company_id, refuse_archiving
from research.data.entities import check_row, get_entity
from research.errors import ValidationError
from research.i18n import keyed_error
from research.store import Store, Transaction, quote_ident

PROFILE_FIELDS = (
    "name", "website", "hq_country", "founded", "employees", "revenue_estimate", "revenue_currency",
    "price_positioning", "description", "segments", "channels", "key_customers", "notes", "notes_private",
)


@dataclass(frozen=True)
class Company:
    id: int
    name: str
    is_us: bool
    website: str | None
    hq_country: str | None
    founded: int | None
    employees: int | None
    revenue_estimate: Decimal | None
    revenue_currency: str | None
    price_positioning: str | None
    description: str | None
    segments: tuple[str, ...]
    channels: tuple[str, ...]
    key_customers: tuple[str, ...]
    notes: str | None
    archived: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    notes_private: bool = False  # shown to `notes_author` and admins only, never on a shared screen
    notes_author: str | None = None  # who last wrote the notes or changed their privacy
    notes_hidden: bool = False  # the notes were blanked for this viewer (private, someone else's)


COMPANY_SQL = """
SELECT id, name, is_us, website, hq_country, founded, employees, revenue_estimate, revenue_currency,
       price_positioning, description, segments, channels, key_customers, notes, archived, version,
       created_at, updated_at, coalesce(notes_private, false) AS notes_private, notes_author
FROM companies
"""

# One row per company with its SWOT and product counts; `$today`/`$days` decide staleness.
COMPANY_LIST_SQL = """
WITH swot AS (
    SELECT s.company_id, count(*) AS swot_items,
           count(*) FILTER (WHERE coalesce(s.observed_on, src.published_on, CAST(s.created_at AS DATE))
                                  < CAST($today AS DATE) - CAST($days AS INTEGER)) AS stale_items,
           max(coalesce(s.observed_on, src.published_on, CAST(s.created_at AS DATE))) AS latest_evidence
    FROM swot_items s LEFT JOIN sources src ON src.id = s.source_id
    WHERE NOT s.archived GROUP BY s.company_id
), prods AS (
    SELECT company_id, count(*) AS products FROM products WHERE NOT archived GROUP BY company_id
)
SELECT c.id, c.name, c.is_us, c.hq_country, c.price_positioning, c.employees, c.website, c.archived,
       coalesce(swot.swot_items, 0) AS swot_items, coalesce(swot.stale_items, 0) AS stale_items,
       swot.latest_evidence, coalesce(prods.products, 0) AS products
FROM companies c
LEFT JOIN swot ON swot.company_id = c.id
LEFT JOIN prods ON prods.company_id = c.id
WHERE ($archived OR NOT c.archived)
  AND ($search = '' OR c.name ILIKE '%' || $search || '%' ESCAPE '\\'
       OR coalesce(c.description, '') ILIKE '%' || $search || '%' ESCAPE '\\')
  AND ($positioning = '' OR c.price_positioning = $positioning)
  AND ($country = '' OR c.hq_country = $country)
ORDER BY c.is_us DESC, c.archived, c.name
"""

# Each active product with its newest observed price (one pass over its observations).
PRODUCTS_SQL = """
WITH shown AS (
    SELECT p.id, p.name, p.sku, p.category, p.unit, p.list_price, p.currency, p.url
    FROM products p WHERE p.company_id = $company AND NOT p.archived
    ORDER BY p.category, p.name, p.id LIMIT $limit
), latest AS (
    SELECT po.product_id, arg_max(po.price, po.observed_at) AS last_price,
           arg_max(po.currency, po.observed_at) AS last_currency, max(po.observed_at) AS last_seen
    FROM price_observations po
    WHERE po.product_id IN (SELECT id FROM shown)
    GROUP BY po.product_id
)
SELECT s.id, s.name, s.sku, s.category, s.unit, s.list_price, s.currency, s.url,
       l.last_price, l.last_currency, l.last_seen
FROM shown s LEFT JOIN latest l ON l.product_id = s.id
ORDER BY s.category, s.name, s.id
"""

# Where a company's customers are, from the accounts it serves today.
SERVED_SQL = """
SELECT industry, count(*) AS accounts
FROM accounts WHERE supplier_company_id = $company AND NOT archived
GROUP BY industry ORDER BY accounts DESC, industry LIMIT $limit
"""

LARGEST_CUSTOMERS_SQL = """
SELECT name, country, industry, annual_revenue, revenue_currency
FROM accounts WHERE supplier_company_id = $company AND status <> 'lost' AND NOT archived
ORDER BY annual_revenue DESC NULLS LAST, name LIMIT $limit
"""

# Every audited change that touches the company: its row, its SWOT items, products,
# TOWS strategies and their links; private audit rows only for their author and admins (migration 0012).
HISTORY_SQL = f"""
WITH strategies AS (
    SELECT CAST(id AS VARCHAR) AS sid FROM tows_strategies WHERE company_id = $company
)
SELECT a.changed_at, a.actor, a.table_name, a.action, a.row_id,
       coalesce(a.after ->> 'name', a.before ->> 'name', a.after ->> 'statement', a.before ->> 'statement',
                a.after ->> 'swot_item_id', a.before ->> 'swot_item_id') AS item,
       a.before, a.after
FROM {visible_audit_log()} AS a
WHERE (a.table_name = 'companies' AND a.row_id = CAST($company AS VARCHAR))
   OR (a.table_name IN ('swot_items', 'products', 'tows_strategies')
       AND coalesce(a.after ->> 'company_id', a.before ->> 'company_id') = CAST($company AS VARCHAR))
   OR (a.table_name = 'tows_links'
       AND coalesce(a.after ->> 'strategy_id', a.before ->> 'strategy_id') IN (SELECT sid FROM strategies))
ORDER BY a.id DESC
LIMIT $limit
"""


def _company(row: dict[str, Any], viewer: Actor | None, include_private: bool) -> Company:
    lists = {k: tuple(row[k] or ()) for k in ("segments", "channels", "key_customers")}
    founded = row["founded"]
    company = Company(**{**row, **lists, "founded": None if founded is None else int(founded)})
    return visible_company(company, viewer, include_private=include_private)


def visible_company(company: Company, viewer: Actor | None, *, include_private: bool = True) -> Company:
    """`company` as `viewer` may see it: private notes someone else wrote read as hidden (None).

    Without a viewer (None) private notes are hidden: the safe default for shared outputs.
    """
    if may_show(company.notes_private, company.notes_author, viewer, include_private=include_private):
        return company
    return replace(company, notes=None, notes_hidden=True)


def list_companies(
    store: Store,
    *,
    search: str = "",
    include_archived: bool = False,
    positioning: str | None = None,
    country: str | None = None,
    today: dt.date | None = None,
    days: int | None = None,
) -> pd.DataFrame:
    """Companies (ours first) with SWOT, stale and product counts, filtered."""
    from research.competitors.swot import stale_days

    search = v.clean_text(search)[:100]
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return store.query_df(
        COMPANY_LIST_SQL,
        {
            "search": escaped,
            "archived": include_archived,
            "positioning": positioning or "",
            "country": (country or "").upper(),
            "today": today or dt.date.today(),
            "days": stale_days() if days is None else days,
        },
    )


def get_company(store: Store, company_id: int, *, viewer: Actor | None = None, include_private: bool = True) -> Company:
    """One company; its private notes only if `viewer` may see them (see `visible_company`)."""
    rows = store.query_rows(COMPANY_SQL + " WHERE id = ?", [company_id])
    if not rows:
        raise keyed_error(ValidationError, "competitors.error.no_company_id", id=company_id)
    return _company(rows[0], viewer, include_private)


def find_company(store: Store, name: str, *, viewer: Actor | None = None, include_private: bool = True) -> Company:
    """A company by name, ignoring case and surrounding spaces (for the CLI and links)."""
    wanted = v.clean_text(name)
    rows = store.query_rows(COMPANY_SQL + " WHERE lower(name) = lower(?) ORDER BY archived, id", [wanted])
    if not rows:
        near = store.query_rows(
            "SELECT name FROM companies WHERE name ILIKE '%' || ? || '%' ORDER BY name LIMIT 3", [wanted[:60]]
        )
        if near:
            raise keyed_error(ValidationError, "competitors.error.no_company_near", name=repr(wanted),
                              near=", ".join(r["name"] for r in near))
        raise keyed_error(ValidationError, "competitors.error.no_company", name=repr(wanted))
    return _company(rows[0], viewer, include_private)


def our_company(store: Store, *, viewer: Actor | None = None, include_private: bool = True) -> Company | None:
    """Our company's profile (`our_company_id`), its private notes as for `get_company`."""
    us = our_company_id(store)
    return None if us is None else get_company(store, us, viewer=viewer, include_private=include_private)


def company_options(store: Store, *, include_archived: bool = False) -> list[tuple[int, str, bool]]:
    """(id, name, is_us) for pickers: ours first, then by name."""
    rows = store.query_rows(
        "SELECT id, name, is_us FROM companies WHERE ? OR NOT archived ORDER BY is_us DESC, name", [include_archived]
    )
    return [(int(r["id"]), r["name"], bool(r["is_us"])) for r in rows]


def company_flags(store: Store) -> list[tuple[str, bool]]:
    """(name, is_us) of every company, archived ones too: how charts recognise a column of company names."""
    return [(r["name"], bool(r["is_us"])) for r in store.query_rows("SELECT name, is_us FROM companies")]


def _validated(values: dict[str, Any], store: Store | None = None) -> dict[str, Any]:
    """The form's values, checked by the companies schema every write path uses (research.data.entities).

    Only the profile's own fields (segments, channels, key customers, notes) are checked here:
    the grid, imports and this form can no longer disagree about a name, a year or a head count.
    With `store`, the workspace's custom company fields are part of that schema (`fields.entity_for`).
    """
    schema = fields.entity_for(store, "companies") if store is not None else get_entity("companies")
    custom = {f.name for f in schema.fields if f.custom}
    unknown = set(values) - set(PROFILE_FIELDS) - custom
    if unknown:
        raise ValidationError(f"Company profiles have no field {', '.join(sorted(unknown))}.")
    shared = {key: v.clean_text(value, multiline=key == "description") if isinstance(value, str) else value
              for key, value in values.items() if key in schema.field_names}
    # Notes alone (or lists alone) leave nothing for the schema: check_row needs at least one value.
    out: dict[str, Any] = check_row(schema, shared) if shared else {}
    if "name" in values and not out.get("name"):
        raise keyed_error(ValidationError, "competitors.error.empty.company_name")
    for key, value in values.items():
        if key in shared:
            continue
        if key == "notes":
            out[key] = v.optional_text(value, key, v.MAX_NOTE, multiline=True)
        elif key == "notes_private":
            out[key] = bool(value)
        else:
            out[key] = v.text_list(value, key.replace("_", " "))
    return out


def _check_unique_name(store: Store, name: str, company_id: int | None) -> None:
    clash = store.query_value(
        "SELECT name FROM companies WHERE lower(name) = lower(?) AND id IS DISTINCT FROM ?", [name, company_id]
    )
    if clash:
        raise keyed_error(ValidationError, "competitors.error.name_taken", name=repr(clash))


def custom_values(store: Store, company_id: int) -> dict[str, Any]:
    """The company's custom field values (research.data.fields), by column name, in the fields' order."""
    names = [f.name for f in fields.list_fields(store, "companies")]
    if not names:
        return {}
    rows = store.query_rows(f"SELECT {', '.join(quote_ident(n) for n in names)} FROM companies WHERE id = ?",
                            [company_id])
    if not rows:
        raise keyed_error(ValidationError, "competitors.error.no_company_id", id=company_id)
    return {n: rows[0][n] for n in names}


def add_company(store: Store, actor: Actor, custom: Mapping[str, Any] | None = None, **values: Any) -> Company:
    """Add a competitor; the name is required and unique (ignoring case). `custom`: custom field values."""
    values = _validated({"revenue_currency": "EUR", **values, **(custom or {})}, store)
    if "name" not in values:
        raise keyed_error(ValidationError, "competitors.error.empty.company_name")
    _check_unique_name(store, values["name"], None)
    if values.get("notes") or values.get("notes_private"):
        values["notes_author"] = actor_name(actor) or None
    with store.transaction(actor) as tx:
        row = tx.insert("companies", {**values, "is_us": False})
    return get_company(store, row["id"], viewer=actor)


def _notes_changes(tx: Transaction, actor: Actor, company_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with `notes_author` set when the notes or their privacy change.

    Someone else's private notes may be changed by admins only (the others cannot see
    them); an admin's edit keeps their author, so the author still sees them.
    """
    if "notes" not in values and "notes_private" not in values:
        return values
    row = tx.execute(
        "SELECT notes, coalesce(notes_private, false), notes_author FROM companies WHERE id = ?", [company_id]
    ).fetchone()
    if row is None:
        return values  # tx.update names the missing company
    notes, private, author = row
    changed = ("notes" in values and (values["notes"] or None) != (notes or None)) or (
        "notes_private" in values and values["notes_private"] != private
    )
    if not changed:
        return {k: val for k, val in values.items() if k not in {"notes", "notes_private"}}
    if private and not sees_private(actor, author):
        raise keyed_error(PermissionDenied, "competitors.error.notes_private", id=company_id)
    stays_private = private and values.get("notes_private", private)
    keep_author = bool(author) and stays_private and not is_author(actor, author)  # an admin editing someone's private notes
    return {**values, "notes_author": author if keep_author else (actor_name(actor) or None)}


def update_company(store: Store, actor: Actor, company_id: int, expected_version: int,
                   custom: Mapping[str, Any] | None = None, **values: Any) -> Company:
    """Edit profile facts (and `custom` field values); refused if someone changed the company since `expected_version`.

    Someone else's private notes (and their privacy) may be changed by admins only.
    """
    values = _validated({**values, **(custom or {})}, store)
    if "name" in values:
        _check_unique_name(store, values["name"], company_id)
    with store.transaction(actor) as tx:
        tx.update("companies", company_id, _notes_changes(tx, actor, company_id, values), expected_version=expected_version)
    return get_company(store, company_id, viewer=actor)


def set_company_archived(
    store: Store, actor: Actor, company_id: int, expected_version: int, archived: bool = True
) -> Company:
    """Archive (or restore) a company; its SWOT items and history stay."""
    get_company(store, company_id)  # refuses an unknown id
    if archived:
        refuse_archiving(store, [company_id])  # the grid and imports refuse it by the same rule
    with store.transaction(actor) as tx:
        tx.update("companies", company_id, {"archived": archived}, expected_version=expected_version)
    return get_company(store, company_id)


def set_our_company(store: Store, actor: Actor, company_id: int) -> Company:
    """Make `company_id` our company (admins): the old one becomes a competitor in the same batch.

    The one way to change it (issue 14: imports and the grid may not); the database keeps at
    most one (migration 0013). The old flag is cleared first, so the unique index never sees two.
    """
    require(actor, "our_company")
    company = get_company(store, company_id)
    if company.is_us:
        return company
    if company.archived:
        raise keyed_error(ValidationError, "competitors.error.archived_not_ours", name=company.name)
    with store.transaction(actor) as tx:
        for (old_id,) in tx.execute("SELECT id FROM companies WHERE is_us").fetchall():
            tx.update("companies", old_id, {"is_us": False})
        tx.update("companies", company_id, {"is_us": True}, expected_version=company.version)
    return get_company(store, company_id, viewer=actor)


def company_products(store: Store, company_id: int, limit: int | None = None) -> pd.DataFrame:
    """Active products with list price and the newest observed price, by category and name; the first
    `limit` of them (a large distributor lists tens of thousands: the profile shows a page of them)."""
    return store.query_df(PRODUCTS_SQL, {"company": company_id, "limit": 2**62 if limit is None else int(limit)})


def count_products(store: Store, company_id: int) -> int:
    return int(store.query_value("SELECT count(*) FROM products WHERE company_id = ? AND NOT archived",
                                 [company_id]))


def served_industries(store: Store, company_id: int, limit: int = 5) -> pd.DataFrame:
    return store.query_df(SERVED_SQL, {"company": company_id, "limit": limit})


def company_history(
    store: Store, company_id: int, limit: int = 200, *, viewer: Actor | None = None, include_private: bool = True
) -> pd.DataFrame:
    """The audit trail of a company, newest first, as `viewer` may see it.

    Audit rows of private SWOT items are left out, and private notes blanked in the company's
    own rows, unless `viewer` wrote them or is an admin — whatever became of the item or the
    notes since (the flag is on the audit row, migration 0012). None or `include_private=False`
    (a shared screen): nobody's.
    """
    params = {"company": company_id, "limit": limit, **audit_viewer_params(viewer, include_private=include_private)}
    return store.query_df(HISTORY_SQL, params)
