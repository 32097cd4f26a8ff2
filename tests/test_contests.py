"""Contest standings computed from the roll-ups, ranked fairly, and frozen at the end.

Worked out by hand, March 2026 (22 working days; everyone joined before it):
- partner A has 3 salespeople (its team lead and two staff), partner B 6 (three more
  staff); every one of them logs 10 days of 3 effective visits. A: 90 ÷ 66 person-days,
  B: 180 ÷ 132 — both 1.3636…: a tie for first place, whatever their size.
- partner C has 1 salesperson with 10 days of 1 effective visit: 10 ÷ 22 = 0.4545…,
  third (competition ranks: 1, 1, 3).
Thresholds: with n ranked, the top p % is the rate at position ceil(p × n / 100)."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.contests import services, standings
from portal.contests.finish import finish_ended
from portal.contests.models import NO_DATA, RANKED, TOO_SMALL, Contest, ContestStanding
from portal.core import clock
from portal.exams.models import Attempt
from portal.extensions import db
from portal.jobs import runner
from portal.notify.models import Notification
from tests.examining import T0, freeze, scheduled_exam
from tests.healthing import AFTER, habits, results, settle, target

MARCH_1 = date(2026, 3, 1)
DURING = datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc)


def organise(organiser, *, level="partner", metric="effective_per_day", start=MARCH_1,
             end=date(2026, 3, 31), board="own", min_people=None, participants=(),
             today=MARCH_1, name="三月PK") -> Contest:
    """A contest set up on `today` (by default the first of March), committed."""
    contest = services.create_contest(organiser, {
        "name": name, "metric": metric, "level": level, "starts_on": start, "ends_on": end,
        "board": board, "min_people": min_people, "participants": list(participants)},
        today)
    db.session.commit()
    return contest


def by_name(board) -> dict:
    return {s.name: s for s in board.standings}


@pytest.fixture
def three(world, make):
    """Partners A (3 salespeople), B (6) and C (1), all looked after by world.cm."""
    a, b = world.a, world.b
    b.partner.channel_manager_id = world.cm.id
    b.more = [make.person("staff", b.partner, b.team) for _ in range(3)]
    c = make.partner("代理商C", manager=world.cm)
    c_team = make.team(c, "一组c")
    c_staff = make.person("staff", c, c_team)
    c_owner = make.person("owner", c)
    settle(a.owner, a.manager, a.staff, a.other_staff, b.owner, b.manager, b.staff,
           b.other_staff, *b.more, c_staff, c_owner)
    world.c = type("Side", (), {"partner": c, "staff": c_staff, "owner": c_owner})
    return world


def test_partners_of_different_sizes_with_the_same_per_person_behaviour_tie(three):
    w = three
    for person in (w.a.manager, w.a.staff, w.a.other_staff, w.b.manager, w.b.staff,
                   w.b.other_staff, *w.b.more):
        habits(person, 10, visits=4, effective=3)
    habits(w.c.staff, 10, visits=2, effective=1)
    contest = organise(w.cm)
    board = standings.compute(contest, AFTER)
    found = by_name(board)
    a, b, c = found["代理商A"], found["代理商B"], found["代理商C"]
    assert (a.numerator, a.denominator, a.people) == (90, 66, 3)
    assert (b.numerator, b.denominator, b.people) == (180, 132, 6)
    assert a.rate == pytest.approx(90 / 66) and b.rate == pytest.approx(90 / 66)
    assert (a.rank, b.rank, c.rank) == (1, 1, 3)
    assert c.rate == pytest.approx(10 / 22)
    assert board.through == date(2026, 3, 31)
    # Three ranked: top 10 % and 25 % are the first's rate, top 50 % the second's.
    assert board.thresholds == {10: pytest.approx(90 / 66), 25: pytest.approx(90 / 66),
                                50: pytest.approx(90 / 66)}
    assert c.band is None and a.band == 10


def test_the_days_so_far_count_while_a_contest_runs(three):
    w = three
    habits(w.a.staff, 20, visits=3, effective=3)  # March 2 to 27
    board = standings.compute(organise(w.cm), DURING)  # Friday March 20: 15 working days
    a = by_name(board)["代理商A"]
    assert board.through == date(2026, 3, 20)
    assert (a.numerator, a.denominator) == (45, 45)


def _ranked(*rates):
    return [standings.Standing(i, f"p{i}", rate, 1.0, 1) for i, rate in enumerate(rates)]


def test_thresholds_are_the_rates_at_the_top_positions_worked_out_by_hand():
    # Ten ranked, 10 down to 1: top 10 % → position 1, top 25 % → ceil(2.5) = 3,
    # top 50 % → position 5.
    board = standings.rank(_ranked(*range(10, 0, -1)), None, MARCH_1)
    assert board.thresholds == {10: 10, 25: 8, 50: 6}
    bands = {s.rate: s.band for s in board.standings}
    assert (bands[10], bands[9], bands[8], bands[6], bands[5]) == (10, 25, 25, 50, None)
    # Four ranked with a tie: 4, 3, 3, 1 → positions 1, 1, 2.
    board = standings.rank(_ranked(4, 3, 3, 1), None, MARCH_1)
    assert board.thresholds == {10: 4, 25: 4, 50: 3}
    assert [s.rank for s in board.standings] == [1, 2, 2, 4]
    assert standings.rank([], None, MARCH_1).thresholds == {}


def test_a_participant_without_data_is_listed_after_the_ranked_and_never_ranked(three):
    w = three
    habits(w.a.staff, 5, due=4, in_time=3)
    habits(w.b.staff, 5, due=2, in_time=2)
    board = standings.compute(organise(w.cm, metric="follow_up_rate"), AFTER)
    assert [(s.name, s.status, s.rank) for s in board.standings] == [
        ("代理商B", RANKED, 1), ("代理商A", RANKED, 2), ("代理商C", NO_DATA, None)]
    assert board.standings[1].rate == pytest.approx(0.75)
    assert board.standings[2].rate is None and board.ranked == 2


def test_a_team_below_the_minimum_size_is_not_ranked(world):
    a = world.a
    settle(a.owner, a.manager, a.staff, a.other_staff)
    habits(a.staff, 5, due=2, in_time=1)
    habits(a.other_staff, 5, due=2, in_time=2)  # the better rate, alone in its team
    contest = organise(a.owner, level="team", metric="follow_up_rate", min_people=2)
    board = standings.compute(contest, AFTER)
    assert [(s.name, s.status, s.people) for s in board.standings] == [
        ("一组a", RANKED, 2), ("二组a", TOO_SMALL, 1)]
    assert board.standings[0].rank == 1 and board.standings[1].rate is None


def test_revenue_is_held_against_the_target_prorated_to_the_contest_days(three):
    w = three
    # March 2–13: 10 of March's 22 working days, so 2,200,000 fen of target → 1,000,000.
    target("partner", 2_200_000, partner=w.a.partner)
    target("partner", 2_200_000, partner=w.b.partner)
    results(w.a.staff, on=date(2026, 3, 10), revenue_fen=500_000)
    results(w.b.staff, on=date(2026, 3, 11), revenue_fen=800_000)
    results(w.b.staff, on=date(2026, 3, 16), revenue_fen=900_000)  # after the contest
    contest = organise(w.cm, metric="revenue_vs_target", start=date(2026, 3, 2),
                       end=date(2026, 3, 13))
    found = by_name(standings.compute(contest, AFTER))
    assert found["代理商A"].denominator == pytest.approx(1_000_000)
    assert found["代理商A"].rate == pytest.approx(0.5)
    assert found["代理商B"].rate == pytest.approx(0.8) and found["代理商B"].rank == 1
    assert found["代理商C"].status == NO_DATA  # no target: no data, not zero


def test_new_customers_are_counted_per_salesperson(three):
    w = three
    results(w.a.staff, new_customers=3)
    results(w.b.staff, new_customers=3)
    found = by_name(standings.compute(organise(w.cm, metric="new_customers_per_person"),
                                      AFTER))
    assert found["代理商A"].rate == pytest.approx(1.0)  # 3 ÷ 3 salespeople
    assert found["代理商B"].rate == pytest.approx(0.5)  # 3 ÷ 6


def _notes(user) -> list[str]:
    return list(db.session.execute(select(Notification.body).where(
        Notification.user_id == user.id, Notification.category == "contests")).scalars())


def test_the_end_job_freezes_the_standings_and_announces_them_once(three):
    w = three
    for person in (w.a.staff, w.b.staff):
        habits(person, 10, visits=3, effective=3)
    contest = organise(w.cm)
    clock.set_now(DURING)
    assert finish_ended(DURING) == 0  # still under way
    clock.set_now(AFTER)
    assert runner.run_now("contests.finish") == "succeeded"
    assert finish_ended(AFTER) == 0
    db.session.commit()
    frozen = db.session.execute(select(ContestStanding).where(
        ContestStanding.contest_id == contest.id).order_by(ContestStanding.position)
    ).scalars().all()
    # A: 30 ÷ 66, B: 30 ÷ 132, C: 0 ÷ 22 (ranked at 0: it had people, just no visits).
    assert [(s.name, s.rank) for s in frozen] == [("代理商A", 1), ("代理商B", 2),
                                                  ("代理商C", 3)]
    assert len(_notes(w.cm)) == 1 and "代理商A" in _notes(w.cm)[0]
    for person, place in ((w.a.staff, "1"), (w.b.owner, "2"), (w.c.staff, "3")):
        notes = _notes(person)
        assert len(notes) == 1 and place in notes[0], (person, notes)
    assert _notes(w.a.staff)[0] != _notes(w.b.owner)[0]
    # History never changes: later roll-ups leave the frozen board as it was.
    habits(w.c.staff, 10, visits=9, effective=9, start=16)
    board = standings.board_of(db.session.get(Contest, contest.id), AFTER)
    assert board.final and [s.name for s in board.standings][0] == "代理商A"
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.category == "contests")) == len(
        {w.cm.id, w.a.owner.id, w.a.manager.id, w.a.staff.id, w.a.other_staff.id,
         w.b.owner.id, w.b.manager.id, w.b.staff.id, w.b.other_staff.id,
         *(p.id for p in w.b.more), w.c.staff.id, w.c.owner.id})


def test_a_cancelled_contest_is_never_frozen_or_announced(three):
    contest = organise(three.cm)
    services.cancel_contest(contest, DURING, date(2026, 3, 20))
    db.session.commit()
    assert finish_ended(AFTER) == 0
    assert db.session.get(Contest, contest.id).frozen_at is None


def test_the_exam_pass_rate_counts_finished_attempts_only(three, banks):
    w = three
    freeze()
    sitting = scheduled_exam(w.cm, {"partner_ids": [w.a.partner.id, w.b.partner.id]}
                             ).sittings[0]
    done = T0 + timedelta(hours=1)

    def attempt(person, passed, submitted=done):
        db.session.add(Attempt(sitting_id=sitting.id, user_id=person.id,
                               partner_id=person.partner_id, team_id=person.team_id,
                               started_at=T0, deadline=T0 + timedelta(hours=2),
                               submitted_at=submitted, passed=passed))
    attempt(w.a.staff, True)
    attempt(w.a.other_staff, False)
    attempt(w.b.staff, True)
    attempt(w.b.manager, None, submitted=None)  # still open: not counted
    db.session.commit()
    day = T0.astimezone(clock.BUSINESS_TZ).date()
    contest = organise(w.cm, metric="exam_pass_rate", start=day,
                       end=day + timedelta(days=7), today=day)
    found = by_name(standings.compute(contest, T0 + timedelta(minutes=90)))
    assert (found["代理商A"].numerator, found["代理商A"].denominator) == (1, 2)
    assert (found["代理商B"].numerator, found["代理商B"].denominator) == (1, 1)
    assert (found["代理商B"].rank, found["代理商A"].rank) == (1, 2)
    assert found["代理商C"].status == NO_DATA
