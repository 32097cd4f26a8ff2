"""Exam figures on a hand-computed example: coverage, frequency, pass rate, average and
Moodle's item analysis, with the partner and team restrictions.

The example. A staff exam of three true/false questions drawn for everyone: Q1 and Q2
worth 1 point, Q3 worth 2 (4 in all); pass mark 60%, two attempts, highest counts. Six
people are assigned, scores are item points (Q1, Q2, Q3) and total:

    P1 A, team 1   3 of 4 (1, 0, 2)  75%
    P2 A, team 2   attempt 1: 3 (1, 0, 2) 75%; attempt 2: 1 (1, 0, 0) 25%
    P3 A, team 1   1 of 4 (0, 1, 0)  25%
    P4 B, team 1   3 of 4 (1, 0, 2)  75%
    P5 B, team 2   0 of 4 (0, 0, 0)  left open: submitted by its deadline
    P6 A, team 2   never starts

Coverage = 5 covered ÷ 6 assigned = 0.8333 (P2's two attempts cover one assignment).
Pass rate, highest: 75 ✓, 75 ✓ (P2's best), 25 ✗, 75 ✓, 0 ✗ → 3/5 = 0.6; average
(75+75+25+75+0)/5 = 50.0. With "last": P2 counts 25 ✗ → 2/5 = 0.4; average 200/5 = 40.0.
Before the deadline sweep scores P5: 3 passed of 4 scored = 0.75; average 250/4 = 62.5.
Partner A: 3/4 covered = 0.75; pass 2/3; average (75+75+25)/3 = 58.33.
Partner A, team 1 (P1, P3): 2/2 covered; pass 1/2; average (75+25)/2 = 50.0.

Frequency over 30 days [1 Mar, 31 Mar) = attempts ÷ people ÷ (30/30): staff track, 6
finished attempts (P2 has two, P5's expired one counts) ÷ 6 active staff = 1.0; partner A,
every role (owner, manager, 4 staff; the deactivated staff does not count): 4 ÷ 6 =
0.6667. March as a month (31 days): 6 ÷ 6 ÷ (31/30) = 0.9677.

Item analysis over first attempts (P2's first), totals T = (3, 3, 1, 3, 0), s = 5, rest
r = T - x, S_ab = Σab - s·mean(a)·mean(b):
  Q1 x = (1,1,0,1,0), r = (2,2,1,2,0): mean x .6 → facility 60; Sxx = 3 - 1.8 = 1.2,
     SD = √(1.2/4) = .5477 → 54.77; Σr 7, Srr = 13 - 5·1.96 = 3.2; Sxr = 6 - 5·.6·1.4
     = 1.8; DI = 100·1.8/√(1.2·3.2) = 91.86; sorted x (0,0,1,1,1) · r (0,1,2,2,2) = 6,
     Smax = 6 - 4.2 = 1.8 → efficiency 100.
  Q2 x = (0,0,1,0,0), r = (3,3,0,3,0): facility 20 (flagged); Sxx = 1 - .2 = .8,
     SD = √.2 = 44.72; Srr = 27 - 16.2 = 10.8; Sxr = 0 - 5·.2·1.8 = -1.8;
     DI = -180/√8.64 = -61.24 (flagged); sorted (0,0,0,0,1)·(0,0,3,3,3) = 3,
     Smax = 3 - 1.8 = 1.2 → efficiency -150.
  Q3 x = (2,2,0,2,0), r = (1,1,1,1,0): mean 1.2 of 2 → facility 60; Sxx = 12 - 7.2 =
     4.8, SD = √1.2 / 2 = 54.77; Srr = 4 - 3.2 = .8; Sxr = 6 - 4.8 = 1.2;
     DI = 120/√3.84 = 61.24; sorted (0,0,2,2,2)·(0,1,1,1,1) = 6, Smax = 1.2 → 100.
"""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.exams import breakdowns, coverage, item_analysis, services, taking
from portal.exams.bank.sync import sync
from portal.exams.models import AttemptItem
from portal.extensions import db
from tests.quizbank import write

T0 = datetime(2027, 3, 10, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
MARCH = (datetime(2027, 2, 28, 16, 0, tzinfo=timezone.utc),  # 1 March, Shanghai
         datetime(2027, 3, 30, 16, 0, tzinfo=timezone.utc))  # 31 March: 30 days
BANK = """\
track: staff
questions:
""" + "".join(f"""\
  - id: stats-q{n}
    kind: truefalse
    points: {points}
    tags: [stats]
    text: 第{n}题
    answer: true
""" for n, points in ((1, 1), (2, 1), (3, 2)))


def take(person, sitting, right: tuple, submit=True):
    """One attempt answering Q1..Q3 right (True) or wrong (False) as `right` says."""
    attempt = taking.start_or_resume(person, sitting)
    items = db.session.execute(select(AttemptItem).where(
        AttemptItem.attempt_id == attempt.id)).scalars()
    answers = {item.id: right[int(item.version.question.key[-1]) - 1] for item in items}
    taking.save_answers(attempt, answers)
    if submit:
        assert taking.submit(attempt)
    db.session.commit()
    clock.advance(timedelta(minutes=1))
    return attempt


@pytest.fixture
def example(world, make, tmp_path):
    clock.set_now(T0)
    write(tmp_path, "staff", "coverage.yaml", BANK)
    sync([tmp_path])
    a, b = world.a, world.b
    p3 = make.person("staff", a.partner, a.team, username="taker3")
    p6 = make.person("staff", a.partner, a.other_team, username="taker6")
    exam = services.create_exam(
        world.admin, title="统计考试", track="staff", draw=[{"track": "staff", "tag": "stats",
                                                         "count": 3}],
        time_limit_minutes=30, pass_percent=60, attempts_allowed=2, grading="highest",
        opens_at=T0, closes_at=T0 + timedelta(hours=8),
        audience={"partner_ids": [a.partner.id, b.partner.id]})
    services.schedule(exam)
    db.session.commit()
    sitting = exam.sittings[0]
    make.person("staff", a.partner, a.team, username="gone").active = False
    take(a.staff, sitting, (True, False, True))
    take(a.other_staff, sitting, (True, False, True))
    take(a.other_staff, sitting, (True, False, False))
    take(p3, sitting, (False, True, False))
    take(b.staff, sitting, (True, False, True))
    take(b.other_staff, sitting, (False, False, False), submit=False)
    clock.set_now(T0 + timedelta(hours=3))  # P5's 30 minutes are long over
    return SimpleNamespace(world=world, exam=exam, sitting=sitting, p3=p3, p6=p6)


def test_coverage_counts_each_assigned_person_once_and_expired_attempts_as_submitted(example):
    figures = coverage.exam_coverage(example.exam)
    assert (figures["assigned"], figures["covered"]) == (6, 5)
    assert figures["coverage"] == pytest.approx(5 / 6)
    assert figures["submitted_attempts"] == 6
    # P5's attempt is not scored until the deadline sweep runs.
    assert figures["pass_rate"] == pytest.approx(0.75)
    assert figures["average_percent"] == pytest.approx(62.5)
    assert [(s["sitting_id"], s["assigned"], s["covered"]) for s in figures["by_sitting"]] \
        == [(example.sitting.id, 6, 5)]
    assert {p["partner_name"]: (p["assigned"], p["covered"]) for p in figures["by_partner"]} \
        == {"代理商A": (4, 3), "代理商B": (2, 2)}


def test_pass_rate_and_average_follow_the_grading_rule(example):
    assert taking.submit_expired() == 1
    db.session.commit()
    highest = coverage.exam_coverage(example.exam)
    assert highest["pass_rate"] == pytest.approx(0.6)
    assert highest["average_percent"] == pytest.approx(50.0)
    example.exam.grading = "last"
    db.session.commit()
    last = coverage.exam_coverage(example.exam)
    assert last["pass_rate"] == pytest.approx(0.4)
    assert last["average_percent"] == pytest.approx(40.0)
    assert last["coverage"] == pytest.approx(5 / 6)


def test_partner_and_team_restrictions_narrow_every_figure(example):
    taking.submit_expired()
    db.session.commit()
    a = example.world.a
    mine = coverage.exam_coverage(example.exam, partner_ids=[a.partner.id])
    assert (mine["assigned"], mine["covered"], mine["submitted_attempts"]) == (4, 3, 4)
    assert mine["pass_rate"] == pytest.approx(2 / 3)
    assert mine["average_percent"] == pytest.approx(58.33)
    assert [p["partner_name"] for p in mine["by_partner"]] == ["代理商A"]
    team = coverage.exam_coverage(example.exam, partner_ids=[a.partner.id], team_id=a.team.id)
    assert (team["assigned"], team["covered"], team["coverage"]) == (2, 2, 1.0)
    assert team["pass_rate"] == pytest.approx(0.5)
    assert team["average_percent"] == pytest.approx(50.0)
    nobody = coverage.exam_coverage(example.exam, partner_ids=[])
    assert (nobody["assigned"], nobody["coverage"], nobody["pass_rate"]) == (0, None, None)


def test_frequency_is_attempts_per_active_person_per_thirty_days(example):
    start, end = MARCH
    staff = breakdowns.frequency(start, end, breakdowns.Scope(track="staff"))
    assert (staff["attempts"], staff["people"], staff["frequency"]) == (6, 6, 1.0)
    a = breakdowns.frequency(start, end, breakdowns.Scope(partner_ids=[example.world.a.partner.id]))
    assert (a["attempts"], a["people"]) == (4, 6)
    assert a["frequency"] == pytest.approx(0.6667)
    by_partner = {row["labels"][0]: row["frequency"]
                  for row in breakdowns.frequency_by("partner", start, end, breakdowns.Scope(track="staff"))}
    assert by_partner == {"代理商A": pytest.approx(4 / 4), "代理商B": pytest.approx(2 / 2)}
    march = breakdowns.over_time(1, breakdowns.Scope(track="staff"))[0]
    assert march["month"] == "2027-03"
    assert march["frequency"] == pytest.approx(0.9677)
    assert (march["assigned"], march["covered"]) == (6, 5)


def test_breakdown_by_team_and_region_respects_the_reader(example):
    start, end = MARCH
    a = example.world.a
    rows = breakdowns.breakdown("team", start, end, breakdowns.Scope([a.partner.id], track="staff"))
    assert [(r["labels"], r["assigned"], r["covered"], r["attempts"], r["people"])
            for r in rows] == [(["代理商A", "一组a"], 2, 2, 2, 2),
                               (["代理商A", "二组a"], 2, 1, 2, 2)]
    # B's territory is in 330106, A's in 330102; both partners sit in province 33.
    assert [r["labels"][0] for r in breakdowns.breakdown("partner", start, end,
                                                    breakdowns.Scope(region="330106"))] == ["代理商B"]
    assert len(breakdowns.breakdown("province", start, end, breakdowns.Scope())) == 1


def test_not_taken_lists_assigned_people_without_a_finished_attempt(example):
    a = example.world.a
    names = [row.username for row in db.session.execute(coverage.not_taken(example.sitting))]
    assert names == ["taker6"]
    clock.set_now(T0 + timedelta(minutes=10))  # P5 began at +5 minutes: still running
    # Ordered by partner: A's taker6 first, then B's staff2_b.
    assert [row.username for row in db.session.execute(coverage.not_taken(example.sitting))] \
        == ["taker6", "staff2_b"]
    assert list(db.session.execute(coverage.not_taken(
        example.sitting, partner_ids=[a.partner.id], team_id=a.team.id))) == []


def test_item_analysis_matches_moodles_figures(example):
    taking.submit_expired()
    db.session.commit()
    result = item_analysis.item_analysis(example.exam)
    assert (result["enough"], result["attempts"]) == (True, 5)
    got = {q["key"]: q for q in result["questions"]}
    expected = {"stats-q1": (60.0, 54.77, 91.86, 100.0, False),
                "stats-q2": (20.0, 44.72, -61.24, -150.0, True),
                "stats-q3": (60.0, 54.77, 61.24, 100.0, False)}
    for key, (facility, sd, discrimination, efficiency, review) in expected.items():
        q = got[key]
        assert q["attempts"] == 5 and q["version"] == 1
        assert q["facility"] == pytest.approx(facility, abs=0.01)
        assert q["sd"] == pytest.approx(sd, abs=0.01)
        assert q["discrimination"] == pytest.approx(discrimination, abs=0.01)
        assert q["efficiency"] == pytest.approx(efficiency, abs=0.01)
        assert q["review"] is review


def test_item_analysis_needs_two_attempts(example):
    a = example.world.a
    lone = item_analysis.item_analysis(example.exam, partner_ids=[a.partner.id],
                                       team_id=a.other_team.id)
    assert lone == {"attempts": 1, "enough": False, "questions": []}
    # Everyone scoring the same: no spread, so no discrimination rather than NaN.
    same = item_analysis.statistics(3, 3, 3, 6, 12, 6, 6, 1)
    assert (same["facility"], same["sd"], same["discrimination"], same["efficiency"]) \
        == (100.0, 0.0, None, None)


def test_coverage_by_month_and_partner(example):
    rows = breakdowns.coverage_by_month("partner", 2, breakdowns.Scope())
    assert [(r["labels"][0], [(c["assigned"], c["covered"]) for c in r["cells"]])
            for r in rows] == [("代理商A", [(0, 0), (4, 3)]), ("代理商B", [(0, 0), (2, 2)])]


def test_a_sitting_not_yet_open_does_not_lower_coverage(world, banks):
    """A weekly exam with this week's sitting taken by one of A's two staff and next
    week's planned: coverage is 1/2, not 1/4, and next week's sitting is not listed."""
    from tests.examining import answer_all, freeze, scheduled_exam
    moment = freeze()
    exam = scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]})
    services.add_sitting(exam, moment + timedelta(days=7),
                              moment + timedelta(days=7, hours=12))
    db.session.commit()
    attempt = taking.start_or_resume(world.a.staff, exam.sittings[0])
    db.session.commit()
    answer_all(attempt)
    taking.submit(attempt)
    db.session.commit()
    figures = coverage.exam_coverage(exam)
    assert (figures["assigned"], figures["covered"]) == (2, 1)
    assert [s["sitting_id"] for s in figures["by_sitting"]] == [exam.sittings[0].id]
