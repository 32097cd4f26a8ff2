"""The habits part of a person's record: the last 30 days from the person's daily
roll-ups (visits, effective rate, first visits, follow-ups in time, flagged), for the
person itself and for those who may read its figures."""
from datetime import datetime, timedelta

from sqlalchemy import func, literal, select

from portal.core.access import figures_of
from portal.core.domains import Panel
from portal.extensions import db
from portal.habits.models import HabitDay
from portal.habits.rollups import business_day

DAYS = 30


def last_days(person, day, days: int = DAYS) -> dict:
    """Sums of the person's roll-ups over the `days` days up to `day`; follow-ups only
    for due days already past (their window has closed)."""
    since = day - timedelta(days=days - 1)
    mine = (HabitDay.user_id == person.id) & HabitDay.day.between(since, day)
    row = db.session.execute(select(
        func.count().filter(HabitDay.visits > 0), func.sum(HabitDay.visits),
        func.sum(HabitDay.effective), func.sum(HabitDay.first_visits),
        func.sum(HabitDay.flagged)).where(mine)).one()
    due, in_time = db.session.execute(select(
        func.sum(HabitDay.follow_ups_due), func.sum(HabitDay.follow_ups_in_time)).where(
        mine, HabitDay.day < day)).one()
    visits = row[1] or 0
    return {"since": since, "days_logged": row[0] or 0, "visits": visits,
            "effective": row[2] or 0, "effective_rate": (row[2] or 0) / visits if visits else None,
            "first_visits": row[3] or 0, "flagged": row[4] or 0,
            "follow_ups_due": due or 0, "follow_ups_in_time": in_time or 0,
            "follow_up_rate": (in_time or 0) / due if due else None}


def panels(viewer, person, at: datetime) -> list[Panel]:
    if person.partner_id is None:
        return []
    allowed = viewer.id == person.id or db.session.execute(select(
        figures_of(viewer).condition(literal(person.partner_id), literal(person.team_id)))
    ).scalar()
    if not allowed:
        return []
    return [Panel(40, "habits/person.html", {"habits": last_days(person, business_day(at))})]
