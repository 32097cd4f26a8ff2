"""The results blueprint (/results). Its pages live in modules by subject:
`order_routes` (orders: the list, one order with its payments, recording, import and
export), `payment_routes` (payments) and `target_routes` (monthly targets with their
reference lines, cascades and progress)."""
from flask import Blueprint

from portal.core.pages import require_login

bp = Blueprint("results", __name__, url_prefix="/results")
require_login(bp)

from portal.results import order_routes, payment_routes, target_routes  # noqa: E402,F401
