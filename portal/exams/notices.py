"""Telling takers: a notice when a sitting opens and one reminder before it closes to
those who have not submitted. Each sitting is marked once done (announced_at,
reminded_at), so running twice sends nothing twice."""
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core.clock import BUSINESS_TZ, now
from portal.core.urls import path_for
from portal.exams.models import Exam, Sitting
from portal.exams.services import people_without_attempt
from portal.extensions import db
from portal.notify.services import notify

REMIND_AT_MOST = timedelta(hours=24)


def remind_before(sitting: Sitting) -> timedelta:
    """How long before the close the reminder goes: a quarter of the window, at most a
    day (3 hours for a 09:00-21:00 window)."""
    return min(REMIND_AT_MOST, (sitting.closes_at - sitting.opens_at) / 4)


def announce_open(at: datetime | None = None) -> int:
    """Tell the people of every sitting that has opened since the last run (once per
    sitting); returns how many sittings were announced."""
    at = at or now()
    due = db.session.execute(select(Sitting).join(Exam).where(
        Exam.status == "scheduled", Sitting.opens_at <= at, Sitting.closes_at > at,
        Sitting.announced_at.is_(None))).scalars().all()
    for sitting in due:
        notify(people_without_attempt(sitting, at), "exam",
               _("Exam open: %(title)s", title=sitting.exam.title),
               body=_("Open until %(when)s.", when=local_time(sitting.closes_at)),
               link=path_for("exams.sitting", sitting_id=sitting.id), group=True)
        sitting.announced_at = at
    return len(due)


def remind_closing(at: datetime | None = None) -> int:
    """Remind those without a finished attempt, once per sitting, when its close is
    `remind_before` away; returns how many sittings were reminded."""
    at = at or now()
    candidates = db.session.execute(select(Sitting).join(Exam).where(
        Exam.status == "scheduled", Sitting.closes_at > at,
        Sitting.closes_at <= at + REMIND_AT_MOST, Sitting.opens_at <= at,
        Sitting.reminded_at.is_(None))).scalars().all()
    sent = 0
    for sitting in candidates:
        if at < sitting.closes_at - remind_before(sitting):
            continue
        notify(people_without_attempt(sitting, at), "exam",
               _("Closing soon: %(title)s", title=sitting.exam.title),
               body=_("You have not submitted yet. The exam closes at %(when)s.",
                      when=local_time(sitting.closes_at)),
               link=path_for("exams.sitting", sitting_id=sitting.id), group=False)
        sitting.reminded_at = at
        sent += 1
    return sent


def local_time(when: datetime) -> str:
    """`when` in the portal's time zone, as a notice's text says it."""
    return when.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")
