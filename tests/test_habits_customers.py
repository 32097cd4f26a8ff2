"""A partner's customer book as the service keeps it: duplicates caught on the credit code
and on the normalised name in the same town, towns inside the partner's territory, the
class history, and who sees which customers."""
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.access import can_change, visible
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits import customers
from portal.habits.models import Customer, CustomerClassChange
from portal.habits.policies import pickable
from portal.org.uscc import make_uscc
from tests.habiting import TOWN_A, TOWN_A2, TOWN_B, customer, freeze


def test_names_compare_without_width_spaces_punctuation_or_legal_suffix():
    assert customers.normalise_name("杭州 鲜果（西湖店）有限公司") == "杭州鲜果西湖店"
    assert customers.normalise_name("ＡＢＣ商行") == customers.normalise_name("abc 商行")
    assert customers.normalise_name("公司") == "公司"  # a name that is only a suffix stays


def test_the_same_name_in_the_same_town_asks_did_you_mean(world):
    freeze()
    first = customer(world.a.staff, "杭州鲜果店")
    with pytest.raises(customers.Duplicate) as asked:
        customer(world.a.staff, "杭州 鲜果店有限公司")
    assert asked.value.status == 409 and [m.id for m in asked.value.matches] == [first.id]
    db.session.rollback()
    elsewhere = customer(world.a.staff, "杭州鲜果店", town=TOWN_A2)  # another town: no question
    confirmed = customers.create_customer(world.a.staff, world.a.partner.id, {
        "name": "杭州鲜果店", "town_code": TOWN_A}, confirm_duplicate=True)
    assert elsewhere.id and confirmed.id


def test_a_credit_code_is_checked_and_never_twice_in_one_book(world):
    freeze()
    code = make_uscc(__import__("random").Random(5), "330102")
    customer(world.a.staff, "甲公司", uscc=code)
    with pytest.raises(DomainError) as twice:
        customer(world.a.staff, "乙公司", uscc=code.lower())
    assert twice.value.field == "uscc" and twice.value.status == 409
    db.session.rollback()
    with pytest.raises(DomainError) as typo:
        customer(world.a.staff, "丙公司", uscc=code[:17] + ("0" if code[17] != "0" else "1"))
    assert typo.value.field == "uscc"
    db.session.rollback()
    assert customer(world.b.staff, "甲公司", uscc=code).uscc == code  # another partner's book


@pytest.mark.parametrize("values, field", [
    ({"town_code": TOWN_B}, "town_code"),  # B's territory, not A's
    ({"town_code": "330102"}, "town_code"),  # a county, not a town
    ({"klass": "vip"}, "klass"),
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"name": " "}, "name"),
    ({"name": "店" * 121}, "name"),
])
def test_bad_fields_are_refused_with_their_name(world, values, field):
    with pytest.raises(DomainError) as refused:
        customers.create_customer(world.a.staff, world.a.partner.id,
                                  {"name": "新店", "town_code": TOWN_A, **values})
    assert refused.value.field == field


def test_the_salesperson_must_be_of_the_partner(world):
    with pytest.raises(DomainError) as refused:
        customers.create_customer(world.a.owner, world.a.partner.id, {
            "name": "新店", "town_code": TOWN_A, "owner_id": world.b.staff.id})
    assert refused.value.field == "owner_id"


def test_a_first_order_makes_a_customer_existing_and_the_history_keeps_each_class(world):
    freeze()
    shop = customer(world.a.staff, klass="prospect")
    customers.update_customer(world.a.staff, shop, {"klass": "new"})
    customers.became_existing(shop, date(2026, 3, 5), world.a.staff)
    db.session.commit()
    history = db.session.execute(select(CustomerClassChange.before, CustomerClassChange.after,
                                        CustomerClassChange.reason)
                                 .order_by(CustomerClassChange.id)).all()
    assert history == [(None, "prospect", "created"), ("prospect", "new", "edited"),
                       ("new", "existing", "first_order")]
    assert shop.klass == "existing" and shop.first_order_on == date(2026, 3, 5)


def test_staff_see_their_own_customers_leads_their_teams_owners_all(world):
    freeze()
    mine = customer(world.a.staff, "甲店")
    colleague = customer(world.a.other_staff, "乙店")  # another team of A
    theirs = customer(world.b.staff, "丙店")

    def seen(user):
        return set(db.session.execute(select(Customer.name).where(
            visible(user, Customer))).scalars())
    assert seen(world.a.staff) == {"甲店"}
    assert seen(world.a.manager) == {"甲店"}
    assert seen(world.a.owner) == {"甲店", "乙店"}
    assert seen(world.cm) == {"甲店", "乙店"}  # A is its partner, B is not
    assert seen(world.admin) == {"甲店", "乙店", "丙店"}
    pick = set(db.session.execute(select(Customer.name).where(pickable(world.a.staff)))
               .scalars())
    assert pick == {"甲店", "乙店"}  # any of its partner's when logging a visit
    assert can_change(world.a.staff, mine) and not can_change(world.a.staff, colleague)
    assert not can_change(world.cm, mine) and not can_change(world.b.owner, mine)
    assert can_change(world.a.owner, colleague) and not can_change(world.a.owner, theirs)
