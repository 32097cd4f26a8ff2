"""The channel manager's exam pages: the list, the scheduling form (one window or a weekly
rhythm), an exam's detail with its sittings, scheduling and cancelling; the overrides
of a sitting are in `override_routes`. The principal's roles read the list and details
("exams.manage"); admins and channel managers schedule ("exams.schedule"), and a channel
manager changes only the exams it wrote (the change rule says so).

Every handler follows the shared pipeline: check the rule, load and check access
(`get_or_404`), call a service of `portal.exams.services`, commit once; what the pages
read comes from `manage_services`."""
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _, lazy_gettext as _l, pgettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.core.access import can_change, figures_of, get_or_404, require
from portal.core.clock import BUSINESS_TZ, now
from portal.core.errors import DomainError
from portal.core.pages import paginate
from portal.exams import coverage, manage_services, services
from portal.exams.forms import (GRADING_LABELS, REVIEW_LABELS, WEEKDAY_LABELS, CancelForm,
                                ExamForm)
from portal.exams.models import EXAM_STATUSES, TRACKS, Exam
from portal.exams.routes import bp
from portal.extensions import db
from portal.org.audience import confirmation, preview
from portal.org.audience_forms import fill_audience_choices
from portal.org.tracks import TRACK_LABELS, topic_label


def status_label(code: str) -> str:
    return {"draft": pgettext("exam status", "Draft"),
            "scheduled": pgettext("exam status", "Scheduled"),
            "cancelled": pgettext("exam status", "Cancelled")}.get(code, code)


def state_label(code: str) -> str:
    """Where an exam stands by the clock (`manage_services.state_of`), in words."""
    return {"open": pgettext("exam state", "Open now"),
            "upcoming": pgettext("exam state", "Upcoming"),
            "closed": pgettext("exam state", "Closed")}.get(code, "—")


def window_words(exam: Exam) -> str:
    """When `exam` is open, in words: "2026-03-02 09:00–21:00" or "Every Mon, Wed
    09:00–21:00 · from 2026-03-02"."""
    rule = exam.recurrence
    if rule is None:
        if exam.opens_at is None or exam.closes_at is None:
            return "—"
        same_day = exam.opens_at.astimezone(BUSINESS_TZ).date() == \
            exam.closes_at.astimezone(BUSINESS_TZ).date()
        return format_datetime(exam.opens_at, "yyyy-MM-dd HH:mm") + "–" + \
            format_datetime(exam.closes_at, "HH:mm" if same_day else "yyyy-MM-dd HH:mm")
    days = sorted(rule["weekdays"])
    named = _("Every day") if len(days) == 7 else _(
        "Every %(days)s", days=_(", ").join(str(WEEKDAY_LABELS[d]) for d in days))
    words = [f"{named} {rule['open']}–{rule['close']}",
             _("from %(day)s", day=format_datetime(exam.opens_at, "yyyy-MM-dd"))]
    if rule.get("until"):
        words.append(_("until %(day)s", day=rule["until"]))
    return " · ".join(words)


def render_page(template: str, http_status: int = 200, **context):
    """`template` with the helpers of the exam pages; `status` in `context` is free for
    the list's status filter."""
    return render_template(
        template, status_label=status_label, window_words=window_words,
        track_label=lambda t: TRACK_LABELS.get(t, t), grading_labels=GRADING_LABELS,
        review_labels=REVIEW_LABELS, **context), http_status


def conflict(message):
    """A change refused because of the exam's state (409), said plainly."""
    return render_template("errors/error.html", status=409, message=message), 409


# --- the list ---------------------------------------------------------------------------
@bp.route("/manage/")
def manage():
    require("exams.manage")
    args = request.args
    text = (args.get("q") or "").strip()[:100]
    status = args.get("status") if args.get("status") in EXAM_STATUSES else None
    track = args.get("track") if args.get("track") in TRACKS else None
    state, errors = args.get("state") or None, {}
    if state is not None and state not in manage_services.STATES:
        errors["state"], state = _("Choose a state from the list."), None
    page = paginate(manage_services.exams_query(current_user, text, status, track, state))
    ids, at, whose = [exam.id for exam in page.items], now(), figures_of(current_user)
    # A constant number of queries whatever the page holds: one per figure, none per row.
    return render_page(
        "exams/manage/index.html", 400 if errors else 200, page=page,
        sittings=manage_services.sitting_counts(ids),
        states=manage_services.exam_states(ids, at),
        coverage=coverage.coverage_by_exam(ids, whose.partner_ids, whose.team_id, at),
        q=text, status=status, track=track, state=state, errors=errors,
        statuses=EXAM_STATUSES, tracks=TRACKS, state_choices=manage_services.STATES,
        state_label=state_label)


# --- creating and editing ---------------------------------------------------------------
def _fill_form_choices(form: ExamForm, bank: dict) -> None:
    fill_audience_choices(form, current_user)
    # Tags grouped by bank; the same tag in two banks is one value, the rule's bank decides.
    tag_choices = [SelectChoice("", _("Any tag"))] + [
        SelectChoice(tag, _("%(tag)s (%(count)d)", tag=topic_label(tag), count=count),
                     render_kw={"data-track": track}, optgroup=str(TRACK_LABELS[track]))
        for track in TRACKS for tag, count in bank[track]["tags"]]
    for entry in form.draw:
        entry.form.tag.choices = tag_choices


def _exam_form(exam: Exam | None):
    form = ExamForm()
    if request.method == "GET" and exam is not None:
        form.fill(exam)
    form.add_blank_rules()
    bank = manage_services.bank_tags()
    _fill_form_choices(form, bank)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                if exam is None:
                    exam = services.create_exam(current_user, **form.values())
                else:
                    services.update_exam(exam, current_user, **form.values())
            except DomainError as error:
                db.session.rollback()
                if error.status == 409:
                    return conflict(error.message)
                form.show_error(error)
            else:
                db.session.commit()
                flash(_("Exam %(title)s saved.", title=exam.title), "success")
                return redirect(url_for("exams.detail", exam_id=exam.id))
        elif not any(entry.errors for entry in form.draw):
            # Say at once whether the bank can serve the draw, not only after a second try.
            try:
                services.check_draw(form.rules())
            except DomainError as error:
                form.show_error(error)
    return render_page("exams/manage/form.html", status, form=form, exam=exam, bank=bank)


@bp.route("/manage/new", methods=["GET", "POST"])
def new():
    require("exams.schedule")
    return _exam_form(None)


def _frozen_reason(exam: Exam):
    if exam.status == "cancelled":
        return _("A cancelled exam cannot be changed.")
    if services.has_started(exam):
        return _("This exam has opened; its rules are fixed. Use overrides to give people "
                 "more time.")
    return None


@bp.route("/manage/<int:exam_id>/edit", methods=["GET", "POST"])
def edit(exam_id):
    exam = get_or_404(current_user, Exam, exam_id, change=True)
    reason = _frozen_reason(exam)
    if reason:
        return conflict(reason)
    return _exam_form(exam)


# --- one exam: detail, schedule, cancel -------------------------------------------------
def _detail_page(exam: Exam, status: int = 200, cancel_form: CancelForm | None = None,
                 error: str | None = None):
    counts = preview(exam.audience or {})
    per_role = {}
    for row in counts["rows"]:
        per_role[row["role"]] = per_role.get(row["role"], 0) + row["count"]
    page = paginate(manage_services.sittings_query(exam))
    changeable = can_change(current_user, exam)
    figures = manage_services.sitting_figures(
        [s.id for s in page.items], figures_of(current_user))
    partners = len({row["partner_id"] for row in counts["rows"]})
    return render_page(
        "exams/manage/detail.html", status, exam=exam, audience_total=counts["total"],
        audience_per_role=per_role, audience_partners=partners,
        confirm=confirmation(exam.audience, counts),
        audience=manage_services.audience_words(current_user, exam.audience or {}),
        page=page, figures=figures,
        may_change=changeable, frozen=_frozen_reason(exam) if changeable else None,
        cancel_form=cancel_form or CancelForm(formdata=None), error=error, at=now())


@bp.route("/manage/<int:exam_id>")
def detail(exam_id):
    require("exams.manage")
    return _detail_page(get_or_404(current_user, Exam, exam_id))


def _window_ahead(exam: Exam) -> bool:
    """Has the exam a window that has not closed yet? Weekly rules have one within a week
    of their first day unless their last day cuts it off."""
    at = now()
    return bool(services.windows(exam, at, max(exam.opens_at, at) + timedelta(days=8)))


@bp.route("/manage/<int:exam_id>/schedule", methods=["POST"])
def schedule(exam_id):
    exam = get_or_404(current_user, Exam, exam_id, change=True)
    try:
        if exam.status == "draft" and not _window_ahead(exam):
            raise DomainError("exam", _l("Every window of this exam has passed: change its "
                                       "dates first."), 409)
        # The button names the count it schedules for; a changed audience asks again.
        if request.form.get("confirm") != confirmation(exam.audience or {}):
            raise DomainError("exam", _l("The audience has changed since the page was "
                                       "shown: check the count and schedule again."), 409)
        planned = services.schedule(exam)
    except DomainError as error:
        db.session.rollback()
        return _detail_page(exam, error.status, error=error.message)
    db.session.commit()
    flash(_("%(title)s is scheduled; %(num)d sittings planned so far.", title=exam.title,
            num=planned), "success")
    return redirect(url_for("exams.detail", exam_id=exam.id))


@bp.route("/manage/<int:exam_id>/cancel", methods=["POST"])
def cancel(exam_id):
    exam = get_or_404(current_user, Exam, exam_id, change=True)
    if exam.status == "cancelled":
        return conflict(_("A cancelled exam cannot be changed."))
    form = CancelForm()
    if not form.validate():
        return _detail_page(exam, 400, cancel_form=form)
    services.cancel(exam)
    db.session.commit()
    flash(_("%(title)s is cancelled.", title=exam.title), "success")
    return redirect(url_for("exams.detail", exam_id=exam.id))
