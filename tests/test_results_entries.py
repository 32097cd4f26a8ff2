"""Orders and payments as the service stores them: a customer's first order makes it
existing and counts a new customer developed only when it was not existing before,
payments never exceed what is open on an order, the same entry sent twice, bad input
refused with its field, and roll-ups that equal a recomputation from the raw rows."""
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.core import clock
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits.models import CustomerClassChange
from portal.results import entries, rollups
from portal.results.models import Order, Payment, ResultDay
from tests.habiting import customer, freeze
from tests.resulting import fen, order, payment


def _day(person, day):
    return db.session.execute(select(ResultDay).where(ResultDay.user_id == person.id,
                                                      ResultDay.day == day)).scalar_one()


def _refused(call, field, status=400):
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    assert caught.value.field == field and caught.value.status == status
    return str(caught.value.message)


def test_a_first_order_develops_a_new_customer_and_makes_it_existing(world):
    freeze()
    staff = world.a.staff
    fresh, known = customer(staff, "新开鲜果店"), customer(staff, "老客户超市", klass="existing")
    first = order(staff, fresh, "1200.50", product_line="饮料")
    second = order(staff, fresh, "300")
    regular = order(staff, known, "80")
    db.session.refresh(fresh)
    assert fresh.klass == "existing" and fresh.first_order_on == clock.today()
    assert first.developed and not second.developed and not regular.developed
    reasons = db.session.execute(select(CustomerClassChange.reason).where(
        CustomerClassChange.customer_id == fresh.id)).scalars().all()
    assert reasons == ["created", "first_order"]
    row = _day(staff, clock.today())
    assert (row.orders, row.revenue_fen, row.new_customers) == (3, fen("1580.50"), 1)
    assert rollups.differences() == []


def test_an_earlier_order_recorded_later_takes_over_the_development(world):
    freeze()
    staff, manager = world.a.staff, world.a.manager
    shop = customer(staff, "补录的店")
    late = order(staff, shop, "500")
    early = order(manager, shop, "200", on=clock.today() - timedelta(days=5))
    db.session.refresh(late)
    assert early.developed and not late.developed
    assert _day(staff, clock.today()).new_customers == 0
    assert _day(manager, early.ordered_on).new_customers == 1
    db.session.refresh(shop)
    assert shop.first_order_on == early.ordered_on
    assert rollups.differences() == []


def test_payments_against_an_order_never_exceed_its_open_amount(world):
    freeze()
    staff = world.a.staff
    shop = customer(staff)
    big = order(staff, shop, "1000")
    payment(staff, "600", of=big)
    payment(staff, "400", of=big)
    db.session.refresh(big)
    assert big.paid_fen == fen(1000) and big.open_fen == 0
    message = _refused(lambda: payment(staff, "0.01", of=big), "amount")
    assert "0.00" in message
    loose = payment(staff, "250", shop=shop)  # on account, against no order
    assert loose.order_id is None and loose.customer_id == shop.id
    row = _day(staff, clock.today())
    assert (row.payments, row.payments_fen) == (3, fen(1250))
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 3
    assert rollups.differences() == []


def test_a_payment_against_an_order_is_its_salespersons_and_customers(world):
    freeze()
    staff, manager = world.a.staff, world.a.manager
    shop, other = customer(staff), customer(staff, "另一家店")
    sold = order(staff, shop, "900")
    paid = payment(manager, "100", of=sold)  # the team lead records the staff's payment
    assert paid.salesperson_id == staff.id and paid.customer_id == shop.id
    _refused(lambda: payment(staff, "100", of=sold, shop=other), "customer_id")
    _refused(lambda: payment(staff, "100", of=sold,
                             on=sold.ordered_on - timedelta(days=1)), "received_on")
    # Another team's staff neither sees the order nor records for its salesperson.
    _refused(lambda: payment(world.a.other_staff, "100", of=sold), "order_id")


def test_the_same_entry_twice_is_stored_once_and_other_content_is_a_409(world):
    freeze()
    staff = world.a.staff
    shop = customer(staff)
    values = {"client_id": "crm-order-000001", "customer_id": shop.id,
              "ordered_on": clock.today(), "amount": "88.80"}
    first = entries.record_order(staff, dict(values))
    db.session.commit()
    again = entries.record_order(staff, dict(values))
    assert first.created and not again.created and again.entry.id == first.entry.id
    _refused(lambda: entries.record_order(staff, {**values, "amount": "99"}), "client_id",
             409)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert _day(staff, clock.today()).orders == 1


@pytest.mark.parametrize("field, value", [
    ("amount", "-5"), ("amount", "0"), ("amount", "12.345"), ("amount", "abc"),
    ("amount", "10000000.01"), ("amount", float("nan")), ("amount", True),
    ("ordered_on", "2026-13-01"), ("ordered_on", "tomorrow"),
])
def test_bad_orders_are_refused_on_their_field_and_store_nothing(world, field, value):
    freeze()
    staff = world.a.staff
    shop = customer(staff)
    values = {"client_id": "bad-order-000001", "customer_id": shop.id, "amount": "10",
              field: value}
    _refused(lambda: entries.record_order(staff, values), field)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert db.session.scalar(select(func.count()).select_from(ResultDay)) == 0


def test_dates_in_the_future_or_too_old_are_refused(world):
    freeze()
    staff = world.a.staff
    shop = customer(staff)
    future = _refused(lambda: order(staff, shop, on=clock.today() + timedelta(days=1)),
                      "ordered_on")
    with force_locale("zh"):
        assert future == gettext("%(what)s cannot be in the future.", what=gettext(
            "The order's date")) == "订单日期不能晚于今天。"
    _refused(lambda: order(staff, shop, on=clock.today() - timedelta(days=367)), "ordered_on")


def test_a_customer_of_another_partner_or_someone_elses_order_is_refused(world):
    freeze()
    theirs = customer(world.b.staff, "对面的店")
    _refused(lambda: order(world.a.staff, theirs), "customer_id")
    mine = customer(world.a.staff)
    _refused(lambda: order(world.a.staff, mine, salesperson_id=world.a.other_staff.id),
             "salesperson_id", 403)
    # An owner records for anyone of its partner, never for another partner's people.
    assert order(world.a.owner, mine, salesperson_id=world.a.other_staff.id).salesperson_id \
        == world.a.other_staff.id
    _refused(lambda: order(world.a.owner, mine, salesperson_id=world.b.staff.id),
             "salesperson_id", 403)
    assert rollups.differences() == []
