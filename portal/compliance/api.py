"""Good-faith endpoints: the violations and dues the caller may see, in pages (a
partner's owner and team leads their own, a channel manager its partners', the
principal all). Read only: records are entered on the portal's pages."""
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from portal.api.auth import allowed
from portal.api.batches import QUERY
from portal.compliance import dues, schemas
from portal.compliance.models import Due, Violation
from portal.core.access import visible
from portal.core.clock import today
from portal.core.pages import Page

bp = Blueprint("compliance_api", __name__, url_prefix="/api/v1",
               description="Good faith (守信): violations and dues to the principal.")


@bp.route("/violations")
@allowed("compliance.read")
@bp.arguments(schemas.ViolationArgs, **QUERY)
@bp.response(200, schemas.ViolationPageSchema)
def violation_list(page, per_page, partner_id=None, kind=None, state=None):
    """Violations the caller may see, latest first (withdrawn ones too, with their
    reason: they no longer count)."""
    query = select(Violation).where(visible(current_user, Violation))
    if partner_id is not None:
        query = query.where(Violation.partner_id == partner_id)
    if kind is not None:
        query = query.where(Violation.kind == kind)
    if state is not None:
        query = query.where(Violation.state == state)
    query = query.order_by(Violation.occurred_on.desc(), Violation.id.desc())
    return Page(query, page=page, per_page=per_page).as_dict()


@bp.route("/dues")
@allowed("compliance.read")
@bp.arguments(schemas.DueArgs, **QUERY)
@bp.response(200, schemas.DuePageSchema)
def due_list(page, per_page, partner_id=None, standing=None):
    """Dues the caller may see, latest due day first, with how each stands today."""
    day = today()
    query = select(Due).where(visible(current_user, Due))
    if partner_id is not None:
        query = query.where(Due.partner_id == partner_id)
    if standing is not None:
        query = query.where(dues.in_standing(standing, day))
    query = query.order_by(Due.due_on.desc(), Due.id.desc())
    found = Page(query, page=page, per_page=per_page).as_dict()
    found["items"] = [{**{c: getattr(d, c) for c in (
        "id", "partner_id", "reference", "amount_fen", "due_on", "paid_fen", "paid_on",
        "note")}, "standing": dues.standing(d, day)} for d in found["items"]]
    return found
