"""Team health computed from the roll-ups: a hand-computed month, renormalisation over
the parts and measures that have data, fairness to size, and people joining and leaving."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.health.models import HealthMonth
from portal.health.read import explain
from tests.healthing import MARCH, WORK_DAYS, compute, habits, results, settle, target


def row(subject) -> HealthMonth:
    return db.session.execute(select(HealthMonth).where(
        HealthMonth.month == MARCH, HealthMonth.subject == subject)).scalar_one()


@pytest.fixture
def a(world):
    a = world.a
    settle(a.owner, a.manager, a.staff, a.other_staff)
    return a


def test_a_month_worked_out_by_hand(a):
    # staff_a: 10 days of 3 visits, 2 of them effective, 4 follow-ups due (3 in time);
    # nobody else logs. 60,000 fen of revenue against a 100,000 fen partner target.
    habits(a.staff, 9, visits=3, effective=2)
    habits(a.staff, 1, visits=3, effective=2, due=4, in_time=3, start=20)
    results(a.staff, revenue_fen=60_000, orders=2)
    target("partner", 100_000, partner=a.partner)
    run = compute()
    assert run.rows == 4 + 2 + 1  # four people, two teams, the partner

    partner = row(f"partner:{a.partner.id}")
    assert (partner.work_days, partner.person_days, partner.sales_days) == (WORK_DAYS, 88, 66)
    assert (partner.visits, partner.effective, partner.logged_days) == (30, 20, 10)
    # Only revenue has a target: performance is revenue against it, 60.
    assert partner.performance == pytest.approx(60.0)
    # effective per person-day 20/66 ÷ 2 → 15.15; effective rate 20/30 → 66.67;
    # follow-ups 3/4 → 75; logging 10/66 → 15.15; weights 30/20/20/15 (no customers:
    # "not forgotten" has no data and its 15 is shared out).
    process = (30 * 100 * 20 / 66 / 2 + 20 * 100 * 20 / 30 + 20 * 75 + 15 * 100 * 10 / 66) / 85
    assert partner.process == pytest.approx(process)
    # Growth: nobody left (100); no training, exams or broadcasts: no data.
    assert partner.growth == pytest.approx(100.0)
    assert partner.overall == pytest.approx((50 * 60 + 30 * process + 20 * 100) / 100)

    # The salesperson has no target of its own: its performance is "no data" and the
    # whole score is process and growth weighed 30 : 20.
    person = row(f"person:{a.staff.id}")
    assert person.performance is None
    mine = (30 * 100 * 20 / 22 / 2 + 20 * 100 * 20 / 30 + 20 * 75 + 15 * 100 * 10 / 22) / 85
    assert person.process == pytest.approx(mine)
    assert person.overall == pytest.approx((30 * mine + 20 * 100) / 50)

    # The owner sells nothing by role: process has no data, not zero.
    assert row(f"person:{a.owner.id}").process is None


def test_the_explanation_is_the_stored_score(a):
    habits(a.staff, 5, visits=4, effective=1)
    target("partner", 50_000, partner=a.partner)
    results(a.staff, revenue_fen=20_000)
    compute()
    found = explain(row(f"partner:{a.partner.id}"))
    process = found["parts"]["process"]
    lines = {line.code: line for line in process["lines"]}
    assert lines["remembered"].score is None and lines["remembered"].share is None
    assert lines["effective_rate"].score == pytest.approx(25.0)
    assert (lines["effective_rate"].numerator, lines["effective_rate"].denominator) == (5, 20)
    assert sum(line.share for line in process["lines"] if line.share) == pytest.approx(1.0)
    recomputed = sum(line.score * line.share for line in process["lines"] if line.share)
    assert recomputed == pytest.approx(process["score"])
    revenue = {line.code: line for line in found["parts"]["performance"]["lines"]}["revenue"]
    assert revenue.score == pytest.approx(40.0) and revenue.share == pytest.approx(1.0)
    overall = sum(p["score"] * p["share"] for p in found["parts"].values() if p["share"])
    assert overall == pytest.approx(found["overall"])
    # Exam frequency counts people, but no exam closed this month: no data, and why.
    growth = {line.code: line for line in found["parts"]["growth"]["lines"]}
    assert growth["exam_frequency"].denominator > 0 and growth["exam_frequency"].score is None
    assert growth["exam_frequency"].why is not None and growth["pass_rate"].why is None


def test_a_small_partner_is_not_punished_for_being_small(world, make):
    # A's two salespeople and B's four do exactly the same each; B is twice as big.
    a, b = world.a, world.b
    extra = [make.person("staff", b.partner, b.team) for _ in range(2)]
    settle(a.owner, a.manager, a.staff, a.other_staff, b.owner, b.manager, b.staff,
           b.other_staff, *extra)
    for person in (a.staff, a.other_staff):
        habits(person, 20, visits=5, effective=3, due=2, in_time=1)
        results(person, revenue_fen=30_000)
    for person in (b.staff, b.other_staff, *extra):
        habits(person, 20, visits=5, effective=3, due=2, in_time=1)
        results(person, revenue_fen=30_000)
    # Each partner's manager logs like its staff, so per person the two are alike.
    habits(a.manager, 20, visits=5, effective=3, due=2, in_time=1)
    habits(b.manager, 20, visits=5, effective=3, due=2, in_time=1)
    target("partner", 2 * 40_000, partner=a.partner)  # 40,000 per staff member each
    target("partner", 4 * 40_000, partner=b.partner)
    compute()
    small, big = row(f"partner:{a.partner.id}"), row(f"partner:{b.partner.id}")
    assert big.visits == small.visits * 5 / 3  # raw totals favour size...
    for part in ("performance", "process", "growth", "overall"):
        assert getattr(small, part) == pytest.approx(getattr(big, part)), part  # ...rates do not


def test_people_who_join_and_leave_count_for_the_days_they_were_there(a, make):
    late = make.person("staff", a.partner, a.team)
    settle(late, joined=datetime(2026, 3, 16, 2, 0, tzinfo=timezone.utc))  # a Monday
    a.other_staff.active = False
    a.other_staff.left_at = datetime(2026, 3, 9, 2, 0, tzinfo=timezone.utc)  # a Monday
    db.session.commit()
    compute()
    assert row(f"person:{late.id}").person_days == 12  # 16–31 March
    assert row(f"person:{a.other_staff.id}").person_days == 6  # 2–6 March and the 9th
    partner = row(f"partner:{a.partner.id}")
    assert (partner.people_start, partner.people_left, partner.joined) == (4, 1, 1)
    assert partner.headcount == 4
    retention = {line.code: line for line in explain(partner)["parts"]["growth"]["lines"]}
    assert retention["retention"].score == pytest.approx(75.0)


def test_a_month_recomputed_replaces_its_rows(a):
    habits(a.staff, 2, visits=1, effective=1)
    compute()
    first = row(f"person:{a.staff.id}").visits
    habits(a.staff, 1, visits=4, effective=0, start=25)
    compute()
    assert (first, row(f"person:{a.staff.id}").visits) == (2, 6)
    assert db.session.execute(select(db.func.count()).select_from(HealthMonth).where(
        HealthMonth.subject == f"person:{a.staff.id}")).scalar() == 1
