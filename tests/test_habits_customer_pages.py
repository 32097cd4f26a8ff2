"""The customer book pages: who sees which customers (staff their own, a team lead its
team's, an owner the partner's, a channel manager its partners', nobody another
partner's), search, filters and pages, "did you mean…?" before a look-alike is added,
field errors that store nothing, a customer's visits as the viewer may see them, and the
CSV export."""
import random
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.habits import customers
from portal.habits.models import Customer, CustomerClassChange
from portal.org.uscc import make_uscc
from tests.conftest import login
from tests.habiting import (FAR, HERE, TOWN_A, TOWN_A2, TOWN_B, customer, freeze, later,
                             visit)

BOOK = "/habits/customers/"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Customer))


def _as(app, user):
    """A client logged in as `user` (a login does not replace another one)."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _listed(body: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-customer="(\d+)"', body)}


@pytest.fixture
def book(world):
    """Partner A: staff's 甲店, the other team's 乙店; partner B: staff's 丙店."""
    freeze()
    return {"mine": customer(world.a.staff, "甲店"),
            "colleague": customer(world.a.other_staff, "乙店"),
            "theirs": customer(world.b.staff, "丙店")}


@pytest.mark.parametrize("who, seen", [
    ("staff", {"mine"}), ("manager", {"mine"}), ("owner", {"mine", "colleague"}),
    ("cm", {"mine", "colleague"}), ("admin", {"mine", "colleague", "theirs"}),
    ("auditor", {"mine", "colleague", "theirs"}), ("owner_b", {"theirs"}),
])
def test_each_role_lists_exactly_the_customers_it_may_see(client, world, book, who, seen):
    user = {"cm": world.cm, "admin": world.admin, "auditor": world.auditor,
            "owner_b": world.b.owner}.get(who) or getattr(world.a, who)
    login(client, user)
    page = client.get(BOOK)
    assert page.status_code == 200
    assert _listed(page.get_data(as_text=True)) == {book[k].id for k in seen}
    export = client.get(BOOK + "export.csv").get_data(as_text=True)
    assert {name for name in ("甲店", "乙店", "丙店") if name in export} == {
        book[k].name for k in seen}


@pytest.mark.parametrize("who, whose", [
    ("staff", "colleague"), ("staff", "theirs"), ("manager", "colleague"),
    ("owner", "theirs"), ("cm", "theirs")])
def test_a_customer_outside_the_viewers_book_is_not_found(client, world, book, who, whose):
    login(client, world.cm if who == "cm" else getattr(world.a, who))
    target = book[whose].id
    assert client.get(f"{BOOK}{target}").status_code == 404
    assert client.get(f"{BOOK}{target}/edit").status_code == 404
    assert client.post(f"{BOOK}{target}/edit", data={"name": "改名"}).status_code == 404
    db.session.expire_all()
    assert book[whose].name != "改名"


def test_the_principal_reads_a_book_but_does_not_change_it(app, world, book):
    mine = book["mine"].id
    for reader in (world.cm, world.auditor):
        client = _as(app, reader)
        page = client.get(f"{BOOK}{mine}").get_data(as_text=True)
        assert "甲店" in page and 'id="customer-edit"' not in page
        assert client.get(f"{BOOK}{mine}/edit").status_code == 403
        assert client.get(f"{BOOK}new").status_code == 403  # habits.log
    client = _as(app, world.a.staff)
    assert 'id="customer-edit"' in client.get(f"{BOOK}{mine}").get_data(as_text=True)


def test_a_principal_filters_by_the_partners_it_may_see(app, world, book):
    client = _as(app, world.cm)
    page = client.get(BOOK).get_data(as_text=True)
    assert 'name="partner_id"' in page and world.a.partner.name in page
    assert world.b.partner.name not in page
    # B is not the channel manager's: asking for it is ignored, not obeyed.
    assert _listed(client.get(f"{BOOK}?partner_id={world.b.partner.id}").get_data(
        as_text=True)) == {book["mine"].id, book["colleague"].id}
    client = _as(app, world.admin)
    assert _listed(client.get(f"{BOOK}?partner_id={world.b.partner.id}").get_data(
        as_text=True)) == {book["theirs"].id}
    client = _as(app, world.a.owner)
    assert 'name="partner_id"' not in client.get(BOOK).get_data(as_text=True)


@pytest.mark.config(PAGE_SIZE=2)
def test_the_list_is_by_pinyin_and_searches_filters_and_pages(client, world):
    freeze()
    code = make_uscc(random.Random(3), "330102")
    staff, other = world.a.staff, world.a.other_staff
    chang = customer(staff, "长沙米粉", klass="prospect")
    a_li = customer(staff, "阿里小店", contact_name="王大妈", uscc=code)
    bei = customer(other, "北京烤鸭", town=TOWN_A2)
    customer(staff, "丁香花店", town=TOWN_A2)
    percent = customer(other, "%百分店")
    login(client, world.a.owner)
    pages = [client.get(f"{BOOK}?page={n}").get_data(as_text=True) for n in (1, 2, 3)]
    assert re.search(r'id="customer-count">[^<]*\b5\b', pages[0])
    ids = [int(n) for body in pages for n in re.findall(r'data-customer="(\d+)"', body)]
    assert len(ids) == 5 and [len(_listed(body)) for body in pages] == [2, 2, 1]
    names = [db.session.get(Customer, i).name for i in ids if i != percent.id]
    assert names == ["阿里小店", "北京烤鸭", "长沙米粉", "丁香花店"]  # by pinyin

    def listed(query):
        return _listed(client.get(BOOK + "?" + query).get_data(as_text=True))
    assert listed("q=烤鸭") == {bei.id}
    assert listed("q=" + code[:10]) == {a_li.id}
    assert listed("q=王大妈") == {a_li.id}
    assert listed("q=%25") == {percent.id}  # a wildcard is a character, not "everything"
    assert listed("klass=prospect") == {chang.id}
    assert listed(f"town={TOWN_A2}&owner_id={other.id}") == {bei.id}
    empty = client.get(BOOK + "?q=没有这家").get_data(as_text=True)
    assert 'id="customers-empty"' in empty


def test_an_empty_book_invites_the_first_customer(client, world):
    login(client, world.a.staff)
    page = client.get(BOOK).get_data(as_text=True)
    assert 'id="customers-empty"' in page and f'href="{BOOK}new"' in page


def test_the_last_visit_is_the_latest_the_viewer_may_see(app, world, book):
    visit(world.a.staff, book["mine"])
    visit(world.a.other_staff, book["colleague"])
    later(days=1)
    visit(world.a.other_staff, book["mine"])  # another team's visit to the staff's customer
    client = _as(app, world.a.owner)
    page = client.get(BOOK).get_data(as_text=True)
    assert page.count('<td class="text-nowrap">2026-03-04</td>') == 1
    assert page.count('<td class="text-nowrap">2026-03-03</td>') == 1
    assert "2026-03-04" in client.get(BOOK + "export.csv").get_data(as_text=True)
    client = _as(app, world.a.manager)
    page = client.get(BOOK).get_data(as_text=True)
    assert '<td class="text-nowrap">2026-03-03</td>' in page and "2026-03-04" not in page
    assert "2026-03-04" not in client.get(BOOK + "export.csv").get_data(as_text=True)


def test_staff_add_a_customer_they_look_after(client, world):
    freeze()
    login(client, world.a.staff)
    form = client.get(f"{BOOK}new").get_data(as_text=True)
    assert "清波街道" in form and "北山街道" not in form  # A's towns only
    answer = client.post(f"{BOOK}new", data={
        "name": "西湖鲜果店", "town_code": TOWN_A, "address": "清波街 1 号",
        "contact_name": "李老板", "contact_phone": "13800138000", "klass": "prospect",
        "owner_id": str(world.a.staff.id)})
    assert answer.status_code == 302
    shop = db.session.scalars(select(Customer)).one()
    assert answer.headers["Location"].endswith(f"{BOOK}{shop.id}")
    assert (shop.owner_id, shop.created_by, shop.klass) == (world.a.staff.id,
                                                            world.a.staff.id, "prospect")
    detail = client.get(f"{BOOK}{shop.id}").get_data(as_text=True)
    assert "西湖鲜果店" in detail and 'id="class-history"' in detail


def test_a_look_alike_asks_did_you_mean_and_a_confirmation_creates_it(client, world):
    freeze()
    first = customer(world.a.staff, "杭州鲜果店")
    login(client, world.a.staff)
    fields = {"name": "杭州 鲜果店有限公司", "town_code": TOWN_A, "klass": "new",
              "owner_id": str(world.a.staff.id)}
    asked = client.post(f"{BOOK}new", data=fields)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and 'id="did-you-mean"' in page
    assert f'href="{BOOK}{first.id}"' in page and 'name="confirm_duplicate"' in page
    assert _count() == 1
    assert client.post(f"{BOOK}new", data={**fields, "confirm_duplicate": "y"}
                       ).status_code == 302
    assert _count() == 2


def test_a_colleagues_look_alike_is_named_but_not_linked(client, world):
    freeze()
    theirs = customer(world.a.other_staff, "杭州鲜果店")
    login(client, world.a.staff)
    asked = client.post(f"{BOOK}new", data={"name": "杭州鲜果店", "town_code": TOWN_A,
                                           "owner_id": str(world.a.staff.id)})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "杭州鲜果店" in page
    assert f'href="{BOOK}{theirs.id}"' not in page
    assert world.a.other_staff.display_name not in page


def test_a_credit_code_already_in_the_book_is_a_409_under_its_field(client, world):
    freeze()
    code = make_uscc(random.Random(9), "330102")
    customer(world.a.staff, "甲公司", uscc=code)
    login(client, world.a.staff)
    answer = client.post(f"{BOOK}new", data={"name": "乙公司", "uscc": code,
                                            "owner_id": str(world.a.staff.id)})
    assert answer.status_code == 409
    assert 'data-field="uscc"' in answer.get_data(as_text=True) and _count() == 1


@pytest.mark.parametrize("values, field", [
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"town_code": TOWN_B}, "town_code"),  # B's territory
    ({"name": ""}, "name"),
    ({"klass": "vip"}, "klass"),
    ({"uscc": "91330100MA2XXXXXX1"}, "uscc"),
])
def test_a_bad_field_is_shown_under_it_with_a_400_and_nothing_stored(client, world, values,
                                                                       field):
    login(client, world.a.staff)
    answer = client.post(f"{BOOK}new", data={"name": "新店", "town_code": TOWN_A,
                                            "owner_id": str(world.a.staff.id), **values})
    assert answer.status_code == 400
    assert f'data-field="{field}"' in answer.get_data(as_text=True)
    assert _count() == 0 and not db.session.scalars(select(CustomerClassChange)).all()


@pytest.mark.parametrize("who, whom, allowed", [
    ("staff", "other_staff", False), ("staff", "manager", False),
    ("manager", "staff", True), ("manager", "other_staff", False),
    ("owner", "other_staff", True), ("owner", "b_staff", False)])
def test_the_salesperson_is_one_of_the_people_the_user_may_see(client, world, who, whom,
                                                               allowed):
    login(client, getattr(world.a, who))
    person = world.b.staff if whom == "b_staff" else getattr(world.a, whom)
    form = client.get(f"{BOOK}new").get_data(as_text=True)
    assert (f'value="{person.id}"' in form) == allowed
    answer = client.post(f"{BOOK}new", data={"name": "新店", "town_code": TOWN_A,
                                            "owner_id": str(person.id)})
    assert answer.status_code == (302 if allowed else 400)
    assert _count() == (1 if allowed else 0)
    if allowed:
        assert db.session.scalars(select(Customer)).one().owner_id == person.id


def test_an_edit_keeps_the_class_history_and_asks_about_look_alikes(client, world):
    freeze()
    customer(world.a.staff, "老张烟酒")
    shop = customer(world.a.staff, "新开的店", klass="new")
    login(client, world.a.staff)
    form = client.get(f"{BOOK}{shop.id}/edit").get_data(as_text=True)
    assert "新开的店" in form
    fields = {"name": "新开的店", "town_code": TOWN_A, "klass": "prospect",
              "owner_id": str(world.a.staff.id), "contact_phone": "0571-88888888"}
    assert client.post(f"{BOOK}{shop.id}/edit", data=fields).status_code == 302
    db.session.expire_all()
    assert (shop.klass, shop.contact_phone) == ("prospect", "0571-88888888")
    detail = client.get(f"{BOOK}{shop.id}").get_data(as_text=True)
    assert detail.count("<li class=\"mb-1\">") == 2  # created, then edited
    asked = client.post(f"{BOOK}{shop.id}/edit", data={**fields, "name": "老张烟酒"})
    assert asked.status_code == 409 and 'id="did-you-mean"' in asked.get_data(as_text=True)
    db.session.expire_all()
    assert shop.name == "新开的店"
    assert client.post(f"{BOOK}{shop.id}/edit", data={**fields, "name": "老张烟酒",
                                                      "confirm_duplicate": "y"}).status_code == 302
    db.session.expire_all()
    assert shop.name == "老张烟酒"


def test_staff_cannot_edit_a_visible_customer_into_a_colleagues_hands(client, world):
    freeze()
    shop = customer(world.a.staff, "甲店")
    login(client, world.a.staff)
    answer = client.post(f"{BOOK}{shop.id}/edit", data={
        "name": "甲店", "town_code": TOWN_A, "owner_id": str(world.a.other_staff.id)})
    assert answer.status_code == 400
    db.session.expire_all()
    assert shop.owner_id == world.a.staff.id


def test_the_class_history_names_only_people_the_viewer_may_see(app, world):
    freeze()
    shop = customer(world.a.other_staff, "转手的店")
    customers.update_customer(world.a.owner, shop, {"owner_id": world.a.staff.id})
    db.session.commit()
    page = _as(app, world.a.staff).get(f"{BOOK}{shop.id}").get_data(as_text=True)
    assert "转手的店" in page and world.a.other_staff.display_name not in page
    page = _as(app, world.a.owner).get(f"{BOOK}{shop.id}").get_data(as_text=True)
    assert world.a.other_staff.display_name in page


@pytest.mark.config(PAGE_SIZE=2)
def test_a_customers_visits_are_those_the_viewer_may_see_newest_first(app, world):
    freeze()
    shop = customer(world.a.staff, "甲店")
    visit(world.a.staff, shop, where=HERE, note="第一次拜访")
    visit(world.a.staff, shop, where=FAR, note="远处的拜访")  # flagged: far from the shop
    visit(world.a.other_staff, shop, note="同事的拜访")  # any partner customer is pickable
    client = _as(app, world.a.staff)
    page = client.get(f"{BOOK}{shop.id}").get_data(as_text=True)
    assert page.index("远处的拜访") < page.index("第一次拜访")
    assert "同事的拜访" not in page and "visit-flagged" in page and "visit-effective" in page
    assert "flag-reason" not in page  # staff see the mark, not the review
    client = _as(app, world.a.manager)
    assert "同事的拜访" not in client.get(f"{BOOK}{shop.id}").get_data(as_text=True)
    client = _as(app, world.a.owner)
    first = client.get(f"{BOOK}{shop.id}").get_data(as_text=True)
    second = client.get(f"{BOOK}{shop.id}?page=2").get_data(as_text=True)
    assert "同事的拜访" in first and "远处的拜访" in first and "第一次拜访" in second
    assert first.count("visit-flagged") == 1 and "flag-reason" in first


def test_the_export_is_the_filtered_book_with_translated_headers_and_no_formulas(app, world):
    freeze()
    customer(world.a.staff, "=HYPERLINK(\"http://x\")", klass="prospect")
    customer(world.a.staff, "普通店")
    client = _as(app, world.a.owner)
    answer = client.get(BOOK + "export.csv?klass=prospect")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    raw = answer.get_data()
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("名称,统一社会信用代码,镇/街道") and "代理商" not in header
    assert "'=HYPERLINK" in text and "普通店" not in text
    assert "未加入" in text or "Not yet joined" in text
    client = _as(app, world.cm)
    header = client.get(BOOK + "export.csv").get_data().decode("utf-8-sig").splitlines()[0]
    assert header.endswith("代理商")


def test_a_customer_page_leads_to_its_orders_and_to_recording_one(app, world):
    freeze()
    shop = customer(world.a.staff, "下单的店")
    page = _as(app, world.a.staff).get(f"{BOOK}{shop.id}").get_data(as_text=True)
    assert f"/results/orders/new?customer_id={shop.id}" in page
    assert "/results/orders/?q=" in page
    # The principal reads the customer's orders but records none for the partner.
    page = _as(app, world.cm).get(f"{BOOK}{shop.id}").get_data(as_text=True)
    assert "/results/orders/new" not in page
    assert f"partner_id={world.a.partner.id}" in page
