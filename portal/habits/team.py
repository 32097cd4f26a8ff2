"""A team's or a partner's habits by person, read from the daily roll-ups (`habit_days`)
only, never from raw visits: for each person and each period (today, this week, a
month…) the visits, effective visits, first visits, follow-ups due and done in time,
customers added and flagged visits, in one grouped query over the people and the days.

Follow-ups count on their due day. The follow-up rate counts only those whose window has
passed (due before `today`), so a follow-up still due today never lowers it; with none
passed the rate is unknown (None, shown as "—"), as is the effective rate without visits."""
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select

from portal.auth.models import PARTNER_ROLES, User
from portal.extensions import db
from portal.habits.models import ROLLUP_COUNTS, HabitDay
from portal.org.models import Team


@dataclass
class Counts:
    """One person's (or a group's) counts over one period."""

    visits: int = 0
    effective: int = 0
    first_visits: int = 0
    follow_ups_due: int = 0
    follow_ups_in_time: int = 0
    customers_added: int = 0
    flagged: int = 0
    # Of the follow-ups due in the period, those due before today (their window passed).
    follow_ups_passed: int = 0
    follow_ups_passed_in_time: int = 0

    @property
    def effective_rate(self) -> float | None:
        return self.effective / self.visits if self.visits else None

    @property
    def follow_up_rate(self) -> float | None:
        return (self.follow_ups_passed_in_time / self.follow_ups_passed
                if self.follow_ups_passed else None)

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                         for f in fields(self)})


PASSED = ("follow_ups_passed", "follow_ups_passed_in_time")


@dataclass
class Person:
    """A person with their counts per period name."""

    id: int
    display_name: str
    username: str
    team_id: int | None
    periods: dict[str, Counts] = field(default_factory=dict)

    def logged_nothing(self, period: str) -> bool:
        return self.periods[period].visits == 0


@dataclass
class Group:
    """The people of one team (`team` None: those in no team) and their totals."""

    team: Team | None
    people: list[Person]

    def total(self, period: str) -> Counts:
        return sum((p.periods[period] for p in self.people), Counts())


def this_week(today: date) -> tuple[date, date]:
    """Monday of `today`'s week to `today`."""
    return today - timedelta(days=today.weekday()), today


def people_of(partner_id: int, team_id: int | None = None):
    """SQL: the active people of a partner (of one team when `team_id` is given)."""
    condition = and_(User.partner_id == partner_id, User.role.in_(PARTNER_ROLES),
                     User.active.is_(True))
    return and_(condition, User.team_id == team_id) if team_id is not None else condition


def by_person(people, periods: dict[str, tuple[date, date]], today: date) -> list[Person]:
    """Each person `people` (an SQL condition on users) selects, in name order, with their
    counts for every period {name: (first day, last day)}: one grouped query over their
    roll-ups, joined to the people; a person without a row has zeros."""
    first = min(start for start, _end in periods.values())
    last = max(end for _start, end in periods.values())
    sums = []
    for name, (start, end) in periods.items():
        inside = HabitDay.day.between(start, end)
        for count in ROLLUP_COUNTS:
            sums.append(func.sum(case((inside, HabitDay.__table__.c[count]), else_=0))
                        .label(f"{name}__{count}"))
        passed = and_(inside, HabitDay.day < today)
        sums.append(func.sum(case((passed, HabitDay.follow_ups_due), else_=0))
                    .label(f"{name}__follow_ups_passed"))
        sums.append(func.sum(case((passed, HabitDay.follow_ups_in_time), else_=0))
                    .label(f"{name}__follow_ups_passed_in_time"))
    rolled = (select(HabitDay.user_id, *sums)
              .where(HabitDay.user_id.in_(select(User.id).where(people)),
                     HabitDay.day.between(first, last))
              .group_by(HabitDay.user_id).subquery())
    rows = db.session.execute(
        select(User.id, User.display_name, User.username, User.team_id, rolled)
        .outerjoin(rolled, rolled.c.user_id == User.id)
        .where(people).order_by(User.name_key, User.id)).mappings()
    found = []
    for row in rows:
        person = Person(row["id"], row["display_name"], row["username"], row["team_id"])
        for name in periods:
            person.periods[name] = Counts(**{
                count: int(row[f"{name}__{count}"] or 0)
                for count in (*ROLLUP_COUNTS, *PASSED)})
        found.append(person)
    return found


def by_team(people: list[Person], partner_id: int) -> list[Group]:
    """`people` in groups by team, in team name order; those in no team come last."""
    ids = {p.team_id for p in people if p.team_id is not None}
    teams = db.session.execute(select(Team).where(Team.partner_id == partner_id,
                                                  Team.id.in_(ids))
                               .order_by(Team.name_key, Team.id)).scalars().all()
    groups = [Group(team, [p for p in people if p.team_id == team.id]) for team in teams]
    loose = [p for p in people if p.team_id not in {t.id for t in teams}]
    return groups + ([Group(None, loose)] if loose else [])


def day_and_week(partner_id: int, team_id: int | None, today: date) -> list[Group]:
    """The team's (or, without `team_id`, the whole partner's) people by team, each with
    their counts for "today" and "week" (Monday to today)."""
    people = by_person(people_of(partner_id, team_id),
                       {"today": (today, today), "week": this_week(today)}, today)
    return by_team(people, partner_id)
