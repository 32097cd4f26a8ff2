"""Results endpoints for partners' own CRMs: orders closed and payments collected, each
sent in batches of up to 1,000 items with the client's own ids and listed in pages.

As for visits (`portal.habits.api`): a batch is read whole (a body of the wrong shape is
a 422 and nothing is stored), then each item is stored or refused on its own
(`portal.results.batches`) and the answer says which, in order; the request commits
once. A retried batch never doubles: an item already stored answers "exists". POSTs run
in BEGIN IMMEDIATE on SQLite (`portal.core.database`) and meet the unique key of
(partner, client id) inside a savepoint on PostgreSQL, so two copies of one batch sent
at the same moment still store each entry once.

Amounts are sent in yuan (a JSON number or a string, at most two decimals) and answered
both in fen (`amount_fen`) and as a string of yuan (`amount`, "1234.50")."""
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from portal.api.auth import allowed
from portal.api.batches import FORBIDDEN, NOTHING_NEW, QUERY, STORED, answer
from portal.core.access import visible
from portal.core.pages import Page
from portal.results import batches, schemas
from portal.results.models import Order, Payment

bp = Blueprint("results_api", __name__, url_prefix="/api/v1",
               description="Results: orders closed (缔结订单) and payments collected (收款).")


def _entries(model, day, page, per_page, from_, to, **equal):
    """A page of `model`'s rows the caller may see, newest day first, narrowed by the
    day range and the columns in `equal` that were given."""
    query = select(model).where(visible(current_user, model))
    if from_ is not None:
        query = query.where(day >= from_)
    if to is not None:
        query = query.where(day <= to)
    for column, value in equal.items():
        if value is not None:
            query = query.where(getattr(model, column) == value)
    query = query.order_by(day.desc(), model.id.desc())
    return Page(query, page=page, per_page=per_page).as_dict()


def _stacked(*decorators):
    def decorate(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view
    return decorate


def listing(path: str, args, page):
    """GET `path`: the caller's scope (`results.read`), filtered by `args`, in pages."""
    return _stacked(bp.route(path), allowed("results.read"),
                    bp.arguments(args, **QUERY), bp.response(200, page))


def batch(path: str, body, result):
    """POST `path`: a batch from a partner's people (`results.record`), 201 when
    anything was stored, else 200."""
    return _stacked(bp.route(path, methods=["POST"]), allowed("results.record"),
                    bp.arguments(body), bp.response(201, result, description=STORED),
                    bp.alt_response(200, schema=result, description=NOTHING_NEW),
                    bp.alt_response(403, **FORBIDDEN))


@listing("/orders", schemas.OrderArgs, schemas.OrderPageSchema)
def order_list(page, per_page, from_=None, to=None, salesperson_id=None, customer_id=None,
               developed=None):
    """Orders the caller may see, newest first (by the order's day): staff their own, a
    team lead its team's, an owner its partner's, a channel manager its partners', the
    principal's admin and auditors every partner's."""
    return _entries(Order, Order.ordered_on, page, per_page, from_, to,
                    salesperson_id=salesperson_id, customer_id=customer_id,
                    developed=developed)


@batch("/orders", schemas.OrderBatchSchema, schemas.OrderBatchResultSchema)
def record_orders(data):
    """Record a batch of orders closed; a customer's first order makes it existing and,
    when it was not existing before, counts a new customer developed (新客户开发) for
    the order's salesperson (an order dated before the customer's first takes that over).

    Each item is the caller's order, or for an owner or team lead that of
    `salesperson_id`. An item is refused alone (`status: error` with its field, message
    and status): a customer of another partner, a day in the future or too old, an
    amount that is not a positive number of yuan with at most two decimals, an order for
    someone the caller does not lead (403), an entry id already used for a different
    order (409)."""
    return answer(batches.orders(current_user, data["items"]))


@listing("/payments", schemas.PaymentArgs, schemas.PaymentPageSchema)
def payment_list(page, per_page, from_=None, to=None, salesperson_id=None, customer_id=None,
                 order_id=None):
    """Payments the caller may see, newest first (by the day received): staff their own,
    a team lead its team's, an owner its partner's, a channel manager its partners', the
    principal's admin and auditors every partner's."""
    return _entries(Payment, Payment.received_on, page, per_page, from_, to,
                    salesperson_id=salesperson_id, customer_id=customer_id,
                    order_id=order_id)


@batch("/payments", schemas.PaymentBatchSchema, schemas.PaymentBatchResultSchema)
def record_payments(data):
    """Record a batch of payments collected, each against an order (`order_id`) or on a
    customer's account (`customer_id`); against an order it adds to the order's paid
    amount and the answer says what is still open on it after the batch.

    An item is refused alone: an order the caller may not see, a customer of another
    partner, a day before the order's or in the future or too old, more than is still
    open on the order (also when an earlier item of the batch paid it), a payment for
    someone the caller does not lead (403), an entry id already used for a different
    payment (409)."""
    return answer(batches.payments(current_user, data["items"]))
