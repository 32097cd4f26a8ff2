"""Scheduling exams: checked settings, weekly windows in Shanghai time, planning and
topping up sittings, cancelling, and who may see exams and attempts."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.access import visible
from portal.exams import services, taking
from portal.core.errors import DomainError
from portal.exams.models import Assignment, Attempt, Certificate, Exam, Sitting
from portal.extensions import db
from tests.examining import HABITS, T0, freeze, later, scheduled_exam

UTC = timezone.utc
WEEKLY = {"weekdays": [0], "open": "09:00", "close": "21:00"}


@pytest.fixture
def bank(world, banks):
    freeze()
    return world


def valid(world, **changes):
    values = {"title": "周考", "track": "staff", "draw": HABITS, "opens_at": T0,
              "closes_at": T0 + timedelta(hours=12),
              "audience": {"partner_ids": [world.a.partner.id]}}
    values.update(changes)
    return values


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


@pytest.mark.parametrize("field, changes", [
    ("title", {"title": "  "}),
    ("title", {"title": "考" * 201}),
    ("track", {"track": "ceo"}),
    ("time_limit_minutes", {"time_limit_minutes": 601}),
    ("time_limit_minutes", {"time_limit_minutes": "half an hour"}),
    ("pass_percent", {"pass_percent": "abc"}),
    ("pass_percent", {"pass_percent": "101"}),
    ("pass_percent", {"pass_percent": "NaN"}),
    ("attempts_allowed", {"attempts_allowed": 0}),
    ("attempts_allowed", {"attempts_allowed": 2.5}),
    ("grading", {"grading": "first"}),
    ("review", {"review": "sometimes"}),
    ("audience", {"audience": {"roles": ["admin"]}}),
    ("audience", {"audience": {"partner_ids": [99999]}}),
    ("draw", {"draw": []}),
    ("draw", {"draw": [{"track": "staff", "tag": "sales-habits", "count": 500}]}),
    ("draw", {"draw": [{"track": "staff", "tag": "Sales Habits", "count": 1}]}),
    ("draw", {"draw": [{"track": "staff", "tag": "no-such-tag", "count": 1}]}),
    ("draw", {"draw": [{"track": "staff", "tag": "", "count": 0}]}),
    ("draw", {"draw": [{"track": "staff", "tag": "", "count": 40},
                       {"track": "staff", "tag": "", "count": 40}]}),
    ("recurrence", {"recurrence": {"weekdays": [7], "open": "09:00", "close": "21:00"}}),
    ("recurrence", {"recurrence": {"weekdays": [0], "open": "21:00", "close": "09:00"}}),
    ("recurrence", {"recurrence": {"weekdays": [0], "open": "9am", "close": "21:00"}}),
    ("recurrence", {"recurrence": {**WEEKLY, "until": "2026-13-01"}}),
    ("recurrence", {"recurrence": {**WEEKLY, "until": "2026-11-01"}}),
    ("opens_at", {"opens_at": "2026-11-23 09:00"}),
    ("closes_at", {"closes_at": T0 - timedelta(minutes=1)}),
    ("description", {"description": "x" * 5001}),
])
def test_check_exam_names_the_field_at_fault_and_nothing_is_written(bank, field, changes):
    with pytest.raises(DomainError) as caught:
        services.create_exam(bank.cm, **valid(bank, **changes))
    assert caught.value.field == field
    assert caught.value.status == 400 and str(caught.value.message)
    db.session.rollback()
    assert count(Exam) == 0


def test_check_exam_defaults_the_audience_to_the_tracks_role_and_a_naive_time_to_shanghai(
        bank):
    checked = services.check_exam(valid(bank, opens_at=datetime(2026, 11, 23, 9, 0),
                                        closes_at=datetime(2026, 11, 23, 21, 0)))
    assert checked["audience"]["roles"] == ["staff"]
    assert checked["opens_at"] == T0
    assert checked["closes_at"] == T0 + timedelta(hours=12)


def test_weekly_monday_window_is_nine_to_nine_in_shanghai_which_is_one_to_thirteen_utc(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]}, recurrence=WEEKLY,
                          opens_at=T0 - timedelta(days=3))
    windows = services.windows(exam, T0, T0 + timedelta(days=21))
    assert windows == [(datetime(2026, 11, day, 1, 0, tzinfo=UTC),
                        datetime(2026, 11, day, 13, 0, tzinfo=UTC)) for day in (23, 30)] + [
        (datetime(2026, 12, 7, 1, 0, tzinfo=UTC), datetime(2026, 12, 7, 13, 0, tzinfo=UTC))]
    # Planned a week ahead: today's sitting (open now), not next Monday's yet.
    assert [(s.opens_at, s.closes_at) for s in exam.sittings] == [windows[0]]
    assert exam.sittings[0].assigned_count == 2


def test_weekly_exam_on_two_days_stops_after_its_last_day(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]},
                          recurrence={"weekdays": [3, 0], "open": "09:00", "close": "10:30",
                                      "until": "2026-12-03"})
    opened = [opens for opens, _ in services.windows(exam, T0, T0 + timedelta(days=60))]
    assert [o.astimezone(UTC).strftime("%m-%d %H:%M") for o in opened] == [
        "11-23 01:00", "11-26 01:00", "11-30 01:00", "12-03 01:00"]
    for _ in range(20):  # the planning job, once a day for three weeks
        later(days=1)
        services.plan_all()
    db.session.commit()
    assert count(Sitting, Sitting.exam_id == exam.id) == 4


def test_plan_sittings_twice_creates_each_sitting_once(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]}, recurrence=WEEKLY)
    later(days=1)
    made = services.plan_sittings(exam)
    assert [s.opens_at for s in made] == [datetime(2026, 11, 30, 1, 0, tzinfo=UTC)]
    assert services.plan_sittings(exam) == []
    assert services.plan_all() == 0
    db.session.commit()
    assert count(Sitting, Sitting.exam_id == exam.id) == 2
    assert count(Assignment) == 4


def test_plan_all_assigns_people_who_joined_after_the_sitting_opened(bank, make):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]})
    sitting = exam.sittings[0]
    newcomer = make.person("staff", bank.a.partner, bank.a.team)
    outsider = make.person("staff", bank.b.partner, bank.b.team)
    later(hours=1)
    services.plan_all()
    db.session.commit()
    assert services.is_assigned(newcomer, sitting)
    assert not services.is_assigned(outsider, sitting)
    assert sitting.assigned_count == 3
    assert taking.start_or_resume(newcomer, sitting).number == 1


def test_plan_all_does_not_top_up_a_closed_sitting(bank, make):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]}, hours=2)
    later(hours=3)
    newcomer = make.person("staff", bank.a.partner, bank.a.team)
    services.plan_all()
    db.session.commit()
    assert not services.is_assigned(newcomer, exam.sittings[0])


def test_cancel_drops_sittings_not_yet_open_and_keeps_results_of_past_ones(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]}, recurrence=WEEKLY)
    today = exam.sittings[0]
    attempt = taking.start_or_resume(bank.a.staff, today)
    taking.submit(attempt)
    later(days=2)
    services.plan_all()
    db.session.commit()
    assert count(Sitting, Sitting.exam_id == exam.id) == 2
    services.cancel(exam)
    db.session.commit()
    assert [s.id for s in db.session.execute(select(Sitting).where(
        Sitting.exam_id == exam.id)).scalars()] == [today.id]
    assert db.session.get(Attempt, attempt.id).submitted_at is not None
    later(days=7)
    assert services.plan_all() == 0


def test_cancelled_exam_refuses_new_attempts(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]})
    services.cancel(exam)
    db.session.commit()
    assert taking.state(bank.a.staff, exam.sittings[0])["status"] == "cancelled"
    with pytest.raises(DomainError) as caught:
        taking.start_or_resume(bank.a.staff, exam.sittings[0])
    assert caught.value.status == 409


def test_an_exam_cannot_be_edited_once_it_has_opened(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]})
    with pytest.raises(DomainError) as caught:
        services.update_exam(exam, **valid(bank, title="改名"))
    assert caught.value.status == 409


def test_editing_a_scheduled_exam_before_it_opens_moves_its_sitting(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]},
                          opens_at=T0 + timedelta(days=1), closes_at=T0 + timedelta(days=2))
    services.update_exam(exam, **valid(bank, opens_at=T0 + timedelta(days=3),
                                       closes_at=T0 + timedelta(days=4)))
    db.session.commit()
    sittings = db.session.execute(select(Sitting).where(Sitting.exam_id == exam.id)).scalars()
    assert [s.opens_at for s in sittings] == [T0 + timedelta(days=3)]


def test_a_draft_is_scheduled_once(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]})
    with pytest.raises(DomainError) as caught:
        services.schedule(exam)
    assert caught.value.status == 409


# --- who sees what -----------------------------------------------------------------------
@pytest.fixture
def taken(bank):
    """A staff exam for both partners, taken and passed by every staff member."""
    exam = scheduled_exam(bank.admin, {"partner_ids": [bank.a.partner.id, bank.b.partner.id]},
                          is_final=True, pass_percent=0)
    for side in (bank.a, bank.b):
        for person in (side.staff, side.other_staff):
            taking.submit(taking.start_or_resume(person, exam.sittings[0]))
    db.session.commit()
    return exam


def owners_of(user, model, column):
    rows = db.session.execute(select(column).where(visible(user, model))).scalars()
    return set(rows)


def test_staff_see_only_their_own_attempts_and_certificates(bank, taken):
    me = bank.a.staff
    assert owners_of(me, Attempt, Attempt.user_id) == {me.id}
    assert owners_of(me, Certificate, Certificate.user_id) == {me.id}


def test_manager_sees_the_attempts_of_its_own_team_only(bank, taken):
    assert owners_of(bank.a.manager, Attempt, Attempt.user_id) == {bank.a.staff.id}


def test_owner_sees_the_attempts_of_its_own_partner(bank, taken):
    assert owners_of(bank.a.owner, Attempt, Attempt.user_id) == {bank.a.staff.id,
                                                                  bank.a.other_staff.id}


def test_channel_manager_of_a_sees_none_of_bs_attempts(bank, taken):
    seen = owners_of(bank.cm, Attempt, Attempt.user_id)
    assert seen == {bank.a.staff.id, bank.a.other_staff.id}
    assert owners_of(bank.cm, Certificate, Certificate.user_id) == seen


def test_auditor_sees_every_attempt(bank, taken):
    assert len(owners_of(bank.auditor, Attempt, Attempt.id)) == 4


def test_staff_see_an_exam_only_when_assigned_to_it(bank):
    for_a = scheduled_exam(bank.admin, {"partner_ids": [bank.a.partner.id]})
    draft = services.create_exam(bank.admin, **valid(bank))
    db.session.commit()
    assert owners_of(bank.a.staff, Exam, Exam.id) == {for_a.id}
    assert owners_of(bank.b.staff, Exam, Exam.id) == set()
    assert owners_of(bank.a.staff, Sitting, Sitting.id) == {for_a.sittings[0].id}
    assert draft.id not in owners_of(bank.cm, Exam, Exam.id)


def test_channel_manager_sees_its_own_exams_and_those_assigned_to_its_partners(bank):
    own_draft = services.create_exam(bank.cm, title="草稿", track="staff", draw=HABITS,
                                     opens_at=clock.now(),
                                     closes_at=clock.now() + timedelta(hours=2), audience={})
    admins_for_b = scheduled_exam(bank.admin, {"partner_ids": [bank.b.partner.id]})
    admins_for_a = scheduled_exam(bank.admin, {"partner_ids": [bank.a.partner.id]})
    seen = owners_of(bank.cm, Exam, Exam.id)
    assert own_draft.id in seen and admins_for_a.id in seen
    assert admins_for_b.id not in seen


def test_a_channel_managers_exam_stays_inside_its_partners(bank):
    """Empty pickers mean "my partners"; a province or partner outside them reaches
    nobody and is refused; the admin's empty audience is the whole country."""
    mine = scheduled_exam(bank.cm, {})
    assert mine.audience["within"] == [bank.a.partner.id]
    partners = set(db.session.execute(select(Assignment.partner_id)).scalars())
    assert partners == {bank.a.partner.id}
    with pytest.raises(DomainError) as refused:
        scheduled_exam(bank.cm, {"partner_ids": [bank.b.partner.id]})
    assert refused.value.field == "audience"
    db.session.rollback()
    nationwide = scheduled_exam(bank.admin, {})
    assert "within" not in nationwide.audience
    assert set(db.session.execute(select(Assignment.partner_id).where(
        Assignment.sitting_id == nationwide.sittings[0].id)).scalars()) == {
        bank.a.partner.id, bank.b.partner.id}
