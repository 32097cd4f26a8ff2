"""Good-faith records and the facts scoring reads, on a hand-computed example.

Violations of partner A in March 2026 [1 Mar, 1 Apr): pricing on 3 Mar and territory on
20 Mar (verified), contract on 10 Mar withdrawn, pricing on 28 Feb before the window →
2. Partner B: none → absent.

Dues of partner A (today 20 Mar): due 5 Mar, 1,000 paid in full on 5 Mar (on time);
due 10 Mar, 2,000 paid in full on 12 Mar (late); due 15 Mar, 500 of 800 paid on 14 Mar
(short, not on time); due 25 Mar (not due yet: does not count); due 28 Feb (outside).
On-time payments: (1, 3). With today 25 Mar the fourth (unpaid) counts: (1, 4)."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.compliance import dues, figures, violations
from portal.compliance.models import Due, Violation
from portal.core import clock
from portal.core.errors import DomainError
from portal.extensions import db
from portal.notify.models import Notification

TODAY = date(2026, 3, 20)
MARCH = (date(2026, 3, 1), date(2026, 4, 1))


@pytest.fixture(autouse=True)
def _clock(app):
    clock.set_now(datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc))


def violation(world, day, kind="pricing", key="a", by=None):
    found = violations.enter_violation(by or world.cm if key == "a" else world.admin, {
        "partner_id": getattr(world, key).partner.id, "kind": kind, "occurred_on": day,
        "description": "核实：低于指导价供货"})
    db.session.commit()
    return found


def due(world, reference, due_on, amount, paid="", paid_on=None, key="a"):
    found = dues.add_due(world.admin, {
        "partner_id": getattr(world, key).partner.id, "reference": reference,
        "amount": amount, "due_on": due_on, "paid": paid, "paid_on": paid_on})
    db.session.commit()
    return found


def test_verified_violations_in_the_window_count_and_withdrawn_ones_do_not(world):
    violation(world, date(2026, 3, 3))
    violation(world, date(2026, 3, 20), "territory")
    withdrawn = violation(world, date(2026, 3, 10), "contract")
    violation(world, date(2026, 2, 28))
    violations.withdraw_violation(world.cm, withdrawn, "复核不成立")
    db.session.commit()
    assert figures.violations_by_partner(*MARCH) == {world.a.partner.id: 2}
    assert figures.violations_by_partner(*MARCH, partner_ids=[world.b.partner.id]) == {}


def test_on_time_payments_count_dues_fallen_due_paid_in_full_by_their_day(world):
    due(world, "INV-1", date(2026, 3, 5), "1000", "1000", date(2026, 3, 5))
    due(world, "INV-2", date(2026, 3, 10), "2000", "2000", date(2026, 3, 12))
    due(world, "INV-3", date(2026, 3, 15), "800", "500", date(2026, 3, 14))
    due(world, "INV-4", date(2026, 3, 25), "300")
    due(world, "INV-0", date(2026, 2, 28), "300", "300", date(2026, 2, 20))
    a = world.a.partner.id
    assert figures.on_time_payments(*MARCH, today=TODAY) == {a: (1, 3)}
    assert figures.on_time_payments(*MARCH, today=date(2026, 3, 25)) == {a: (1, 4)}
    assert figures.on_time_payments(*MARCH, partner_ids=[world.b.partner.id],
                                    today=TODAY) == {}


def test_entering_a_violation_tells_the_partners_owner(world):
    found = violation(world, date(2026, 3, 3))
    told = db.session.execute(select(Notification.user_id, Notification.category,
                                     Notification.link)).all()
    assert told == [(world.a.owner.id, "compliance", f"/compliance/violations/{found.id}")]


def test_a_channel_manager_enters_only_for_its_partners(world):
    with pytest.raises(DomainError) as refused:
        violations.enter_violation(world.cm, {
            "partner_id": world.b.partner.id, "kind": "pricing",
            "occurred_on": date(2026, 3, 3), "description": "x"})
    assert refused.value.field == "partner_id"
    with pytest.raises(DomainError):
        dues.add_due(world.cm, {"partner_id": world.b.partner.id, "reference": "X",
                                "amount": "10", "due_on": TODAY})


@pytest.mark.parametrize("values, field", [
    ({"kind": "bribery"}, "kind"),
    ({"occurred_on": date(2026, 3, 21)}, "occurred_on"),
    ({"description": "  "}, "description"),
])
def test_a_bad_violation_is_refused_on_its_field(world, values, field):
    with pytest.raises(DomainError) as refused:
        violations.enter_violation(world.cm, {
            "partner_id": world.a.partner.id, "kind": "pricing",
            "occurred_on": date(2026, 3, 3), "description": "核实", **values})
    assert refused.value.field == field


def test_bad_evidence_files_are_refused_and_nothing_is_stored(world):
    with pytest.raises(DomainError) as refused:
        violations.enter_violation(world.cm, {
            "partner_id": world.a.partner.id, "kind": "pricing",
            "occurred_on": date(2026, 3, 3), "description": "核实"},
            [("page.html", b"<html><script>alert(1)</script></html>")])
    assert refused.value.field == "files"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Violation)) == 0


def test_the_owner_answers_once_and_a_withdrawn_violation_cannot_be_answered(world):
    found = violation(world, date(2026, 3, 3))
    violations.answer_violation(world.a.owner, found, "已整改")
    with pytest.raises(DomainError) as refused:
        violations.answer_violation(world.a.owner, found, "再说一次")
    assert refused.value.status == 409 and found.answer == "已整改"
    other = violation(world, date(2026, 3, 4))
    violations.withdraw_violation(world.cm, other, "不成立")
    with pytest.raises(DomainError):
        violations.answer_violation(world.a.owner, other, "好")
    with pytest.raises(DomainError):
        violations.withdraw_violation(world.cm, other, "再撤一次")


@pytest.mark.parametrize("values, field", [
    ({"amount": "0"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"paid": "2000", "paid_on": date(2026, 3, 1)}, "paid"),
    ({"paid": "100"}, "paid_on"),
    ({"paid_on": date(2026, 3, 1)}, "paid"),
    ({"paid": "100", "paid_on": date(2026, 3, 21)}, "paid_on"),
    ({"reference": ""}, "reference"),
    ({"due_on": "2026-13-01"}, "due_on"),
])
def test_a_bad_due_is_refused_on_its_field(world, values, field):
    with pytest.raises(DomainError) as refused:
        dues.add_due(world.admin, {"partner_id": world.a.partner.id, "reference": "INV-9",
                                   "amount": "1000", "due_on": TODAY, **values})
    assert refused.value.field == field


def test_a_reference_is_unique_per_partner(world):
    due(world, "INV-1", TODAY, "100")
    with pytest.raises(DomainError) as refused:
        dues.add_due(world.admin, {"partner_id": world.a.partner.id, "reference": "INV-1",
                                   "amount": "100", "due_on": TODAY})
    assert refused.value.status == 409
    assert due(world, "INV-1", TODAY, "100", key="b").partner_id == world.b.partner.id


def test_how_a_due_stands(world):
    on_time = due(world, "A", date(2026, 3, 5), "10", "10", date(2026, 3, 5))
    late = due(world, "B", date(2026, 3, 5), "10", "10", date(2026, 3, 6))
    overdue = due(world, "C", date(2026, 3, 5), "10", "5", date(2026, 3, 5))
    upcoming = due(world, "D", date(2026, 3, 25), "10")
    assert [dues.standing(d, TODAY) for d in (on_time, late, overdue, upcoming)] == [
        "paid_on_time", "paid_late", "overdue", "open"]
    for code, expected in (("paid_on_time", on_time), ("paid_late", late),
                           ("overdue", overdue), ("open", upcoming)):
        assert db.session.execute(select(Due.id).where(dues.in_standing(code, TODAY))
                                  ).scalars().all() == [expected.id]
    dues.record_payment(overdue, {"paid": "10", "paid_on": date(2026, 3, 19)})
    assert dues.standing(overdue, TODAY) == "paid_late"
