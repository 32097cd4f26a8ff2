"""Results endpoints (being written)."""
from flask_smorest import Blueprint

bp = Blueprint("results_api", __name__, url_prefix="/api/v1",
               description="Results: orders and payments.")
