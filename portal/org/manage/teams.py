"""A partner's teams: admin, the partner's channel manager, the partner's owner."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import get_or_404
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.extensions import db
from portal.org import partners as services
from portal.org.forms import TeamForm, choices
from portal.org.manage import bp, form_page, staffing_partner
from portal.org.models import Partner, Team


def _team_form(partner: Partner, team: Team | None) -> TeamForm:
    form = TeamForm(obj=team)
    current = team.leader_id if team is not None else None
    form.leader_id.choices = choices(
        (u.id, f"{u.display_name} ({u.username})")
        for u in services.partner_managers(partner.id, include_id=current))
    return form


def _save(team: Team | None, partner: Partner):
    form = _team_form(partner, team)
    if form.validate_on_submit():
        try:
            team = services.save_team(team, partner, name=form.name.data,
                                      leader_id=form.leader_id.data)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Team %(name)s saved.", name=team.name), "success")
            return redirect(url_for("org.team", team_id=team.id))
    return form_page("manage/team_form.html", form=form, partner=partner, team=team)


@bp.route("/partners/<int:partner_id>/teams/new", methods=["GET", "POST"])
def new_team(partner_id):
    return _save(None, staffing_partner(partner_id))


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
def edit_team(team_id):
    team = get_or_404(current_user, Team, team_id, change=True)
    return _save(team, team.partner)


@bp.route("/teams/<int:team_id>/<any(deactivate, reactivate):action>", methods=["POST"])
def team_active(team_id, action):
    team = get_or_404(current_user, Team, team_id, change=True)
    services.set_team_active(team, action == "reactivate")
    db.session.commit()
    if team.active:
        flash(_("Team %(name)s is active again.", name=team.name), "success")
    else:
        flash(_("Team %(name)s is deactivated.", name=team.name), "success")
    return redirect(url_for("org.team", team_id=team.id))
