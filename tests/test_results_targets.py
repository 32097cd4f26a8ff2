"""Monthly targets as the service computes them: the three reference lines on a
hand-computed history, working days with a holiday and a make-up day, the pace, "no
data" against zero, the cascade, setting with confirmation outside the lines, and what
*My day* shows.

The hand-computed example: today is Friday 2026-12-04; A's staff (in the portal since
January 2025) visited per month

    Dec 2025 150 · Jan 180 · Feb 160 · Mar 400 · Apr 200 · May 210
    Jun 220 · Jul 253 · Aug 252 · Sep 286 · Oct 308 · Nov 315

    peak (Dec 2025 – Nov 2026):  400, March 2026
    start (Sep, Oct, Nov):       (286 + 308 + 315) / 3 = 303
    forecast for December:       per working day Jun 220/22 = 10, Jul 253/23 = 11,
                                 Aug 252/21 = 12, Sep 286/22 = 13, Oct 308/22 = 14,
                                 Nov 315/21 = 15: +1 a month, so 16 in December
                                 × 23 working days = 368
    forecast for January 2027:   17 × 21 working days = 357 (the lines still end in
                                 November: December is not over)
"""
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits import rollups as habit_rollups
from portal.results import months as cal
from portal.results import rollups as result_rollups
from portal.results import targets
from portal.results.models import METRICS, Target
from portal.results.target_lines import Subject, reference_lines
from portal.results.target_words import explain
from tests.targeting import DECEMBER, JANUARY, TODAY, since, visits, with_history

@pytest.fixture
def history(world):
    return with_history(world)


def _lines(person_or_subject, month=DECEMBER, level="person"):
    subject = person_or_subject if isinstance(person_or_subject, Subject) \
        else Subject.of(level, person_or_subject)
    return reference_lines(subject, month, TODAY)


def test_the_three_lines_on_the_hand_computed_history(app, history):
    lines = _lines(history.a.staff)["visits"]
    assert lines["peak"]["value"] == 400 and lines["peak"]["month"] == "2026-03"
    assert lines["start"]["value"] == 303
    assert lines["start"]["months"] == ["2026-09", "2026-10", "2026-11"]
    assert lines["forecast"]["value"] == 368
    assert lines["forecast"]["slope"] == pytest.approx(1.0)
    assert lines["forecast"]["workdays"] == 23


def test_next_months_lines_end_with_the_last_full_month(app, history):
    lines = _lines(history.a.staff, JANUARY)["visits"]
    assert lines["start"]["value"] == 303 and lines["peak"]["value"] == 400
    assert lines["forecast"]["value"] == 357 and lines["forecast"]["workdays"] == 21


def test_each_line_explains_itself_in_the_readers_language(app, history):
    lines = _lines(history.a.staff)["visits"]
    with app.test_request_context():
        assert explain("start", lines["start"], "visits") == \
            "最近3个完整月（9月、10月、11月）平均：303"
        assert explain("peak", lines["peak"], "visits") == "最近12个月最好的一个月：2026年3月，400"
        assert explain("forecast", lines["forecast"], "visits") == \
            "最近6个月趋势：每个工作日每月+1.0，即每个工作日16.0 × 12月的23个工作日：368"
    with app.test_request_context(), force_locale("en"):
        assert explain("start", lines["start"], "visits") == \
            "Average of the last 3 full months (Sep, Oct, Nov): 303"


def test_the_team_and_the_partner_sum_their_peoples_months(app, history):
    a = history.a
    visits(a.manager, {(2026, 9): 14, (2026, 10): 22, (2026, 11): 12})
    visits(a.other_staff, {(2026, 11): 30})
    team = _lines(Subject.of("team", a.team))["visits"]
    assert team["start"]["value"] == (300 + 330 + 327) // 3 == 319
    partner = _lines(Subject.of("partner", a.partner))["visits"]
    assert partner["start"]["value"] == 329  # (300 + 330 + 357) / 3 = 329
    assert partner["peak"]["value"] == 400


def test_with_too_few_months_a_line_says_not_enough_history(app, history):
    a = history.a
    since(a.other_staff, at=datetime(2026, 10, 15, tzinfo=timezone.utc))
    visits(a.other_staff, {(2026, 10): 90, (2026, 11): 200})
    lines = _lines(a.other_staff)["visits"]
    # October is partial (joined on the 15th): only November counts.
    assert lines["peak"]["value"] == 200 and lines["peak"]["have"] == 1
    assert lines["start"]["value"] is None and lines["start"]["have"] == 1
    assert lines["forecast"]["value"] is None
    with app.test_request_context():
        assert explain("start", lines["start"], "visits") == "历史数据不足：需要3个有数据的完整月，现有1个。"


def test_a_month_the_partner_recorded_nothing_is_no_data_not_zero(app, history):
    a = history.a
    # July: nobody of partner A recorded a visit. October: a colleague did, the staff not.
    rows = db.session.execute(select(habit_rollups.HabitDay).where(
        habit_rollups.HabitDay.user_id == a.staff.id,
        habit_rollups.HabitDay.day.in_([date(2026, 7, 10), date(2026, 10, 10)]))).scalars()
    for row in rows:
        db.session.delete(row)
    db.session.commit()
    visits(a.other_staff, {(2026, 10): 5})
    lines = _lines(a.staff)["visits"]
    assert lines["peak"]["have"] == 11  # July left out
    assert lines["start"]["value"] == round((286 + 0 + 315) / 3)  # October is a real zero
    assert lines["forecast"]["have"] == 5


def test_orders_lines_come_from_the_result_roll_ups(app, history):
    a = history.a
    for month, fen in {(2026, 9): 120000, (2026, 10): 150000, (2026, 11): 180050}.items():
        result_rollups.add(a.staff, date(*month, 12), revenue_fen=fen, orders=3)
    db.session.commit()
    lines = _lines(a.staff)
    assert lines["revenue_fen"]["start"]["value"] == 150017  # 450050 / 3, rounded
    assert lines["orders"]["peak"]["value"] == 3
    # No payment recorded by anyone yet: no data, not a peak of zero.
    assert lines["payments_fen"]["peak"]["value"] is None


@pytest.mark.config(HOLIDAYS=("2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
                              "2026-10-05", "2026-10-06", "2026-10-07"),
                    WORKDAYS=("2026-10-10",))
def test_working_days_leave_out_holidays_and_count_make_up_days(app):
    october = date(2026, 10, 1)
    # 22 weekdays, less the holidays Thu 1, Fri 2, Mon 5, Tue 6, Wed 7, plus Saturday 10.
    assert cal.in_month(october) == 18
    assert not cal.is_working_day(date(2026, 10, 5))
    assert cal.is_working_day(date(2026, 10, 10))
    assert not cal.is_working_day(date(2026, 10, 11))
    assert cal.gone(october, date(2026, 10, 12)) == 3  # Thu 8, Fri 9 and Saturday 10
    assert cal.left(october, date(2026, 10, 12)) == 15


def _set(actor, subject, values, confirmed=(), month=DECEMBER):
    changed = targets.set_targets(actor, subject, month, values, set(confirmed),
                                  reference_lines(subject, month, TODAY), TODAY)
    db.session.commit()
    return changed


def test_pace_counts_the_working_days_before_today(app, history):
    a = history.a
    me = Subject.of("person", a.staff)
    _set(a.manager, me, {"visits": 230, "orders": 0}, confirmed={"visits", "orders"})
    visits(a.staff, {(2026, 12): 40}, day=2)
    visits(a.staff, {(2026, 12): 5}, day=4)
    mine = targets.progress(me, DECEMBER, TODAY)
    visits_ = mine["visits"]
    assert (visits_.gone, visits_.workdays) == (3, 23)  # Tue 1 to Thu 3; today not yet
    assert visits_.expected == pytest.approx(30)  # 230 × 3 / 23
    assert visits_.actual == 45
    assert visits_.of_pace == pytest.approx(1.5)
    assert visits_.of_target == pytest.approx(45 / 230)
    # A target of zero orders: nothing to divide by, and no order recorded: no data.
    assert mine["orders"].value == 0 and mine["orders"].of_target is None
    assert mine["orders"].actual is None
    # Next month has not begun.
    assert targets.progress(me, JANUARY, TODAY)["visits"].actual is None


def test_a_target_outside_the_lines_needs_confirming(app, history):
    a = history.a
    me = Subject.of("person", a.staff)
    with pytest.raises(DomainError) as above:
        _set(a.manager, me, {"visits": 450, "effective": 0})
    db.session.rollback()
    assert set(above.value.details) == {"visits"}
    assert "历史峰值" in str(above.value.details["visits"])
    with pytest.raises(DomainError) as below:
        _set(a.manager, me, {"visits": 250})
    db.session.rollback()
    assert "起跑线" in str(below.value.details["visits"])
    assert targets.of_subject(me, DECEMBER) == {}  # nothing half-written
    assert _set(a.manager, me, {"visits": 450}, confirmed={"visits"}) == 1
    assert _set(a.manager, me, {"effective": 0}) == 1  # none all year: 0 is within
    saved = targets.of_subject(me, DECEMBER)
    assert saved[(DECEMBER, "visits")].confirmed is True
    assert saved[(DECEMBER, "visits")].lines["peak"]["value"] == 400
    assert saved[(DECEMBER, "effective")].confirmed is False


def test_setting_again_replaces_and_an_empty_value_clears(app, history):
    a = history.a
    me = Subject.of("person", a.staff)
    _set(a.manager, me, {"visits": 310})
    assert _set(a.owner, me, {"visits": 320}) == 1
    row = targets.of_subject(me, DECEMBER)[(DECEMBER, "visits")]
    assert (row.value, row.set_by, row.confirmed) == (320, a.owner.id, False)
    assert _set(a.owner, me, {"visits": 320}) == 0  # the same value changes nothing
    assert _set(a.owner, me, {"visits": None}) == 1
    assert targets.of_subject(me, DECEMBER) == {}


def test_targets_of_past_months_cannot_be_set(app, history):
    me = Subject.of("person", history.a.staff)
    with pytest.raises(DomainError) as refused:
        _set(history.a.manager, me, {"visits": 300}, month=date(2026, 11, 1))
    assert refused.value.field == "month"


def test_the_cascade_sums_the_teams_and_the_people_with_the_gap(app, history):
    a = history.a
    everything = set(METRICS)
    _set(history.cm, Subject.of("partner", a.partner), {"visits": 1000}, everything)
    _set(a.owner, Subject.of("team", a.team), {"visits": 300}, everything)
    _set(a.owner, Subject.of("team", a.other_team), {"visits": 500}, everything)
    _set(a.manager, Subject.of("person", a.staff), {"visits": 310}, everything)
    _set(a.owner, Subject.of("person", a.manager), {"visits": 40}, everything)
    partner = Subject.of("partner", a.partner)
    flow = targets.cascade(partner, DECEMBER, targets.of_subject(partner, DECEMBER))["visits"]
    assert (flow.parent, flow.total, flow.with_target, flow.children) == (1000, 800, 2, 2)
    assert flow.gap == -200  # under
    team = Subject.of("team", a.team)
    flow = targets.cascade(team, DECEMBER, targets.of_subject(team, DECEMBER))
    assert (flow["visits"].total, flow["visits"].children, flow["visits"].gap) == (350, 2, 50)
    assert flow["orders"].parent is None and flow["orders"].gap is None


def test_my_day_shows_todays_target_from_what_is_left(app, history):
    a = history.a
    assert targets.today_for(a.staff, TODAY) is None  # no targets: nothing to show
    _set(a.manager, Subject.of("person", a.staff), {"visits": 310})
    visits(a.staff, {(2026, 12): 40}, day=2)
    visits(a.staff, {(2026, 12): 5}, day=4)
    shown = targets.today_for(a.staff, TODAY)
    (row,) = shown.rows
    # 310 − 40 done before today, over the 20 working days from today: 13.5, so 14.
    assert (row.target, row.month_actual, row.done_today, row.today_target) == (310, 45, 5, 14)
    saturday = targets.today_for(a.staff, date(2026, 12, 5))
    assert saturday.rows[0].today_target is None


def test_the_person_day_by_day_keeps_the_daily_target_honest(app, history):
    a = history.a
    me = Subject.of("person", a.staff)
    _set(a.manager, me, {"visits": 310})
    visits(a.staff, {(2026, 12): 40}, day=2)
    days = {d.day: d for d in targets.day_by_day(me, DECEMBER, TODAY,
                                                  targets.of_subject(me, DECEMBER))}
    assert days[date(2026, 12, 1)].target["visits"] == 14  # 310 / 23 = 13.5
    assert days[date(2026, 12, 2)].actual["visits"] == 40
    assert days[date(2026, 12, 3)].target["visits"] == 13  # (310 − 40) / 21 = 12.9, rounded up
    assert days[date(2026, 12, 5)].target == {} and not days[date(2026, 12, 5)].working
    assert "visits" not in days[date(2026, 12, 7)].actual  # to come
    assert days[date(2026, 12, 7)].target["visits"] == 15  # (310 − 40) / 19 after today
    assert days[date(2026, 12, 31)].target["visits"] == 15  # the same plan to the end


def test_a_target_change_is_in_the_audit_log(app, history):
    from portal.core.audit import AuditLog
    a = history.a
    me = Subject.of("person", a.staff)
    _set(a.manager, me, {"visits": 310})
    _set(a.manager, me, {"visits": 320})
    logged = db.session.execute(select(AuditLog.action, AuditLog.after).where(
        AuditLog.object_type == "Target").order_by(AuditLog.id)).all()
    assert [action for action, _after in logged] == ["create", "update"]
    assert logged[0].after["set_by"] == a.manager.id
    assert logged[1].after == {"value": 320}
    assert db.session.execute(select(Target.value)).scalar() == 320


def test_who_sees_which_targets(app, history):
    a, b = history.a, history.b
    everything = set(METRICS)
    _set(history.cm, Subject.of("partner", a.partner), {"visits": 1000}, everything)
    _set(a.owner, Subject.of("team", a.team), {"visits": 300}, everything)
    _set(a.owner, Subject.of("team", a.other_team), {"visits": 500}, everything)
    _set(a.manager, Subject.of("person", a.staff), {"visits": 310}, everything)
    _set(a.owner, Subject.of("person", a.other_staff), {"visits": 200}, everything)
    from portal.core.access import visible

    def seen(user):
        return set(db.session.execute(select(Target.subject).where(
            visible(user, Target))).scalars())
    partner, team, other_team = (f"partner:{a.partner.id}", f"team:{a.team.id}",
                                 f"team:{a.other_team.id}")
    staff, other = f"person:{a.staff.id}", f"person:{a.other_staff.id}"
    assert seen(a.owner) == seen(history.cm) == {partner, team, other_team, staff, other}
    assert seen(a.manager) == {partner, team, staff}
    assert seen(a.staff) == {team, staff}  # not the partner's, nor colleagues'
    assert seen(a.other_staff) == {other_team, other}
    assert seen(b.owner) == seen(b.staff) == set()
