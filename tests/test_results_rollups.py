"""The daily result roll-ups stay equal to a recomputation from the raw orders and
payments through a mixed sequence of entries, and the check (`differences`, `flask
results check-rollups`) reports a stored row or an order's paid amount gone wrong.

The sequence, on 2026-03-03 (D) with the habits tests' clock:
- staff: a new shop's order of ¥1,000 on D (its first: developed);
- manager: the same shop's order of ¥200 dated D-5, recorded later: the earlier order
  takes the development over (staff's D loses it, manager's D-5 gains it);
- other staff: an existing shop's order of ¥500 on D-1 (not developed);
- staff, in one batch against its order of D: ¥300, then ¥800 (refused: only ¥700 is
  open), then ¥700: paid in two parts;
- manager: ¥50 on the shop's account on D-2; other staff: ¥200 against its order on D.

So, in fen:
  staff D:        orders 1, revenue 100000, payments 2, payments_fen 100000, new 0
  manager D-5:    orders 1, revenue  20000,                                   new 1
  manager D-2:                              payments 1, payments_fen   5000
  other staff D-1: orders 1, revenue 50000,                                   new 0
  other staff D:                            payments 1, payments_fen  20000"""
from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from portal.core import clock
from portal.core.rollups import stored
from portal.extensions import db
from portal.results import batches, rollups
from portal.results.models import RESULT_COUNTS, Order, ResultDay
from tests.habiting import customer, freeze
from tests.resulting import fen, order, payment


def counts(**values) -> dict:
    return {**dict.fromkeys(RESULT_COUNTS, 0), **values}


@pytest.fixture
def sequence(world):
    freeze()
    staff, manager, other = world.a.staff, world.a.manager, world.a.other_staff
    d = clock.today()
    shop, regular = customer(staff, "新开鲜果店"), customer(other, "老客户超市", klass="existing")
    sold = order(staff, shop, "1000")
    order(manager, shop, "200", on=d - timedelta(days=5))
    theirs = order(other, regular, "500", on=d - timedelta(days=1))
    answers = batches.payments(staff, [
        {"client_id": "roll-pay-0001", "order_id": sold.id, "amount": "300",
         "received_on": d},
        {"client_id": "roll-pay-0002", "order_id": sold.id, "amount": "800",
         "received_on": d},
        {"client_id": "roll-pay-0003", "order_id": sold.id, "amount": 700,
         "received_on": d}])
    db.session.commit()
    assert [a["status"] for a in answers] == ["created", "error", "created"]
    payment(manager, "50", shop=shop, on=d - timedelta(days=2))
    payment(other, "200", of=theirs)
    return {"sold": sold, "expected": {
        (staff.id, d): counts(orders=1, revenue_fen=fen(1000), payments=2,
                              payments_fen=fen(1000)),
        (manager.id, d - timedelta(days=5)): counts(orders=1, revenue_fen=fen(200),
                                                    new_customers=1),
        (manager.id, d - timedelta(days=2)): counts(payments=1, payments_fen=fen(50)),
        (other.id, d - timedelta(days=1)): counts(orders=1, revenue_fen=fen(500)),
        (other.id, d): counts(payments=1, payments_fen=fen(200)),
    }}


def test_a_mixed_sequence_leaves_the_roll_ups_as_computed_by_hand(sequence):
    assert stored(ResultDay, RESULT_COUNTS) == sequence["expected"]
    assert rollups.recompute() == sequence["expected"]
    assert rollups.differences() == []
    sold = sequence["sold"]
    db.session.refresh(sold)
    assert (sold.paid_fen, sold.developed) == (fen(1000), False)


def _bump_revenue(world, sequence):
    db.session.execute(update(ResultDay).where(ResultDay.user_id == world.a.staff.id)
                       .values(revenue_fen=ResultDay.revenue_fen + 1))
    return f"user {world.a.staff.id} on {clock.today()}"


def _lose_a_row(world, sequence):
    db.session.execute(delete(ResultDay).where(ResultDay.user_id == world.a.manager.id,
                                               ResultDay.day == clock.today()
                                               - timedelta(days=5)))
    return f"user {world.a.manager.id} on {clock.today() - timedelta(days=5)}"


def _stray_row(world, sequence):
    db.session.add(ResultDay(user_id=world.a.staff.id, day=clock.today() - timedelta(days=9),
                             partner_id=world.a.partner.id, team_id=world.a.team.id,
                             **counts(orders=1)))
    return f"user {world.a.staff.id} on {clock.today() - timedelta(days=9)}"


def _wrong_paid(world, sequence):
    sold = sequence["sold"]
    db.session.execute(update(Order).where(Order.id == sold.id).values(paid_fen=fen(300)))
    return f"order {sold.id}: paid {fen(300)} stored, payments give {fen(1000)}"


@pytest.mark.parametrize("corrupt", [_bump_revenue, _lose_a_row, _stray_row, _wrong_paid])
@pytest.mark.parametrize("batch", [2000, 1])
def test_a_corrupted_roll_up_or_paid_amount_is_reported(world, sequence, corrupt, batch,
                                                        monkeypatch):
    expected = corrupt(world, sequence)
    db.session.commit()
    # Person batch by person batch (one at a time here), as at scale.
    monkeypatch.setattr("portal.core.rollups.CHECK_BATCH", batch)
    found = rollups.differences()
    assert len(found) == 1 and found[0].startswith(expected), found
    # Narrowed to people it does not concern, the check finds nothing.
    assert rollups.differences([world.a.other_staff.id]) == []


def test_the_check_command_exits_0_then_1_after_corruption(runner, world, sequence):
    clean = runner.invoke(args=["results", "check-rollups"])
    assert clean.exit_code == 0, clean.output
    assert "agree" in clean.output
    line = _bump_revenue(world, sequence)
    db.session.commit()
    broken = runner.invoke(args=["results", "check-rollups"])
    assert broken.exit_code == 1
    assert line in broken.output and "1 roll-up rows differ" in broken.output
