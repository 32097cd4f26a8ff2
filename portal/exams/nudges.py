"""A leader's one-tap reminder about an open sitting: an owner reminds its partner's
people, a team lead (mid-level manager) its team's, who are assigned to the sitting and
have not finished an attempt in it; nobody else, and never the sender itself. At most one
an hour per sitting and per sender's people (`portal.notify.nudges`): an owner's partner
and each team have their own hour. Each reminder is a row of `exam_nudges` (audited: who
sent it, when, to whose people, to how many). Nothing here commits."""
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from portal.auth.models import User
from portal.core.access import Figures, figures_of
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.urls import path_for
from portal.exams.models import Assignment, ExamNudge, Sitting
from portal.exams.notices import local_time
from portal.exams.services import taken
from portal.extensions import db
from portal.notify.nudges import next_nudge
from portal.notify.services import notify


def _whose(figures: Figures) -> tuple[int, int | None] | None:
    """(partner, team or None) whose people a sender reminds; None when it has none."""
    if figures.partner_ids is None or len(figures.partner_ids) != 1:
        return None
    return figures.partner_ids[0], figures.team_id


def reaches(user, at: datetime):
    """SQL over assignments: a person `user` would remind at `at` (its own people, active,
    not `user`, without a finished attempt in the sitting)."""
    if _whose(figures_of(user)) is None:
        return Assignment.id.is_(None)  # nobody: an assignment always has an id
    return and_(figures_of(user).condition(Assignment.partner_id, Assignment.team_id),
                Assignment.user_id != user.id, ~taken(at),
                Assignment.user_id.in_(select(User.id).where(User.active.is_(True))))


def next_nudges(user, sitting_ids) -> dict[int, datetime]:
    """{sitting id: when `user` may remind its people again} for those of `sitting_ids`
    whose people (the same partner and team) were reminded within the hour."""
    whose = _whose(figures_of(user))
    if whose is None or not sitting_ids:
        return {}
    partner_id, team_id = whose
    same = ExamNudge.team_id.is_(None) if team_id is None else ExamNudge.team_id == team_id
    last = db.session.execute(
        select(ExamNudge.sitting_id, func.max(ExamNudge.sent_at))
        .where(ExamNudge.sitting_id.in_(list(sitting_ids)),
               ExamNudge.partner_id == partner_id, same)
        .group_by(ExamNudge.sitting_id)).all()
    waits = {sitting_id: next_nudge(sent) for sitting_id, sent in last}
    return {sitting_id: when for sitting_id, when in waits.items() if when is not None}


def reminded_count(user, sitting: Sitting, at: datetime | None = None) -> int:
    """How many people a nudge by `user` would remind now (what its button asks about)."""
    return db.session.execute(select(func.count(Assignment.id)).where(
        Assignment.sitting_id == sitting.id, reaches(user, at or now()))).scalar()


def refusal(sitting: Sitting, at: datetime) -> str | None:
    """Why nobody can be reminded of `sitting` at `at`, or None while it is open."""
    if sitting.exam.status == "cancelled":
        return _l("This exam was cancelled: there is nothing to remind anyone of.")
    if at < sitting.opens_at:
        return _l("This exam opens at %(when)s: remind your people once it is open.",
                  when=local_time(sitting.opens_at))
    if at >= sitting.closes_at or sitting.exam.status != "scheduled":
        return _l("This exam closed at %(when)s: it can no longer be taken, so nobody "
                  "can be reminded.", when=local_time(sitting.closes_at))
    return None


def nudge(user, sitting: Sitting, at: datetime | None = None) -> int | None:
    """Remind `user`'s people who have not taken `sitting`: how many were reminded, or
    None when its people were reminded within the hour. A sitting that is not open is
    refused (409)."""
    at = at or now()
    refused = refusal(sitting, at)
    if refused:
        raise DomainError("sitting", refused, 409)
    whose = _whose(figures_of(user))
    if whose is None:
        return 0
    if next_nudges(user, [sitting.id]):
        return None
    people = select(Assignment.user_id).where(Assignment.sitting_id == sitting.id,
                                              reaches(user, at))
    count = db.session.execute(select(func.count()).select_from(people.subquery())).scalar()
    if not count:
        return 0
    # Mandatory, like an owner's broadcast nudge: a leader's own request reaches the inbox.
    notify(people, "exam", _("%(name)s asks you to take %(title)s", name=user.display_name,
                             title=sitting.exam.title),
           body=_("You have not taken it yet. It closes at %(when)s.",
                  when=local_time(sitting.closes_at)),
           link=path_for("exams.sitting", sitting_id=sitting.id), mandatory=True,
           group=False)
    db.session.add(ExamNudge(sitting_id=sitting.id, partner_id=whose[0], team_id=whose[1],
                             sent_by=user.id, sent_at=at, people=count))
    db.session.flush()
    return count
