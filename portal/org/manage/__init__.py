"""Management pages: partners and territories, teams, people, staff import, audit log.

Every handler follows one pipeline: load the object and check access (`get_or_404` or a
a named rule), validate the form, call a service, commit once, redirect with a message."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from portal.core.access import get_or_404, require
from portal.core.pages import require_login
from portal.org.models import Partner

bp = Blueprint("manage", __name__, url_prefix="/manage")

require_login(bp)


def staffing_partner(partner_id: int) -> Partner:
    """The partner whose teams and people the current user may manage: an admin, the
    partner's channel manager or its owner (404 for a foreign partner, else 403)."""
    partner = get_or_404(current_user, Partner, partner_id)
    require("org.manage_staff")
    return partner


def form_page(template: str, **context):
    """A form page: 200 when shown, 400 when a submitted form comes back with errors
    (a successful POST redirects and never gets here)."""
    return render_template(template, **context), 400 if request.method == "POST" else 200


from portal.org.manage import audit_log, imports, partners, people, teams  # noqa: E402,F401
