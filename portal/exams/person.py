"""The exams part of a person's record: the sittings assigned to the person that the
viewer may see, newest first, with the attempt that counts (its score and whether it
passed) or why there is none, and the person's certificates."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.core.access import visible
from portal.core.domains import Panel
from portal.exams.models import Assignment, Attempt, Certificate, Sitting
from portal.exams.review import counting_attempt
from portal.extensions import db

SHOWN = 12


def panels(viewer, person, at: datetime) -> list[Panel]:
    history = exam_history(viewer, person, at)
    certificates = db.session.execute(
        select(Certificate).where(Certificate.user_id == person.id,
                                  visible(viewer, Certificate))
        .options(joinedload(Certificate.exam)).order_by(Certificate.issued_at.desc())
    ).scalars().all()
    due = [row for row in history if row["state"] != "upcoming"]
    summary = {"assigned": len(due), "taken": sum(1 for r in due if r["counting"]),
               "passed": sum(1 for r in due if r["counting"] and r["counting"].passed)}
    return [Panel(20, "exams/person.html", {"rows": history[:SHOWN], "more": len(history) > SHOWN,
                                            "summary": summary, "certificates": certificates})]


def exam_history(viewer, person, at: datetime) -> list[dict]:
    """Per sitting assigned to `person` and visible to `viewer`, newest first: its state
    at `at` (upcoming, open, closed) and the attempt that counts, if any."""
    sittings = db.session.execute(
        select(Sitting).join(Assignment, Assignment.sitting_id == Sitting.id)
        .where(Assignment.user_id == person.id, visible(viewer, Sitting))
        .options(joinedload(Sitting.exam)).order_by(Sitting.opens_at.desc(), Sitting.id.desc())
    ).scalars().all()
    attempts: dict[int, list[Attempt]] = {}
    if sittings:
        for attempt in db.session.execute(select(Attempt).where(
                Attempt.user_id == person.id,
                Attempt.sitting_id.in_([s.id for s in sittings]))).scalars():
            attempts.setdefault(attempt.sitting_id, []).append(attempt)
    rows = []
    for sitting in sittings:
        mine = attempts.get(sitting.id, [])
        state = ("upcoming" if at < sitting.opens_at else
                 "open" if at < sitting.closes_at and sitting.exam.status != "cancelled"
                 else "closed")
        rows.append({"sitting": sitting, "exam": sitting.exam, "state": state,
                     "attempts": len(mine),
                     "counting": counting_attempt(mine, sitting.exam.grading)})
    return rows
