"""Recording orders closed and payments collected: every field checked first, then the
row, the customer's first order (which makes it existing and, when it was not, a new
customer developed by the salesperson), the order's paid amount and the day's roll-up,
all in the caller's transaction. No commits.

An entry is identified by its partner and `client_id` (a form's hidden id, a file's
line, a CRM's own id): the same entry sent again returns the row already stored; the
same id with different content is refused (409). A payment against an order never
exceeds what is still open on it, even when two arrive at once: the order's paid amount
grows by one conditional UPDATE."""
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.core.access import visible
from portal.core.clock import today
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.extensions import db
from portal.habits.customers import became_existing
from portal.habits.models import Customer
from portal.habits.visits import CLIENT_ID, salesperson
from portal.results import rollups
from portal.results.models import Order, Payment

ORDER_CONTENT = ("salesperson_id", "customer_id", "ordered_on", "amount_fen", "product_line",
                 "note")
PAYMENT_CONTENT = ("salesperson_id", "customer_id", "order_id", "received_on", "amount_fen",
                   "note")


@dataclass
class Recorded:
    entry: Order | Payment
    created: bool


def money_fen(value, field: str = "amount") -> int:
    """A positive amount of yuan with at most two decimals ("1234.5", 1234.5, "¥1,234")
    as fen, at most the configured ceiling."""
    ceiling = current_app.config["RESULT_MAX_AMOUNT_YUAN"]
    message = _l("Give an amount in yuan above 0 and at most %(num)s, with at most two "
                 "decimals.", num=f"{ceiling:,}")
    if isinstance(value, bool) or value in (None, ""):
        raise DomainError(field, message)
    if isinstance(value, float) and not math.isfinite(value):
        raise DomainError(field, message)
    text = str(value).strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError(field, message) from None
    if not amount.is_finite() or amount <= 0 or amount > ceiling or \
            amount != amount.quantize(Decimal("0.01")):
        raise DomainError(field, message)
    return int(amount * 100)


def _day(values: dict, field: str, label) -> date:
    value = values.get(field) or today()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(field, _l("Give %(what)s as a day (YYYY-MM-DD).",
                                        what=label)) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise DomainError(field, _l("Give %(what)s as a day (YYYY-MM-DD).", what=label))
    oldest = current_app.config["RESULT_MAX_AGE_DAYS"]
    if value > today():
        raise DomainError(field, _l("%(what)s cannot be in the future.", what=label))
    if value < today() - timedelta(days=oldest):
        raise DomainError(field, _l("Entries older than %(num)d days cannot be recorded.",
                                    num=oldest))
    return value


def _text(values: dict, key: str, limit: int) -> str:
    value = str(values.get(key) or "").strip()
    if len(value) > limit:
        raise DomainError(key, _l("At most %(num)d characters.", num=limit))
    if unsafe_character(value, multiline=True):
        raise DomainError(key, _l("This text holds a character that cannot be stored."))
    return value


def _id(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _client_id(values: dict) -> str:
    client_id = str(values.get("client_id") or "")
    if not CLIENT_ID.match(client_id):
        raise DomainError("client_id", _l("The entry's id is missing or malformed."))
    return client_id


def _customer(person: User, value) -> Customer:
    customer_id = _id(value)
    customer = db.session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None or customer.partner_id != person.partner_id or not customer.active:
        raise DomainError("customer_id", _l("Choose a customer of your partner."))
    return customer


def clean_order(actor, values: dict) -> dict:
    """Every field of an order checked in the form's order; the first bad one raises."""
    cleaned = {"client_id": _client_id(values)}
    person = salesperson(actor, values.get("salesperson_id"), _l(
        "You can record only your own orders, or those of the people you lead."))
    customer = _customer(person, values.get("customer_id"))
    cleaned.update(person=person, customer=customer, salesperson_id=person.id,
                   customer_id=customer.id)
    cleaned["ordered_on"] = _day(values, "ordered_on", _l("The order's date"))
    cleaned["amount_fen"] = money_fen(values.get("amount"))
    cleaned["product_line"] = _text(values, "product_line", 60)
    cleaned["note"] = _text(values, "note", 500)
    return cleaned


def _same(entry, cleaned: dict, content: tuple[str, ...]) -> bool:
    return all(getattr(entry, key) == cleaned[key] for key in content)


def _stored(model, partner_id: int, client_id: str):
    return db.session.execute(select(model).where(
        model.partner_id == partner_id, model.client_id == client_id)).scalar_one_or_none()


def _insert(entry, cleaned: dict, content: tuple[str, ...]) -> Recorded | None:
    """Add `entry` in a savepoint; None when it went in, else the answer to a retry."""
    model = type(entry)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        existing = _stored(model, entry.partner_id, entry.client_id)
        if existing is None:
            raise
        return _again(existing, cleaned, content)
    return None


def _again(existing, cleaned: dict, content: tuple[str, ...]) -> Recorded:
    if not _same(existing, cleaned, content):
        raise DomainError("client_id", _l("This entry id was already used for a different "
                                          "entry."), status=409)
    return Recorded(existing, False)


def _develop(order: Order, customer: Customer, actor) -> None:
    """The customer's first order: it becomes existing, and when it was not existing
    before, the order developed a new customer (新客户开发) for its salesperson. An order
    dated before the customer's first takes that role over."""
    if customer.first_order_on is None:
        order.developed = customer.klass != "existing"
        became_existing(customer, order.ordered_on, actor)
        return
    if order.ordered_on >= customer.first_order_on:
        return
    earlier = db.session.execute(select(Order).where(
        Order.customer_id == customer.id, Order.developed.is_(True),
        Order.id != order.id)).scalar_one_or_none()
    if earlier is not None:
        earlier.developed = False
        rollups.add(db.session.get(User, earlier.salesperson_id), earlier.ordered_on,
                    new_customers=-1)
        order.developed = True
    customer.first_order_on = order.ordered_on


def record_order(actor, values: dict) -> Recorded:
    """Store one order from a form, a file or the API; `Recorded.created` is False when
    the same entry was already stored (nothing changes then)."""
    cleaned = clean_order(actor, values)
    person, customer = cleaned["person"], cleaned["customer"]
    existing = _stored(Order, person.partner_id, cleaned["client_id"])
    if existing is not None:
        return _again(existing, cleaned, ORDER_CONTENT)
    order = Order(client_id=cleaned["client_id"], partner_id=person.partner_id,
                  team_id=person.team_id, salesperson_id=person.id, customer_id=customer.id,
                  ordered_on=cleaned["ordered_on"], amount_fen=cleaned["amount_fen"],
                  product_line=cleaned["product_line"], note=cleaned["note"], paid_fen=0,
                  recorded_by=actor.id)
    again = _insert(order, cleaned, ORDER_CONTENT)
    if again is not None:
        return again
    _develop(order, customer, actor)
    rollups.add(person, order.ordered_on, orders=1, revenue_fen=order.amount_fen,
                new_customers=int(order.developed))
    return Recorded(order, True)


def _order(actor, value) -> Order | None:
    if value in (None, ""):
        return None
    order_id = _id(value)
    order = db.session.execute(select(Order).where(
        Order.id == order_id, Order.partner_id == actor.partner_id,
        visible(actor, Order))).scalar_one_or_none() if order_id is not None else None
    if order is None:
        raise DomainError("order_id", _l("Choose one of the orders you may see."))
    return order


def clean_payment(actor, values: dict) -> dict:
    """Every field of a payment checked; a payment is against an order (then its
    customer is the order's) or a customer alone."""
    cleaned = {"client_id": _client_id(values)}
    order = _order(actor, values.get("order_id"))
    wanted = values.get("salesperson_id")
    if order is not None and wanted in (None, ""):
        wanted = order.salesperson_id
    person = salesperson(actor, wanted, _l(
        "You can record only your own payments, or those of the people you lead."))
    if order is not None:
        given = _id(values.get("customer_id"))
        if values.get("customer_id") not in (None, "") and given != order.customer_id:
            raise DomainError("customer_id", _l("The order is another customer's."))
        customer = order.customer
    else:
        customer = _customer(person, values.get("customer_id"))
    cleaned.update(person=person, customer=customer, order=order, salesperson_id=person.id,
                   customer_id=customer.id, order_id=order.id if order else None)
    received = _day(values, "received_on", _l("The payment's date"))
    if order is not None and received < order.ordered_on:
        raise DomainError("received_on", _l("A payment against an order is received on or "
                                            "after the order's date (%(day)s).",
                                            day=order.ordered_on.isoformat()))
    cleaned["received_on"] = received
    cleaned["amount_fen"] = money_fen(values.get("amount"))
    if order is not None and cleaned["amount_fen"] > order.open_fen:
        raise DomainError("amount", _open_message(order))
    cleaned["note"] = _text(values, "note", 500)
    return cleaned


def _open_message(order: Order):
    return _l("At most what is still open on the order: ¥%(open)s.",
              open=f"{order.open_fen / 100:,.2f}")


def record_payment(actor, values: dict) -> Recorded:
    """Store one payment; against an order it adds to the order's paid amount, refused
    when more than is open there (also when another payment got in first)."""
    cleaned = clean_payment(actor, values)
    person, order = cleaned["person"], cleaned["order"]
    existing = _stored(Payment, person.partner_id, cleaned["client_id"])
    if existing is not None:
        return _again(existing, cleaned, PAYMENT_CONTENT)
    payment = Payment(client_id=cleaned["client_id"], partner_id=person.partner_id,
                      team_id=person.team_id, salesperson_id=person.id,
                      customer_id=cleaned["customer_id"], order_id=cleaned["order_id"],
                      received_on=cleaned["received_on"], amount_fen=cleaned["amount_fen"],
                      note=cleaned["note"], recorded_by=actor.id)
    again = _insert(payment, cleaned, PAYMENT_CONTENT)
    if again is not None:
        return again
    if order is not None:
        grown = db.session.execute(
            update(Order).where(Order.id == order.id,
                                Order.amount_fen - Order.paid_fen >= payment.amount_fen)
            .values(paid_fen=Order.paid_fen + payment.amount_fen)
            .execution_options(synchronize_session=False))
        db.session.refresh(order, ["paid_fen"])
        if grown.rowcount != 1:
            raise DomainError("amount", _open_message(order))
    rollups.add(person, payment.received_on, payments=1, payments_fen=payment.amount_fen)
    return Recorded(payment, True)

