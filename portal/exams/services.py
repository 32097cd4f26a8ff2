"""Scheduling exams: planning their sittings (one window, or a weekly rhythm), assigning
each sitting's audience in one INSERT ... SELECT, and per-person or per-partner overrides
that also move running attempts. What is asked for is checked in `checks` (its names stay
importable from here). Nothing here commits; the route or job does."""
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, literal, select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.org.audience import addressed_by, audience_query, reaches_anyone
from portal.core.clock import BUSINESS_TZ, now
from portal.exams.checks import (MAX_ATTEMPTS, MAX_MINUTES, MAX_PER_RULE,  # noqa: F401
                                 MAX_RULES, _int, _when, available, check_draw, check_exam,
                                 check_recurrence)
from portal.core.errors import DomainError
from portal.exams.models import Assignment, Attempt, Exam, Override, Sitting
from portal.extensions import db

PLAN_AHEAD = timedelta(days=7)   # recurring sittings are created this far ahead


# --- creating, editing, scheduling --------------------------------------------------------
def _checked(by, values: dict, previous: dict | None = None) -> dict:
    """`check_exam`, with the audience bounded by who saves it and reaching someone, and
    a window that has not closed already."""
    checked = check_exam(values)
    checked["audience"] = addressed_by(by, checked["audience"], previous)
    if not reaches_anyone(checked["audience"]):
        raise DomainError("audience", _l("This audience reaches none of your partners.")
                          if checked["audience"].get("within") is not None else
                          _l("This audience reaches nobody."))
    if checked["closes_at"] is not None and checked["closes_at"] <= now():
        raise DomainError("closes_at", _l("This window has already closed."))
    return checked


def create_exam(author, **values) -> Exam:
    """A new draft exam; `schedule` makes it live."""
    exam = Exam(status="draft", created_by=author.id if author else None,
                **_checked(author, values))
    db.session.add(exam)
    db.session.flush()
    return exam


def has_started(exam: Exam, at: datetime | None = None) -> bool:
    """Has any sitting of `exam` opened (or any attempt begun)? Its rules are then fixed."""
    at = at or now()
    return db.session.execute(select(exists().where(
        Sitting.exam_id == exam.id, Sitting.opens_at <= at))).scalar() or \
        db.session.execute(select(exists().where(
            Attempt.sitting_id == Sitting.id, Sitting.exam_id == exam.id))).scalar()


def update_exam(exam: Exam, editor=None, **values) -> Exam:
    """Change an exam that has not opened yet; its future sittings are planned again.
    `editor` (default its author) bounds the audience."""
    if exam.status == "cancelled":
        raise DomainError("exam", _l("A cancelled exam cannot be changed."), 409)
    if has_started(exam):
        raise DomainError("exam", _l("This exam has opened; its rules are fixed. Use overrides "
                                   "to give people more time."), 409)
    editor = editor or (db.session.get(User, exam.created_by) if exam.created_by else None)
    for name, value in _checked(editor, values, exam.audience).items():
        setattr(exam, name, value)
    if exam.status == "scheduled":
        _drop_future_sittings(exam, now())
        plan_sittings(exam)
    return exam


def schedule(exam: Exam) -> int:
    """Make a draft exam live; returns the number of sittings planned."""
    if exam.status != "draft":
        raise DomainError("exam", _l("Only a draft can be scheduled."), 409)
    exam.status = "scheduled"
    db.session.flush()
    return len(plan_sittings(exam))


def cancel(exam: Exam) -> None:
    """No more sittings, no new attempts; sittings that have not opened are removed, the
    results of those that have are kept."""
    exam.status = "cancelled"
    _drop_future_sittings(exam, now())


def _drop_future_sittings(exam: Exam, at: datetime) -> None:
    future = select(Sitting.id).where(Sitting.exam_id == exam.id, Sitting.opens_at > at,
                                      ~exists().where(Attempt.sitting_id == Sitting.id))
    ids = list(db.session.execute(future).scalars())
    if ids:
        db.session.execute(delete(Assignment).where(Assignment.sitting_id.in_(ids)))
        db.session.execute(delete(Override).where(Override.sitting_id.in_(ids)))
        db.session.execute(delete(Sitting).where(Sitting.id.in_(ids)))
        db.session.expire(exam, ["sittings"])


def windows(exam: Exam, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The (opens, closes) windows of `exam` that are still open at `start` and open
    before `end`."""
    if exam.recurrence is None:
        if exam.closes_at > start and exam.opens_at < end:
            return [(exam.opens_at, exam.closes_at)]
        return []
    rule = exam.recurrence
    first = max(exam.opens_at, start).astimezone(BUSINESS_TZ).date() - timedelta(days=1)
    last = end.astimezone(BUSINESS_TZ).date()
    if rule.get("until"):
        last = min(last, date.fromisoformat(rule["until"]))
    opens_t, closes_t = time.fromisoformat(rule["open"]), time.fromisoformat(rule["close"])
    found, day = [], first
    while day <= last:
        if day.weekday() in rule["weekdays"]:
            opens = datetime.combine(day, opens_t, BUSINESS_TZ)
            closes = datetime.combine(day, closes_t, BUSINESS_TZ)
            if closes > start and opens < end and opens >= exam.opens_at:
                found.append((opens.astimezone(exam.opens_at.tzinfo),
                              closes.astimezone(exam.opens_at.tzinfo)))
        day += timedelta(days=1)
    return found


def plan_sittings(exam: Exam, at: datetime | None = None) -> list[Sitting]:
    """Create the sittings of a scheduled exam that are due within `PLAN_AHEAD` (the one
    window of a single exam, whenever it is) and assign their audience. Idempotent."""
    at = at or now()
    if exam.status != "scheduled":
        return []
    end = exam.closes_at if exam.recurrence is None else at + PLAN_AHEAD
    have = set(db.session.execute(select(Sitting.opens_at).where(
        Sitting.exam_id == exam.id)).scalars())
    made = []
    for opens, closes in windows(exam, at, max(end, at)):
        if opens in have:
            continue
        made.append(add_sitting(exam, opens, closes))
    return made


def add_sitting(exam: Exam, opens_at: datetime, closes_at: datetime) -> Sitting:
    """One sitting with its audience assigned (also used by the demo for past windows)."""
    sitting = Sitting(exam_id=exam.id, opens_at=opens_at, closes_at=closes_at)
    db.session.add(sitting)
    db.session.flush()
    assign(sitting)
    return sitting


def assign(sitting: Sitting) -> int:
    """Assign the exam's current audience to `sitting`, skipping people already assigned
    (so it also tops up an open sitting with people added since); returns how many."""
    people = audience_query(sitting.exam.audience).subquery()
    made = db.session.execute(insert(Assignment).from_select(
        ["sitting_id", "user_id", "partner_id", "team_id"],
        select(literal(sitting.id), people.c.id, people.c.partner_id, people.c.team_id)
        .where(~exists().where(Assignment.sitting_id == sitting.id,
                               Assignment.user_id == people.c.id))),
        execution_options={"preserve_rowcount": True}).rowcount
    sitting.assigned_count = db.session.execute(select(func.count(Assignment.id)).where(
        Assignment.sitting_id == sitting.id)).scalar()
    return made


def is_assigned(user, sitting: Sitting) -> bool:
    """Is `user` among the people assigned to `sitting`?"""
    return db.session.execute(select(exists().where(
        Assignment.sitting_id == sitting.id, Assignment.user_id == user.id))).scalar()


# --- overrides and deadlines --------------------------------------------------------------
def override_for(sitting: Sitting, user) -> Override | None:
    """The override that applies to `user` in `sitting`: its own, else its partner's (the
    newest of each)."""
    rows = db.session.execute(select(Override).where(
        Override.sitting_id == sitting.id,
        (Override.user_id == user.id) | ((Override.user_id.is_(None)) &
                                         (Override.partner_id == user.partner_id)))
        .order_by(Override.user_id.is_(None), Override.id.desc())).scalars().first()
    return rows


def closes_for(sitting: Sitting, user) -> datetime:
    """When the window closes for `user` (a later close by override)."""
    return _close(sitting, override_for(sitting, user))


def _close(sitting: Sitting, override: Override | None) -> datetime:
    if override is not None and override.closes_at is not None:
        return max(override.closes_at, sitting.closes_at)
    return sitting.closes_at


def deadline_for(sitting: Sitting, user, started_at: datetime) -> datetime:
    """The server-kept deadline of an attempt begun at `started_at`: the smaller of the
    time limit (plus any extra minutes) and the window's close."""
    override = override_for(sitting, user)
    close = _close(sitting, override)
    limit = sitting.exam.time_limit_minutes
    if limit is None:
        return close
    extra = override.extra_minutes if override is not None else 0
    return min(started_at + timedelta(minutes=limit + extra), close)


def add_override(sitting: Sitting, author, *, user=None, partner=None, closes_at=None,
                 extra_minutes=0, reason="") -> Override:
    """Give one person (or every person of one partner) a later close and/or extra
    minutes; attempts already running get the new deadline at once."""
    if (user is None) == (partner is None):
        raise DomainError("who", _l("Choose one person or one partner."))
    if user is not None and not is_assigned(user, sitting):
        raise DomainError("who", _l("This person is not assigned to this sitting."))
    if partner is not None and not db.session.execute(select(exists().where(
            Assignment.sitting_id == sitting.id, Assignment.partner_id == partner.id))).scalar():
        raise DomainError("who", _l("Nobody of this partner is assigned to this sitting."))
    if closes_at is not None:
        closes_at = _when(closes_at, "closes_at")
        if closes_at <= sitting.closes_at:
            raise DomainError("closes_at", _l("The new close must be later than the sitting's."))
    extra = _int(extra_minutes or 0, "extra_minutes", 0, MAX_MINUTES,
                 _l("Extra time is 0 to %(most)s minutes.", most=MAX_MINUTES))
    if closes_at is None and extra == 0:
        raise DomainError("extra_minutes", _l("Give a later close, extra minutes or both."))
    reason = str(reason or "").strip()
    if len(reason) > 200:
        raise DomainError("reason", _l("At most 200 characters."))
    override = Override(sitting_id=sitting.id, user_id=user.id if user else None,
                        partner_id=partner.id if partner else None, closes_at=closes_at,
                        extra_minutes=extra, reason=reason,
                        created_by=author.id if author else None)
    db.session.add(override)
    db.session.flush()
    refresh_deadlines(sitting)
    return override


def remove_override(override: Override) -> None:
    """Take an override back; running attempts return to the deadline they would have."""
    sitting = override.sitting
    db.session.delete(override)
    db.session.flush()
    refresh_deadlines(sitting)


def refresh_deadlines(sitting: Sitting, at: datetime | None = None) -> int:
    """Recompute the deadline of every attempt of `sitting` still running at `at`; an
    attempt already past its deadline stays submitted as it was."""
    at = at or now()
    running = db.session.execute(select(Attempt).where(
        Attempt.sitting_id == sitting.id, Attempt.submitted_at.is_(None),
        Attempt.deadline > at).options(selectinload(Attempt.user))).scalars().all()
    for attempt in running:
        # Taking back a later close after the sitting's own close ends the attempt now,
        # not at a past moment that would discard what was saved since.
        attempt.deadline = max(deadline_for(sitting, attempt.user, attempt.started_at), at)
    return len(running)


def people_without_attempt(sitting: Sitting, at: datetime | None = None):
    """SQL: ids of the people assigned to `sitting` with no finished attempt in it."""
    return select(Assignment.user_id).where(Assignment.sitting_id == sitting.id,
                                            ~taken(at or now()))


def taken(at: datetime):
    """SQL over assignments: the person has a finished attempt in the assigned sitting."""
    return exists().where(Attempt.sitting_id == Assignment.sitting_id,
                          Attempt.user_id == Assignment.user_id, finished(at))


def finished(at: datetime):
    """SQL: the attempt counts as submitted at `at` (by the taker or by its deadline)."""
    return Attempt.submitted_at.is_not(None) | (Attempt.deadline <= at)


def plan_all(at: datetime | None = None) -> int:
    """Plan every scheduled exam ahead and top up the assignments of open sittings (people
    added since it opened). Returns the sittings created."""
    at = at or now()
    made = 0
    for exam in db.session.execute(select(Exam).where(Exam.status == "scheduled")
                                   .order_by(Exam.id)).scalars():
        made += len(plan_sittings(exam, at))
    open_now = db.session.execute(select(Sitting).join(Exam).where(
        Exam.status == "scheduled", Sitting.opens_at <= at, Sitting.closes_at > at)
        .order_by(Sitting.id)).scalars().all()
    for sitting in open_now:
        assign(sitting)
    return made
