"""The overrides of a sitting: a later close or extra minutes for one person or a whole
partner, and removing one. The principal's exam readers see them ("exams.manage"); only
who may change the exam adds or removes them (the change rules of Sitting and Override).
What the page reads comes from `manage_services`."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.auth.models import User
from portal.core.access import can_change, get_or_404, require
from portal.core.errors import DomainError
from portal.core.forms import show_error, to_utc
from portal.exams import manage_services, services
from portal.exams.forms import OverrideForm
from portal.exams.manage_routes import conflict, render_page
from portal.exams.models import Override, Sitting
from portal.exams.routes import bp
from portal.extensions import db
from portal.org.models import Partner


def _people_choices(form: OverrideForm, sitting: Sitting) -> None:
    """Who an override may name: people assigned to the sitting whom the user may see, and
    partners with people assigned whom the user may see."""
    people = manage_services.override_people(current_user, sitting)
    if people is None:
        del form.user_id
    else:
        del form.username
        form.user_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(uid), f"{name} ({username})") for uid, name, username in people]
    form.partner_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(pid), name)
        for pid, name in manage_services.override_partners(current_user, sitting)]


def _chosen(form: OverrideForm, sitting: Sitting) -> tuple[User | None, Partner | None]:
    person = None
    if "username" in form and form.username.data:
        person = manage_services.assigned_person(current_user, sitting, form.username.data)
        if person is None:
            raise DomainError("username", _l("Nobody with this username is assigned to this "
                                             "sitting."))
    elif "user_id" in form and form.user_id.data:
        person = db.session.get(User, int(form.user_id.data))
    partner = db.session.get(Partner, int(form.partner_id.data)) if form.partner_id.data \
        else None
    return person, partner


@bp.route("/manage/sittings/<int:sitting_id>/overrides", methods=["GET", "POST"])
def overrides(sitting_id):
    require("exams.manage")
    sitting = get_or_404(current_user, Sitting, sitting_id, change=request.method == "POST")
    form = OverrideForm()
    _people_choices(form, sitting)
    status = 200
    if form.is_submitted():
        if sitting.exam.status == "cancelled":
            return conflict(_("A cancelled exam cannot be changed."))
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
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Override saved; running attempts have their new deadline."),
                      "success")
                return redirect(url_for("exams.overrides", sitting_id=sitting.id))
    return render_page("exams/manage/overrides.html", status, sitting=sitting, exam=sitting.exam,
                   form=form, rows=manage_services.override_rows(current_user, sitting),
                   may_change=can_change(current_user, sitting))


@bp.route("/manage/overrides/<int:override_id>/delete", methods=["POST"])
def remove_override(override_id):
    override = get_or_404(current_user, Override, override_id, change=True)
    sitting_id = override.sitting_id
    services.remove_override(override)
    db.session.commit()
    flash(_("Override removed; running attempts have their deadline back."), "success")
    return redirect(url_for("exams.overrides", sitting_id=sitting_id))
