"""The habits blueprint (/habits). Its pages live in modules by who uses them:
`customer_routes` (the customer book, its import and export), `visit_routes` (logging a
visit from a phone, offline too, and the day's to-dos), `rule_routes` (the
effective-visit rule's versions), `review_routes` (flagged visits for a manager) and
`team_routes` (who logged what today and this week)."""
from flask import Blueprint

from portal.core.pages import require_login

bp = Blueprint("habits", __name__, url_prefix="/habits")
require_login(bp)

from portal.habits import (customer_routes, review_routes, rule_routes,  # noqa: E402,F401
                           team_routes, visit_routes)
