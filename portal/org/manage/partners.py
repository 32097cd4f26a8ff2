"""Partner records and their territories: the principal's admin only."""
from flask import abort, flash, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import get_or_404, require
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.extensions import db
from portal.org import partners as services
from portal.org import regions
from portal.org.forms import PartnerForm, TerritoryForm, choices
from portal.org.labels import STATUS_LABELS
from portal.org.manage import bp, form_page
from portal.org.models import PARTNER_STATUSES, Partner, Region, Territory


def _partner_choices(form: PartnerForm, partner: Partner | None = None) -> None:
    current = partner.channel_manager_id if partner is not None else None
    form.province_code.choices = choices((r.code, r.name) for r in services.provinces())
    form.channel_manager_id.choices = choices(
        (u.id, f"{u.display_name} ({u.username})") for u in services.channel_managers(current))


def _territory_choices(form: TerritoryForm) -> None:
    """Fill each level's options from the level above, so a form sent back with an
    error shows the regions that were picked."""
    parent = None
    for level in form.LEVELS:
        options = regions.children(db.session, parent) if level == "province" or parent else []
        form[level].choices = choices((r.code, r.name) for r in options)
        parent = form[level].data if form[level].data in {r.code for r in options} else None


def _edit_page(partner: Partner, form: PartnerForm, territory_form: TerritoryForm):
    _territory_choices(territory_form)
    return form_page("manage/partner_form.html", form=form, partner=partner,
                     territory_form=territory_form)


def _save(partner: Partner | None, form: PartnerForm) -> Partner | None:
    try:
        partner = services.save_partner(partner, **form.values())
    except DomainError as error:
        show_error(form, error)
        return None
    db.session.commit()
    flash(_("Partner %(name)s saved.", name=partner.name), "success")
    return partner


@bp.route("/partners/new", methods=["GET", "POST"])
def new_partner():
    require("org.admin")
    form = PartnerForm()
    _partner_choices(form)
    if form.validate_on_submit() and (partner := _save(None, form)) is not None:
        return redirect(url_for("manage.edit_partner", partner_id=partner.id))
    return form_page("manage/partner_form.html", form=form, partner=None)


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
def edit_partner(partner_id):
    partner = get_or_404(current_user, Partner, partner_id, change=True)
    form = PartnerForm(obj=partner)
    _partner_choices(form, partner)
    if form.validate_on_submit() and _save(partner, form) is not None:
        return redirect(url_for("org.partner", partner_id=partner.id))
    return _edit_page(partner, form, TerritoryForm(prefix="t", formdata=None))


@bp.route("/partners/<int:partner_id>/status/<status>", methods=["POST"])
def partner_status(partner_id, status):
    partner = get_or_404(current_user, Partner, partner_id, change=True)
    if status not in PARTNER_STATUSES:
        abort(404)
    services.set_partner_status(partner, status)
    db.session.commit()
    flash(_("%(name)s is now %(status)s.", name=partner.name,
            status=str(STATUS_LABELS[status])), "success")
    return redirect(url_for("org.partner", partner_id=partner.id))


@bp.route("/partners/<int:partner_id>/territories", methods=["POST"])
def add_territory(partner_id):
    partner = get_or_404(current_user, Partner, partner_id, change=True)
    territory_form = TerritoryForm(prefix="t")
    if territory_form.validate_on_submit():
        try:
            territory = services.add_territory(partner, territory_form.region_code(),
                                               territory_form.exclusive.data)
        except DomainError as error:
            show_error(territory_form, error)
        else:
            db.session.commit()
            flash(_("%(region)s added to the territories.", region=territory.region.name),
                  "success")
            return redirect(url_for("manage.edit_partner", partner_id=partner.id))
    form = PartnerForm(obj=partner, formdata=None)
    _partner_choices(form, partner)
    return _edit_page(partner, form, territory_form)


@bp.route("/territories/<int:territory_id>/remove", methods=["POST"])
def remove_territory(territory_id):
    territory = get_or_404(current_user, Territory, territory_id, change=True)
    partner_id, name = territory.partner_id, territory.region.name
    services.remove_territory(territory)
    db.session.commit()
    flash(_("%(region)s removed from the territories.", region=name), "success")
    return redirect(url_for("manage.edit_partner", partner_id=partner_id))


@bp.route("/regions/<code>/children")
def region_children(code):
    """Child regions for the cascading region selects."""
    if db.session.get(Region, code) is None:
        abort(404)
    return jsonify([{"code": r.code, "name": r.name, "level": r.level}
                    for r in regions.children(db.session, code)])
