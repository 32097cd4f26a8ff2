"""Exam endpoints: the caller's sittings, taking one (start or resume, autosave, submit,
read back) and an exam's coverage for those who report on it.

The server keeps the deadline; correct answers leave it only in a review. Writes are
POST/PUT requests, so on SQLite they run in BEGIN IMMEDIATE, and the attempt row is
locked (FOR UPDATE) on PostgreSQL: saving and submitting never interleave, and a
second submit changes nothing."""
from functools import wraps
from math import ceil

from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with
from marshmallow import RAISE

from portal.api.fields import INT32_MAX
from portal.api.schemas import ErrorSchema, PageArgs
from portal.core.access import figures_of, get_or_404, require
from portal.core.clock import now
from portal.core.database import write_during_get
from portal.core.errors import DomainError
from portal.exams import schemas, take_services, taking
from portal.exams.coverage import exam_coverage
from portal.exams.models import Attempt, Exam, Sitting
from portal.exams.policies import attempt_to_change
from portal.exams.review import shows_answers
from portal.exams.services import closes_for
from portal.extensions import db

bp = Blueprint("exams_api", __name__, url_prefix="/api/v1",
               description="Exams: the caller's sittings, taking an exam, coverage.")

# Larger ids cannot exist in an integer column; the route does not match, so 404.
SITTING_PATH = f"/exams/<int(max={INT32_MAX}):sitting_id>"
EXAM_PATH = f"/exams/<int(max={INT32_MAX}):exam_id>"
ATTEMPT_PATH = f"/attempts/<int(max={INT32_MAX}):attempt_id>"
QUERY = {"location": "query", "as_kwargs": True, "unknown": RAISE}
NOT_FOUND = {"schema": ErrorSchema, "description": "Not found, or not the caller's to see."}
NOT_YOURS = {"schema": ErrorSchema, "description": (
    "Not assigned to the caller, or someone else's attempt (a manager may read its "
    "team's attempts but never write to them).")}
TOO_LATE = {"schema": ErrorSchema, "description": (
    "The time is up or the attempt was submitted; `details.reason` says which.")}
LISTED = ("upcoming", "start", "resume", "done")


def _english() -> bool:
    return get_locale() is not None and get_locale().language == "en"


def _refuse(exc: DomainError):
    """An DomainError as the API's error: a field message (422, with every item's message
    when answers were refused) or a refusal with its reason (403, 409)."""
    if exc.status in (400, 422):
        problems = getattr(exc, "details", None) or {exc.field: exc.message}
        fields: dict = {}
        for name, message in problems.items():
            field, _, key = name.partition(".")
            if key:
                fields.setdefault(field, {})[key] = [str(message)]
            else:
                fields[field] = [str(message)]
        abort_with(422, messages={"json": fields})
    abort_with(exc.status, reason=str(exc.message))


def _own_attempt(view):
    """Hands the view the caller's own attempt in place of `attempt_id`, loaded with the
    attempt's change rule (`policies.attempt_to_change`): foreign is 404, another
    person's 403 (a mid-level manager sees its team's attempts but does not answer for
    them). Placed above `arguments`, so this runs before the body is read: a foreign id
    is a 404 whatever the body holds, never a 422 that confirms it."""
    @wraps(view)
    def guarded(*args, attempt_id, **kwargs):
        return view(*args, attempt=attempt_to_change(current_user, attempt_id), **kwargs)
    return guarded


def _result(attempt: Attempt) -> dict | None:
    if attempt.submitted_at is None:
        return None
    return {name: getattr(attempt, name) for name in schemas.AttemptResultSchema().fields}


def _attempt_body(attempt: Attempt, at) -> dict:
    """The attempt as its taker sees it: right answers only in a review, by the same rule
    as the result page."""
    review = shows_answers(current_user, attempt, at)
    sitting = attempt.sitting
    return {"id": attempt.id, "sitting_id": sitting.id, "exam_id": sitting.exam_id,
            "title": sitting.exam.title, "number": attempt.number,
            "started_at": attempt.started_at, "deadline": attempt.deadline,
            "seconds_left": attempt.seconds_left(at), "done": attempt.is_done(at),
            "review": review, "result": _result(attempt),
            "items": taking.questions_for(attempt, _english(), review=review)}


@bp.route("/exams")
@bp.arguments(PageArgs, **QUERY)
@bp.response(200, schemas.MySittingPageSchema)
def my_exams(page, per_page):
    """The caller's open and upcoming sittings, soonest first.

    Built from the caller's assignments; the principal's roles take no exams, so their
    list is always empty (200 with no items)."""
    at = now()
    rows = []
    # One person has a handful of live sittings; their state needs its own attempts.
    for sitting in db.session.execute(take_services.candidate_sittings(current_user, at)).scalars():
        current = taking.state(current_user, sitting, at)
        if current["status"] not in LISTED:
            continue
        exam = sitting.exam
        rows.append({"sitting_id": sitting.id, "exam_id": exam.id, "title": exam.title,
                     "track": exam.track, "opens_at": sitting.opens_at,
                     "closes_at": closes_for(sitting, current_user),
                     "time_limit_minutes": exam.time_limit_minutes,
                     "question_count": exam.question_count,
                     "attempts_allowed": exam.attempts_allowed,
                     "attempts_used": len(current["attempts"]), "state": current["status"],
                     "attempt_id": current["running"].id if current["running"] else None})
    start = (page - 1) * per_page
    return {"items": rows[start:start + per_page], "total": len(rows), "page": page,
            "per_page": per_page, "pages": ceil(len(rows) / per_page)}


@bp.route(f"{SITTING_PATH}/attempts", methods=["POST"])
@bp.response(201, schemas.AttemptSchema, description="A new attempt was started.")
@bp.alt_response(200, schema=schemas.AttemptSchema,
                 description="The attempt already running, resumed.")
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, schema=ErrorSchema, description=(
    "Not open (upcoming, closed or cancelled) or every attempt used; `details.reason`."))
def start(sitting_id):
    """Start an attempt at a sitting, or resume the one running.

    The path's id is a **sitting** (one window of an exam: `sitting_id` of GET /exams),
    not an exam. Each attempt draws its own questions and option order; a reload or a
    second device gets the same attempt back (200)."""
    sitting = get_or_404(current_user, Sitting, sitting_id)
    # Holding the caller's assignment row makes a second, simultaneous start wait and
    # then resume the attempt the first one made.
    take_services.hold_assignment(current_user, sitting)
    at = now()
    try:
        attempt, created = taking.begin(current_user, sitting, at)
    except DomainError as exc:
        _refuse(exc)
    db.session.commit()
    return _attempt_body(attempt, at), 201 if created else 200


@bp.route(ATTEMPT_PATH)
@bp.response(200, schemas.AttemptSchema)
@bp.alt_response(404, **NOT_FOUND)
def attempt_detail(attempt_id):
    """An attempt with its questions and saved answers; once over, its result, and right
    answers with explanations when the exam allows a review.

    An attempt whose time ran out is submitted here with what was saved, as the
    deadline's submission. The taker's team manager, owner and the principal may read
    it too."""
    attempt = get_or_404(current_user, Attempt, attempt_id)
    at = now()
    if attempt.submitted_at is None and attempt.deadline <= at:
        write_during_get(lambda: taking.finish_expired([attempt], at))
    return _attempt_body(attempt, at)


@bp.route(f"{ATTEMPT_PATH}/answers", methods=["PUT"])
@_own_attempt
@bp.arguments(schemas.AnswersSchema)
@bp.response(200, schemas.SavedAnswersSchema)
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, **TOO_LATE)
def save_answers(data, attempt):
    """Autosave answers while the attempt runs.

    Every answer is checked before any is written: one bad answer, or an item that is
    not in this attempt, is a 422 naming each (`details.fields.json.answers.<item id>`)
    and nothing is saved."""
    at = now()
    try:
        saved = taking.save_answers(attempt, data["answers"], at)
    except DomainError as exc:
        _refuse(exc)
    db.session.commit()
    return {"saved": saved, "deadline": attempt.deadline,
            "seconds_left": attempt.seconds_left(at)}


@bp.route(f"{ATTEMPT_PATH}/submit", methods=["POST"])
@_own_attempt
@bp.arguments(schemas.SubmitAttemptSchema, required=False)
@bp.response(200, schemas.SubmittedAttemptSchema)
@bp.alt_response(403, **NOT_YOURS)
@bp.alt_response(404, **NOT_FOUND)
def submit(data, attempt):
    """Submit the attempt, saving `answers` first while the time is not up.

    Idempotent: only one call submits (`counted: true`); a repeat, even at the same
    moment, answers 200 with the same result and `counted: false`. After the deadline
    the attempt is submitted with what was saved before it."""
    at = now()
    answers = (data or {}).get("answers")
    if answers is not None and not attempt.is_done(at):
        try:
            taking.save_answers(attempt, answers, at)
        except DomainError as exc:
            # Submitted meanwhile (a simultaneous submit): the repeat changes nothing.
            if exc.status != 409:
                _refuse(exc)
    counted = taking.submit(attempt, at)
    db.session.commit()
    return {**_result(attempt), "attempt_id": attempt.id, "counted": counted}


@bp.route(f"{EXAM_PATH}/coverage")
@bp.response(200, schemas.ExamCoverageSchema)
@bp.alt_response(403, schema=ErrorSchema, description="Staff see no coverage.")
@bp.alt_response(404, **NOT_FOUND)
def coverage(exam_id):
    """Coverage of an exam: people assigned, how many submitted in the window, pass rate
    and average, per partner and per sitting.

    The figures cover the partners the caller answers for: the principal every partner
    (a channel manager its assigned partners),
    an owner its partner, a mid-level manager its team."""
    require("exams.reports")
    exam = get_or_404(current_user, Exam, exam_id)
    whose = figures_of(current_user)
    figures = exam_coverage(exam, partner_ids=whose.partner_ids, team_id=whose.team_id)
    return {**figures, "partner_ids": whose.partner_ids, "team_id": whose.team_id}
