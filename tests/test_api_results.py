"""The results API for partners' own CRMs: batches of orders and payments where each item
is stored or refused alone and reported in order, retries that never double (even two
copies of one batch at the same moment), amounts in yuan both ways, and lists that show
only what the caller may see."""
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.api.batches import MAX_ITEMS
from portal.results import rollups
from portal.results.models import Order, Payment
from tests.habiting import customer, freeze
from tests.resulting import fen, order, payment
from tests.test_api import bearer
from tests.test_api_exams import _together

API = "/api/v1"


def an_order(shop, n, amount="1000", **values) -> dict:
    return {"client_id": f"crm-order-{n:05d}", "customer_id": shop.id,
            "ordered_on": clock.today().isoformat(), "amount": amount, **values}


def a_payment(n, amount="100", *, of=None, shop=None, **values) -> dict:
    item = {"client_id": f"crm-pay-{n:05d}", "received_on": clock.today().isoformat(),
            "amount": amount, **values}
    if of is not None:
        item["order_id"] = of if isinstance(of, int) else of.id
    if shop is not None:
        item["customer_id"] = shop.id
    return item


def post(client, user, path, items, headers=None):
    return client.post(f"{API}/{path}", json={"items": items},
                       headers=headers or bearer(user))


def stored(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def user_of(world, who: str):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    return user


@pytest.fixture
def shop(world):
    freeze()
    return customer(world.a.staff)


# ---- orders, item by item ----

def test_an_order_batch_stores_the_good_items_and_refuses_the_bad_one_alone(
        client, world, shop):
    foreign = customer(world.b.staff, "对面的店")
    items = [an_order(shop, 1, 1234.5, product_line="饮料"),
             an_order(foreign, 2), an_order(shop, 3, "88.80", note="第二单")]
    r = post(client, world.a.staff, "orders", items)
    assert r.status_code == 201
    assert r.json["counts"] == {"created": 2, "exists": 0, "error": 1}
    first, refused, second = r.json["items"]
    assert [x["client_id"] for x in r.json["items"]] == [i["client_id"] for i in items]
    # The customer's first order develops it; the second does not.
    assert (first["status"], first["developed"]) == ("created", True)
    assert (second["status"], second["developed"]) == ("created", False)
    assert refused["status"] == "error" and "id" not in refused
    assert (refused["error"]["field"], refused["error"]["status"]) == ("customer_id", 422)
    with force_locale("zh"):
        assert refused["error"]["message"] == gettext("Choose a customer of your partner.")
    assert [o.amount_fen for o in db.session.scalars(select(Order).order_by(Order.id))] == [
        fen("1234.50"), fen("88.80")]
    # Refused exactly as a customer that exists nowhere: nothing tells B's customer exists.
    missing = post(client, world.a.staff, "orders", [an_order(foreign, 4,
                                                              customer_id=2**31 - 1)])
    assert missing.status_code == 200
    assert missing.json["items"][0]["error"] == refused["error"]
    assert stored(Order) == 2
    assert rollups.differences() == []


def test_the_same_order_batch_again_stores_nothing_new(client, world, shop):
    items = [an_order(shop, 1), an_order(shop, 2, "0")]
    once = post(client, world.a.staff, "orders", items).json["items"]
    again = post(client, world.a.staff, "orders", items)
    assert again.status_code == 200
    assert again.json["counts"] == {"created": 0, "exists": 1, "error": 1}
    assert again.json["items"][0] == {**once[0], "status": "exists"}
    assert again.json["items"][1]["error"]["field"] == "amount"
    assert stored(Order) == 1
    assert rollups.differences() == []


def test_an_order_changed_under_the_same_client_id_is_a_409_for_that_item(
        client, world, shop):
    post(client, world.a.staff, "orders", [an_order(shop, 1)])
    r = post(client, world.a.staff, "orders", [an_order(shop, 1, "999"), an_order(shop, 2)])
    assert r.status_code == 201
    changed, new = r.json["items"]
    assert (changed["error"]["field"], changed["error"]["status"]) == ("client_id", 409)
    assert new["status"] == "created"
    assert db.session.scalar(select(Order.amount_fen).where(
        Order.client_id == "crm-order-00001")) == fen(1000)


def test_an_id_repeated_inside_one_batch_is_one_order(client, world, shop):
    r = post(client, world.a.staff, "orders", [an_order(shop, 1), an_order(shop, 1),
                                               an_order(shop, 1, note="另一单")])
    same, repeat, different = r.json["items"]
    assert same["status"] == "created" and repeat == {**same, "status": "exists"}
    assert different["error"]["status"] == 409
    assert stored(Order) == 1


def test_an_earlier_order_later_in_the_batch_takes_over_the_development(
        client, world, shop):
    early = (clock.today() - timedelta(days=3)).isoformat()
    r = post(client, world.a.staff, "orders", [an_order(shop, 1),
                                               an_order(shop, 2, ordered_on=early)])
    # Each answer is the order as it stands after the batch.
    assert [x["developed"] for x in r.json["items"]] == [False, True]
    assert rollups.differences() == []


AMOUNT_MESSAGE = ("Give an amount in yuan above 0 and at most 10,000,000, with at most two "
                  "decimals.")


@pytest.mark.parametrize("amount", ["12.345", -5, 10_000_000.01, "1 234"])
def test_an_amount_that_is_no_sum_of_yuan_is_refused_for_that_item(
        client, world, shop, amount):
    r = post(client, world.a.staff, "orders", [an_order(shop, 1, amount), an_order(shop, 2)],
             headers={**bearer(world.a.staff), "Accept-Language": "en"})
    refused, kept = r.json["items"]
    assert (refused["error"]["field"], refused["error"]["status"]) == ("amount", 422)
    assert refused["error"]["message"] == AMOUNT_MESSAGE
    assert kept["status"] == "created" and stored(Order) == 1


@pytest.mark.parametrize("path", ["orders", "payments"])
@pytest.mark.parametrize("count", [0, MAX_ITEMS + 1])
def test_an_empty_or_oversized_batch_is_refused_and_nothing_stored(
        client, world, shop, path, count):
    items = [an_order(shop, n) if path == "orders" else a_payment(n, shop=shop)
             for n in range(count)]
    r = post(client, world.a.staff, path, items)
    assert r.status_code == 422
    assert list(r.json["details"]["fields"]["json"]) == ["items"]
    assert stored(Order) == stored(Payment) == 0


def test_an_item_of_the_wrong_shape_refuses_the_whole_batch_naming_it(client, world, shop):
    items = [an_order(shop, 1), an_order(shop, 2, True, customer_id="12"),
             an_order(shop, 3, None, ordered_on="2026-13-01"),
             {k: v for k, v in an_order(shop, 4).items() if k != "ordered_on"}]
    r = post(client, world.a.staff, "orders", items)
    assert r.status_code == 422
    fields = r.json["details"]["fields"]["json"]["items"]
    assert {n: set(f) for n, f in fields.items()} == {
        "1": {"amount", "customer_id"}, "2": {"amount", "ordered_on"}, "3": {"ordered_on"}}
    with force_locale("zh"):
        assert fields["1"]["amount"] == [gettext(
            "Give the amount in yuan, as a number or a string such as \"1234.50\".")]
    assert stored(Order) == 0


# ---- whose entries ----

def test_staff_posting_for_someone_else_gets_a_403_for_that_item(client, world, shop):
    r = post(client, world.a.staff, "orders", [
        an_order(shop, 1, salesperson_id=world.a.other_staff.id), an_order(shop, 2)])
    refused, own = r.json["items"]
    assert (refused["error"]["field"], refused["error"]["status"]) == ("salesperson_id", 403)
    assert own["status"] == "created"
    assert db.session.scalars(select(Order.salesperson_id)).all() == [world.a.staff.id]


def test_a_team_lead_records_for_its_team_but_not_for_another_team(client, world, shop):
    r = post(client, world.a.manager, "orders", [
        an_order(shop, 1, salesperson_id=world.a.staff.id),
        an_order(shop, 2, salesperson_id=world.a.other_staff.id)])
    led, other = r.json["items"]
    assert led["status"] == "created" and other["error"]["status"] == 403
    made = db.session.get(Order, led["id"])
    assert (made.salesperson_id, made.recorded_by) == (world.a.staff.id, world.a.manager.id)


@pytest.mark.parametrize("who", ["auditor", "cm", "admin"])
@pytest.mark.parametrize("path", ["orders", "payments"])
def test_the_principals_tokens_may_not_post_results(client, world, shop, who, path):
    items = [an_order(shop, 1)] if path == "orders" else [a_payment(1, shop=shop)]
    r = post(client, user_of(world, who), path, items)
    assert r.status_code == 403
    assert stored(Order) == stored(Payment) == 0


# ---- payments ----

def test_payments_report_what_is_open_and_one_above_it_is_refused_alone(
        client, world, shop):
    sold = order(world.a.staff, shop, "1000")
    items = [a_payment(1, "600", of=sold), a_payment(2, "500.01", of=sold),
             a_payment(3, 400, of=sold), a_payment(4, "250", shop=shop)]
    r = post(client, world.a.staff, "payments", items)
    assert r.status_code == 201
    first, above, rest, loose = r.json["items"]
    assert (above["error"]["field"], above["error"]["status"]) == ("amount", 422)
    with force_locale("zh"):  # what was open when it came: 1000 - 600
        assert above["error"]["message"] == gettext(
            "At most what is still open on the order: ¥%(open)s.", open="400.00")
    # What is open on the order after the batch, in fen and in yuan.
    assert (first["order_open_fen"], first["order_open"]) == (0, "0.00")
    assert (rest["order_open_fen"], rest["order_open"]) == (0, "0.00")
    assert (loose["order_open_fen"], loose["order_open"]) == (None, None)
    db.session.refresh(sold)
    assert sold.paid_fen == fen(1000)
    assert db.session.get(Payment, loose["id"]).order_id is None
    assert stored(Payment) == 3
    assert rollups.differences() == []


def test_a_payment_in_part_answers_the_rest_still_open(client, world, shop):
    sold = order(world.a.staff, shop, "1000")
    r = post(client, world.a.manager, "payments", [a_payment(1, "250.50", of=sold)])
    answer = r.json["items"][0]
    assert (answer["order_open_fen"], answer["order_open"]) == (fen("749.50"), "749.50")
    # The team lead recorded it for the order's salesperson.
    assert db.session.get(Payment, answer["id"]).salesperson_id == world.a.staff.id
    again = post(client, world.a.manager, "payments", [a_payment(1, "250.50", of=sold)])
    assert again.status_code == 200 and again.json["items"][0] == {**answer,
                                                                   "status": "exists"}


def test_an_order_the_caller_may_not_see_is_refused_like_one_that_does_not_exist(
        client, world, shop):
    theirs = order(world.b.staff, customer(world.b.staff, "对面的店"), "500")
    colleague = order(world.a.other_staff, customer(world.a.other_staff, "隔壁组的店"))
    r = post(client, world.a.staff, "payments", [
        a_payment(1, of=theirs), a_payment(2, of=colleague), a_payment(3, of=2**31 - 1)])
    errors = [x["error"] for x in r.json["items"]]
    assert errors[0]["field"] == "order_id" and errors[0] == errors[1] == errors[2]
    assert stored(Payment) == 0


# ---- lists ----

@pytest.fixture
def recorded(world):
    """One order and one payment on it per person of A's and B's teams, noted with whose."""
    freeze()
    for key in ("a", "b"):
        side = getattr(world, key)
        for person in ("staff", "other_staff", "manager"):
            who = getattr(side, person)
            sold = order(who, customer(who, f"{key}{person}店"), "300", note=f"{key}.{person}")
            payment(who, "100", of=sold, note=f"{key}.{person}")


def listed(client, user, path="orders", query="") -> set[str]:
    r = client.get(f"{API}/{path}{query}", headers=bearer(user))
    assert r.status_code == 200
    return {x["note"] for x in r.json["items"]}


A_ALL = {"a.staff", "a.other_staff", "a.manager"}
B_ALL = {"b.staff", "b.other_staff", "b.manager"}


@pytest.mark.parametrize("path", ["orders", "payments"])
@pytest.mark.parametrize("who, expected", [
    ("a.staff", {"a.staff"}),
    ("a.manager", {"a.staff", "a.manager"}),
    ("a.owner", A_ALL),
    ("b.staff", {"b.staff"}),
    ("cm", A_ALL),
    ("auditor", A_ALL | B_ALL),
    ("admin", A_ALL | B_ALL),
])
def test_lists_show_only_what_the_caller_may_see(client, world, recorded, path, who,
                                                 expected):
    assert listed(client, user_of(world, who), path) == expected


def test_order_list_filters_pages_and_shows_amounts_both_ways(client, world, shop):
    staff, other = world.a.staff, customer(world.a.staff, "第二家店")
    early = order(staff, shop, "1234.5", on=clock.today() - timedelta(days=2), note="早")
    order(staff, shop, "20", note="晚")
    order(world.a.manager, other, "30", note="组长")
    payment(staff, "234.50", of=early)
    owner = world.a.owner
    assert listed(client, owner, query="?developed=true") == {"早", "组长"}
    assert listed(client, owner, query="?developed=false") == {"晚"}
    assert listed(client, owner, query=f"?to={early.ordered_on.isoformat()}") == {"早"}
    assert listed(client, owner, query=f"?from={clock.today().isoformat()}") == {"晚", "组长"}
    assert listed(client, owner, query=f"?salesperson_id={staff.id}") == {"早", "晚"}
    assert listed(client, owner, query=f"?customer_id={other.id}") == {"组长"}
    page = client.get(f"{API}/orders?per_page=2&page=2", headers=bearer(owner)).json
    assert (page["total"], page["pages"], page["page"]) == (3, 2, 2)
    last = page["items"][0]
    assert last["note"] == "早"  # newest day first: the earliest comes last
    assert (last["amount_fen"], last["amount"]) == (fen("1234.50"), "1234.50")
    assert (last["paid_fen"], last["paid"], last["open_fen"], last["open"]) == (
        fen("234.50"), "234.50", fen(1000), "1000.00")
    assert last["ordered_on"] == early.ordered_on.isoformat() and last["developed"] is True


def test_payment_list_filters_by_order_and_day(client, world, shop):
    staff = world.a.staff
    first, second = order(staff, shop, "500"), order(staff, shop, "800")
    payment(staff, "100", of=first, note="一")
    payment(staff, "0.5", of=second, note="二", on=clock.today())
    payment(staff, "60", shop=shop, note="挂账", on=clock.today() - timedelta(days=1))
    assert listed(client, staff, "payments", f"?order_id={second.id}") == {"二"}
    assert listed(client, staff, "payments", f"?customer_id={shop.id}&to="
                  f"{(clock.today() - timedelta(days=1)).isoformat()}") == {"挂账"}
    items = client.get(f"{API}/payments", headers=bearer(staff)).json["items"]
    assert [(x["note"], x["amount"], x["order_id"]) for x in items] == [
        ("二", "0.50", second.id), ("一", "100.00", first.id), ("挂账", "60.00", None)]


@pytest.mark.parametrize("path, query, wrong", [
    ("orders", "?from=yesterday&developd=true", {"from", "developd"}),
    ("orders", "?developed=yes&salesperson_id=0", {"developed", "salesperson_id"}),
    ("payments", "?order_id=abc&to=2026-02-30", {"order_id", "to"}),
    ("payments", "?developed=true", {"developed"}),  # an order filter, not a payment's
])
def test_an_unknown_or_bad_filter_is_a_422_naming_it(client, world, path, query, wrong):
    r = client.get(f"{API}/{path}{query}", headers=bearer(world.a.owner))
    assert r.status_code == 422
    assert set(r.json["details"]["fields"]["query"]) == wrong


# ---- at the same moment ----

@pytest.mark.parametrize("path", ["orders", "payments"])
def test_two_copies_of_one_batch_at_once_store_each_entry_once(app, world, shop, path):
    sold = order(world.a.staff, shop, "1000")
    items = [an_order(shop, n, f"{n}.50") if path == "orders" else
             a_payment(n, f"{n}.50", of=sold) for n in range(1, 21)]
    headers = [bearer(world.a.staff), bearer(world.a.staff)]  # a CRM's retry, at once
    responses = _together(app, [lambda c, h=h: post(c, None, path, items, headers=h)
                                for h in headers])
    assert sorted(r.status_code for r in responses) == [200, 201]
    first, second = (r.json["items"] for r in responses)
    assert sorted(r.json["counts"]["created"] for r in responses) == [0, 20]
    assert [x["id"] for x in first] == [x["id"] for x in second]
    db.session.rollback()
    assert (stored(Order), stored(Payment)) == ((21, 0) if path == "orders" else (1, 20))
    db.session.refresh(sold)
    # 1.50 + 2.50 + … + 20.50 = 220 yuan, paid once.
    assert sold.paid_fen == (fen(220) if path == "payments" else 0)
    assert rollups.differences() == []


# ---- the document ----

def test_the_openapi_document_lists_the_results_endpoints(client):
    doc = client.get(f"{API}/openapi.json").json
    for path in ("/api/v1/orders", "/api/v1/payments"):
        operations = doc["paths"][path]
        assert set(operations) == {"get", "post"}
        body = operations["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith("Batch")
        assert {"200", "201", "403", "422"} <= set(operations["post"]["responses"])
        assert operations["post"]["description"] and operations["get"]["summary"]
    schemas = doc["components"]["schemas"]
    batch = schemas["OrderBatch"]["properties"]["items"]
    assert (batch["minItems"], batch["maxItems"]) == (1, MAX_ITEMS)
    assert {t["type"] for t in schemas["PaymentIn"]["properties"]["amount"]["anyOf"]} == {
        "number", "string"}
