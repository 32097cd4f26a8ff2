"""Accounts: the admin's list of everyone, principal accounts, and a partner's people
(managed by the admin, the partner's channel manager and its owner)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth import throttle
from portal.auth.models import ROLES, User
from portal.core.access import get_or_404, require
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.core.pages import number_arg, paginate
from portal.extensions import db
from portal.org import accounts, services
from portal.org.forms import PersonForm, ResetPasswordForm, choices
from portal.org.labels import ROLE_LABELS
from portal.org.manage import bp, form_page, staffing_partner
from portal.org.models import Partner, Team
from portal.org.partners import active_teams
from portal.org.people import create_person, deactivate_person
from portal.org.policies import assignable_roles

ACTIVE_FILTERS = {"1": True, "0": False}


@bp.route("/users")
def users():
    require("org.admin")
    args = request.args
    query = services.people_query(current_user, partner_id=number_arg("partner"),
                                  role=args.get("role") if args.get("role") in ROLES else None,
                                  q=args.get("q"), active=ACTIVE_FILTERS.get(args.get("active")))
    page = paginate(query)
    partners = db.session.execute(select(Partner.id, Partner.name).order_by(Partner.name_key)).all()
    return render_template("manage/users.html", page=page, partners=partners, roles=ROLES)


def _person_form(person: User | None, partner: Partner | None, *,
                 from_request: bool = True) -> PersonForm:
    """The account form, narrowed to what the current user may set for this person."""
    form = PersonForm(obj=person) if from_request else PersonForm(formdata=None, obj=person)
    fresh = not (from_request and form.is_submitted())
    if person is not None and person.id == current_user.id:
        del form.role  # nobody changes their own role, so nobody locks themselves out
    else:
        roles = assignable_roles(current_user, partner)
        form.role.choices = choices(((r, ROLE_LABELS[r]) for r in roles), blank=None)
        if person is None and fresh and "staff" in roles:
            form.role.data = "staff"
    if partner is None:
        del form.team
    else:
        current = person.team_id if person is not None else None
        form.team.choices = choices((t.id, t.name) for t in active_teams(partner.id, current))
        if person is not None and fresh:
            form.team.data = person.team_id  # obj= filled in the Team object itself
    if person is not None:
        del form.password
    return form


def _fields(form: PersonForm, person: User | None) -> dict:
    team = db.session.get(Team, form.team.data) if "team" in form and form.team.data else None
    return {"username": form.username.data, "display_name": form.display_name.data,
            "role": form.role.data if "role" in form else person.role, "team": team,
            "email": form.email.data, "phone": form.phone.data}


def _create(partner: Partner | None):
    form = _person_form(None, partner)
    if form.validate_on_submit():
        try:
            person = create_person(partner=partner, password=form.password.data,
                                   **_fields(form, None))
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Account %(username)s created.", username=person.username), "success")
            return redirect(url_for("org.person", user_id=person.id))
    return form_page("manage/person_form.html", form=form, partner=partner, person=None)


@bp.route("/users/new", methods=["GET", "POST"])
def new_account():
    """A principal account (admin, channel manager, auditor)."""
    require("org.admin")
    return _create(None)


@bp.route("/partners/<int:partner_id>/people/new", methods=["GET", "POST"])
def new_person(partner_id):
    return _create(staffing_partner(partner_id))


def _edit_page(person: User, form: PersonForm, reset_form: ResetPasswordForm):
    return form_page("manage/person_form.html", form=form, partner=person.partner,
                     person=person, reset_form=reset_form,
                     locked_until=throttle.locked_until(person))


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
def edit_person(user_id):
    person = get_or_404(current_user, User, user_id, change=True)
    form = _person_form(person, person.partner)
    if form.validate_on_submit():
        try:
            accounts.update_person(person, **_fields(form, person))
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Account %(username)s saved.", username=person.username), "success")
            return redirect(url_for("org.person", user_id=person.id))
    return _edit_page(person, form, ResetPasswordForm(formdata=None))


@bp.route("/people/<int:user_id>/password", methods=["POST"])
def reset_password(user_id):
    require("org.admin")
    person = get_or_404(current_user, User, user_id)
    reset_form = ResetPasswordForm()
    if reset_form.validate_on_submit():
        accounts.reset_password(person, reset_form.new_password.data)
        db.session.commit()
        flash(_("The password of %(username)s was reset; their sessions were ended.",
                username=person.username), "success")
        return redirect(url_for("manage.edit_person", user_id=person.id))
    return _edit_page(person, _person_form(person, person.partner, from_request=False),
                      reset_form)


@bp.route("/people/<int:user_id>/<any(deactivate, reactivate):action>", methods=["POST"])
def person_active(user_id, action):
    person = get_or_404(current_user, User, user_id, change=True)
    if person.id == current_user.id:
        abort(409)  # deactivating yourself would lock you out mid-request
    if action == "deactivate":
        deactivate_person(person)
        flash(_("%(username)s is deactivated and logged out.", username=person.username),
              "success")
    else:
        accounts.reactivate_person(person)
        flash(_("%(username)s may log in again.", username=person.username), "success")
    db.session.commit()
    return redirect(url_for("org.person", user_id=person.id))


@bp.route("/people/<int:user_id>/unlock", methods=["POST"])
def unlock_login(user_id):
    """Forget the person's failed logins, so a wait started by wrong passwords (its own
    or a stranger's) ends now."""
    person = get_or_404(current_user, User, user_id, change=True)
    throttle.unlock(person)
    db.session.commit()
    flash(_("%(username)s may log in again at once.", username=person.username), "success")
    return redirect(url_for("manage.edit_person", user_id=person.id))
