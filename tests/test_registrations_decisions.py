"""Reviews, conflict cases, rule versions, the warning job and the scoring facts."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.core.errors import DomainError
from portal.extensions import db
from portal.notify.models import Notification
from portal.registrations import cases, figures, jobs, reviews, rules, services
from portal.registrations.models import RegistrationRule
from tests.registering import TOWN_A, customer, freeze, later, now, register, rule, visit

SETTINGS = {"protection_days": 30, "days_per_effective_visit": 5, "max_extension_days": 20,
            "live_cap": 50, "daily_cap": 5, "cooldown_days": 10, "warn_days": 2,
            "review_recent_order_days": 60, "decision_hours": 48,
            "outside_territory": "refuse"}


@pytest.fixture(autouse=True)
def _clock(app):
    freeze()


def _conflict(world):
    """A holds 西湖鲜果店; B, allowed outside its territory, is refused and contests."""
    rule(outside_territory="allow")
    holder = register(world.a.staff)
    challenger = register(world.b.owner, town=TOWN_A)
    case = cases.open_case(world.b.owner, challenger, "我们先拜访过")
    db.session.commit()
    return holder, challenger, case


def test_a_channel_manager_approves_a_review_and_protection_starts_then(world):
    rule(outside_territory="review")
    found = register(world.a.owner, town="330106002")
    later(hours=5)
    reviews.decide(world.cm, found, "approve", "")
    assert found.status == "protected" and found.protected_from == now()
    assert found.expires_at == now() + timedelta(days=90) and found.decided_by == world.cm.id


def test_refusing_a_review_needs_a_reason(world):
    rule(outside_territory="review")
    found = register(world.a.owner, town="330106002")
    with pytest.raises(DomainError) as refused:
        reviews.decide(world.cm, found, "refuse", "")
    assert refused.value.field == "note"
    reviews.decide(world.cm, found, "refuse", "不在合作区域")
    assert (found.status, found.reason) == ("refused", "refused_in_review")


def test_only_the_partners_channel_manager_or_an_admin_decides(world, make):
    other_cm = make.person("channel_manager")
    assert reviews.decides_for(world.cm, (world.a.partner.id,))
    assert not reviews.decides_for(world.cm, (world.b.partner.id,))
    assert not reviews.decides_for(other_cm, (world.a.partner.id,))
    assert reviews.decides_for(world.admin, (world.b.partner.id,))
    assert not reviews.decides_for(world.a.owner, (world.a.partner.id,))


def test_a_case_decided_for_the_holder_counts_against_the_challenger(world):
    holder, challenger, case = _conflict(world)
    assert case.due_at == now() + timedelta(hours=72) and case.state == "open"
    cases.add_evidence(world.a.owner, case, "我方报备在先")
    with pytest.raises(DomainError) as refused:
        cases.decide(world.cm, case, "holder", " ")
    assert refused.value.field == "reason"
    cases.decide(world.cm, case, "holder", "持有方在先")
    assert case.caused_by_partner_id == world.b.partner.id
    assert services.state(holder, now()) == "protected" and challenger.status == "refused"
    with pytest.raises(DomainError):
        cases.add_evidence(world.a.owner, case, "太晚了")


def test_a_case_decided_for_the_challenger_moves_protection(world):
    holder, challenger, case = _conflict(world)
    later(hours=3)
    cases.decide(world.admin, case, "challenger", "挑战方证据更早")
    assert holder.status == "released" and holder.released_at == now()
    assert challenger.status == "protected" and challenger.protected_from == now()
    assert case.caused_by_partner_id == world.a.partner.id
    assert services.lookup(world.a.owner, {"name": holder.name, "town_code": TOWN_A}) \
        == "protected"


def test_only_a_refusal_as_protected_by_another_partner_can_be_contested(world):
    rule(outside_territory="allow")
    mine = register(world.a.owner)
    own_twice = register(world.a.owner)
    with pytest.raises(DomainError):
        cases.open_case(world.a.owner, mine, "x")
    with pytest.raises(DomainError):
        cases.open_case(world.a.owner, own_twice, "x")  # its own registration holds it


def test_a_case_is_contested_once(world):
    _holder, challenger, _case = _conflict(world)
    with pytest.raises(DomainError):
        cases.open_case(world.b.owner, challenger, "again")


def test_the_timeline_shows_both_sides_visits_and_hides_the_other_sides_evidence(world):
    rule(outside_territory="allow")
    shop = customer(world.a.staff, name="争议客户")
    holder = services.register(world.a.staff, {"customer_id": shop.id})
    db.session.commit()
    later(hours=1)
    visit(world.a.staff, shop)
    challenger = register(world.b.owner, name="争议客户", town=TOWN_A)
    case = cases.open_case(world.b.owner, challenger, "我们的陈述")
    cases.add_evidence(world.a.owner, case, "持有方陈述")
    db.session.commit()
    kinds = [e.kind for e in cases.timeline(case, world.cm)]
    assert kinds.count("visit") == 1 and kinds.count("evidence") == 2 and "filed" in kinds
    seen_by_b = {e.item.body: e.shown for e in cases.timeline(case, world.b.owner)
                 if e.kind == "evidence"}
    assert seen_by_b == {"我们的陈述": True, "持有方陈述": False}
    assert all(e.shown for e in cases.timeline(case, world.cm))
    assert holder.id == case.holder_id


def test_overdue_cases_are_flagged(world):
    _holder, _challenger, case = _conflict(world)
    assert not cases.overdue(case, now())
    assert cases.overdue(case, now() + timedelta(hours=73))


def test_a_new_version_takes_effect_from_its_date_and_old_registrations_keep_theirs(world):
    old = register(world.a.owner, name="旧规则的店")
    with pytest.raises(DomainError) as refused:
        rules.publish(world.admin, effective_from=now() - timedelta(minutes=1),
                      values=SETTINGS)
    assert refused.value.field == "effective_from"
    version = rules.publish(world.admin, effective_from=now() + timedelta(days=1),
                            values=SETTINGS)
    db.session.commit()
    assert register(world.a.owner, name="还是旧规则").rule.version == 1
    later(days=2)
    new = register(world.a.owner, name="新规则的店")
    assert new.rule_id == version.id and new.expires_at == now() + timedelta(days=30)
    assert old.rule.version == 1 and old.expires_at - old.requested_at == timedelta(days=90)


@pytest.mark.parametrize("name, value", [("protection_days", 0), ("live_cap", "x"),
                                         ("warn_days", 40), ("outside_territory", "maybe")])
def test_a_version_with_a_bad_setting_is_refused_on_it(world, name, value):
    with pytest.raises(DomainError) as refused:
        rules.publish(world.admin, effective_from=now() + timedelta(days=1),
                      values={**SETTINGS, name: value})
    assert refused.value.field == name
    db.session.rollback()
    assert db.session.query(RegistrationRule).count() == 1


def _warnings():
    return db.session.execute(select(Notification.user_id).where(
        Notification.category == "registrations")).scalars().all()


def test_the_job_warns_the_registering_person_and_the_owner_once(world):
    found = register(world.a.staff)
    assert jobs.warn_expiring(now()) == 0
    later(days=87, hours=1)
    assert jobs.warn_expiring(now()) == 1
    db.session.commit()
    assert sorted(_warnings()) == sorted([world.a.staff.id, world.a.owner.id])
    assert jobs.warn_expiring(now()) == 0 and found.warned_at is not None
    assert found.status == "protected"  # the job never changes a registration


def test_scoring_facts_count_real_claims_and_conflicts_caused(world):
    rule(outside_territory="allow", daily_cap=3)
    start = now()
    _holder, _challenger, case = _conflict(world)  # A: 1 claim, B: 1 (refused protected)
    register(world.a.owner, name="二号店")
    register(world.a.owner, name="三号店")
    register(world.a.owner, name="四号店")  # daily cap: not a claim
    cases.decide(world.cm, case, "holder", "在先")
    db.session.commit()
    end = now() + timedelta(seconds=1)
    assert figures.registrations_by_partner(start, end) == {world.a.partner.id: 3,
                                                            world.b.partner.id: 1}
    assert figures.registrations_by_partner(start, end, [world.b.partner.id]) == {
        world.b.partner.id: 1}
    assert figures.conflicts_caused_by_partner(start, end) == {world.b.partner.id: 1}
    assert figures.conflicts_caused_by_partner(end, end + timedelta(days=1)) == {}


def test_the_migration_publishes_version_one_with_the_defaults(world):
    first = db.session.get(RegistrationRule, 1)
    assert (first.version, first.protection_days, first.outside_territory) == (1, 90, "refuse")
    assert first.effective_from == datetime(2000, 1, 1, tzinfo=timezone.utc)


def test_the_warning_runs_as_a_scheduled_job(world):
    from portal.jobs import runner
    register(world.a.staff)
    later(days=88)
    assert runner.run_now("registrations.warn") == "succeeded"
    db.session.commit()
    assert sorted(_warnings()) == sorted([world.a.staff.id, world.a.owner.id])
