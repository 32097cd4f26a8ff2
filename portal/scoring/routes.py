"""The scoring blueprint (/scoring). Its pages live in modules by what they show:
`criteria_routes` (the criteria catalogue: versions, the admin's editor and the preview
before publishing), `criteria_comment_routes` (comments on a version and the replies);
the scorecards and appeals add their own modules."""
from flask import Blueprint

from portal.core.pages import require_login

bp = Blueprint("scoring", __name__, url_prefix="/scoring")
require_login(bp)

from portal.scoring import criteria_routes, criteria_comment_routes  # noqa: E402,F401
from portal.scoring import card_routes, appeal_routes  # noqa: E402,F401
