"""Which company is ours: the one owner of that rule, below every domain that asks (issue 16 item 1).

Our company is the one whose `is_us` flag is set, archived or not. Migration 0013's unique index
keeps the flag on at most one company, `research.competitors.profiles.set_our_company` (admins)
is the one way to move it, and the grid and imports never write it (a guarded column of
`research.data.entities`). Should a workspace ever hold two (a database without that index), the
lowest id is ours, as migration 0013 decided when it cleared the others.

Our company also stays active on every write path: the profile form (`refuse_archiving`), the
grid and imports (`check_company_rows`) refuse to archive it, and the grid to delete it
(`refuse_archiving(..., deleting=True)`), so no page ever hides the company every comparison
is drawn against.

Kept free of pandas at import time: `python -m research info` reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from research.errors import ValidationError
from research.i18n import keyed_error

if TYPE_CHECKING:
    import pandas as pd

    from research.data.entities import Problem
    from research.store import Store, Transaction

# Our company's id as a scalar subquery, for statements that need it inside their one round trip
# (research/segments/profile.py); `which_is_ours` runs the same rule.
OUR_COMPANY_ID_SQL = "SELECT id FROM companies WHERE is_us ORDER BY id LIMIT 1"


@dataclass(frozen=True)
class OurCompany:
    id: int
    name: str
    archived: bool


_OURS_SQL = f"SELECT id, name, archived FROM companies WHERE id = ({OUR_COMPANY_ID_SQL})"


def _ours(found: list[tuple[Any, ...]]) -> OurCompany | None:
    return OurCompany(int(found[0][0]), str(found[0][1]), bool(found[0][2])) if found else None


def which_is_ours(store: Store) -> OurCompany | None:
    """Our company (id, name, whether archived), or None when no company is flagged as ours."""
    with store.cursor() as cur:
        return _ours(cur.execute(_OURS_SQL).fetchall())


def which_is_ours_in(tx: Transaction) -> OurCompany | None:
    """`which_is_ours` as a transaction sees it, its own writes included (an undo checks what it reverted)."""
    return _ours(tx.execute(_OURS_SQL).fetchall())


def our_company_id(store: Store) -> int | None:
    """Our company's id, or None when no company is flagged as ours."""
    ours = which_is_ours(store)
    return None if ours is None else ours.id


def refuse_archiving(store: Store, company_ids: Iterable[int], *, deleting: bool = False) -> None:
    """Refuse (ValidationError, naming it) when our company is among `company_ids`, the companies
    about to be archived (or, with `deleting`, deleted)."""
    ours = which_is_ours(store)
    if ours is not None and ours.id in {int(i) for i in company_ids}:
        key = "data.error.delete_us" if deleting else "competitors.error.archive_us"
        raise keyed_error(ValidationError, key, name=ours.name)


def check_company_rows(store: Store, frame: pd.DataFrame, rows: pd.Series, problems: list[Problem],
                       company_ids: Mapping[Any, int]) -> None:
    """A problem for each row of `frame` that archives our company (`rows`: frame index -> the row's
    number as shown; `company_ids`: frame index -> the existing company a row changes). A row that
    leaves an already archived one archived (a workspace from before this rule) is not refused."""
    from research.data.entities import problem  # pandas and the registry load only for grid and imports

    ours = which_is_ours(store)
    if ours is None or ours.archived or "archived" not in frame.columns:
        return
    archiving = frame["archived"].astype("boolean").fillna(False)
    for idx, company_id in company_ids.items():
        if int(company_id) == ours.id and idx in archiving.index and bool(archiving[idx]):
            problems.append(problem(int(rows[idx]), "archived", ours.name, "data.problem.archive_us"))
