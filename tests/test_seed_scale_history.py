"""`seed-scale --history-days`: a year of customers, visits, orders and payments whose
roll-ups, counted while generating, agree with a recomputation from the raw rows."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.core import clock
from portal.core.clock import now, today
from portal.extensions import db
from portal.habits import rollups as habit_rollups
from portal.habits.models import Customer, FollowUp, HabitDay, Visit, VisitFlag
from portal.results import rollups as result_rollups
from portal.results.models import Order, Payment, ResultDay


# The history is random from a fixed seed but ends today: on a fixed day it is the same
# history every run (a small one may, on some days, hold no late-logged visit at all).
SEEDED_ON = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def seeded(runner):
    clock.set_now(SEEDED_ON)
    result = runner.invoke(args=["seed-scale", "--partners", "3", "--staff", "30",
                                 "--history-days", "20", "--chunk", "500"])
    assert result.exit_code == 0, result.output
    yield result
    clock.set_now(None)


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_history_makes_visits_orders_payments_and_roll_ups(seeded):
    assert count(Visit) > 100 and count(Order) > 30 and count(Payment) > 20
    assert count(HabitDay) > 0 and count(ResultDay) > 0 and count(FollowUp) > 0
    assert count(Order, Order.developed.is_(True)) > 0


def test_history_roll_ups_agree_with_recomputation(seeded, runner):
    assert habit_rollups.differences() == []
    assert result_rollups.differences() == []
    for group in ("habits", "results"):
        checked = runner.invoke(args=[group, "check-rollups"])
        assert checked.exit_code == 0 and "agree" in checked.output


def test_visits_are_only_to_customers_of_the_persons_partner_and_never_ahead(seeded):
    mixed = select(func.count()).select_from(Visit).join(
        Customer, Customer.id == Visit.customer_id).join(User, User.id == Visit.user_id).where(
        (Customer.partner_id != Visit.partner_id) | (User.partner_id != Visit.partner_id))
    assert db.session.execute(mixed).scalar() == 0
    assert db.session.execute(select(func.max(Visit.visited_at))).scalar() <= now()
    assert db.session.execute(select(func.max(Visit.received_at))).scalar() <= now()
    assert db.session.execute(select(func.max(Payment.received_on))).scalar() <= today()
    oldest = db.session.execute(select(func.min(Visit.day))).scalar()
    assert (today() - oldest).days < 20


def test_a_customers_first_visit_is_its_first_and_no_customer_is_visited_before_it_exists(
        seeded):
    firsts = db.session.execute(select(Visit.customer_id, func.count()).where(
        Visit.kind == "first").group_by(Visit.customer_id)).all()
    assert firsts and all(number == 1 for _customer, number in firsts)
    earliest = select(Visit.customer_id, func.min(Visit.visited_at).label("at")).group_by(
        Visit.customer_id).subquery()
    kinds = db.session.execute(select(Visit.kind).join(earliest, (
        earliest.c.customer_id == Visit.customer_id) & (earliest.c.at == Visit.visited_at))
    ).scalars().all()
    assert set(kinds) == {"first"}
    for visit in db.session.execute(select(Visit).limit(50)).scalars():
        assert visit.customer.created_at <= visit.visited_at
        assert visit.verdict["rule"] == visit.rule.version and visit.rule_id is not None


def test_developed_customers_became_existing_on_their_first_order(seeded):
    developed = db.session.execute(select(Order).where(Order.developed.is_(True))
                                   ).scalars().all()
    assert developed
    for order in developed:
        assert order.customer.klass == "existing"
        assert order.customer.first_order_on == order.ordered_on
    assert all(order.paid_fen <= order.amount_fen
               for order in db.session.execute(select(Order)).scalars())


def test_flagged_visits_have_an_open_or_confirmed_flag(seeded):
    flagged = set(db.session.execute(select(Visit.id).where(Visit.flagged.is_(True))
                                     ).scalars())
    standing = set(db.session.execute(select(VisitFlag.visit_id).where(
        VisitFlag.state != "cleared")).scalars())
    assert count(VisitFlag) > 0
    assert flagged == standing


def test_rows_added_after_the_history_get_new_ids(seeded, make):
    """The history hands out ids itself; the database's own numbering carries on after
    them (on PostgreSQL its sequences are moved past)."""
    highest = db.session.execute(select(func.max(Customer.id))).scalar()
    partner = make.partner("后来的代理商")
    customer = Customer(partner_id=partner.id, name="后来的客户", name_norm="后来的客户")
    db.session.add(customer)
    db.session.flush()
    assert customer.id > highest


def test_without_history_days_seed_scale_makes_people_only(runner):
    result = runner.invoke(args=["seed-scale", "--partners", "2", "--staff", "10"])
    assert result.exit_code == 0, result.output
    assert count(Visit) == 0 and count(Order) == 0 and count(Customer) == 0
