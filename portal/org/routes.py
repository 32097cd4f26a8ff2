"""Pages to look at partners, their teams and people."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auth.models import PARTNER_ROLES, User

from portal.core.access import get_or_404, visible
from portal.core.clock import now
from portal.core.pages import paginate
from portal.domains import home_panels, person_panels
from portal.extensions import db
from portal.org import services
from portal.org.models import STRUCTURES, TIERS, Partner, Region, Team

bp = Blueprint("org", __name__)


@bp.route("/")
@login_required
def home():
    """The principal's roles land on every partner's team health at a glance; partner
    people on their to-dos and, for owners and team leads, their team's state,
    gathered from every domain's home panels."""
    if current_user.is_principal:
        return redirect(url_for("health.overview"))
    if not current_user.partner_id:
        return redirect(url_for("auth.change_password"))
    panels = [(panel.order, Markup(render_template(panel.template, **panel.context)))
              for panel in home_panels(current_user, now())]
    return render_template("org/home.html", panels=panels)


@bp.route("/partners")
@login_required
def partners():
    args = request.args
    query = services.partner_query(current_user, q=args.get("q"), province=args.get("province"),
                                   tier=args.get("tier"), structure=args.get("structure"),
                                   status=args.get("status"))
    page = paginate(query.options(selectinload(Partner.province)))
    provinces = db.session.execute(select(Region).where(Region.code.in_(
        select(Partner.province_code).where(visible(current_user, Partner))))
        .order_by(Region.code)).scalars().all()
    return render_template("org/partners.html", page=page, provinces=provinces,
                           tiers=TIERS, structures=STRUCTURES)


@bp.route("/partners/<int:partner_id>")
@login_required
def partner(partner_id):
    partner = get_or_404(current_user, Partner, partner_id)
    query = services.people_query(current_user, partner_id=partner.id,
                                  role=request.args.get("role") or None,
                                  q=request.args.get("q"))
    people = paginate(query.options(selectinload(User.team)))
    return render_template("org/partner.html", partner=partner, people=people,
                           headcount=services.headcount_by_role(partner.id),
                           teams=services.visible_teams(current_user, partner.id),
                           team_sizes=services.team_sizes(partner.id), roles=PARTNER_ROLES)


@bp.route("/teams/<int:team_id>")
@login_required
def team(team_id):
    team = get_or_404(current_user, Team, team_id)
    members = db.session.execute(services.people_query(current_user, team_id=team.id)
                                 ).scalars().all()
    return render_template("org/team.html", team=team, members=members)


@bp.route("/people/<int:user_id>")
@login_required
def person(user_id):
    """A person's details and record: training progress, exam history and certificates,
    acknowledgements, each domain's part holding only what the viewer may see."""
    person = get_or_404(current_user, User, user_id)
    panels = [Markup(render_template(panel.template, person=person, **panel.context))
              for panel in person_panels(current_user, person, now())]
    return render_template("org/person.html", person=person, panels=panels)
