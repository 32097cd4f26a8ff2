"""A salesperson's day, read from the daily roll-ups: today's counts, the logging
streak, the follow-ups due and the last visits. Functions take the person and the day,
so the home page shows the same figures as the Today page.

The streak counts business days (Monday to Saturday; Sundays are skipped, they neither
add nor break it) with at least one visit, back from today, or from the day before when
nothing is logged yet today, so a streak is not lost at breakfast."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.habits import visits
from portal.habits.models import ROLLUP_COUNTS, FollowUp, HabitDay, Visit
from portal.habits.team import Counts

# How far back a streak is looked for (about three years of business days).
STREAK_LOOKBACK_DAYS = 1100
SUNDAY = 6


@dataclass
class Today:
    day: date
    counts: Counts
    streak: int
    due: list = field(default_factory=list)
    last: list = field(default_factory=list)


def counts(person, day: date) -> Counts:
    """The person's roll-up for `day` (zeros when nothing was logged)."""
    row = db.session.execute(select(HabitDay).where(HabitDay.user_id == person.id,
                                                    HabitDay.day == day)).scalar_one_or_none()
    if row is None:
        return Counts()
    return Counts(**{key: getattr(row, key) for key in ROLLUP_COUNTS})


def _business_day_before(day: date) -> date:
    day -= timedelta(days=1)
    return day - timedelta(days=1) if day.weekday() == SUNDAY else day


def streak(person, day: date) -> int:
    """Consecutive business days with a visit up to `day` (or up to the business day
    before it when `day` has none yet), from the roll-ups."""
    logged = set(db.session.execute(select(HabitDay.day).where(
        HabitDay.user_id == person.id, HabitDay.visits > 0, HabitDay.day <= day,
        HabitDay.day > day - timedelta(days=STREAK_LOOKBACK_DAYS))).scalars())
    if day.weekday() == SUNDAY:
        current = day - timedelta(days=1)  # Saturday is over: no grace for it
    else:
        current = day if day in logged else _business_day_before(day)
    run = 0
    while current in logged:
        run += 1
        current = _business_day_before(current)
    return run


def due_follow_ups(person, day: date) -> list[FollowUp]:
    """The person's open follow-ups due by `day`, oldest first, with their customers."""
    return db.session.execute(visits.due_follow_ups(person, day).options(
        selectinload(FollowUp.customer))).scalars().all()


def last_visits(person, limit: int = 5) -> list[Visit]:
    """The person's latest visits, newest first."""
    return db.session.execute(select(Visit).where(Visit.user_id == person.id)
                              .options(selectinload(Visit.customer))
                              .order_by(Visit.visited_at.desc(), Visit.id.desc())
                              .limit(limit)).scalars().all()


def summary(person, day: date) -> Today:
    """Everything the Today page shows for `person` on `day`."""
    return Today(day=day, counts=counts(person, day), streak=streak(person, day),
                 due=due_follow_ups(person, day), last=last_visits(person))
