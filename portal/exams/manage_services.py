"""What the principal's exam pages read: the list of exams with where each stands by the
clock, the bank's tags for the draw rules, an exam's sittings with their figures and its
audience in words, and who an override may name. Everything is narrowed to what the
reader may see; nothing commits."""
from datetime import datetime

from sqlalchemy import case, func, select

from portal.auth.models import User
from portal.core.access import Figures, visible
from portal.core.clock import now
from portal.exams.models import (EXAM_STATUSES, TRACKS, Assignment, Attempt, Exam, Override,
                                 Question, QuestionTag, Sitting)
from portal.exams.services import finished
from portal.extensions import db
from portal.org.labels import STRUCTURE_LABELS, label, role_label
from portal.org.models import Partner, Region

PICK_LIMIT = 200  # more people assigned than this: type a username instead of picking


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def exams_query(user, text: str = "", status: str | None = None, track: str | None = None,
                state: str | None = None):
    """SQL: the exams `user` may see, newest first, whose title holds `text`, with
    `status`, on `track` and in `state` (see `state_of`) when given (unknown values are
    ignored)."""
    query = select(Exam).where(visible(user, Exam))
    if text:
        query = query.where(Exam.title.ilike(_like(text), escape="\\"))
    if status in EXAM_STATUSES:
        query = query.where(Exam.status == status)
    if track in TRACKS:
        query = query.where(Exam.track == track)
    if state in STATES:
        query = query.where(state_of(now()) == state)
    return query.order_by(Exam.created_at.desc(), Exam.id.desc())


# --- where an exam stands by the clock --------------------------------------------------------
STATES = ("open", "upcoming", "closed")


def _sittings(*where):
    return select(Sitting.id).where(Sitting.exam_id == Exam.id, *where).exists()


def state_of(at: datetime):
    """SQL over exams: where each stands at `at` by its sittings: "open" (a sitting of a
    scheduled exam is open), "upcoming" (scheduled, the next sitting has not opened),
    "closed" (a sitting opened and none is open or to come, or the exam was cancelled
    after one opened), else "none" (a draft; nothing planned)."""
    live = Exam.status == "scheduled"
    return case(
        (live & _sittings(Sitting.opens_at <= at, Sitting.closes_at > at), "open"),
        (live & _sittings(Sitting.opens_at > at), "upcoming"),
        (_sittings(Sitting.opens_at <= at), "closed"), else_="none")


def exam_states(exam_ids: list[int], at: datetime) -> dict[int, dict]:
    """{exam id: {state, opens (the next opening), closes (the open sitting's close),
    closed (the last close so far)}} for `exam_ids`, in one query."""
    if not exam_ids:
        return {}

    def first(column, *where, last=False):
        return select((func.max if last else func.min)(column)).where(
            Sitting.exam_id == Exam.id, *where).scalar_subquery()
    rows = db.session.execute(select(
        Exam.id, state_of(at), first(Sitting.opens_at, Sitting.opens_at > at),
        first(Sitting.closes_at, Sitting.opens_at <= at, Sitting.closes_at > at),
        first(Sitting.closes_at, Sitting.closes_at <= at, last=True))
        .where(Exam.id.in_(exam_ids))).all()
    return {exam_id: {"state": state, "opens": opens, "closes": closes, "closed": closed}
            for exam_id, state, opens, closes, closed in rows}


def sitting_counts(exam_ids: list[int]) -> dict[int, int]:
    """{exam id: how many sittings it has} for `exam_ids`."""
    if not exam_ids:
        return {}
    return dict(db.session.execute(
        select(Sitting.exam_id, func.count(Sitting.id)).where(
            Sitting.exam_id.in_(exam_ids)).group_by(Sitting.exam_id)).all())


def bank_tags() -> dict[str, dict]:
    """Per track, how many live questions it has and how many carry each tag (one
    GROUP BY), so the form can show what a draw rule may ask for."""
    live = (Question.retired_at.is_(None), Question.current_version_id.is_not(None))
    totals = dict(db.session.execute(select(Question.track, func.count(Question.id))
                                     .where(*live).group_by(Question.track)).all())
    tags = db.session.execute(
        select(Question.track, QuestionTag.tag, func.count(Question.id))
        .join(QuestionTag, QuestionTag.question_version_id == Question.current_version_id)
        .where(*live).group_by(Question.track, QuestionTag.tag)
        .order_by(Question.track, QuestionTag.tag)).all()
    bank = {track: {"total": totals.get(track, 0), "tags": []} for track in TRACKS}
    for track, tag, count in tags:
        if track in bank:
            bank[track]["tags"].append((tag, count))
    return bank


def sittings_query(exam: Exam):
    """SQL: the sittings of `exam`, the latest first."""
    return select(Sitting).where(Sitting.exam_id == exam.id).order_by(Sitting.opens_at.desc())


def sitting_figures(sitting_ids: list[int], figures: Figures) -> dict[int, dict]:
    """Per sitting: people assigned, attempts started and attempts submitted (a running
    attempt past its deadline counts as submitted), within `figures`."""
    counts = {sid: {"assigned": 0, "started": 0, "submitted": 0} for sid in sitting_ids}
    if not sitting_ids:
        return counts
    assigned = select(Assignment.sitting_id, func.count(Assignment.id)).where(
        Assignment.sitting_id.in_(sitting_ids), figures.condition(Assignment.partner_id))
    attempts = select(Attempt.sitting_id, func.count(Attempt.id),
                      func.count(case((finished(now()), Attempt.id)))).where(
        Attempt.sitting_id.in_(sitting_ids), figures.condition(Attempt.partner_id))
    for sid, count in db.session.execute(assigned.group_by(Assignment.sitting_id)):
        counts[sid]["assigned"] = count
    for sid, started, submitted in db.session.execute(attempts.group_by(Attempt.sitting_id)):
        counts[sid].update(started=started, submitted=submitted)
    return counts


def audience_words(user, spec: dict) -> dict:
    """The audience spec with names: regions by name, partners by name when `user` may
    see them (the others only counted)."""
    codes = list(spec.get("provinces") or []) + list(spec.get("cities") or [])
    regions = dict(db.session.execute(select(Region.code, Region.name).where(
        Region.code.in_(codes))).all()) if codes else {}
    ids = list(spec.get("partner_ids") or [])
    named = db.session.execute(select(Partner.name).where(
        Partner.id.in_(ids), visible(user, Partner)).order_by(Partner.name_key)
    ).scalars().all() if ids else []
    return {"regions": [regions.get(code, code) for code in codes], "partners": named,
            "other_partners": len(ids) - len(named), "tiers": spec.get("tiers") or [],
            "structures": [label(STRUCTURE_LABELS, s) for s in spec.get("structures") or []],
            "roles": [role_label(r) for r in spec.get("roles") or []]}


# --- overrides ------------------------------------------------------------------------------
def override_people(user, sitting: Sitting) -> list[tuple] | None:
    """(id, display name, username) of the people assigned to `sitting` whom `user` may
    see, by username; None when there are more than `PICK_LIMIT` to pick from."""
    people = db.session.execute(
        select(User.id, User.display_name, User.username)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.sitting_id == sitting.id, visible(user, User))
        .order_by(User.username).limit(PICK_LIMIT + 1)).all()
    return None if len(people) > PICK_LIMIT else [tuple(row) for row in people]


def override_partners(user, sitting: Sitting) -> list[tuple]:
    """(id, name) of the partners with people assigned to `sitting` whom `user` may see."""
    return [tuple(row) for row in db.session.execute(select(Partner.id, Partner.name).where(
        Partner.id.in_(select(Assignment.partner_id).where(
            Assignment.sitting_id == sitting.id)), visible(user, Partner))
        .order_by(Partner.name_key))]


def assigned_person(user, sitting: Sitting, username: str) -> User | None:
    """The person called `username` assigned to `sitting`, if `user` may see them."""
    return db.session.execute(select(User).join(
        Assignment, Assignment.user_id == User.id).where(
        User.username == username, Assignment.sitting_id == sitting.id,
        visible(user, User))).scalar_one_or_none()


def override_rows(user, sitting: Sitting) -> list[dict]:
    """The overrides of `sitting`, newest first; a person or partner `user` may not see
    is shown without a name."""
    overrides = db.session.execute(select(Override).where(Override.sitting_id == sitting.id)
                                   .order_by(Override.created_at.desc(), Override.id.desc())
                                   ).scalars().all()
    people = {o.user_id for o in overrides if o.user_id} | \
        {o.created_by for o in overrides if o.created_by}
    seen_people = set(db.session.execute(select(User.id).where(
        User.id.in_(people), visible(user, User))).scalars()) if people else set()
    partners = {o.partner_id for o in overrides if o.partner_id}
    seen_partners = set(db.session.execute(select(Partner.id).where(
        Partner.id.in_(partners), visible(user, Partner))).scalars()) \
        if partners else set()
    authors = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_(people))).all()) if people else {}
    return [{"override": o,
             "person": o.user if o.user_id in seen_people else None,
             "partner": o.partner if o.partner_id in seen_partners else None,
             "hidden": (o.user_id or o.partner_id) not in seen_people | seen_partners,
             "by": authors.get(o.created_by, "—")} for o in overrides]
