"""The exams' scheduled work and races: the deadline sweep, planning, the opening notice
and the closing reminder, and two requests submitting or starting the same attempt."""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.exams import notices, services, taking
from portal.exams.models import Attempt, Sitting
from portal.extensions import db
from portal.jobs import runner
from portal.notify.models import Notification
from tests.examining import (T0, answer_all, freeze, items_of, later, scheduled_exam, sent)


@pytest.fixture
def exam(world, banks):
    freeze()
    return scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]},
                          time_limit_minutes=30)


def outcome(attempt_id):
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    return (attempt.submitted_at, attempt.submitted_by, attempt.score, attempt.percent)


# --- the deadline sweep ---------------------------------------------------------------------
def test_deadline_job_submits_open_attempts_with_what_was_saved_at_their_deadline(world, exam):
    sitting = exam.sittings[0]
    mine = taking.start_or_resume(world.a.staff, sitting)
    first, second = items_of(mine)[:2]
    taking.save_answers(mine, {str(first.id): sent(first), str(second.id): sent(second)})
    later(minutes=10)
    theirs = taking.start_or_resume(world.a.other_staff, sitting)  # deadline 10 min later
    db.session.commit()
    later(minutes=25)
    assert runner.run_now("exams.submit_expired") == "succeeded"
    expected = first.version.points + second.version.points
    assert outcome(mine.id)[:3] == (T0 + timedelta(minutes=30), "deadline", expected)
    assert outcome(theirs.id)[0] is None  # still within its time
    later(minutes=10)
    assert runner.run_now("exams.submit_expired") == "succeeded"
    done = (outcome(mine.id), outcome(theirs.id))
    assert done[1][:3] == (T0 + timedelta(minutes=40), "deadline", Decimal("0.00"))
    later(minutes=1)
    assert runner.run_now("exams.submit_expired") == "succeeded"
    assert (outcome(mine.id), outcome(theirs.id)) == done


def test_an_expired_attempt_is_closed_when_its_taker_comes_back(world, banks):
    freeze()
    exam = scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]},
                          time_limit_minutes=30, attempts_allowed=2)
    first = taking.start_or_resume(world.a.staff, exam.sittings[0])
    answer_all(first)
    later(hours=1)
    second = taking.start_or_resume(world.a.staff, exam.sittings[0])
    db.session.commit()
    assert second.number == 2
    assert outcome(first.id)[:2] == (T0 + timedelta(minutes=30), "deadline")
    assert outcome(first.id)[3] == Decimal("100.00")


def test_planning_job_creates_next_weeks_sitting(world, banks):
    freeze()
    exam = scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]},
                          recurrence={"weekdays": [0], "open": "09:00", "close": "21:00"})
    later(days=3)
    assert runner.run_now("exams.plan_sittings") == "succeeded"
    opened = db.session.execute(select(Sitting.opens_at).where(
        Sitting.exam_id == exam.id).order_by(Sitting.opens_at)).scalars().all()
    assert opened == [T0, T0 + timedelta(days=7)]


# --- notices --------------------------------------------------------------------------------
def inbox(user, title_start):
    return db.session.execute(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.category == "exam",
        Notification.title.startswith(title_start))).scalar()


def test_opening_notice_goes_once_to_everyone_assigned(world, exam):
    upcoming = scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]},
                              opens_at=T0 + timedelta(days=1), closes_at=T0 + timedelta(days=2))
    later(minutes=5)
    assert notices.announce_open() == 1
    db.session.commit()
    assert notices.announce_open() == 0
    assert runner.run_now("exams.notices") == "succeeded"
    for person in (world.a.staff, world.a.other_staff):
        assert inbox(person, "Exam open") + inbox(person, "考试开放") == 1
    assert db.session.get(Sitting, upcoming.sittings[0].id).announced_at is None
    assert inbox(world.b.staff, "") == 0 and inbox(world.a.owner, "") == 0


def test_closing_reminder_goes_once_only_to_those_who_have_not_submitted(world, exam):
    taking.submit(taking.start_or_resume(world.a.staff, exam.sittings[0]))
    db.session.commit()
    later(hours=8)  # a 12-hour window is reminded in its last 3 hours
    assert notices.remind_closing() == 0
    later(hours=1, minutes=1)
    assert notices.remind_closing() == 1
    db.session.commit()
    later(minutes=30)
    assert notices.remind_closing() == 0
    assert runner.run_now("exams.notices") == "succeeded"
    reminded = {person.id: inbox(person, "Closing soon") + inbox(person, "即将截止")
                for person in (world.a.staff, world.a.other_staff)}
    assert reminded == {world.a.staff.id: 0, world.a.other_staff.id: 1}


def test_no_reminder_for_a_cancelled_exam(world, exam):
    services.cancel(exam)
    db.session.commit()
    later(hours=10)
    assert notices.remind_closing() == 0 and notices.announce_open() == 0


# --- races ----------------------------------------------------------------------------------
def in_parallel(app, work, count=2):
    """Run `work()` in `count` threads at once, each with its own app context and session
    (as two requests would), committing after; returns their results."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results[index] = work()
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_two_submissions_at_once_count_once(app, world, exam):
    attempt = taking.start_or_resume(world.a.staff, exam.sittings[0])
    answer_all(attempt)
    attempt_id = attempt.id
    db.session.commit()
    results = in_parallel(app, lambda: taking.submit(db.session.get(Attempt, attempt_id)))
    assert sorted(results) == [False, True]
    submitted_at, by, _, percent = outcome(attempt_id)
    assert (submitted_at, by, percent) == (T0, "taker", Decimal("100.00"))


def test_two_devices_starting_at_once_share_one_attempt(app, world, exam):
    sitting_id, person_id = exam.sittings[0].id, world.a.staff.id
    db.session.commit()

    def start():
        from portal.auth.models import User
        sitting = db.session.get(Sitting, sitting_id)
        return taking.start_or_resume(db.session.get(User, person_id), sitting).id

    results = in_parallel(app, start)
    assert results[0] == results[1]
    assert db.session.execute(select(func.count(Attempt.id))).scalar() == 1
