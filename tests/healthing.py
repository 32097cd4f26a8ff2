"""Helpers of the health tests: a month long past (March 2026: 22 working days), people
who were there all of it, and the month's roll-ups written directly (they are what the
computation reads; how visits and orders reach them is the habits and results tests')."""
from datetime import date, datetime, timezone

from sqlalchemy import update

from portal.auth.models import User
from portal.core import clock
from portal.extensions import db
from portal.habits.models import HabitDay
from portal.health.compute import compute_month
from portal.results.models import ResultDay, Target

MARCH = date(2026, 3, 1)
WORK_DAYS = 22
AFTER = datetime(2026, 4, 10, 2, 0, tzinfo=timezone.utc)
JOINED = datetime(2025, 11, 3, 2, 0, tzinfo=timezone.utc)  # not a new hire in March


def settle(*people, joined=JOINED):
    """The people joined before the month (the factory made them "now")."""
    db.session.execute(update(User).where(User.id.in_([p.id for p in people]))
                       .values(created_at=joined))
    db.session.commit()


def habits(person, days: int, *, visits=0, effective=0, due=0, in_time=0, start=2):
    """`days` working days of March from the `start`th with these counts each."""
    day = start
    for _ in range(days):
        while date(2026, 3, day).weekday() >= 5:
            day += 1
        db.session.add(HabitDay(user_id=person.id, day=date(2026, 3, day),
                                partner_id=person.partner_id, team_id=person.team_id,
                                visits=visits, effective=effective, follow_ups_due=due,
                                follow_ups_in_time=in_time))
        day += 1
    db.session.commit()


def results(person, *, on=date(2026, 3, 10), **counts):
    db.session.add(ResultDay(user_id=person.id, day=on, partner_id=person.partner_id,
                             team_id=person.team_id, **counts))
    db.session.commit()


def target(level, value, *, partner, team=None, person=None, metric="revenue_fen"):
    subject = {"partner": f"partner:{partner.id}", "team": f"team:{getattr(team, 'id', 0)}",
               "person": f"person:{getattr(person, 'id', 0)}"}[level]
    db.session.add(Target(subject=subject, level=level, partner_id=partner.id,
                          team_id=getattr(team, "id", None), user_id=getattr(person, "id", None),
                          month=MARCH, metric=metric, value=value))
    db.session.commit()


def compute(month=MARCH, at=AFTER):
    clock.set_now(at)
    run = compute_month(month, at=at, trigger="test")
    db.session.commit()
    return run


def hand_worked_march(world):
    """The health pages' hand-worked March: A's staff log 10 days of 3 visits (2
    effective) and 600 yuan against A's 1,000-yuan target; B's staff 3 days of 5
    effective visits; March computed. Returns side A."""
    a = world.a
    settle(a.owner, a.manager, a.staff, a.other_staff, world.b.owner, world.b.manager,
           world.b.staff, world.b.other_staff)
    habits(a.staff, 10, visits=3, effective=2)
    results(a.staff, revenue_fen=60_000, orders=1)
    target("partner", 100_000, partner=a.partner)
    habits(world.b.staff, 3, visits=5, effective=5)
    compute()
    return a
