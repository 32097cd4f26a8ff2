"""The exams blueprint (/exams). Its pages live in modules by who uses them:
`take_routes` and `certificates` (takers: my exams, taking, results, certificates),
`manage_routes` and `override_routes` (channel managers: scheduling, sittings,
overrides) and `report_routes` (coverage, frequency, item analysis)."""
from flask import Blueprint

from portal.core.pages import require_login

bp = Blueprint("exams", __name__, url_prefix="/exams")
require_login(bp)

from portal.exams import (manage_routes, override_routes, report_routes,  # noqa: E402,F401
                          take_routes)
