"""Management pages: partners and territories, teams, people, staff import, audit log.

Every handler follows one pipeline: load the object and check access (`get_or_404` or a
role check), validate the form, call a service, commit once, redirect with a message."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from portal.core.access import get_or_404
from portal.core.pages import require_login, require_role
from portal.org.models import Partner

bp = Blueprint("manage", __name__, url_prefix="/manage")

# Who may run a partner's teams and people (further narrowed by what they can see).
STAFFING_ROLES = ("admin", "channel_manager", "owner")


require_login(bp)


def staffing_partner(partner_id: int) -> Partner:
    """The partner whose teams and people the current user may manage: an admin, the
    partner's channel manager or its owner (404 for a foreign partner, else 403)."""
    partner = get_or_404(current_user, Partner, partner_id)
    require_role(*STAFFING_ROLES)
    return partner


def form_page(template: str, **context):
    """A form page: 200 when shown, 400 when a submitted form comes back with errors
    (a successful POST redirects and never gets here)."""
    return render_template(template, **context), 400 if request.method == "POST" else 200


def show_error(form, error) -> None:
    """Put a service's error (`.field`, `.message`) under its field, or above the form."""
    target = form._fields.get(error.field)
    (target.errors if target is not None else form.form_errors).append(error.message)


from portal.org.manage import audit_log, imports, partners, people, teams  # noqa: E402,F401
