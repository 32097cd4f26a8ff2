"""The demo's exams: a lived-in history a principal can report on, and an exam a demo
staff account can take at once."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.core import clock
from portal.exams import services, taking
from portal.exams.models import Attempt, AttemptItem, Certificate, Exam, Override, Sitting
from portal.extensions import db
from portal.jobs import runner
from tests.conftest import demo_at

# A Monday morning while the weekly quiz is open, and a Sunday night at a month's end.
MOMENTS = [datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc),
           datetime(2026, 5, 31, 15, 30, tzinfo=timezone.utc)]


@pytest.fixture(params=[pytest.param(m, marks=pytest.mark.template(demo_at(m)))
                        for m in MOMENTS], ids=["monday", "month-end"])
def demo(request, app):
    """The demo seeded at the moment (once per run, in a template database copied for
    each test), with the clock standing at that moment."""
    clock.set_now(request.param)
    return request.param


def exam_titled(start):
    return db.session.execute(select(Exam).where(Exam.title.startswith(start))).scalar_one()


def coverage(sitting) -> float:
    takers = db.session.execute(select(func.count(func.distinct(Attempt.user_id))).where(
        Attempt.sitting_id == sitting.id, services.finished(clock.now()))).scalar()
    return takers / sitting.assigned_count


def test_weekly_quiz_coverage_rises_over_seven_past_mondays(demo):
    weekly = exam_titled("员工每周一练")
    past = [s for s in weekly.sittings if s.closes_at <= demo]
    assert len(past) == 7
    assert all(s.opens_at.astimezone(clock.BUSINESS_TZ).strftime("%a %H:%M") == "Mon 09:00"
               for s in weekly.sittings)
    rates = [coverage(s) for s in past]
    assert 0.5 <= rates[0] <= 0.6 and 0.8 <= rates[-1] <= 0.9
    assert rates == sorted(rates)
    assert [s for s in weekly.sittings if s.closes_at > demo]  # the next one is planned


def test_demo_attempts_vary_and_add_up(demo):
    attempts = db.session.execute(select(Attempt).where(
        Attempt.submitted_at.is_not(None))).scalars().all()
    assert len(attempts) > 500
    assert any(a.submitted_by == "deadline" and a.submitted_at == a.deadline
               for a in attempts)
    assert any(not a.passed for a in attempts) and any(a.passed for a in attempts)
    assert any(a.number == 2 for a in attempts)
    assert len({a.percent for a in attempts}) > 10
    sums = dict(db.session.execute(select(AttemptItem.attempt_id, func.sum(AttemptItem.score))
                                   .group_by(AttemptItem.attempt_id)).all())
    assert all(sums[a.id] == a.score for a in attempts)
    assert all(a.started_at <= a.submitted_at <= a.deadline for a in attempts)
    answered = db.session.execute(select(func.count(AttemptItem.id)).where(
        AttemptItem.answer.is_not(None))).scalar()
    assert answered == db.session.execute(select(func.count(AttemptItem.id)).where(
        AttemptItem.saved_at.is_not(None))).scalar()


def test_certificates_go_to_owners_who_passed_the_boss_final(demo):
    final = exam_titled("渠道老板成长营结业考试")
    certificates = db.session.execute(select(Certificate)).scalars().all()
    assert certificates and all(c.exam_id == final.id and c.track == "boss"
                                for c in certificates)
    passed = set(db.session.execute(select(Attempt.user_id).join(Sitting).where(
        Sitting.exam_id == final.id, Attempt.passed.is_(True))).scalars())
    assert {c.user_id for c in certificates} == passed
    assert {c.user.role for c in certificates} == {"owner"}


def test_the_sample_staff_account_can_take_the_open_exam_right_away(demo):
    sitting = exam_titled("客户分类与本地服务小测").sittings[0]
    sample = db.session.execute(select(User).filter_by(username="p01_staff_001")).scalar_one()
    assert taking.state(sample, sitting)["status"] == "start"
    attempt = taking.start_or_resume(sample, sitting)
    assert len(taking.questions_for(attempt)) == 8
    running = db.session.execute(select(func.count(Attempt.id)).where(
        Attempt.sitting_id == sitting.id, Attempt.submitted_at.is_(None))).scalar()
    assert running == 4  # three demo takers and the sample


def test_running_demo_attempts_are_submitted_by_the_deadline_job(demo):
    db.session.rollback()
    clock.advance(timedelta(hours=1))
    assert runner.run_now("exams.submit_expired") == "succeeded"
    assert db.session.execute(select(func.count(Attempt.id)).where(
        Attempt.submitted_at.is_(None))).scalar() == 0


def test_demo_has_an_upcoming_exam_and_an_override(demo):
    upcoming = exam_titled("腰部力量季度考试").sittings[0]
    manager = db.session.execute(select(User).filter_by(username="p01_manager_1")).scalar_one()
    assert taking.state(manager, upcoming)["status"] == "upcoming"
    override = db.session.execute(select(Override)).scalar_one()
    assert override.user is not None and override.extra_minutes == 15
    assert services.closes_for(override.sitting, override.user) > override.sitting.closes_at
    assert taking.attempts_of(override.user, override.sitting) == []
