"""The exams blueprint (/exams). Its pages live in modules by who uses them:
`take_routes` and `certificates` (takers: my exams, taking, results, certificates),
`manage_routes` and `override_routes` (channel managers: scheduling, sittings,
overrides), `report_routes` (coverage, frequency, item analysis) and `nudge_routes`
(a leader reminds its people of an open sitting)."""
from flask import Blueprint

from portal.core.pages import require_login

bp = Blueprint("exams", __name__, url_prefix="/exams")
require_login(bp)

from portal.exams import (manage_routes, nudge_routes, override_routes,  # noqa: E402,F401
                          report_routes, take_routes)
