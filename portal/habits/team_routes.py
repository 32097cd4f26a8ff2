"""The team's day and week: who logged what today and since Monday, by person, read from
the daily roll-ups (`portal.habits.team`). A team lead sees its team, an owner the whole
partner by team, the principal one partner at a time from the partners whose figures
it may read (`figures_of`)."""
from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import User
from portal.core.access import figures_of, require, visible
from portal.core.clock import now
from portal.core.pages import number_arg
from portal.extensions import db
from portal.habits import rollups, team as figures
from portal.habits.routes import bp
from portal.org.models import Partner


def percent(rate: float | None) -> str:
    """A rate as a whole percentage; "—" when there is nothing to divide by."""
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _partner_choice(whose) -> tuple[list, int | None]:
    """(the partners a principal may pick, the chosen one): `?partner=` when allowed (a
    partner outside them is a 404), else the only one when there is one."""
    partners = db.session.execute(select(Partner.id, Partner.name)
                                  .where(whose.condition(Partner.id))
                                  .order_by(Partner.name_key, Partner.id)).all()
    chosen = number_arg("partner")
    if chosen is not None:
        if chosen not in {p.id for p in partners}:
            abort(404)
        return partners, chosen
    return partners, partners[0].id if len(partners) == 1 else None


@bp.route("/team/")
def team():
    require("habits.team")
    whose = figures_of(current_user)
    partners, partner_id = None, None
    if current_user.is_principal:
        partners, partner_id = _partner_choice(whose)
    elif not whose.nothing:
        partner_id = whose.partner_ids[0]
    today = rollups.business_day(now())
    groups, linked, partner = [], set(), None
    if partner_id is not None:
        partner = db.session.get(Partner, partner_id)
        groups = figures.day_and_week(partner_id, whose.team_id, today)
        ids = [p.id for g in groups for p in g.people]
        if ids:
            linked = set(db.session.execute(select(User.id).where(
                User.id.in_(ids), visible(current_user, User))).scalars())
    return render_template("habits/team/index.html", partners=partners, partner=partner,
                           groups=groups, linked=linked, today=today,
                           week=figures.this_week(today), percent=percent,
                           by_team=whose.team_id is None)
