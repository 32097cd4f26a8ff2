"""Taking an exam: starting or resuming an attempt with its personal draw (`draw`),
autosaving answers, submitting (by the taker or by the deadline), and what the browser
may see. Whether right answers are shown, and which attempt counts, is in `review`.

The browser works in *shown* option positions; the server keeps answers in the bank's
original positions (`AttemptItem.option_order[shown] = original`), so the correct
answer never depends on, or leaks through, the order a taker saw."""
import secrets
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, null, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.exams.bank.scoring import score
from portal.exams.draw import _rng, draw
from portal.exams.models import Attempt, AttemptItem, Certificate, QuestionVersion, Sitting
from portal.exams.services import closes_for, deadline_for, is_assigned
from portal.extensions import db

MAX_FILL = 200
CENT = Decimal("0.01")


# --- starting -----------------------------------------------------------------------------
def attempts_of(user, sitting: Sitting) -> list[Attempt]:
    return list(db.session.execute(select(Attempt).where(
        Attempt.sitting_id == sitting.id, Attempt.user_id == user.id)
        .order_by(Attempt.number)).scalars())


def state(user, sitting: Sitting, at: datetime | None = None) -> dict:
    """What `user` may do with `sitting` now: "upcoming", "resume", "start", "done"
    (attempts used), "closed" (window over) or "cancelled"; with the attempts so far."""
    at = at or now()
    attempts = attempts_of(user, sitting)
    running = [a for a in attempts if not a.is_done(at)]
    if running:
        status = "resume"
    elif sitting.exam.status == "cancelled":
        status = "cancelled"
    elif at < sitting.opens_at:
        status = "upcoming"
    elif at >= closes_for(sitting, user):
        status = "closed"
    elif len(attempts) >= sitting.exam.attempts_allowed:
        status = "done"
    else:
        status = "start"
    return {"status": status, "attempts": attempts,
            "running": running[-1] if running else None}


def start_or_resume(user, sitting: Sitting, at: datetime | None = None) -> Attempt:
    """The attempt `user` is taking in `sitting`: the running one, else a new one with
    its own draw. Raises DomainError (409) when the window or the attempts say no."""
    return begin(user, sitting, at)[0]


def begin(user, sitting: Sitting, at: datetime | None = None) -> tuple[Attempt, bool]:
    """`start_or_resume`, also telling whether this call created the attempt (False
    when it resumed one, including one a simultaneous request had just made)."""
    at = at or now()
    if not is_assigned(user, sitting):
        raise DomainError("sitting", _l("You are not assigned to this exam."), 403)
    current = state(user, sitting, at)
    finish_expired(current["attempts"], at)
    messages = {
        "cancelled": _l("This exam was cancelled."),
        "upcoming": _l("This exam opens at %(when)s.",
                       when=format_datetime(sitting.opens_at, "short")),
        "closed": _l("This exam has closed."),
        "done": _l("You have used all %(count)s attempts.",
                   count=sitting.exam.attempts_allowed),
    }
    if current["status"] == "resume":
        return current["running"], False
    if current["status"] in messages:
        raise DomainError("sitting", messages[current["status"]], 409)
    number = len(current["attempts"]) + 1
    attempt = Attempt(sitting_id=sitting.id, user_id=user.id, number=number,
                      partner_id=user.partner_id, team_id=user.team_id, started_at=at,
                      deadline=deadline_for(sitting, user, at))
    exam = sitting.exam
    versions = draw(exam, user.id)
    kinds = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.options)
                                    .where(QuestionVersion.id.in_(versions))).all())
    savepoint = db.session.begin_nested()
    try:
        db.session.add(attempt)
        db.session.flush()
        for position, version_id in enumerate(versions, start=1):
            count = len(kinds[version_id] or [])
            order = list(range(count)) if count else None
            if order and exam.shuffle_options:
                _rng.shuffle(order)
            db.session.add(AttemptItem(attempt_id=attempt.id, position=position,
                                       question_version_id=version_id,
                                       option_order=order if order else null()))
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        # Another request started this attempt a moment ago: that one is the attempt.
        savepoint.rollback()
        return db.session.execute(select(Attempt).where(
            Attempt.sitting_id == sitting.id, Attempt.user_id == user.id,
            Attempt.number == number)).scalar_one(), False
    return attempt, True


# --- saving -------------------------------------------------------------------------------
def _lock(attempt: Attempt) -> Attempt:
    """Re-read `attempt` holding its row (PostgreSQL; SQLite writers are serialised by
    BEGIN IMMEDIATE), so saving and submitting never interleave."""
    return db.session.execute(select(Attempt).where(Attempt.id == attempt.id)
                              .with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def _original(item: AttemptItem, kind: str, value):
    """A shown answer checked against the question's kind and turned into original
    option positions; raises ValueError with the message to show."""
    if value is None:
        return None
    order = item.option_order or list(range(len(item.version.options or [])))
    if kind == "single":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(order):
            raise ValueError(_l("Choose one of the options."))
        return order[value]
    if kind == "multiple":
        if not isinstance(value, list) or any(
                isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < len(order)
                for v in value) or len(set(value)) != len(value):
            raise ValueError(_l("Choose options from the list, each once."))
        return sorted(order[v] for v in value)
    if kind == "truefalse":
        if not isinstance(value, bool):
            raise ValueError(_l("Answer true or false."))
        return value
    if not isinstance(value, str) or len(value) > MAX_FILL:
        raise ValueError(_l("Type an answer of at most %(most)s characters.", most=MAX_FILL))
    if unsafe_character(value) is not None:
        raise ValueError(_l("Contains a character that is not allowed."))
    return value


def shown(item: AttemptItem, answer=None):
    """An original-position answer in the positions `item` showed its options in."""
    answer = item.answer if answer is None else answer
    if answer is None or item.option_order is None or item.version.kind not in (
            "single", "multiple"):
        return answer
    back = {original: position for position, original in enumerate(item.option_order)}
    if item.version.kind == "single":
        return back.get(answer)
    return sorted(back[a] for a in answer if a in back)


def _items(attempt: Attempt) -> dict[int, AttemptItem]:
    rows = db.session.execute(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
                              .options(selectinload(AttemptItem.version))).scalars()
    return {item.id: item for item in rows}


def save_answers(attempt: Attempt, answers, at: datetime | None = None) -> int:
    """Save `answers` ({item id: shown answer or None}) to a running attempt; every
    answer is checked before any is written. Returns how many were saved."""
    at = at or now()
    if not isinstance(answers, dict):
        raise DomainError("answers", _l("Answers are sent as {question: answer}."))
    attempt = _lock(attempt)
    if attempt.submitted_at is not None:
        raise DomainError("attempt", _l("This attempt has been submitted."), 409)
    if at >= attempt.deadline:
        raise DomainError("attempt", _l("The time is up; answers saved before the deadline "
                                      "were submitted."), 409)
    items = _items(attempt)
    checked, problems = {}, {}
    for key, value in answers.items():
        try:
            item = items[int(key)]
        except (TypeError, ValueError, KeyError):
            problems[f"answers.{key}"[:80]] = _l("This question is not part of this attempt.")
            continue
        try:
            checked[item.id] = _original(item, item.version.kind, value)
        except ValueError as error:
            problems[f"answers.{item.id}"] = error.args[0]
    if problems:
        field, message = next(iter(problems.items()))
        error = DomainError(field, message, 422)
        error.details = problems
        raise error
    for item_id, value in checked.items():
        # No answer is SQL NULL, as before the first save (a JSON column would store a
        # Python None as the text 'null', which `answer IS NULL` does not find).
        items[item_id].answer = value if value is not None else null()
        items[item_id].saved_at = at
    return len(checked)


# --- submitting ---------------------------------------------------------------------------
def submit(attempt: Attempt, at: datetime | None = None, by: str = "taker") -> bool:
    """Score and close `attempt` with what was saved. Only one call wins the conditional
    UPDATE; the rest return False and change nothing. An attempt past its deadline is
    closed at its deadline, as the deadline's submission."""
    at = at or now()
    attempt = _lock(attempt)
    if attempt.submitted_at is not None:
        return False
    if at >= attempt.deadline:
        at, by = attempt.deadline, "deadline"
    items = list(_items(attempt).values())
    total, most, percent, passed = grade(
        [(item.version, item.answer) for item in items], attempt.sitting.exam.pass_percent)
    won = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=at, submitted_by=by, score=total, max_score=most,
                percent=percent, passed=passed),
        execution_options={"synchronize_session": False, "preserve_rowcount": True}).rowcount
    if not won:
        return False
    for item in items:
        item.score = score(item.version, item.answer)
    db.session.flush()
    db.session.expire(attempt)
    if passed and attempt.sitting.exam.is_final:
        certify(attempt)
    return True


def grade(answered, pass_percent) -> tuple[Decimal, Decimal, Decimal, bool]:
    """(score, most, percent, passed) of (question version, original answer) pairs."""
    total = sum((score(version, answer) for version, answer in answered), Decimal("0"))
    most = sum((Decimal(version.points) for version, _ in answered), Decimal("0"))
    percent = (total * 100 / most).quantize(CENT, rounding=ROUND_HALF_UP) if most else \
        Decimal("0.00")
    return total, most, percent, percent >= Decimal(pass_percent)


def certify(attempt: Attempt) -> Certificate | None:
    """The certificate of a passed attempt at a final exam: one per person and exam,
    the first passing attempt's; None when the person already holds it."""
    exam = attempt.sitting.exam
    have = db.session.execute(select(exists().where(
        Certificate.user_id == attempt.user_id, Certificate.exam_id == exam.id))).scalar()
    if have:
        return None
    certificate = Certificate(
        serial=f"{exam.track.upper()}-{attempt.submitted_at:%Y%m}-{secrets.token_hex(4).upper()}",
        user_id=attempt.user_id, exam_id=exam.id, attempt_id=attempt.id, track=exam.track,
        percent=attempt.percent, issued_at=attempt.submitted_at)
    # The unique (person, exam) key settles a race between two passing submissions.
    savepoint = db.session.begin_nested()
    try:
        db.session.add(certificate)
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        return None
    return certificate


def finish_expired(attempts, at: datetime | None = None) -> int:
    """Submit, at their deadlines, the attempts among `attempts` whose time is up."""
    at = at or now()
    return sum(submit(a, at, by="deadline") for a in attempts
               if a.submitted_at is None and a.deadline <= at)


def submit_expired(at: datetime | None = None, batch: int = 500) -> int:
    """The deadline sweep: every attempt still open past its deadline is submitted with
    what was saved. Returns how many."""
    at = at or now()
    due = db.session.execute(select(Attempt).where(
        Attempt.submitted_at.is_(None), Attempt.deadline <= at)
        .order_by(Attempt.deadline, Attempt.id).limit(batch)).scalars().all()
    return finish_expired(due, at)


# --- what the taker sees -------------------------------------------------------------------
def _text(item_version, name: str, english: bool):
    value = getattr(item_version, name + "_en", None) if english else None
    return value or getattr(item_version, name)


def questions_for(attempt: Attempt, english: bool = False, *, review: bool = False) -> list:
    """The attempt's questions as the taker sees them: text, options in shown order and
    the saved answer in shown positions. Right answers, explanations and scores only
    when `review` (the caller asks `review.shows_answers`)."""
    shown_items = []
    for item in sorted(_items(attempt).values(), key=lambda i: i.position):
        version = item.version
        order = item.option_order or list(range(len(version.options or [])))
        entry = {"id": item.id, "position": item.position, "kind": version.kind,
                 "points": str(version.points), "text": _text(version, "text", english),
                 "options": [(version.options[o].get("text_en") if english else None)
                             or version.options[o]["text"] for o in order],
                 "answer": shown(item)}
        if review:
            entry.update(correct=shown(item, version.answer) if version.kind != "fill"
                         else list(version.answer),
                         explanation=_text(version, "explanation", english),
                         score=str(item.score if item.score is not None
                                   else score(version, item.answer)))
        shown_items.append(entry)
    return shown_items
