"""Sales habits endpoints for partners' own CRMs and phones: visits and customers, each
sent in batches of up to 1,000 items with the client's own ids and listed in pages.

A batch is read whole (a body of the wrong shape is a 422 and nothing is stored), then
each item is stored or refused on its own (`portal.api.batches.run`) and the answer says
which, in order; the request commits once. A retried batch never doubles: an item
already stored answers "exists". POSTs run in BEGIN IMMEDIATE on SQLite and meet the
unique key of (salesperson, client id) inside a savepoint on PostgreSQL, so two copies
of one batch sent at the same moment still store each visit once."""

from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from portal.api.auth import allowed
from portal.api.batches import FORBIDDEN, NOTHING_NEW, QUERY, STORED, answer
from portal.core.access import visible
from portal.core.pages import Page
from portal.habits import batches, schemas
from portal.habits.customers import normalise_name
from portal.habits.models import Customer, Visit

bp = Blueprint("habits_api", __name__, url_prefix="/api/v1",
               description="Sales habits: customers and visits.")

@bp.route("/visits")
@bp.arguments(schemas.VisitArgs, **QUERY)
@bp.response(200, schemas.VisitPageSchema)
def visit_list(page, per_page, from_=None, to=None, user_id=None, customer_id=None,
               effective=None, flagged=None):
    """Visits the caller may see, newest first: staff their own, a team lead its team's,
    an owner its partner's, a channel manager its partners', the principal all."""
    query = select(Visit).where(visible(current_user, Visit))
    if from_ is not None:
        query = query.where(Visit.day >= from_)
    if to is not None:
        query = query.where(Visit.day <= to)
    if user_id is not None:
        query = query.where(Visit.user_id == user_id)
    if customer_id is not None:
        query = query.where(Visit.customer_id == customer_id)
    if effective is not None:
        query = query.where(Visit.effective.is_(effective))
    if flagged is not None:
        query = query.where(Visit.flagged.is_(flagged))
    query = query.order_by(Visit.visited_at.desc(), Visit.id.desc())
    return Page(query, page=page, per_page=per_page).as_dict()


@bp.route("/visits", methods=["POST"])
@allowed("habits.log")
@bp.arguments(schemas.VisitBatchSchema)
@bp.response(201, schemas.VisitBatchResultSchema, description=STORED)
@bp.alt_response(200, schema=schemas.VisitBatchResultSchema, description=NOTHING_NEW)
@bp.alt_response(403, **FORBIDDEN)
def log_visits(data):
    """Log a batch of visits, each judged by the effective-visit rule in force at its
    time and flagged where it looks wrong (saved all the same).

    Each item is the caller's visit, or for an owner or team lead that of
    `salesperson_id`. An item is refused alone (`status: error` with its field, message
    and status): a customer of another partner, a time in the future or too old, a visit
    for someone the caller does not lead (403), an entry id already used for a different
    visit (409)."""
    return answer(batches.visits(current_user, data["items"]))


@bp.route("/customers")
@bp.arguments(schemas.CustomerArgs, **QUERY)
@bp.response(200, schemas.CustomerPageSchema)
def customer_list(page, per_page, q=None, klass=None, owner_id=None):
    """Customers the caller may see, by name: staff those they look after, a team lead
    its team's, an owner every customer of its partner, a channel manager its
    partners', the admin and auditors all."""
    query = select(Customer).where(visible(current_user, Customer))
    text = (q or "").strip()
    if text:
        matches = [Customer.name.contains(text, autoescape=True),
                   Customer.uscc.contains(text.upper(), autoescape=True)]
        if normalise_name(text):
            matches.append(Customer.name_norm.contains(normalise_name(text), autoescape=True))
        query = query.where(or_(*matches))
    if klass is not None:
        query = query.where(Customer.klass == klass)
    if owner_id is not None:
        query = query.where(Customer.owner_id == owner_id)
    query = query.order_by(Customer.name_key, Customer.id)
    return Page(query, page=page, per_page=per_page).as_dict()


@bp.route("/customers", methods=["POST"])
@allowed("habits.log")
@bp.arguments(schemas.CustomerBatchSchema)
@bp.response(201, schemas.CustomerBatchResultSchema, description=STORED)
@bp.alt_response(200, schema=schemas.CustomerBatchResultSchema, description=NOTHING_NEW)
@bp.alt_response(403, **FORBIDDEN)
def add_customers(data):
    """Add a batch of customers to the caller's partner's book.

    An item is refused alone: a town outside the territory, a credit code already in the
    book (409), a customer of the same name in the same town (409, with the look-alikes'
    ids in `matches`; send it again with `confirm_duplicate` when it is another shop). An
    item identical to a customer already in the book (a retry) answers "exists"."""
    return answer(batches.customers(current_user, data["items"]))
