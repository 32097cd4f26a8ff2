"""Registration rules, step by step: direct accounts, territory, each de-duplication key
across partners, cooldown, caps, manual review for recent orders, protection from the
clock, extension by effective visits up to its cap, the open pool and release."""
from datetime import timedelta

import pytest

from portal.core.errors import DomainError
from portal.extensions import db
from portal.registrations import pool, services
from portal.registrations.models import DirectAccount, Registration
from portal.registrations.services import state
from tests import resulting
from tests.registering import (TOWN_A, TOWN_A2, TOWN_B, customer, days, freeze, later, now,
                               register, rule, visit)

USCC = "913301064JURQ283FH"


@pytest.fixture(autouse=True)
def _clock(app):
    freeze()


def test_a_new_prospect_is_protected_for_the_rules_days(world):
    found = register(world.a.owner)
    assert found.status == "protected" and found.reason is None
    assert found.expires_at == now() + days(90) and found.rule.version == 1
    assert state(found, now() + days(89)) == "protected"
    assert state(found, now() + days(90)) == "expired"


def test_expiry_follows_the_clock_without_any_job(world):
    found = register(world.a.owner)
    later(days=91)
    assert state(found, now()) == "expired"
    assert services.lookup(world.b.owner, {"name": found.name, "town_code": TOWN_A}) == "free"


@pytest.mark.parametrize("key, first, second", [
    ("uscc", {"uscc": USCC}, {"name": "完全不同的名字", "uscc": USCC}),
    ("phone", {"phone": "138-0013-8000"}, {"name": "另一个名字", "phone": "+86 13800138000"}),
    ("name", {}, {"name": "西湖 鲜果店有限公司"}),
])
def test_another_partner_is_refused_as_protected_on_each_key(world, key, first, second):
    rule(outside_territory="allow")
    register(world.a.owner, **first)
    refused = register(world.b.owner, town=TOWN_A, **second)
    assert (refused.status, refused.reason) == ("refused", "protected")
    assert key in refused.detail["matched_on"] and refused.detail["yours"] is False


def test_the_same_name_in_another_town_is_another_customer(world):
    register(world.a.owner, town=TOWN_A)
    assert register(world.a.owner, town=TOWN_A2).status == "protected"


def test_a_refusal_never_names_the_holder(world, client):
    from tests.conftest import login
    rule(outside_territory="allow")
    register(world.a.owner)
    refused = register(world.b.owner, town=TOWN_A)
    login(client, world.b.owner)
    page = client.get(f"/registrations/{refused.id}").get_data(as_text=True)
    assert "另一个报备" not in page and world.a.partner.name not in page
    assert world.a.owner.display_name not in page


def test_direct_accounts_are_refused_on_credit_code_or_name_in_town(world):
    db.session.add(DirectAccount(name="银泰城", name_norm="银泰城", uscc=USCC, town_code=TOWN_A))
    db.session.commit()
    by_code = register(world.a.owner, name="别的名字", uscc=USCC)
    by_name = register(world.a.owner, name="银泰城")
    assert (by_code.reason, by_name.reason) == ("direct_account", "direct_account")
    assert register(world.a.owner, name="银泰城", town=TOWN_A2).status == "protected"


@pytest.mark.parametrize("setting, status, reason", [
    ("refuse", "refused", "outside_territory"), ("review", "review", "outside_territory"),
    ("allow", "protected", None)])
def test_outside_the_territory_follows_the_rule(world, setting, status, reason):
    rule(outside_territory=setting)
    found = register(world.a.owner, town=TOWN_B)
    assert (found.status, found.reason) == (status, reason)


def test_under_review_refuses_others_as_under_review(world):
    rule(outside_territory="review")
    register(world.a.owner, town=TOWN_B)
    refused = register(world.b.owner, town=TOWN_B)
    assert refused.reason == "under_review"
    assert services.lookup(world.b.owner, {"name": "西湖鲜果店", "town_code": TOWN_B}) \
        == "under_review"


def test_cooldown_after_release_applies_to_the_previous_holder_only(world):
    rule(outside_territory="allow")
    found = register(world.a.owner)
    services.release(world.a.owner, found)
    db.session.commit()
    later(days=10)
    again = register(world.a.owner)
    assert again.reason == "cooldown" and "until" in again.detail
    assert register(world.b.owner, town=TOWN_A).status == "protected"


def test_cooldown_after_expiry_then_free_after_it(world):
    register(world.a.owner)
    later(days=95)
    assert register(world.a.owner).reason == "cooldown"
    later(days=30)
    assert register(world.a.owner).status == "protected"


def test_live_cap_counts_live_and_review(world):
    rule(live_cap=2, outside_territory="review")
    register(world.a.owner, name="甲店")
    register(world.a.owner, name="乙店", town=TOWN_B)  # review
    assert register(world.a.owner, name="丙店").reason == "live_cap"


def test_daily_cap_counts_todays_filed_registrations(world):
    rule(daily_cap=2)
    register(world.a.owner, name="甲店")
    register(world.a.owner, name="乙店")
    capped = register(world.a.owner, name="丙店")
    assert capped.reason == "daily_cap" and capped.detail == {"count": 2, "cap": 2}
    later(days=1)
    assert register(world.a.owner, name="丙店").status == "protected"


def test_a_customer_with_a_recent_order_goes_to_review(world):
    shop = customer(world.a.staff, name="老客户便利店")
    resulting.order(world.a.staff, shop)
    found = services.register(world.a.staff, {"customer_id": shop.id})
    assert (found.status, found.reason) == ("review", "recent_orders")
    assert found.review_due_at == now() + timedelta(hours=72) and found.expires_at is None


def test_an_order_to_another_partner_counts_too(world):
    rule(outside_territory="allow")
    shop = customer(world.b.staff, name="跨区老客户", uscc=USCC)
    resulting.order(world.b.staff, shop)
    assert register(world.a.owner, name="新名字", uscc=USCC).status == "review"


def test_effective_visits_extend_protection_up_to_the_cap(world):
    rule(days_per_effective_visit=7, max_extension_days=10)
    shop = customer(world.a.staff, name="拜访的店")
    found = services.register(world.a.staff, {"customer_id": shop.id})
    db.session.commit()
    end = found.expires_at
    later(hours=2)
    visit(world.a.staff, shop)
    assert (found.expires_at, found.extended_days) == (end + days(7), 7)
    later(hours=2)
    visit(world.a.staff, shop)
    assert (found.expires_at, found.extended_days) == (end + days(10), 10)
    later(hours=2)
    visit(world.a.staff, shop)
    assert found.extended_days == 10


def test_a_visit_that_is_not_effective_extends_nothing(world):
    shop = customer(world.a.staff, name="拜访的店")
    found = services.register(world.a.staff, {"customer_id": shop.id})
    db.session.commit()
    end = found.expires_at
    later(hours=2)
    visit(world.a.staff, shop, decision_maker=False)
    assert found.expires_at == end and found.extended_days == 0


def test_release_sends_the_customer_to_the_pool_and_another_partner_claims_it(world):
    rule(outside_territory="allow")
    found = register(world.a.owner, town=TOWN_A)
    services.release(world.a.owner, found)
    db.session.commit()
    # B's territory does not hold the town: its pool does not list it; A's does.
    assert [r.id for r in db.session.execute(pool.pool_query(
        world.a.partner.id, now())).scalars()] == [found.id]
    assert not db.session.execute(pool.pool_query(world.b.partner.id, now())).all()
    with pytest.raises(DomainError):
        pool.claim(world.b.owner, found.id)
    claimed = pool.claim(world.a.manager, found.id)
    assert claimed.reason == "cooldown"  # the previous holder waits


def test_an_expired_customer_is_claimed_from_the_pool_by_another_partner(world, make):
    from portal.org.models import Territory
    db.session.add(Territory(partner_id=world.b.partner.id, region_code=TOWN_A2,
                             exclusive=False))
    db.session.commit()
    found = register(world.a.owner, town=TOWN_A2)
    later(days=91)
    claimed = pool.claim(world.b.owner, found.id)
    assert claimed.status == "protected" and claimed.source == "pool"
    db.session.commit()
    assert not db.session.execute(pool.pool_query(world.b.partner.id, now())).all()
    with pytest.raises(DomainError):
        pool.claim(world.b.owner, found.id)


def test_pool_claims_count_against_the_daily_cap(world):
    rule(daily_cap=1)
    found = register(world.a.owner, name="甲店")
    later(days=91)
    register(world.a.manager, name="乙店")
    # 甲店 is in the pool, but A already filed its one registration today.
    assert pool.claim(world.a.owner, found.id).reason in ("daily_cap", "cooldown")


def test_only_a_live_registration_can_be_released(world):
    found = register(world.a.owner)
    later(days=91)
    with pytest.raises(DomainError):
        services.release(world.a.owner, found)


@pytest.mark.parametrize("values, field", [
    ({"name": ""}, "name"), ({"name": "店", "town_code": "33"}, "town_code"),
    ({"name": "店", "town_code": TOWN_A, "uscc": "123"}, "uscc"),
    ({"name": "店", "town_code": TOWN_A, "phone": "abc"}, "phone"),
    ({"customer_id": "999999"}, "customer_id"),
])
def test_bad_input_is_refused_on_its_field_and_stores_nothing(world, values, field):
    with pytest.raises(DomainError) as refused:
        services.register(world.a.owner, values)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(Registration).count() == 0


def test_another_partners_customer_cannot_be_registered_by_id(world):
    shop = customer(world.b.staff, name="别人的店")
    with pytest.raises(DomainError) as refused:
        services.register(world.a.owner, {"customer_id": shop.id})
    assert refused.value.field == "customer_id"


def test_earliest_wins_when_two_file_one_after_the_other(world):
    rule(outside_territory="allow")
    first = register(world.a.owner, commit=False)
    second = register(world.b.owner, town=TOWN_A, commit=False)
    db.session.commit()
    assert first.status == "protected" and second.reason == "protected"
    assert second.detail["holder_id"] == first.id
