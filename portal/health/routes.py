"""The health pages (/health): the principal's overview of every partner it may see
(`overview_routes`), a partner's, a team's and a person's month with its explanation
and six-month trend (`drill_routes`), and the rule's versions (`rule_routes`). Each
module adds its views to this one blueprint."""
from flask import Blueprint, url_for
from flask_login import current_user

from portal.core.access import may

from portal.core.pages import require_login

bp = Blueprint("health", __name__, url_prefix="/health")
require_login(bp)


def home_url(user) -> str | None:
    """Where a person's "Team health" link leads: the principal's overview, an owner's
    partner, a team lead's team, a salesperson's own month; None without any."""
    if may(user, "health.overview"):
        return url_for("health.overview")
    if not may(user, "health.read") or user.partner_id is None:
        return None
    if user.role == "owner":
        return url_for("health.partner", partner_id=user.partner_id)
    if user.role == "manager" and user.team_id is not None:
        return url_for("health.team", team_id=user.team_id)
    return url_for("health.person", user_id=user.id)


@bp.app_context_processor
def _links():
    return {"health_home_url": lambda: home_url(current_user)}

from portal.health import (assessment_routes, drill_routes,  # noqa: E402,F401
                           nudge_routes, overview_routes, rule_routes)
