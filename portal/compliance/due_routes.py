"""Dues pages: the list with its filters (overdue, paid late, paid on time) and CSV
export, the channel manager's form, one due with its payment, the dues import."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal.compliance import due_import, dues
from portal.compliance.labels import STANDING_LABELS
from portal.compliance.forms import DueForm, DueImportForm, Filters, PaymentForm
from portal.compliance.models import Due
from portal.compliance.policies import enterable_partners
from portal.compliance.routes import bp
from portal.core.access import can_change, get_or_404, require, visible
from portal.core.clock import today
from portal.core.csv_export import EXPORT_MAX, csv_response
from portal.core.forms import commit_or_show
from portal.core.imports import limits_shown, template_download, uploaded
from portal.core.lists import partner_filter, partners_by_name
from portal.core.pages import paginate
from portal.extensions import db
from portal.org.models import Partner


def _query(filters: Filters):
    query = select(Due).where(visible(current_user, Due))
    if filters.standing:
        query = query.where(dues.in_standing(filters.standing, today()))
    if filters.partner_id:
        query = query.where(Due.partner_id == filters.partner_id)
    if filters.month:
        first, after = filters.days()
        query = query.where(Due.due_on >= first, Due.due_on < after)
    if filters.q:
        query = query.where(or_(Due.reference.contains(filters.q, autoescape=True),
                                Due.note.contains(filters.q, autoescape=True)))
    return query.order_by(Due.due_on.desc(), Due.id.desc())


@bp.route("/dues/")
def dues_list():
    require("compliance.read")
    filters = Filters.from_args(request.args)
    return render_template("compliance/dues.html", page=paginate(_query(filters)),
                           filters=filters, partners=partner_filter(Due),
                           standing=dues.standing, day=today())


@bp.route("/dues/export.csv")
def export_dues():
    require("compliance.read")
    filters = Filters.from_args(request.args)
    day = today()
    rows = db.session.execute(_query(filters).join(Partner, Partner.id == Due.partner_id)
                              .add_columns(Partner.name).limit(EXPORT_MAX)).all()
    header = (_("Partner"), _("Reference"), _("Amount due (yuan)"), _("Due on"),
              _("Amount paid (yuan)"), _("Paid on"), _("Standing"), _("Note"))
    return csv_response("dues.csv", header, [
        (name, d.reference, dues.plain_yuan(d.amount_fen), d.due_on.isoformat(),
         dues.plain_yuan(d.paid_fen), d.paid_on.isoformat() if d.paid_on else "",
         str(STANDING_LABELS[dues.standing(d, day)]), d.note) for d, name in rows])


@bp.route("/dues/new", methods=["GET", "POST"])
def new_due():
    require("compliance.enter")
    form = DueForm()
    form.partner_id.choices = partners_by_name(enterable_partners(current_user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            made, error = commit_or_show(
                form, lambda: dues.add_due(current_user, form.values()))
            if error is None:
                flash(_("The due is recorded."), "success")
                return redirect(url_for("compliance.due", due_id=made.id))
            status = error.status
    return render_template("compliance/due_new.html", form=form), status


def _page(found: Due, form: PaymentForm | None = None, status: int = 200):
    if form is None:
        form = PaymentForm(formdata=None, data={
            "paid": dues.plain_yuan(found.paid_fen) if found.paid_fen else "",
            "paid_on": found.paid_on})
    return render_template("compliance/due.html", due=found, form=form,
                           standing=dues.standing(found),
                           may_change=can_change(current_user, found)), status


@bp.route("/dues/<int:due_id>")
def due(due_id):
    require("compliance.read")
    return _page(get_or_404(current_user, Due, due_id))


@bp.route("/dues/<int:due_id>/payment", methods=["POST"])
def record_payment(due_id):
    require("compliance.enter")
    found = get_or_404(current_user, Due, due_id, change=True)
    form = PaymentForm()
    if not form.validate():
        return _page(found, form, 400)
    _paid, error = commit_or_show(form, lambda: dues.record_payment(
        found, {"paid": form.paid.data, "paid_on": form.paid_on.data}))
    if error is not None:
        return _page(db.session.get(Due, due_id), form, error.status)
    flash(_("The payment is recorded."), "success")
    return redirect(url_for("compliance.due", due_id=found.id))


@bp.route("/dues/import", methods=["GET", "POST"])
def import_dues():
    require("compliance.enter")
    form = DueImportForm()
    upload, status = None, 200
    if form.is_submitted():
        status = 400
        if form.validate():
            upload = due_import.read_file(uploaded(form.file.data), current_user)
            if upload.ok:
                added, updated = due_import.apply(current_user, upload)
                db.session.commit()
                flash(_("%(added)d dues added, %(updated)d payments updated, %(same)d "
                        "unchanged.", added=added, updated=updated, same=upload.unchanged),
                      "success")
                return redirect(url_for("compliance.dues_list"))
            db.session.rollback()
    return render_template("compliance/due_import.html", form=form, upload=upload,
                           **limits_shown(due_import.TEMPLATE_HEADER)), status


@bp.route("/dues/import/template.csv")
def due_import_template():
    require("compliance.enter")
    return template_download(due_import.TEMPLATE_HEADER, "dues-template.csv")
