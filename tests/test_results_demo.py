"""The demo's orders and payments: roll-ups equal to a recomputation, amounts a real
agency would see, orders closed on visits, first orders that develop new customers as
the service would, payments never above an order and never before it, some open, some
on account; the star sells most. Read from the demo template (seeded once per run)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.core import clock
from portal.extensions import db
from portal.habits.models import Customer, CustomerClassChange, Visit
from portal.org.models import Partner
from portal.results import rollups
from portal.results.demo import LINES
from portal.results.models import Order, Payment, ResultDay
from tests.conftest import DEMO_PASSWORD, login

pytestmark = pytest.mark.template("demo")


def _scalar(query):
    return db.session.execute(query).scalar()


def test_the_demo_results_agree_with_their_roll_ups(app):
    assert _scalar(select(func.count()).select_from(ResultDay)) > 1000
    assert rollups.differences() == []


def test_demo_orders_read_like_a_real_agencys(app):
    orders = db.session.execute(select(Order)).scalars().all()
    assert len(orders) > 3000
    assert all(300_00 <= o.amount_fen <= 60_000_00 for o in orders)
    assert {o.product_line for o in orders} == set(LINES)
    assert all(0 <= o.paid_fen <= o.amount_fen for o in orders)
    paid = sum(o.paid_fen == o.amount_fen for o in orders) / len(orders)
    part = sum(0 < o.paid_fen < o.amount_fen for o in orders) / len(orders)
    unpaid = sum(o.paid_fen == 0 for o in orders) / len(orders)
    assert 0.4 < paid < 0.8 and 0.05 < part < 0.4 and 0.05 < unpaid < 0.4
    # Each order was closed on a visit of its salesperson to its customer that day.
    unvisited = _scalar(select(func.count()).select_from(Order).where(~select(Visit.id).where(
        Visit.user_id == Order.salesperson_id, Visit.customer_id == Order.customer_id,
        Visit.day == Order.ordered_on).exists()))
    assert unvisited == 0


def test_demo_payments_follow_their_orders(app):
    late = _scalar(select(func.count()).select_from(Payment).join(
        Order, Order.id == Payment.order_id).where(Payment.received_on < Order.ordered_on))
    assert late == 0
    assert _scalar(select(func.max(Payment.received_on))) <= clock.today()
    loose = db.session.execute(select(Payment).where(Payment.order_id.is_(None))).scalars().all()
    assert loose and all(p.customer.klass == "existing" for p in loose)
    two = _scalar(select(func.count()).select_from(select(Payment.order_id).where(
        Payment.order_id.is_not(None)).group_by(Payment.order_id).having(
        func.count() > 1).subquery()))
    assert two > 100  # some orders are paid in two instalments


def test_first_orders_develop_new_customers_as_the_service_would(app):
    developed = db.session.execute(select(Order).where(Order.developed.is_(True))).scalars().all()
    assert len(developed) > 500
    assert len({o.customer_id for o in developed}) == len(developed)
    for o in developed[:200]:
        assert o.customer.klass == "existing" and o.customer.first_order_on == o.ordered_on
    earlier = _scalar(select(func.count()).select_from(Order).join(
        Customer, Customer.id == Order.customer_id).where(
        Order.ordered_on < Customer.first_order_on))
    assert earlier == 0
    changes = _scalar(select(func.count()).select_from(CustomerClassChange).where(
        CustomerClassChange.reason == "first_order"))
    assert changes == len(developed)
    # A customer existing before its first order developed nobody.
    regulars = _scalar(select(func.count()).select_from(Order).join(
        Customer, Customer.id == Order.customer_id).where(
        Order.developed.is_(False), Order.ordered_on == Customer.first_order_on))
    assert regulars > 0


def test_the_star_of_the_first_partner_sells_most(app):
    partner = _scalar(select(Partner).where(Partner.status == "active").order_by(Partner.id))
    first_team = _scalar(select(func.min(User.team_id)).where(
        User.partner_id == partner.id, User.role == "staff", User.active.is_(True)))
    star = _scalar(select(User.id).where(User.team_id == first_team, User.role == "staff",
                                         User.active.is_(True)).order_by(User.id))
    revenue = db.session.execute(select(Order.salesperson_id, func.sum(Order.amount_fen))
                                 .where(Order.partner_id == partner.id)
                                 .group_by(Order.salesperson_id)
                                 .order_by(func.sum(Order.amount_fen).desc())).all()
    assert revenue[0][0] == star


def test_demo_owner_and_staff_read_their_orders(app, client):
    login(client, "p01_owner", DEMO_PASSWORD)
    page = client.get("/results/orders/").get_data(as_text=True)
    owner = db.session.execute(select(User).where(User.username == "p01_owner")).scalar_one()
    count = _scalar(select(func.count()).select_from(Order).where(
        Order.partner_id == owner.partner_id))
    assert f'data-total="count">{count:,}<' in page
    assert len(re.findall(r'data-order="\d+"', page)) == app.config["PAGE_SIZE"]
    week = (clock.today() - timedelta(days=6)).isoformat()
    assert client.get(f"/results/payments/?start={week}").status_code == 200
