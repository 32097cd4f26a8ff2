"""Visits as the service stores them: the effective-visit rule and its versions, the
distance to a customer learned from its first located visit, flags that save and mark,
follow-ups and their rate, the same entry sent twice, bad input, and roll-ups that always
equal a recomputation from the raw rows."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits import rollups, rules, visits
from portal.habits.models import FollowUp, HabitDay, Visit, VisitFlag
from tests.habiting import FAR, HERE, NEAR, T0, customer, freeze, later, visit


def _parts(v: Visit) -> dict:
    return {part["part"]: part["ok"] for part in v.verdict["parts"]}


def _day(person, day):
    return db.session.execute(select(HabitDay).where(HabitDay.user_id == person.id,
                                                     HabitDay.day == day)).scalar_one()


def test_rule_one_counts_a_visit_with_decision_maker_and_dated_next_step(world):
    freeze()
    shop = customer(world.a.staff)
    good = visit(world.a.staff, shop)
    no_boss = visit(world.a.staff, shop, decision_maker=False)
    undated = visit(world.a.staff, shop, next_step_on=None)
    assert good.effective and good.verdict["rule"] == 1
    assert _parts(good) == {"decision_maker": True, "next_step": True, "next_step_date": True,
                            "distance": None}  # no locations: the distance part is skipped
    assert not no_boss.effective and _parts(no_boss)["decision_maker"] is False
    assert not undated.effective and _parts(undated)["next_step_date"] is False
    assert good.kind == "first" and no_boss.kind == "follow_up"


def test_the_customers_place_is_learned_and_later_visits_measured_against_it(world):
    freeze()
    shop = customer(world.a.staff)
    first = visit(world.a.staff, shop, where=HERE)
    db.session.refresh(shop)
    assert (shop.latitude, shop.longitude) == HERE and shop.located_by_visit_id == first.id
    near = visit(world.a.staff, shop, where=NEAR)
    assert 140 < near.distance_m < 170 and near.effective and not near.flagged
    far = visit(world.a.staff, shop, at=later(hours=3), where=FAR)
    assert far.distance_m > 6000 and not far.effective and _parts(far)["distance"] is False
    assert [f.reason for f in far.flags] == ["far_from_customer"] and far.flagged


def test_a_vague_fix_does_not_teach_the_customers_place(world):
    freeze()
    shop = customer(world.a.staff)
    visit(world.a.staff, shop, where=HERE, accuracy=800)
    db.session.refresh(shop)
    assert shop.latitude is None


def test_a_new_rule_version_judges_from_its_date_and_never_rewrites_old_verdicts(world):
    freeze()
    shop = customer(world.a.staff)
    before = visit(world.a.staff, shop, next_step_on=None)
    assert not before.effective
    with pytest.raises(DomainError) as past:
        rules.publish(world.admin, effective_from=T0 - timedelta(hours=1),
                      needs_decision_maker=True, needs_next_step=True,
                      needs_next_step_date=False, max_distance_m=500)
    assert past.value.field == "effective_from"
    version = rules.publish(world.admin, effective_from=T0 + timedelta(days=1),
                            needs_decision_maker=True, needs_next_step=True,
                            needs_next_step_date=False, max_distance_m=500)
    db.session.commit()
    assert rules.upcoming().id == version.id and rules.in_force(clock.now()).version == 1
    later(days=1)
    after = visit(world.a.staff, shop, next_step_on=None)
    assert after.effective and after.verdict["rule"] == 2 and after.rule_id == version.id
    db.session.refresh(before)
    assert not before.effective and before.verdict["rule"] == 1


def test_the_same_entry_sent_twice_is_one_visit_and_a_changed_one_is_refused(world):
    freeze()
    shop = customer(world.a.staff)
    fields = {"client_id": "phone-1-entry-0001", "customer_id": shop.id,
              "visited_at": clock.now(), "decision_maker": True, "outcome": "quoted",
              "next_step": "报价", "next_step_on": T0.date() + timedelta(days=2)}
    first = visits.log_visit(world.a.staff, fields)
    db.session.commit()
    again = visits.log_visit(world.a.staff, dict(fields))
    assert first.created and not again.created and again.visit.id == first.visit.id
    with pytest.raises(DomainError) as changed:
        visits.log_visit(world.a.staff, {**fields, "outcome": "not_interested"})
    assert changed.value.status == 409 and changed.value.field == "client_id"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert _day(world.a.staff, T0.date()).visits == 1  # counted once


@pytest.mark.parametrize("change, field", [
    ({"visited_at": T0 + timedelta(minutes=30)}, "visited_at"),
    ({"visited_at": T0 - timedelta(days=8)}, "visited_at"),
    ({"outcome": "bored"}, "outcome"),
    ({"latitude": 30.2, "longitude": 120.1}, "accuracy_m"),
    ({"latitude": 95, "longitude": 120.1, "accuracy_m": 10}, "latitude"),
    ({"next_step_on": T0.date() - timedelta(days=1)}, "next_step_on"),
    ({"next_step": "", "next_step_on": T0.date()}, "next_step"),
    ({"note": "a\x00b"}, "note"),
    ({"client_id": "x"}, "client_id"),
])
def test_bad_input_names_its_field_and_stores_nothing(world, change, field):
    freeze()
    shop = customer(world.a.staff)
    with pytest.raises(DomainError) as refused:
        visit(world.a.staff, shop, **change)
    assert refused.value.field == field and 400 <= refused.value.status < 500
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    assert not db.session.scalar(select(func.sum(HabitDay.visits)))


def test_nobody_logs_at_another_partners_customer_or_for_someone_they_do_not_lead(world):
    freeze()
    theirs = customer(world.b.staff)
    mine = customer(world.a.staff)
    with pytest.raises(DomainError) as other_partner:
        visit(world.a.staff, theirs)
    assert other_partner.value.field == "customer_id"
    with pytest.raises(DomainError) as for_someone:
        visit(world.a.staff, mine, salesperson_id=world.a.other_staff.id)
    assert for_someone.value.field == "salesperson_id" and for_someone.value.status == 403
    with pytest.raises(DomainError):  # a team lead leads its own team only
        visit(world.a.manager, mine, salesperson_id=world.a.other_staff.id)
    led = visit(world.a.manager, mine, salesperson_id=world.a.staff.id)
    assert led.user_id == world.a.staff.id


def test_a_reused_photo_is_saved_and_flagged_with_its_metadata_gone(world, app):
    from PIL import Image
    freeze()
    shop = customer(world.a.staff)
    picture = io.BytesIO()
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel X"  # the camera model
    image.save(picture, "JPEG", exif=exif)
    photo = ("shop.jpg", picture.getvalue())
    first = visits.log_visit(world.a.staff, {
        "client_id": "photo-entry-0001", "customer_id": shop.id, "outcome": "interested"},
        photo=photo)
    second = visits.log_visit(world.a.other_staff, {
        "client_id": "photo-entry-0002", "customer_id": shop.id, "outcome": "interested"},
        photo=photo)
    db.session.commit()
    assert not first.visit.flagged
    assert [f.reason for f in second.visit.flags] == ["reused_photo"]
    assert second.visit.flags[0].detail == {"earlier_visit": first.visit.id}
    from portal.core.files import path_of
    stored = path_of("visits", first.visit.photo).read_bytes()
    assert b"PhoneModel" not in stored and Image.open(io.BytesIO(stored)).format == "JPEG"


def test_two_places_too_far_apart_for_the_minutes_between_them_are_flagged(world):
    freeze()
    shop, other = customer(world.a.staff), customer(world.a.staff, "东站便利店")
    visit(world.a.staff, shop, where=HERE)
    jump = visit(world.a.staff, other, at=later(minutes=2), where=FAR)  # 7 km: 210 km/h
    assert [f.reason for f in jump.flags] == ["impossible_travel"]
    assert jump.flags[0].detail["km"] > 6 and jump.flags[0].detail["minutes"] == 2
    drive = visit(world.a.staff, shop, at=later(hours=1), where=HERE)
    assert not drive.flagged  # an hour is enough for 7 km


def test_a_burst_of_back_dated_entries_is_flagged_all_together(world):
    freeze()
    shop = customer(world.a.staff)
    logged = [visit(world.a.staff, shop, at=T0 - timedelta(days=3, hours=h)) for h in (1, 2)]
    assert not any(v.flagged for v in logged)
    third = visit(world.a.staff, shop, at=T0 - timedelta(days=3, hours=3))
    for v in logged:
        db.session.refresh(v)
    assert third.flagged and all(v.flagged for v in logged)
    assert {f.reason for v in logged + [third] for f in v.flags} == {"backdated_burst"}
    assert rollups.differences() == []


def test_a_manager_clears_a_flag_and_the_count_follows(world):
    freeze()
    shop = customer(world.a.staff)
    visit(world.a.staff, shop, where=HERE)
    far = visit(world.a.staff, shop, at=later(hours=3), where=FAR)
    flag = far.flags[0]
    assert _day(world.a.staff, T0.date()).flagged == 1
    visits.decide_flag(world.a.manager, flag, "cleared", "客户在东站新开了分店")
    db.session.commit()
    assert not far.flagged and _day(world.a.staff, T0.date()).flagged == 0
    with pytest.raises(DomainError):
        visits.decide_flag(world.a.manager, flag, "confirmed")
    assert rollups.differences() == []


def test_follow_ups_are_due_on_the_next_steps_date_and_count_in_time_or_late(world):
    freeze()
    early, late, never = (customer(world.a.staff, name) for name in ("甲店", "乙店", "丙店"))
    for shop in (early, late, never):
        visit(world.a.staff, shop, next_step_on=T0.date() + timedelta(days=2))
    undated = customer(world.a.staff, "丁店")
    visit(world.a.staff, undated, next_step_on=None)  # due after FOLLOW_UP_DAYS (7)
    visit(world.a.staff, early, at=later(days=1))
    visit(world.a.staff, late, at=later(days=3))
    follow_ups = {f.customer.name: f for f in db.session.execute(select(FollowUp)).scalars()}
    assert follow_ups["丁店"].due_on == T0.date() + timedelta(days=7)
    assert follow_ups["甲店"].done_on == T0.date() + timedelta(days=1)
    assert follow_ups["乙店"].done_on == T0.date() + timedelta(days=4)
    due = _day(world.a.staff, T0.date() + timedelta(days=2))
    assert (due.follow_ups_due, due.follow_ups_in_time) == (3, 1)  # 甲 in time; 乙 late, 丙 not
    assert rollups.differences() == []


def test_due_follow_ups_are_todays_and_overdue_oldest_first(world):
    freeze()
    a, b = customer(world.a.staff, "甲店"), customer(world.a.staff, "乙店")
    visit(world.a.staff, a, next_step_on=T0.date())
    visit(world.a.staff, b, next_step_on=T0.date() + timedelta(days=1))
    due = db.session.execute(visits.due_follow_ups(world.a.staff, T0.date())).scalars().all()
    assert [f.customer.name for f in due] == ["甲店"]


def test_roll_ups_equal_a_recomputation_after_a_mixed_day(world):
    freeze()
    shops = [customer(world.a.staff, f"店{i}") for i in range(3)]
    for i, shop in enumerate(shops):
        visit(world.a.staff, shop, at=later(minutes=30), where=HERE if i else None,
              decision_maker=bool(i % 2))
    visit(world.a.other_staff, shops[0], at=later(hours=2))
    assert rollups.differences() == [], rollups.differences()
    db.session.execute(HabitDay.__table__.update().values(visits=HabitDay.visits + 1))
    rows = db.session.scalar(select(func.count()).select_from(HabitDay))
    assert len(rollups.differences()) == rows > 0  # the check finds every row that drifted
    assert db.session.scalar(select(func.count()).select_from(VisitFlag)) == 0


def test_the_check_command_says_whether_the_roll_ups_agree(world, runner):
    freeze()
    visit(world.a.staff, customer(world.a.staff))
    assert runner.invoke(args=["habits", "check-rollups"]).exit_code == 0
    db.session.execute(HabitDay.__table__.update().values(effective=HabitDay.effective + 2))
    db.session.commit()
    result = runner.invoke(args=["habits", "check-rollups"])
    assert result.exit_code == 1 and "differ from the raw rows" in result.output
