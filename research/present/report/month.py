"""The monthly report's month: a calendar month [first day, first day of the next month), read from
"YYYY-MM" or a date, and the month a report shows unless told (the latest with data, at most last month)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_date as _babel_date

from research.errors import ValidationError
from research.i18n import keyed_error, locale_of, t
from research.store import Store

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class Month:
    start: dt.date  # first day
    end: dt.date  # first day of the next month (exclusive)

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}"

    def label(self, lang: str) -> str:
        """"October 2026" / "октобар 2026" (Babel's stand-alone month name)."""
        return _babel_date(self.start, "LLLL y", locale=locale_of(lang))

    def in_month(self, lang: str) -> str:
        """"in October 2026" / "у октобру 2026" (Serbian needs the locative)."""
        return t(f"report.in_month.{self.start.month}", lang, year=self.start.year)


def _month_of(day: dt.date) -> Month:
    start = day.replace(day=1)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return Month(start, end)


def parse_month(value: str | dt.date, today: dt.date | None = None) -> Month:
    """A calendar month from "YYYY-MM" (or a date inside it); future months are refused."""
    today = today or dt.date.today()
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        month = _month_of(value)
    else:
        text = str(value if value is not None else "")
        found = _MONTH.match(text)
        example = f"{today:%Y-%m}"
        if not text.strip():
            raise keyed_error(ValidationError, "report.error.month_missing", example=example)
        if not found:
            raise keyed_error(ValidationError, "report.error.not_month", value=text.strip(), example=example)
        year, number = int(found.group(1)), int(found.group(2))
        if not 1 <= number <= 12:
            raise keyed_error(ValidationError, "report.error.month_range", value=text.strip())
        if year < 1900:
            raise keyed_error(ValidationError, "report.error.too_old", value=text.strip())
        month = Month(dt.date(year, number, 1), _month_of(dt.date(year, number, 1)).end)
    if month.start > today:
        raise keyed_error(ValidationError, "report.error.future", month=month.key, today=today.isoformat())
    return month


# The newest business date of every section: prices observed, deals closed, first contacts,
# SWOT evidence observed, page changes collected, decisions recorded. Rows' own created_at is
# left out: an import or the demo stamps thousands of rows with the day they were loaded.
LATEST_DATA_SQL = """
SELECT max(day) FROM (
    SELECT max(CAST(observed_at AS DATE)) AS day FROM price_observations WHERE CAST(observed_at AS DATE) <= $today
    UNION ALL SELECT max(closed_on) FROM deals WHERE outcome IN ('won', 'lost') AND closed_on <= $today
    UNION ALL SELECT max(first_contact) FROM accounts WHERE NOT archived AND first_contact <= $today
    UNION ALL SELECT max(observed_on) FROM swot_items WHERE observed_on <= $today
    UNION ALL SELECT max(CAST(detected_at AS DATE)) FROM watcher_changes WHERE CAST(detected_at AS DATE) <= $today
    UNION ALL SELECT max(CAST(created_at AS DATE)) FROM decisions WHERE CAST(created_at AS DATE) <= $today
)
"""


def last_month(today: dt.date | None = None) -> str:
    """Last calendar month as "YYYY-MM"."""
    first = (today or dt.date.today()).replace(day=1)
    return f"{first - dt.timedelta(days=1):%Y-%m}"


def latest_data_month(store: Store, today: dt.date | None = None) -> str | None:
    """The newest month ("YYYY-MM") any report section has data in, up to today; None without data."""
    day = store.query_value(LATEST_DATA_SQL, {"today": today or dt.date.today()})
    return None if day is None else f"{day:%Y-%m}"


def default_month(today: dt.date | None = None, store: Store | None = None) -> str:
    """The month a report shows unless told: last calendar month (the report a team reads at the start
    of a month), or, given the workspace, the latest month with data when its data ends earlier."""
    month = last_month(today)
    if store is not None:
        latest = latest_data_month(store, today)
        if latest is not None and latest < month:
            return latest
    return month


def default_month_note(store: Store, month: str, lang: str, today: dt.date | None = None) -> str:
    """Why the default month was chosen: "Showing November 2026, the latest month with data." (or that
    no month has data yet), for the page and the CLI."""
    label = parse_month(month, today).label(lang)
    key = "report.latest_month" if latest_data_month(store, today) is not None else "report.no_data_month"
    return t(key, lang, month=label)
