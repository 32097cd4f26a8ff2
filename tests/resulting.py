"""Helpers of the results tests: a one-line order and payment (the habits tests' clock
and customers)."""
import itertools
from decimal import Decimal

from portal.core import clock
from portal.extensions import db
from portal.results import entries

_ids = itertools.count(1)


def order(person, shop, amount="1000", *, on=None, commit=True, **values):
    recorded = entries.record_order(person, {
        "client_id": f"test-order-{next(_ids):06d}", "customer_id": shop.id,
        "ordered_on": on or clock.today(), "amount": amount, **values})
    if commit:
        db.session.commit()
    return recorded.entry


def payment(person, amount="100", *, of=None, shop=None, on=None, commit=True, **values):
    fields = {"client_id": f"test-payment-{next(_ids):06d}", "amount": amount,
              "received_on": on or clock.today(), **values}
    if of is not None:
        fields["order_id"] = of.id
    if shop is not None:
        fields["customer_id"] = shop.id
    recorded = entries.record_payment(person, fields)
    if commit:
        db.session.commit()
    return recorded.entry


def fen(yuan) -> int:
    return int(Decimal(str(yuan)) * 100)
