"""The exams part of a partner person's home page: its exams open now (time left and
attempts used), what comes next and its recent results; for an owner or a team lead,
the open sittings of its people with who has not taken them yet, and a button that
reminds them (`nudge_routes`)."""
from datetime import datetime

from sqlalchemy import and_, func, select

from portal.auth.models import User
from portal.core.access import figures_of, may
from portal.core.domains import Panel
from portal.exams import nudges, take_services
from portal.exams.models import Assignment, Exam, Sitting
from portal.exams.services import taken
from portal.extensions import db

SHOWN = 5
NAMES = 5


def panels(user, at: datetime) -> list[Panel]:
    open_rows, upcoming, past = take_services.my_sittings(user, at)
    found = [Panel(20, "exams/home_mine.html", {"open_rows": open_rows[:SHOWN],
                                                "upcoming": upcoming[:2], "at": at}),
             Panel(60, "exams/home_results.html",
                   {"results": [r for r in past if r["counting"]][:3]})]
    if may(user, "org.team_state"):
        found.append(Panel(40, "exams/home_team.html", {"sittings": team_open(user, at)}))
    return found


def team_open(user, at: datetime) -> list[dict]:
    """The sittings open now with someone of `user`'s people assigned: how many are
    assigned, how many finished, the first names of those who have not, how many a
    reminder would reach (not `user` itself) and until when the last one holds it."""
    scope = figures_of(user).condition(Assignment.partner_id, Assignment.team_id)
    done = taken(at)
    rows = db.session.execute(
        select(Sitting, func.count(Assignment.id), func.count(Assignment.id).filter(done),
               func.count(Assignment.id).filter(nudges.reaches(user, at)))
        .join(Assignment, Assignment.sitting_id == Sitting.id)
        .join(Exam, Exam.id == Sitting.exam_id)
        .where(Exam.status == "scheduled", Sitting.opens_at <= at, Sitting.closes_at > at,
               scope)
        .group_by(Sitting.id).order_by(Sitting.closes_at).limit(SHOWN)).all()
    names: dict[int, list[str]] = {}
    for sitting, *_counts in rows:
        names[sitting.id] = list(db.session.execute(
            select(User.display_name).join(Assignment, and_(
                Assignment.user_id == User.id, Assignment.sitting_id == sitting.id))
            .where(scope, ~done).order_by(User.name_key).limit(NAMES)).scalars())
    waits = nudges.next_nudges(user, [sitting.id for sitting, *_counts in rows])
    return [{"sitting": s, "assigned": assigned, "done": finished_count,
             "missing": assigned - finished_count, "names": names[s.id],
             "remind": remind, "wait": waits.get(s.id)}
            for s, assigned, finished_count, remind in rows]
