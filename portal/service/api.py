"""Ticket endpoints for a partner's own service desk or CRM: tickets sent in batches of
up to 1,000 with the caller's own ticket numbers, and listed in pages.

Each item is stored or refused on its own (`portal.api.batches.run`, one savepoint
each); a retried batch never doubles: an item already stored with the same content
answers "exists", with different content a 409 for that item."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from portal.api.auth import allowed
from portal.api.batches import NOTHING_NEW, QUERY, STORED, answer, run
from portal.api.schemas import ErrorSchema
from portal.core.access import visible
from portal.core.errors import DomainError
from portal.core.pages import Page
from portal.extensions import db
from portal.org.models import Partner
from portal.service import schemas, tickets
from portal.service.models import Ticket
from portal.service.policies import enterable_partners

bp = Blueprint("service_api", __name__, url_prefix="/api/v1",
               description="Local service (本地化服务): service tickets.")


def _partner(item: dict) -> int:
    wanted = item.get("partner_id")
    if current_user.role in ("owner", "manager"):
        wanted = current_user.partner_id if wanted is None else wanted
    if wanted is None or db.session.execute(
            enterable_partners(current_user).where(Partner.id == wanted)).first() is None:
        raise DomainError("partner_id", _l("Choose one of the partners you enter tickets "
                                           "for."), status=403)
    return wanted


def _store(item: dict):
    partner_id = _partner(item)
    values = {k: v for k, v in item.items() if k != "partner_id"}
    opened = tickets.open_ticket(current_user, partner_id, values, channel="api")
    return ("created" if opened.created else "exists"), opened.ticket


@bp.route("/tickets")
@allowed("service.read")
@bp.arguments(schemas.TicketArgs, **QUERY)
@bp.response(200, schemas.TicketPageSchema)
def ticket_list(page, per_page, state=None, partner_id=None, q=None):
    """Tickets the caller may see, newest first: a partner's owner and team leads its
    own, a channel manager its partners', the principal all."""
    query = select(Ticket).where(visible(current_user, Ticket))
    if state is not None:
        query = query.where(tickets.in_state(state))
    if partner_id is not None:
        query = query.where(Ticket.partner_id == partner_id)
    text = (q or "").strip()
    if text:
        query = query.where(or_(Ticket.subject.contains(text, autoescape=True),
                                Ticket.client_id.contains(text, autoescape=True)))
    query = query.order_by(Ticket.opened_at.desc(), Ticket.id.desc())
    return Page(query, page=page, per_page=per_page).as_dict()


@bp.route("/tickets", methods=["POST"])
@allowed("service.enter")
@bp.arguments(schemas.TicketBatchSchema)
@bp.response(201, schemas.TicketBatchResultSchema, description=STORED)
@bp.alt_response(200, schema=schemas.TicketBatchResultSchema, description=NOTHING_NEW)
@bp.alt_response(403, schema=ErrorSchema, description=(
    "Only those who enter tickets send these: a partner's owner and team leads, its channel "
    "manager, the admin."))
def add_tickets(data):
    """Store a batch of tickets, each judged by the service rule in force when it was
    opened. An item is refused alone: a partner the caller does not enter for (403), a
    town outside the territory, a customer of another partner, times out of order or in
    the future, a satisfaction answer off its scale (422), a ticket number already used
    for a different ticket (409)."""
    return answer(run(data["items"], _store, lambda t: {"id": t.id}))
