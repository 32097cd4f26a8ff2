"""Months and working days, as targets count them.

A working day is Monday to Friday, less the days in the `HOLIDAYS` setting, plus the
days in `WORKDAYS` (a Saturday or Sunday worked to make up for a holiday), all ISO day
strings in `portal/config.py`. A target's pace counts the working days *before* today
as gone: today is still being worked, and what is done today already counts."""
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import get_locale


def first_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month`'s (before, when negative)."""
    years, index = divmod(month.month - 1 + count, 12)
    return date(month.year + years, index + 1, 1)


def last_of(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


@lru_cache(maxsize=8)
def _calendar(holidays: tuple, workdays: tuple) -> tuple[frozenset, frozenset]:
    return (frozenset(map(date.fromisoformat, holidays)),
            frozenset(map(date.fromisoformat, workdays)))


def is_working_day(day: date) -> bool:
    off, worked = _calendar(tuple(current_app.config["HOLIDAYS"]),
                            tuple(current_app.config["WORKDAYS"]))
    return day in worked or (day.weekday() < 5 and day not in off)


def working_days(first: date, last: date) -> int:
    """The working days from `first` to `last`, both included (0 when `last` is earlier)."""
    count, day = 0, first
    while day <= last:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def in_month(month: date) -> int:
    return working_days(month, last_of(month))


def gone(month: date, today: date) -> int:
    """The month's working days before `today` (all of them for a past month)."""
    return working_days(month, min(last_of(month), today - timedelta(days=1)))


def left(month: date, today: date) -> int:
    """The month's working days from `today` on, today included."""
    return working_days(max(month, today), last_of(month))


def month_arg(raw: str | None, today: date, *, back: int = 12, ahead: int = 1) -> date:
    """The month named "YYYY-MM" when it lies from `back` months before `today`'s to
    `ahead` after, else `today`'s month: what a URL says never goes out of range."""
    current = first_of(today)
    try:
        year, number = (raw or "").split("-")
        month = date(int(year), int(number), 1) if len(year) == 4 and len(number) == 2 \
            else None
    except ValueError:
        month = None
    if month is None or not add_months(current, -back) <= month <= add_months(current, ahead):
        return current
    return month


def month_label(month: date, *, year: bool = True) -> str:
    """"2026年10月" / "Oct 2026" (without the year: "10月" / "Oct")."""
    return format_skeleton("yMMM" if year else "MMM", month, locale=str(get_locale()))


def day_label(day: date) -> str:
    """"10月1日周四" / "Thu, Oct 1"."""
    return format_skeleton("MMMEd", day, locale=str(get_locale()))
