"""The principal's side of registrations: the review queue and its decisions, and the
conflict cases — a partner contests a refusal, both sides add evidence, a channel
manager of either partner (or an admin) decides. Overdue reviews and cases are flagged."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core.access import can_change, get_or_404, may, require, visible
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.forms import commit_or_show
from portal.core.pages import paginate
from portal.extensions import db
from portal.registrations import cases, reviews
from portal.registrations.forms import DecideForm, EvidenceForm, ReviewForm
from portal.registrations.models import CaseEvidence, ConflictCase, Registration
from portal.registrations.routes import bp, registration


def _upload(form):
    data = request.files.get(form.file.name)
    if data is None or not data.filename:
        return None
    return data.filename, data.read()


@bp.route("/reviews")
def review_queue():
    require("registrations.decide")
    return render_template("registrations/reviews.html",
                           page=paginate(reviews.queue(current_user)), at=now())


@bp.route("/<int:registration_id>/review", methods=["POST"])
def review(registration_id):
    found = get_or_404(current_user, Registration, registration_id)
    require("registrations.decide")
    if not reviews.decides_for(current_user, (found.partner_id,)):
        abort(403)
    form = ReviewForm()
    try:
        reviews.decide(current_user, found, form.decision.data or "", form.note.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return registration(registration_id), error.status
    db.session.commit()
    flash(_("Decided."), "success")
    return redirect(url_for("registrations.review_queue"))


@bp.route("/<int:registration_id>/contest", methods=["POST"])
def contest(registration_id):
    found = get_or_404(current_user, Registration, registration_id)
    require("registrations.register")
    form = EvidenceForm()
    try:
        case = cases.open_case(current_user, found, form.body.data or "", _upload(form))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return registration(registration_id), error.status
    db.session.commit()
    flash(_("The case is open; a channel manager decides it."), "success")
    return redirect(url_for("registrations.case", case_id=case.id))


@bp.route("/cases")
def case_list():
    require("registrations.read")
    state = request.args.get("state", "open")
    state = state if state in ("open", "decided") else "open"
    query = (select(ConflictCase).where(visible(current_user, ConflictCase),
                                        ConflictCase.state == state)
             .order_by(ConflictCase.due_at if state == "open" else
                       ConflictCase.decided_at.desc(), ConflictCase.id.desc()))
    return render_template("registrations/cases.html", page=paginate(query), state=state,
                           at=now())


def _case_page(case, status=200, evidence_form=None, decide_form=None):
    viewer = current_user
    mine = cases.side_of(case, viewer.partner_id) if viewer.partner_id else None
    return render_template(
        "registrations/case.html", case=case, at=now(), mine=mine,
        events=cases.timeline(case, viewer), overdue=cases.overdue(case, now()),
        may_add=can_change(viewer, case),
        may_decide=(case.state == "open" and may(viewer, "registrations.decide")
                    and reviews.decides_for(viewer, (case.holder_partner_id,
                                                     case.challenger_partner_id))),
        evidence_form=evidence_form or EvidenceForm(),
        decide_form=decide_form or DecideForm()), status


@bp.route("/cases/<int:case_id>")
def case(case_id):
    return _case_page(get_or_404(current_user, ConflictCase, case_id))


@bp.route("/cases/<int:case_id>/evidence", methods=["POST"])
def add_evidence(case_id):
    found = get_or_404(current_user, ConflictCase, case_id, change=True)
    form = EvidenceForm()
    _added, error = commit_or_show(form, lambda: cases.add_evidence(
        current_user, found, form.body.data or "", _upload(form)))
    if error is not None:
        return _case_page(found, error.status, evidence_form=form)
    flash(_("Evidence added."), "success")
    return redirect(url_for("registrations.case", case_id=case_id))


@bp.route("/cases/<int:case_id>/decide", methods=["POST"])
def decide(case_id):
    found = get_or_404(current_user, ConflictCase, case_id)
    require("registrations.decide")
    if not reviews.decides_for(current_user, (found.holder_partner_id,
                                              found.challenger_partner_id)):
        abort(403)
    form = DecideForm()
    _decided, error = commit_or_show(form, lambda: cases.decide(
        current_user, found, form.decision.data or "", form.reason.data or ""))
    if error is not None:
        return _case_page(found, error.status, decide_form=form)
    flash(_("The case is decided."), "success")
    return redirect(url_for("registrations.case", case_id=case_id))


@bp.route("/evidence/<int:evidence_id>/file")
def evidence_file(evidence_id):
    piece = get_or_404(current_user, CaseEvidence, evidence_id)
    if not piece.file_hash:
        abort(404)
    return cases.download(piece)
