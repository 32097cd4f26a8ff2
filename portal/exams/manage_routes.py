"""The channel manager's exam pages: the list, the scheduling form (one window or a weekly
rhythm), an exam's detail with its sittings, scheduling and cancelling, and the
overrides of a sitting. Auditors read the list and details; admins and channel managers
schedule, and a channel manager changes only the exams it wrote (the policy says so).

Every handler follows the shared pipeline: load and check access (`get_or_404`), call a
service of `portal.exams.services`, commit once."""
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _, lazy_gettext as _l, pgettext
from flask_login import current_user
from sqlalchemy import case, func, select
from wtforms.fields.choices import SelectChoice

from portal.auth.models import User
from portal.org.audience import preview
from portal.broadcasts.compose_routes import fill_audience_choices
from portal.broadcasts.forms import to_utc
from portal.core.access import can_change, get_or_404, visible
from portal.core.clock import BUSINESS_TZ, now
from portal.core.pages import paginate, require_role
from portal.exams import services
from portal.core.errors import DomainError
from portal.exams.forms import (GRADING_LABELS, REVIEW_LABELS, WEEKDAY_LABELS, CancelForm,
                                ExamForm, OverrideForm)
from portal.exams.models import (EXAM_STATUSES, TRACKS, Assignment, Attempt, Exam, Override,
                                 Question, QuestionTag, Sitting)
from portal.exams.policies import SCHEDULER_ROLES, may_schedule, report_partner_ids
from portal.exams.routes import bp
from portal.extensions import db
from portal.org.labels import STRUCTURE_LABELS, label, role_label
from portal.org.models import Partner, Region
from portal.org.tracks import TRACK_LABELS

PRINCIPAL_ROLES = ("admin", "channel_manager", "auditor")
PICK_LIMIT = 200  # more people assigned than this: type a username instead of picking


def status_label(code: str) -> str:
    return {"draft": pgettext("exam status", "Draft"),
            "scheduled": pgettext("exam status", "Scheduled"),
            "cancelled": pgettext("exam status", "Cancelled")}.get(code, code)


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


def _render(template: str, status: int = 200, **context):
    return render_template(
        template, status_label=status_label, window_words=window_words,
        track_label=lambda t: TRACK_LABELS.get(t, t), grading_labels=GRADING_LABELS,
        review_labels=REVIEW_LABELS, **context), status


def _conflict(message):
    """A change refused because of the exam's state (409), said plainly."""
    return render_template("errors/error.html", status=409, message=message), 409


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- the list ---------------------------------------------------------------------------
@bp.route("/manage/")
def manage():
    require_role(*PRINCIPAL_ROLES)
    args = request.args
    query = select(Exam).where(visible(current_user, Exam))
    text = (args.get("q") or "").strip()[:100]
    if text:
        query = query.where(Exam.title.ilike(_like(text), escape="\\"))
    status = args.get("status") if args.get("status") in EXAM_STATUSES else None
    if status:
        query = query.where(Exam.status == status)
    track = args.get("track") if args.get("track") in TRACKS else None
    if track:
        query = query.where(Exam.track == track)
    page = paginate(query.order_by(Exam.created_at.desc(), Exam.id.desc()))
    sittings = dict(db.session.execute(
        select(Sitting.exam_id, func.count(Sitting.id)).where(
            Sitting.exam_id.in_([exam.id for exam in page.items])).group_by(Sitting.exam_id)
    ).all()) if page.items else {}
    return _render("exams/manage/index.html", page=page, sittings=sittings, q=text,
                   status=status, track=track, statuses=EXAM_STATUSES, tracks=TRACKS,
                   may_schedule=may_schedule(current_user))


# --- creating and editing ---------------------------------------------------------------
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


def _fill_form_choices(form: ExamForm, bank: dict) -> None:
    fill_audience_choices(form, None)
    # Tags grouped by bank; the same tag in two banks is one value, the rule's bank decides.
    tag_choices = [SelectChoice("", _("Any tag"))] + [
        SelectChoice(tag, _("%(tag)s (%(count)d)", tag=tag, count=count),
                     render_kw={"data-track": track}, optgroup=str(TRACK_LABELS[track]))
        for track in TRACKS for tag, count in bank[track]["tags"]]
    for entry in form.draw:
        entry.form.tag.choices = tag_choices


def _exam_form(exam: Exam | None):
    form = ExamForm()
    if request.method == "GET" and exam is not None:
        form.fill(exam)
    form.add_blank_rules()
    bank = bank_tags()
    _fill_form_choices(form, bank)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                if exam is None:
                    exam = services.create_exam(current_user, **form.values())
                else:
                    services.update_exam(exam, **form.values())
            except DomainError as error:
                db.session.rollback()
                if error.status == 409:
                    return _conflict(error.message)
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
    return _render("exams/manage/form.html", status, form=form, exam=exam, bank=bank)


@bp.route("/manage/new", methods=["GET", "POST"])
def new():
    require_role(*SCHEDULER_ROLES)
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
    require_role(*PRINCIPAL_ROLES)
    exam = get_or_404(current_user, Exam, exam_id, change=True)
    reason = _frozen_reason(exam)
    if reason:
        return _conflict(reason)
    return _exam_form(exam)


# --- one exam: detail, schedule, cancel -------------------------------------------------
def _sitting_figures(exam: Exam, sitting_ids: list[int]) -> dict[int, dict]:
    """Per sitting: people assigned, attempts started and attempts submitted (a running
    attempt past its deadline counts as submitted), within the partners the user may
    count."""
    partners = report_partner_ids(current_user, exam)
    figures = {sid: {"assigned": 0, "started": 0, "submitted": 0} for sid in sitting_ids}
    if not sitting_ids:
        return figures
    assigned = select(Assignment.sitting_id, func.count(Assignment.id)).where(
        Assignment.sitting_id.in_(sitting_ids))
    attempts = select(Attempt.sitting_id, func.count(Attempt.id),
                      func.count(case((services.finished(now()), Attempt.id)))).where(
        Attempt.sitting_id.in_(sitting_ids))
    if partners is not None:
        assigned = assigned.where(Assignment.partner_id.in_(partners))
        attempts = attempts.where(Attempt.partner_id.in_(partners))
    for sid, count in db.session.execute(assigned.group_by(Assignment.sitting_id)):
        figures[sid]["assigned"] = count
    for sid, started, submitted in db.session.execute(attempts.group_by(Attempt.sitting_id)):
        figures[sid].update(started=started, submitted=submitted)
    return figures


def _audience_words(spec: dict) -> dict:
    """The audience spec with names: regions by name, partners by name when the user may
    see them (the others only counted)."""
    codes = list(spec.get("provinces") or []) + list(spec.get("cities") or [])
    regions = dict(db.session.execute(select(Region.code, Region.name).where(
        Region.code.in_(codes))).all()) if codes else {}
    ids = list(spec.get("partner_ids") or [])
    named = db.session.execute(select(Partner.name).where(
        Partner.id.in_(ids), visible(current_user, Partner)).order_by(Partner.name)
    ).scalars().all() if ids else []
    return {"regions": [regions.get(code, code) for code in codes], "partners": named,
            "other_partners": len(ids) - len(named), "tiers": spec.get("tiers") or [],
            "structures": [label(STRUCTURE_LABELS, s) for s in spec.get("structures") or []],
            "roles": [role_label(r) for r in spec.get("roles") or []]}


def _detail_page(exam: Exam, status: int = 200, cancel_form: CancelForm | None = None,
                 error: str | None = None):
    counts = preview(exam.audience or {})
    per_role = {}
    for row in counts["rows"]:
        per_role[row["role"]] = per_role.get(row["role"], 0) + row["count"]
    page = paginate(select(Sitting).where(Sitting.exam_id == exam.id)
                    .order_by(Sitting.opens_at.desc()))
    changeable = can_change(current_user, exam)
    return _render(
        "exams/manage/detail.html", status, exam=exam, audience_total=counts["total"],
        audience_per_role=per_role, audience=_audience_words(exam.audience or {}),
        page=page, figures=_sitting_figures(exam, [s.id for s in page.items]),
        may_change=changeable, frozen=_frozen_reason(exam) if changeable else None,
        cancel_form=cancel_form or CancelForm(formdata=None), error=error, at=now())


@bp.route("/manage/<int:exam_id>")
def detail(exam_id):
    require_role(*PRINCIPAL_ROLES)
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
        return _conflict(_("A cancelled exam cannot be changed."))
    form = CancelForm()
    if not form.validate():
        return _detail_page(exam, 400, cancel_form=form)
    services.cancel(exam)
    db.session.commit()
    flash(_("%(title)s is cancelled.", title=exam.title), "success")
    return redirect(url_for("exams.detail", exam_id=exam.id))


# --- overrides of a sitting -------------------------------------------------------------
def _people_choices(form: OverrideForm, sitting: Sitting) -> None:
    """Who an override may name: people assigned to the sitting whom the user may see, and
    partners with people assigned whom the user may see."""
    people = db.session.execute(
        select(User.id, User.display_name, User.username)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.sitting_id == sitting.id, visible(current_user, User))
        .order_by(User.username).limit(PICK_LIMIT + 1)).all()
    if len(people) > PICK_LIMIT:
        del form.user_id
    else:
        del form.username
        form.user_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(uid), f"{name} ({username})") for uid, name, username in people]
    partners = db.session.execute(select(Partner.id, Partner.name).where(
        Partner.id.in_(select(Assignment.partner_id).where(
            Assignment.sitting_id == sitting.id)), visible(current_user, Partner))
        .order_by(Partner.name)).all()
    form.partner_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(pid), name) for pid, name in partners]


def _chosen(form: OverrideForm, sitting: Sitting) -> tuple[User | None, Partner | None]:
    person = None
    if "username" in form and form.username.data:
        person = db.session.execute(select(User).join(
            Assignment, Assignment.user_id == User.id).where(
            User.username == form.username.data, Assignment.sitting_id == sitting.id,
            visible(current_user, User))).scalar_one_or_none()
        if person is None:
            raise DomainError("username", _l("Nobody with this username is assigned to this "
                                           "sitting."))
    elif "user_id" in form and form.user_id.data:
        person = db.session.get(User, int(form.user_id.data))
    partner = db.session.get(Partner, int(form.partner_id.data)) if form.partner_id.data \
        else None
    return person, partner


def _override_rows(sitting: Sitting) -> list[dict]:
    """The overrides of `sitting`, newest first; a person or partner the user may not see
    is shown without a name."""
    overrides = db.session.execute(select(Override).where(Override.sitting_id == sitting.id)
                                   .order_by(Override.created_at.desc(), Override.id.desc())
                                   ).scalars().all()
    people = {o.user_id for o in overrides if o.user_id} | \
        {o.created_by for o in overrides if o.created_by}
    seen_people = set(db.session.execute(select(User.id).where(
        User.id.in_(people), visible(current_user, User))).scalars()) if people else set()
    partners = {o.partner_id for o in overrides if o.partner_id}
    seen_partners = set(db.session.execute(select(Partner.id).where(
        Partner.id.in_(partners), visible(current_user, Partner))).scalars()) \
        if partners else set()
    authors = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_(people))).all()) if people else {}
    return [{"override": o,
             "person": o.user if o.user_id in seen_people else None,
             "partner": o.partner if o.partner_id in seen_partners else None,
             "hidden": (o.user_id or o.partner_id) not in seen_people | seen_partners,
             "by": authors.get(o.created_by, "—")} for o in overrides]


@bp.route("/manage/sittings/<int:sitting_id>/overrides", methods=["GET", "POST"])
def overrides(sitting_id):
    require_role(*PRINCIPAL_ROLES)
    sitting = get_or_404(current_user, Sitting, sitting_id, change=request.method == "POST")
    form = OverrideForm()
    _people_choices(form, sitting)
    status = 200
    if form.is_submitted():
        if sitting.exam.status == "cancelled":
            return _conflict(_("A cancelled exam cannot be changed."))
        status = 400
        if form.validate():
            try:
                person, partner = _chosen(form, sitting)
                services.add_override(sitting, current_user, user=person, partner=partner,
                                      closes_at=to_utc(form.closes_at.data),
                                      extra_minutes=form.extra_minutes.data or 0,
                                      reason=form.reason.data or "")
            except DomainError as error:
                db.session.rollback()
                form.show_error(error)
            else:
                db.session.commit()
                flash(_("Override saved; running attempts have their new deadline."),
                      "success")
                return redirect(url_for("exams.overrides", sitting_id=sitting.id))
    return _render("exams/manage/overrides.html", status, sitting=sitting, exam=sitting.exam,
                   form=form, rows=_override_rows(sitting),
                   may_change=can_change(current_user, sitting))


@bp.route("/manage/overrides/<int:override_id>/delete", methods=["POST"])
def remove_override(override_id):
    override = get_or_404(current_user, Override, override_id, change=True)
    sitting_id = override.sitting_id
    services.remove_override(override)
    db.session.commit()
    flash(_("Override removed; running attempts have their deadline back."), "success")
    return redirect(url_for("exams.overrides", sitting_id=sitting_id))
