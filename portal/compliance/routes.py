"""The good-faith blueprint (/compliance): violations (`violation_routes`) and dues to
the principal (`due_routes`). Every handler checks the action rule first, then loads
the record inside the user's reach (`get_or_404`): another partner's is a 404."""
from flask import Blueprint

from portal.compliance.labels import KIND_LABELS, SIDE_LABELS, STANDING_LABELS, STATE_LABELS
from portal.core.pages import require_login
from portal.results.labels import yuan

bp = Blueprint("compliance", __name__, url_prefix="/compliance")
require_login(bp)


@bp.context_processor
def _labels():
    return {"kind_labels": KIND_LABELS, "violation_state_labels": STATE_LABELS,
            "standing_labels": STANDING_LABELS, "side_labels": SIDE_LABELS, "yuan": yuan}
