"""The training part of a partner person's home page: its courses in progress; for an
owner or a team lead, course completion by person, the people furthest behind first."""
from datetime import datetime

from sqlalchemy import func, select

from portal.auth.models import User
from portal.core.access import figures_of, may
from portal.core.domains import Panel
from portal.extensions import db
from portal.training import services
from portal.training.models import Course, Enrollment

SHOWN = 8


def panels(user, at: datetime) -> list[Panel]:
    mine = [row for row in services.my_courses(user) if row[1].completed_at is None]
    found = [Panel(25, "training/home_mine.html", {"courses": mine[:SHOWN]})]
    if may(user, "org.team_state"):
        found.append(Panel(50, "training/home_team.html", {"people": completion(user)}))
    return found


def completion(user) -> list[dict]:
    """Per person of `user`'s people with published courses: enrolled and completed,
    the lowest share completed first."""
    scope = figures_of(user).condition(User.partner_id, User.team_id)
    enrolled, done = func.count(Enrollment.id), func.count(Enrollment.completed_at)
    rows = db.session.execute(
        select(User.id, User.display_name, enrolled, done)
        .join(Enrollment, Enrollment.user_id == User.id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(scope, Course.published.is_(True), User.active.is_(True), User.id != user.id)
        .group_by(User.id, User.display_name, User.name_key)
        .order_by((done * 1.0 / enrolled), User.name_key).limit(SHOWN)).all()
    return [{"id": uid, "name": name, "enrolled": n, "done": d} for uid, name, n, d in rows]
