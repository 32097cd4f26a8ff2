"""Reach figures, cascade fidelity, and the notices around a broadcast: announcing it,
reminding overdue people with escalation to their owner, and an owner's nudge."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.broadcasts import reach, reminders, services
from portal.broadcasts.models import Receipt
from portal.core import clock
from portal.extensions import db
from portal.jobs import runner
from portal.notify.models import Notification
from tests.broadcasting import T0, freeze, later, publish


def _ack(people, broadcast, *minutes):
    for person, after in zip(people, minutes):
        services.acknowledge(person, broadcast, at=T0 + timedelta(minutes=after))
    db.session.commit()


def _everyone(world):
    return [world.a.owner, world.a.manager, world.a.staff, world.a.other_staff,
            world.b.owner, world.b.manager, world.b.staff, world.b.other_staff]


def _notes(user=None, like=None):
    query = select(func.count()).select_from(Notification)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    if like is not None:
        query = query.where(Notification.title.like(f"%{like}%"))
    return db.session.execute(query).scalar()


def _escalations(user, broadcast) -> list[str]:
    """The counts named in `user`'s escalation notices (they link to the reach page)."""
    titles = db.session.execute(select(Notification.title).where(
        Notification.user_id == user.id,
        Notification.link == f"/broadcasts/{broadcast.id}/reach")).scalars()
    return [re.search(r"\d+", title).group() for title in titles]


def test_reach_summary_with_median_and_90th_percentile(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(days=1))
    people = _everyone(world)
    _ack(people, policy, 10, 20, 30, 40, 50)
    services.open_broadcast(people[5], policy)
    db.session.commit()
    summary = reach.reach_summary(policy)
    assert {k: summary[k] for k in reach.COUNTS} == {
        "delivered": 8, "opened": 6, "acknowledged": 5, "overdue": 0}
    assert summary["median_ack_seconds"] == 30 * 60
    assert summary["p90_ack_seconds"] == 50 * 60
    later(days=1)
    assert reach.reach_summary(policy)["overdue"] == 3


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(world):
    freeze()
    policy = publish(world.admin, requires_ack=True)
    _ack(_everyone(world), policy, 10, 20, 30, 40)
    summary = reach.reach_summary(policy)
    assert summary["median_ack_seconds"] == 25 * 60
    assert summary["p90_ack_seconds"] == 40 * 60


def test_reach_without_acknowledgements_has_no_times(world):
    freeze()
    notice = publish(world.admin, category="notice")
    summary = reach.reach_summary(notice)
    assert summary["median_ack_seconds"] is None and summary["acknowledged"] == 0


def test_reach_breakdown_by_partner_team_and_role(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1))
    _ack([world.a.owner, world.a.staff, world.b.owner], policy, 5, 6, 7)
    later(hours=2)
    by_partner = {r["partner_name"]: r for r in reach.reach_breakdown(policy, "partner")}
    assert by_partner["代理商A"]["acknowledged"] == 2 and by_partner["代理商A"]["overdue"] == 2
    assert by_partner["代理商B"]["acknowledged"] == 1 and by_partner["代理商B"]["overdue"] == 3
    by_role = reach.reach_breakdown(policy, "role")
    assert [(r["role"], r["delivered"], r["acknowledged"]) for r in by_role] == [
        ("owner", 2, 2), ("manager", 2, 0), ("staff", 4, 1)]
    by_team = reach.reach_breakdown(policy, "team", [world.a.partner.id])
    teams = {r["team_name"]: (r["delivered"], r["acknowledged"]) for r in by_team}
    assert teams == {None: (1, 1), "一组a": (2, 1), "二组a": (1, 0)}
    only_a = reach.reach_summary(policy, [world.a.partner.id])
    assert (only_a["delivered"], only_a["overdue"]) == (4, 2)


def test_overdue_people_are_those_not_acknowledged_after_the_deadline(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1),
                     audience={"partner_ids": [world.a.partner.id]})
    _ack([world.a.owner], policy, 5)
    assert db.session.execute(reach.overdue_people(policy)).all() == []  # not yet due
    later(hours=1)
    rows = db.session.execute(reach.overdue_people(policy)).all()
    assert {user.id for user, _receipt in rows} == {
        world.a.manager.id, world.a.staff.id, world.a.other_staff.id}
    assert db.session.execute(reach.overdue_people(policy, [world.b.partner.id])).all() == []


def test_fidelity_puts_partners_whose_staff_lag_their_leaders_first(world, make):
    freeze(T0 - timedelta(days=10))
    old = publish(world.admin, requires_ack=True)
    freeze()
    policy = publish(world.admin, requires_ack=True)
    third = make.partner("代理商C")
    c_owner, c_staff = make.person("owner", third), make.person("staff", third)
    policy_c = publish(world.admin, requires_ack=True, audience={"partner_ids": [third.id]})
    _ack([world.a.owner, world.a.manager, world.b.owner, world.b.manager, world.b.staff,
          world.b.other_staff], policy, 1, 2, 3, 4, 5, 6)
    _ack([c_staff], policy_c, 1)
    services.acknowledge(world.a.staff, old, at=T0 - timedelta(days=9))
    db.session.commit()
    rows = reach.fidelity(T0 - timedelta(days=1))
    assert [r["partner_name"] for r in rows] == ["代理商A", "代理商B", "代理商C"]
    a, b, c = rows
    assert (a["owner_rate"], a["manager_rate"], a["staff_rate"], a["gap"]) == (1, 1, 0, 1)
    assert b["gap"] == 0 and c["gap"] == -1
    assert [r["partner_name"] for r in reach.fidelity(T0 - timedelta(days=1),
                                                      [world.b.partner.id])] == ["代理商B"]
    # The older broadcast is included when the window reaches back to it.
    wide = {r["partner_name"]: r for r in reach.fidelity(T0 - timedelta(days=30))}
    assert wide["代理商A"]["staff_rate"] == 0.25


def test_a_published_broadcast_is_announced_once(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, title="新政策")
    later_one = publish(world.admin, at=T0 + timedelta(hours=1), title="明天的政策")
    assert reminders.notify_published(clock.now()) == 1
    assert reminders.notify_published(clock.now()) == 0
    assert _notes(like="新政策") == 8 and _notes(like="明天") == 0
    note = db.session.execute(select(Notification).where(
        Notification.user_id == world.b.staff.id)).scalar_one()
    assert note.mandatory and note.link == f"/broadcasts/{policy.id}"
    later(hours=1)
    assert runner.run_now("broadcasts.notify_published") == "succeeded"
    assert _notes(like="明天") == 8 and later_one.id


def test_overdue_people_are_reminded_daily_then_escalated_to_their_owner(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1),
                     title="报备制度")
    _ack([world.a.staff], policy, 5)
    later(minutes=30)
    assert reminders.remind_overdue(clock.now()) == 0  # the deadline has not passed
    later(hours=1)
    assert runner.run_now("broadcasts.remind_overdue") == "succeeded"
    assert _notes(like="Reminder") + _notes(like="提醒") == 7
    assert _notes(world.a.staff) == 0
    later(seconds=1)
    assert reminders.remind_overdue(clock.now()) == 0  # not again within a day
    later(hours=24)
    assert reminders.remind_overdue(clock.now()) == 7
    receipt = services.receipt_for(world.b.staff, policy)
    assert receipt.reminders == 2 and receipt.escalated_at == clock.now()
    # Each owner hears once about its own people: A has 3 overdue (itself included), B 4.
    assert _escalations(world.a.owner, policy) == ["3"]
    assert _escalations(world.b.owner, policy) == ["4"]
    assert _escalations(world.a.staff, policy) == []
    later(seconds=1)
    assert reminders.remind_overdue(clock.now()) == 0  # a second run changes nothing
    assert _escalations(world.a.owner, policy) == ["3"]
    later(hours=24)
    assert reminders.remind_overdue(clock.now()) == 7
    assert _escalations(world.b.owner, policy) == ["4"]  # escalated once


def test_superseded_versions_are_never_reminded(world):
    freeze()
    old = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1),
                  audience={"partner_ids": [world.a.partner.id]})
    later(hours=2)
    services.supersede(old, world.cm, ack_deadline=clock.now() + timedelta(days=3))
    db.session.commit()
    later(hours=1)
    assert reminders.remind_overdue(clock.now()) == 0
    assert db.session.execute(select(func.max(Receipt.reminders))).scalar() == 0


def test_an_owner_nudges_its_own_people_before_and_after_the_deadline_at_most_hourly(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1))
    assert reminders.nudge(world.a.owner, policy) == 3  # before the deadline too
    db.session.commit()
    assert _notes(world.a.staff) == 1
    later(hours=2)
    assert reminders.nudge(world.a.owner, policy) == 3
    db.session.commit()
    assert _notes(world.a.staff) == 2 and _notes(world.b.staff) == 0
    assert _notes(world.a.owner) == 0
    assert services.receipt_for(world.a.staff, policy).nudged_at == clock.now()
    later(minutes=59)
    assert reminders.nudge(world.a.owner, policy) is None
    assert reminders.nudge(world.b.owner, policy) == 3  # another partner has its own hour
    later(minutes=1)
    assert reminders.nudge(world.a.owner, policy) == 3
    db.session.commit()
    assert _notes(world.a.staff) == 3


def test_a_team_lead_nudges_its_team_and_shares_the_hour_with_the_owner(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(days=1))
    assert reminders.nudge(world.a.manager, policy) == 1  # its team's staff, not itself
    db.session.commit()
    assert _notes(world.a.staff) == 1 and _notes(world.a.other_staff) == 0
    later(minutes=30)
    # The owner's people include the team just reminded: one reminder an hour per person.
    assert reminders.nudge(world.a.owner, policy) is None
    assert reminders.nudge(world.b.manager, policy) == 1  # another partner's team: its own
    later(minutes=30)
    assert reminders.nudge(world.a.owner, policy) == 3
