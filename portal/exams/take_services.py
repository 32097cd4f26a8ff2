"""What the taker's pages and the exam API read: the sittings on "My exams" split into
open, upcoming and past (and those the API lists), attempts to write down at their
deadline, certificates and the answer kinds of an attempt. Nothing here commits."""
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.core.access import visible
from portal.core.text import human_seconds
from portal.exams import services, taking
from portal.exams.models import (Assignment, Attempt, AttemptItem, Certificate, Exam,
                                 Override, QuestionVersion, Sitting)
from portal.exams.review import counting_attempt
from portal.extensions import db
from portal.org.models import Partner

MAX_LISTED = 200  # sittings on "My exams"; weekly exams add one a week per person


def my_sittings(user, at: datetime) -> tuple[list, list, list]:
    """The sittings assigned to `user`, split into open, upcoming and past, newest first
    (the next upcoming one first)."""
    sittings = db.session.execute(
        select(Sitting).join(Assignment, Assignment.sitting_id == Sitting.id)
        .where(Assignment.user_id == user.id).options(joinedload(Sitting.exam))
        .order_by(Sitting.opens_at.desc()).limit(MAX_LISTED)).scalars().all()
    ids = [s.id for s in sittings]
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.session.execute(select(Attempt).where(
            Attempt.user_id == user.id, Attempt.sitting_id.in_(ids))
            .order_by(Attempt.number)).scalars():
        attempts.setdefault(attempt.sitting_id, []).append(attempt)
    # A later close by override keeps a sitting open for this person past its window.
    extended = set(db.session.execute(select(Override.sitting_id).where(
        Override.sitting_id.in_(ids), Override.closes_at.is_not(None),
        or_(Override.user_id == user.id, (Override.user_id.is_(None))
            & (Override.partner_id == user.partner_id)))).scalars())
    open_rows, upcoming, past = [], [], []
    for sitting in sittings:
        mine = attempts.get(sitting.id, [])
        counting = counting_attempt(mine, sitting.exam.grading)
        if sitting.closes_at <= at and sitting.id not in extended:
            past.append({"sitting": sitting, "status": "cancelled" if
                         sitting.exam.status == "cancelled" else "closed", "attempts": mine,
                         "counting": counting})
            continue
        state = taking.state(user, sitting, at)
        row = {"sitting": sitting, "status": state["status"], "attempts": mine,
               "running": state["running"], "counting": counting}
        if state["status"] == "upcoming":
            upcoming.append(row)
        elif state["status"] in ("start", "resume"):
            ends = state["running"].deadline if state["running"] else \
                services.closes_for(sitting, user)
            row["ends"] = ends
            row["left"] = human_seconds((ends - at).total_seconds())
            open_rows.append(row)
        else:
            past.append(row)
    upcoming.reverse()  # the next one first
    return open_rows, upcoming, past


def expired_attempts(user, at: datetime) -> list[Attempt]:
    """`user`'s own attempts still open past their deadline."""
    return list(db.session.execute(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.submitted_at.is_(None),
        Attempt.deadline <= at)).scalars())


def certificates_of(user) -> list[Certificate]:
    """The certificates `user` holds, newest first."""
    return list(db.session.execute(
        select(Certificate).where(Certificate.user_id == user.id)
        .options(joinedload(Certificate.exam)).order_by(Certificate.issued_at.desc())
    ).scalars())


def certificates_query(user, serial: str = ""):
    """SQL: the certificates `user` may see, newest first; `serial` picks one (an auditor
    checks a printed certificate by its serial)."""
    query = (select(Certificate).join(User, User.id == Certificate.user_id)
             .where(visible(user, Certificate))
             .options(joinedload(Certificate.user), joinedload(Certificate.exam))
             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if serial:
        query = query.where(func.upper(Certificate.serial) == serial.upper())
    return query


def certificate_partner(certificate: Certificate) -> Partner | None:
    """The partner the holder sat the exam for."""
    return db.session.execute(select(Partner).join(
        Attempt, Attempt.partner_id == Partner.id).where(
        Attempt.id == certificate.attempt_id)).scalar_one_or_none()


def certificate_of(attempt: Attempt) -> Certificate | None:
    """The certificate `attempt` earned, if any."""
    return db.session.execute(select(Certificate).where(
        Certificate.attempt_id == attempt.id)).scalar_one_or_none()


def answer_kinds(attempt: Attempt) -> dict[int, str]:
    """{item id: question kind} of `attempt`."""
    return dict(db.session.execute(
        select(AttemptItem.id, QuestionVersion.kind)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(AttemptItem.attempt_id == attempt.id)).all())


def candidate_sittings(user, at: datetime):
    """SQL: `user`'s sittings that may still be open for it (its own or its
    partner's override can close later; an attempt never outlasts that close), for
    `taking.state` to decide exactly."""
    later = exists().where(
        Override.sitting_id == Sitting.id, Override.closes_at > at,
        or_(Override.user_id == user.id,
            Override.user_id.is_(None) & (Override.partner_id == user.partner_id)))
    return (select(Sitting).join(Assignment, Assignment.sitting_id == Sitting.id)
            .join(Exam, Exam.id == Sitting.exam_id)
            .where(Assignment.user_id == user.id, Exam.status != "draft",
                   or_(Sitting.closes_at > at, later))
            .order_by(Sitting.opens_at, Sitting.id))


def hold_assignment(user, sitting: Sitting) -> None:
    """Lock `user`'s assignment row of `sitting` (PostgreSQL) until the commit."""
    db.session.execute(select(Assignment.id).where(
        Assignment.sitting_id == sitting.id, Assignment.user_id == user.id)
        .with_for_update())
