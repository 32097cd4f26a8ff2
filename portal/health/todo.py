"""What an owner (its partner) or a team lead (its team) should do about its people's
habits today, each with a one-tap reminder: who logged no visit in the last seven days,
who has follow-ups overdue, who has customers nobody visited for 30 days (read from this
month's health rows, already counted). At most one reminder an hour per person and kind
(`portal.notify.nudges`); each one is a `HealthNudge` row (audited). Nothing here commits."""
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select

from portal.auth.models import User
from portal.core.access import figures_of, visible
from portal.core.errors import DomainError
from portal.core.urls import path_for
from portal.extensions import db
from portal.habits.models import FollowUp, HabitDay
from portal.health.figures import SALES_ROLES
from portal.health.models import NUDGE_KINDS, HealthMonth, HealthNudge
from portal.notify.nudges import next_nudge
from portal.notify.services import notify
from portal.results.months import first_of

SILENT_DAYS = 7
SHOWN = 5


def _people(user):
    """SQL condition: the active salespeople `user` leads (never itself)."""
    figures = figures_of(user)
    if figures.partner_ids is None or len(figures.partner_ids) != 1:
        return User.id.is_(None)
    return and_(figures.condition(User.partner_id, User.team_id), User.active.is_(True),
                User.role.in_(SALES_ROLES), User.id != user.id)


def silent(user, day: date) -> list[tuple[User, int]]:
    """(person, 0) for those who logged no visit in the seven days up to `day`."""
    logged = exists().where(HabitDay.user_id == User.id, HabitDay.visits > 0,
                            HabitDay.day > day - timedelta(days=SILENT_DAYS),
                            HabitDay.day <= day)
    people = db.session.execute(select(User).where(_people(user), ~logged)
                                .order_by(User.name_key, User.id)).scalars().all()
    return [(person, 0) for person in people]


def overdue(user, day: date) -> list[tuple[User, int]]:
    """(person, follow-ups overdue) for those with any, most first."""
    rows = db.session.execute(
        select(User, func.count(FollowUp.id)).join(FollowUp, FollowUp.user_id == User.id)
        .where(_people(user), FollowUp.due_on < day, FollowUp.done_on.is_(None))
        .group_by(User.id).order_by(func.count(FollowUp.id).desc(), User.name_key)).all()
    return [(person, count) for person, count in rows]


def forgotten(user, day: date) -> list[tuple[User, int]]:
    """(person, customers not visited for 30 days) from this month's health rows."""
    rows = db.session.execute(
        select(User, HealthMonth.customers_forgotten)
        .join(HealthMonth, HealthMonth.user_id == User.id)
        .where(_people(user), HealthMonth.month == first_of(day),
               HealthMonth.level == "person", HealthMonth.customers_forgotten > 0,
               visible(user, HealthMonth))
        .order_by(HealthMonth.customers_forgotten.desc(), User.name_key)).all()
    return [(person, count) for person, count in rows]


FINDERS = {"logging": silent, "follow_ups": overdue, "forgotten": forgotten}


def waits(user_ids, at: datetime) -> dict[tuple[int, str], datetime]:
    """{(person, kind): when it may be reminded again} for those reminded within the hour."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(HealthNudge.user_id, HealthNudge.kind, func.max(HealthNudge.sent_at))
        .where(HealthNudge.user_id.in_(list(user_ids)))
        .group_by(HealthNudge.user_id, HealthNudge.kind)).all()
    found = {(uid, kind): next_nudge(sent, at) for uid, kind, sent in rows}
    return {key: when for key, when in found.items() if when is not None}


def todos(user, day: date, at: datetime) -> dict:
    """Per kind: how many people, the first few (person, count), and the reminder waits."""
    found = {kind: finder(user, day) for kind, finder in FINDERS.items()}
    shown = {kind: rows[:SHOWN] for kind, rows in found.items()}
    ids = {person.id for rows in shown.values() for person, _count in rows}
    return {"lists": {kind: {"total": len(found[kind]), "rows": shown[kind]}
                      for kind in NUDGE_KINDS},
            "waits": waits(ids, at)}


MESSAGES = {
    "logging": (lambda n: _("No visit logged in the last %(days)d days", days=SILENT_DAYS),
                lambda n: _("Log today's visits as you make them: they are how your work "
                            "shows."), "habits.today"),
    "follow_ups": (lambda n: _("%(num)d follow-ups overdue", num=n),
                   lambda n: _("Some customers are waiting for the follow-up you promised."),
                   "habits.today"),
    "forgotten": (lambda n: _("%(num)d customers not visited for 30 days", num=n),
                  lambda n: _("Pick them up again before someone else does."),
                  "habits.customers"),
}


def nudge(user, kind: str, person_id, day: date, at: datetime) -> int | None:
    """Remind one of `user`'s people about `kind`: the count reminded of, or None when
    it was reminded within the hour. A person not led by `user`, or with nothing to be
    reminded of, is refused (404 / 409)."""
    if kind not in FINDERS:
        raise DomainError("kind", _("Unknown reminder."), 400)
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise DomainError("user_id", _("Unknown person."), 404) from None
    rows = dict((person.id, (person, count)) for person, count in FINDERS[kind](user, day))
    if person_id not in rows:
        led = db.session.execute(select(User.id).where(_people(user), User.id == person_id)
                                 ).scalar_one_or_none()
        if led is None:
            raise DomainError("user_id", _("Unknown person."), 404)
        raise DomainError("kind", _("There is nothing to remind this person of any more."),
                          409)
    if waits([person_id], at).get((person_id, kind)):
        return None
    person, count = rows[person_id]
    title, body, endpoint = MESSAGES[kind]
    notify([person.id], "health", _("%(name)s reminds you: %(what)s", name=user.display_name,
                                    what=title(count)),
           body=body(count), link=path_for(endpoint), mandatory=True, group=False)
    db.session.add(HealthNudge(kind=kind, user_id=person.id, partner_id=person.partner_id,
                               team_id=person.team_id, sent_by=user.id, sent_at=at,
                               count=count))
    db.session.flush()
    return max(count, 1)
