"""Batches of orders and payments from a partner's own CRM: each item through
`portal.results.entries` in its own savepoint by `portal.api.batches.run`, so a
refused item leaves nothing behind, a retried item answers "exists" and the same client
id with other content is a 409 for that item. No commit: the caller commits once."""
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.api.batches import run
from portal.habits.models import Customer
from portal.results.entries import record_order, record_payment


def _customers(actor: User, items: list[dict]) -> list[Customer]:
    """The partner's customers the batch names, in one query: the service then finds
    each in the session. The caller holds the list (the session's references are weak)."""
    wanted = {item.get("customer_id") for item in items} - {None}
    if not wanted:
        return []
    return db.session.execute(select(Customer).where(
        Customer.id.in_(wanted), Customer.partner_id == actor.partner_id)).scalars().all()


def _stored(record, actor: User):
    def store(values):
        recorded = record(actor, values)
        return ("created" if recorded.created else "exists"), recorded.entry
    return store


def _describe_order(order) -> dict:
    return {"id": order.id, "developed": order.developed}


def _describe_payment(payment) -> dict:
    open_fen = payment.order.open_fen if payment.order is not None else None
    return {"id": payment.id, "order_open_fen": open_fen}


def orders(actor: User, items: list[dict]) -> list[dict]:
    """A batch of orders sent by `actor` (its own or, for owners and team leads,
    `salesperson_id`'s); `developed` is each order's as it stands after the batch."""
    loaded = _customers(actor, items)
    results = run(items, _stored(record_order, actor), _describe_order)
    del loaded
    return results


def payments(actor: User, items: list[dict]) -> list[dict]:
    """A batch of payments sent by `actor`; each answer carries what is still open on
    its order after the batch (None for a payment on the customer's account)."""
    loaded = _customers(actor, items)
    results = run(items, _stored(record_payment, actor), _describe_payment)
    del loaded
    return results
