"""The exams blueprint (/exams). Its pages live in three modules by who uses them:
`take_routes` (takers: my exams, taking, results, certificates), `manage_routes`
(channel managers: scheduling, sittings, overrides) and `report_routes` (coverage,
frequency, item analysis)."""
from flask import Blueprint

from portal.core.pages import require_login

bp = Blueprint("exams", __name__, url_prefix="/exams")
require_login(bp)

from portal.exams import manage_routes, report_routes, take_routes  # noqa: E402,F401
