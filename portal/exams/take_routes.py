"""Pages of the taker: my exams, a sitting, taking an attempt (autosave, submit) and its
result. Certificates are in `certificates`.

Every handler loads its object with `get_or_404` first; only the attempt's own taker may
save or submit it (the attempt's change rule, `policies.attempt_to_change`). The autosave endpoint answers in JSON, errors included, so the page's
script can tell a closed attempt from a dropped login and keep the answers either way."""
from decimal import Decimal

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.http import HTTP_STATUS_CODES

from portal.core import errors as core_errors
from portal.core.access import get_or_404, may
from portal.core.clock import now
from portal.core.database import write_during_get
from portal.core.errors import DomainError
from portal.exams import services, take_services, taking
from portal.exams.models import Attempt, Sitting
from portal.exams.policies import attempt_to_change
from portal.exams.review import counting_attempt, last_close, shows_answers
from portal.exams.routes import bp
from portal.extensions import db

# Endpoints a script calls: their errors, a lost login included, are JSON.
JSON_ENDPOINTS = frozenset({"exams.save_answers"})
GRADING_LABELS = {"highest": _l("Your highest score counts."),
                  "last": _l("Your last attempt counts.")}
REVIEW_LABELS = {"never": _l("Right answers are not shown after this exam."),
                 "after_submit": _l("Right answers and explanations are shown once you submit."),
                 "after_close": _l("Right answers and explanations are shown once the exam "
                                   "closes.")}
LOGGED_OUT = _l("You are logged out. Log in again — your answers are kept on this device.")


@bp.app_context_processor
def _template_helpers():
    return {"grading_label": lambda g: GRADING_LABELS.get(g, g),
            "review_label": lambda r: REVIEW_LABELS.get(r, r),
            # Points and percentages without trailing zeros: "2", "1.5", "87.5".
            "num": lambda value: format_decimal(Decimal(str(value)), "#,##0.##") if value is not None
            else "—"}


# --- JSON errors for the autosave ---------------------------------------------------------
def _json_error(status: int, message, details: dict | None = None, code: str | None = None):
    code = code or HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")
    details = {str(k): str(v) for k, v in (details or {}).items()}
    return jsonify(core_errors.error_body(status, code, str(message), details)), status


@bp.before_app_request
def _json_login_guard():
    """The blueprint's login guard redirects to the login page; a script saving answers
    needs a JSON 401 instead, so it can say so and keep the answers on the device. This
    runs before the blueprint's guards (app-level functions come first)."""
    if request.endpoint in JSON_ENDPOINTS and not current_user.is_authenticated:
        return _json_error(401, LOGGED_OUT, code="logged_out")
    return None


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError):
    """Other errors of the autosave are JSON already (it sends JSON); a refused CSRF token
    means the session cookie no longer matches the page, which only a fresh login mends."""
    if request.endpoint not in JSON_ENDPOINTS:
        return core_errors.error_response(exc)  # the portal's own page for everyone else
    db.session.rollback()
    return _json_error(400, LOGGED_OUT, code="csrf")


# --- helpers ----------------------------------------------------------------------------
def _english() -> bool:
    return str(get_locale()) == "en"


def _finish_expired(attempts) -> bool:
    """Write down, at their deadlines, attempts whose time ran out unsubmitted, so a page
    shows their score rather than waiting for the deadline sweep."""
    at = now()
    if not any(a.submitted_at is None and a.deadline <= at for a in attempts):
        return False
    write_during_get(lambda: taking.finish_expired(attempts, at))
    return True


# --- my exams ---------------------------------------------------------------------------
@bp.route("/")
def index():
    if may(current_user, "exams.manage"):
        return redirect(url_for("exams.manage"))
    # Everyone else is a partner person: "My exams" (the `exams.take` rule) is theirs.
    _finish_expired(take_services.expired_attempts(current_user, now()))
    at = now()
    open_rows, upcoming, past = take_services.my_sittings(current_user, at)
    return render_template("exams/take/index.html", open_rows=open_rows, upcoming=upcoming,
                           past=past, certificates=take_services.certificates_of(current_user),
                           now=at)


# --- a sitting ----------------------------------------------------------------------------
def _sitting_page(sitting: Sitting, status: int = 200):
    assigned = services.is_assigned(current_user, sitting)
    state = taking.state(current_user, sitting) if assigned else None
    if state and _finish_expired(state["attempts"]):
        state = taking.state(current_user, sitting)
    exam = sitting.exam
    used = len(state["attempts"]) if state else 0
    closes = services.closes_for(sitting, current_user) if assigned else sitting.closes_at
    manage_url = url_for("exams.detail", exam_id=exam.id) \
        if may(current_user, "exams.manage") else None
    return render_template(
        "exams/take/sitting.html", sitting=sitting, exam=exam, assigned=assigned,
        manage_url=manage_url,
        state=state, closes=closes, attempts_left=max(exam.attempts_allowed - used, 0),
        counting=counting_attempt(state["attempts"], exam.grading) if state else None,
        review_at=last_close(sitting) if exam.review == "after_close" else None,
    ), status


@bp.route("/sittings/<int:sitting_id>")
def sitting(sitting_id):
    return _sitting_page(get_or_404(current_user, Sitting, sitting_id))


@bp.route("/sittings/<int:sitting_id>/start", methods=["POST"])
def start(sitting_id):
    sitting = get_or_404(current_user, Sitting, sitting_id)
    try:
        attempt = taking.start_or_resume(current_user, sitting)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _sitting_page(sitting, error.status)
    db.session.commit()
    return redirect(url_for("exams.attempt", attempt_id=attempt.id))


# --- taking -------------------------------------------------------------------------------
def _attempt_page(attempt: Attempt, status: int = 200, problems: dict | None = None):
    questions = taking.questions_for(attempt, _english())
    answered = sum(q["answer"] not in (None, [], "") for q in questions)
    return render_template(
        "exams/take/attempt.html", attempt=attempt, sitting=attempt.sitting,
        exam=attempt.sitting.exam, questions=questions, answered=answered,
        seconds_left=attempt.seconds_left(), problems=problems or {}), status


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id):
    attempt = get_or_404(current_user, Attempt, attempt_id)
    if attempt.user_id != current_user.id:
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    _finish_expired([attempt])
    if attempt.is_done():
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    return _attempt_page(attempt)


@bp.route("/attempts/<int:attempt_id>/answers", methods=["POST"])
def save_answers(attempt_id):
    attempt = attempt_to_change(current_user, attempt_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return _json_error(400, _("Send the answers as {\"answers\": {question: answer}}."),
                           {"answers": _("Expected an object of answers.")})
    at = now()
    try:
        saved = taking.save_answers(attempt, payload["answers"], at)
    except DomainError as error:
        db.session.rollback()
        details = getattr(error, "details", None) or {error.field: error.message}
        return _json_error(error.status, error.message, details)
    db.session.commit()
    return jsonify(saved=saved, deadline=attempt.deadline.isoformat(),
                   seconds_left=attempt.seconds_left(at),
                   saved_at=format_datetime(at, "HH:mm:ss"))


def _form_answers(attempt: Attempt) -> dict:
    """The answers a submit form carries (`a-<item id>` fields), in the shapes the
    autosave sends. Empty fields are left out, so a stale page never clears an answer
    given on another device; a value of the wrong shape is passed on for the service
    to refuse."""
    kinds = take_services.answer_kinds(attempt)
    answers = {}
    for name in request.form:
        if not name.startswith("a-"):
            continue
        key, values = name[2:], [v for v in request.form.getlist(name) if v.strip()]
        kind = kinds.get(int(key)) if key.isdigit() else None
        if not values:
            continue
        if kind == "multiple":
            answers[key] = [int(v) if v.isdigit() else v for v in values]
        elif kind == "single":
            answers[key] = int(values[0]) if values[0].isdigit() else values[0]
        elif kind == "truefalse":
            answers[key] = {"true": True, "false": False}.get(values[0], values[0])
        else:
            answers[key] = values[0]
    return answers


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
def submit(attempt_id):
    attempt = attempt_to_change(current_user, attempt_id)
    at = now()
    if attempt.submitted_at is None and at < attempt.deadline:
        try:
            taking.save_answers(attempt, _form_answers(attempt), at)
        except DomainError as error:
            if error.status != 409:  # 409: the time ran out meanwhile; submit what was saved
                db.session.rollback()
                flash(str(error.message), "error")
                details = getattr(error, "details", None) or {}
                return _attempt_page(attempt, error.status, details)
    won = taking.submit(attempt, at)
    db.session.commit()
    if won:
        flash(_("Your answers were submitted."), "success")
    return redirect(url_for("exams.result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
def result(attempt_id):
    attempt = get_or_404(current_user, Attempt, attempt_id)
    _finish_expired([attempt])
    mine = attempt.user_id == current_user.id
    if not attempt.is_done():
        if mine:
            return redirect(url_for("exams.attempt", attempt_id=attempt.id))
        return render_template("exams/take/result.html", attempt=attempt, running=True,
                               exam=attempt.sitting.exam, sitting=attempt.sitting, mine=False)
    sitting, exam = attempt.sitting, attempt.sitting.exam
    review = shows_answers(current_user, attempt)
    attempts = taking.attempts_of(attempt.user, sitting)
    return render_template(
        "exams/take/result.html", attempt=attempt, sitting=sitting, exam=exam, mine=mine,
        running=False, review=review, review_at=last_close(sitting),
        certificate=take_services.certificate_of(attempt),
        questions=taking.questions_for(attempt, _english(), review=True) if review else [],
        counting=counting_attempt(attempts, exam.grading),
        may_retry=mine and taking.state(current_user, sitting)["status"] == "start")


from portal.exams import certificates  # noqa: E402,F401  (its routes join this blueprint)
