"""Violation pages: the list, the channel manager's form with evidence, one violation
with its evidence and answer, the owner's answer, the withdrawal, the files."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.compliance import evidence, violations
from portal.compliance.forms import AnswerForm, Filters, ViolationForm, WithdrawForm
from portal.compliance.models import Violation, ViolationFile
from portal.compliance.policies import enterable_partners, may_answer
from portal.compliance.routes import bp
from portal.core.access import can_change, get_or_404, require, visible
from portal.core.clock import today
from portal.core.forms import commit_or_show
from portal.core.lists import partner_filter, partners_by_name
from portal.core.pages import paginate
from portal.extensions import db


@bp.route("/violations/")
def violations_list():
    require("compliance.read")
    filters = Filters.from_args(request.args)
    query = select(Violation).where(visible(current_user, Violation))
    if filters.kind:
        query = query.where(Violation.kind == filters.kind)
    if filters.state:
        query = query.where(Violation.state == filters.state)
    if filters.partner_id:
        query = query.where(Violation.partner_id == filters.partner_id)
    if filters.month:
        first, after = filters.days()
        query = query.where(Violation.occurred_on >= first, Violation.occurred_on < after)
    if filters.q:
        query = query.where(Violation.description.contains(filters.q, autoescape=True))
    page = paginate(query.order_by(Violation.occurred_on.desc(), Violation.id.desc()))
    return render_template("compliance/violations.html", page=page, filters=filters,
                           partners=partner_filter(Violation))


def _uploads(name: str):
    return [(f.filename, f.read()) for f in request.files.getlist(name) if f and f.filename]


@bp.route("/violations/new", methods=["GET", "POST"])
def new_violation():
    require("compliance.enter")
    form = ViolationForm()
    form.partner_id.choices = partners_by_name(enterable_partners(current_user))
    status = 200
    if request.method == "GET":
        form.occurred_on.data = today()
    elif not form.validate():
        status = 400
    else:
        made, error = commit_or_show(form, lambda: violations.enter_violation(current_user, {
            "partner_id": form.partner_id.data, "kind": form.kind.data,
            "occurred_on": form.occurred_on.data,
            "description": form.description.data}, _uploads("files")))
        if error is None:
            flash(_("The violation is recorded and the partner's owner is told."), "success")
            return redirect(url_for("compliance.violation", violation_id=made.id))
        status = error.status
    return render_template("compliance/violation_new.html", form=form), status


def _page(found: Violation, answer: AnswerForm | None = None,
          withdraw: WithdrawForm | None = None, status: int = 200):
    return render_template(
        "compliance/violation.html", violation=found,
        answer_form=answer or AnswerForm(formdata=None),
        withdraw_form=withdraw or WithdrawForm(formdata=None),
        may_answer=may_answer(current_user, found),
        may_withdraw=can_change(current_user, found) and found.state == "verified"), status


@bp.route("/violations/<int:violation_id>")
def violation(violation_id):
    require("compliance.read")
    return _page(get_or_404(current_user, Violation, violation_id))


@bp.route("/violations/<int:violation_id>/answer", methods=["POST"])
def answer_violation(violation_id):
    require("compliance.read")
    found = get_or_404(current_user, Violation, violation_id)
    if current_user.role != "owner" or current_user.partner_id != found.partner_id:
        return _page(found, status=403)
    form = AnswerForm()
    if not form.validate():
        return _page(found, answer=form, status=400)
    uploads = _uploads("answer_file")
    _answered, error = commit_or_show(form, lambda: violations.answer_violation(
        current_user, found, form.answer.data, uploads[0] if uploads else None))
    if error is not None:
        return _page(db.session.get(Violation, violation_id), answer=form,
                     status=error.status)
    flash(_("Your answer is recorded."), "success")
    return redirect(url_for("compliance.violation", violation_id=found.id))


@bp.route("/violations/<int:violation_id>/withdraw", methods=["POST"])
def withdraw_violation(violation_id):
    require("compliance.enter")
    found = get_or_404(current_user, Violation, violation_id, change=True)
    form = WithdrawForm()
    if not form.validate():
        return _page(found, withdraw=form, status=400)
    _withdrawn, error = commit_or_show(form, lambda: violations.withdraw_violation(
        current_user, found, form.reason.data))
    if error is not None:
        return _page(db.session.get(Violation, violation_id), withdraw=form,
                     status=error.status)
    flash(_("The violation is withdrawn; it no longer counts."), "success")
    return redirect(url_for("compliance.violation", violation_id=found.id))


@bp.route("/files/<int:file_id>")
def violation_file(file_id):
    require("compliance.read")
    return evidence.download(get_or_404(current_user, ViolationFile, file_id))
