"""The person assessment page (/health/assessment): an owner's people (or one team's),
a team lead's team, each with results, ability, attitude and the weighted whole, best
first; the owner sets its partner's weights there, inside the principal's limits."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import User
from portal.core.access import figures_of, require, visible
from portal.core.clock import today
from portal.core.errors import DomainError
from portal.extensions import db
from portal.health import assessment, read
from portal.health.models import HealthMonth
from portal.health.routes import bp
from portal.org.models import Team
from portal.results.months import month_label


def _teams():
    return db.session.execute(select(Team).where(visible(current_user, Team),
                                                 Team.partner_id == current_user.partner_id,
                                                 Team.active.is_(True))
                              .order_by(Team.name_key)).scalars().all()


def _page(errors=None, values=None, status=200):
    day = today()
    months = read.computed_months()
    month = read.month_named(request.args.get("month"), months, day)
    teams = _teams()
    # Whose figures the reader has (`figures_of`): a team lead's are its team's; a reader
    # of the whole partner (the owner) picks a team or sees them all.
    own_team = figures_of(current_user).team_id
    picks_team = own_team is None
    team_id = request.args.get("team", type=int) if picks_team else own_team
    if team_id is not None and team_id not in {t.id for t in teams}:
        team_id = None
    query = (select(HealthMonth, User).join(User, User.id == HealthMonth.user_id)
             .where(HealthMonth.month == month, HealthMonth.level == "person",
                    HealthMonth.partner_id == current_user.partner_id,
                    User.role != "owner", visible(current_user, HealthMonth)))
    if team_id is not None:
        query = query.where(HealthMonth.team_id == team_id)
    found = db.session.execute(query).all()
    sides, own = assessment.weights_for(current_user.partner_id, month)
    scored = assessment.assess([row for row, _user in found], sides)
    people = sorted(((user, row, scored[row.id]) for row, user in found),
                    key=lambda item: (item[2].total is None, -(item[2].total or 0),
                                      item[0].name_key))
    return render_template(
        "health/assessment.html", people=people, sides=sides, own=own,
        limits=assessment.limits(month)["limits"], month=month, month_text=month_label(month),
        months=months, teams=teams if picks_team else [], team_id=team_id, errors=errors or {},
        values=values or sides, month_label=month_label), status


@bp.route("/assessment")
def assessment_page():
    require("health.assess")
    return _page()


@bp.route("/assessment/weights", methods=["POST"])
def assessment_weights():
    require("health.assessment_weights")
    values = {side: request.form.get(side, "") for side in assessment.SIDES}
    try:
        assessment.save(current_user, current_user.partner_id, values, today())
    except DomainError as error:
        db.session.rollback()
        return _page({error.field: error.message}, values, 400)
    db.session.commit()
    flash(_("Your assessment weights were saved."), "success")
    return redirect(url_for("health.assessment_page"))
