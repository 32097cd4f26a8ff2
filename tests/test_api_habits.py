"""The habits API for partners' own CRMs: batches of visits and customers where each item
is stored or refused alone and reported in order, retries that never double (even two
copies of one batch at the same moment), and lists that show only what the caller may
see."""
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.api import batches
from portal.habits import rollups
from portal.habits.models import Customer, Visit
from tests.habiting import TOWN_A, customer, freeze, visit
from tests.test_api import bearer
from tests.test_api_exams import _together

API = "/api/v1"


def item(target, n, **values) -> dict:
    """One visit of a batch: an effective visit to `target` an hour ago."""
    at = clock.now() - timedelta(hours=1)
    return {"client_id": f"crm-visit-{n:05d}", "customer_id": target.id,
            "visited_at": at.isoformat(), "decision_maker": True, "outcome": "interested",
            "next_step": "送样品", "next_step_on": (at.date() + timedelta(days=3)).isoformat(),
            **values}


def post_visits(client, user, items, headers=None):
    return client.post(f"{API}/visits", json={"items": items},
                       headers=headers or bearer(user))


def stored_visits() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


@pytest.fixture
def shop(world):
    freeze()
    return customer(world.a.staff)


@pytest.fixture
def mixed(shop):
    """Three visits: two good, the middle one a week in the future."""
    future = (clock.now() + timedelta(days=7)).isoformat()
    return [item(shop, 1), item(shop, 2, visited_at=future), item(shop, 3, note="第二次")]


# ---- one batch, item by item ----

def test_a_batch_stores_the_good_items_and_reports_the_bad_one_with_its_field(
        client, world, mixed):
    r = post_visits(client, world.a.staff, mixed)
    assert r.status_code == 201
    assert r.json["counts"] == {"created": 2, "exists": 0, "error": 1}
    first, bad, third = r.json["items"]
    assert [x["client_id"] for x in r.json["items"]] == [i["client_id"] for i in mixed]
    assert first["status"] == third["status"] == "created"
    assert first["effective"] is True and first["flagged"] is False
    assert bad["status"] == "error" and "id" not in bad
    assert bad["error"]["field"] == "visited_at" and bad["error"]["status"] == 422
    with force_locale("zh"):
        assert bad["error"]["message"] == gettext(
            "The visit's time is in the future; check the phone's clock.")
    assert stored_visits() == 2
    assert db.session.scalars(select(Visit.id).order_by(Visit.id)).all() == [
        first["id"], third["id"]]
    assert rollups.differences() == []


def test_the_same_batch_again_stores_nothing_new(client, world, mixed):
    once = post_visits(client, world.a.staff, mixed).json["items"]
    again = post_visits(client, world.a.staff, mixed)
    assert again.status_code == 200
    assert again.json["counts"] == {"created": 0, "exists": 2, "error": 1}
    assert [x["status"] for x in again.json["items"]] == ["exists", "error", "exists"]
    assert [x.get("id") for x in again.json["items"]] == [x.get("id") for x in once]
    assert stored_visits() == 2
    assert rollups.differences() == []


def test_a_changed_item_with_the_same_client_id_is_a_409_for_that_item(client, world, shop):
    post_visits(client, world.a.staff, [item(shop, 1), item(shop, 2)])
    r = post_visits(client, world.a.staff, [item(shop, 1, outcome="quoted"), item(shop, 3)])
    assert r.status_code == 201
    changed, new = r.json["items"]
    assert changed["status"] == "error"
    assert (changed["error"]["field"], changed["error"]["status"]) == ("client_id", 409)
    assert new["status"] == "created"
    assert db.session.scalar(select(Visit.outcome).where(
        Visit.client_id == "crm-visit-00001")) == "interested"
    assert stored_visits() == 3


def test_an_id_repeated_inside_one_batch_is_one_visit(client, world, shop):
    r = post_visits(client, world.a.staff, [item(shop, 1), item(shop, 1),
                                            item(shop, 1, note="另一次")])
    same, repeat, different = r.json["items"]
    assert same["status"] == "created" and repeat == {**same, "status": "exists"}
    assert different["status"] == "error" and different["error"]["status"] == 409
    assert stored_visits() == 1


def test_a_burst_of_back_dated_visits_is_reported_flagged_in_the_answer(
        client, world, shop):
    at = clock.now() - timedelta(hours=30)
    items = [item(shop, n, visited_at=(at + timedelta(minutes=20 * n)).isoformat(),
                  next_step_on=None, next_step="") for n in range(1, 4)]
    r = post_visits(client, world.a.staff, items)
    # The third makes the burst and flags the first two as well: the answer says so.
    assert [x["flagged"] for x in r.json["items"]] == [True, True, True]
    assert rollups.differences() == []


# ---- the batch refused whole ----

@pytest.mark.parametrize("count", [0, batches.MAX_ITEMS + 1])
def test_an_empty_or_oversized_batch_is_refused_and_nothing_stored(client, world, shop,
                                                                   count):
    r = post_visits(client, world.a.staff, [item(shop, n) for n in range(count)])
    assert r.status_code == 422
    assert list(r.json["details"]["fields"]["json"]) == ["items"]
    assert stored_visits() == 0


def test_an_item_of_the_wrong_shape_refuses_the_batch_naming_it(client, world, shop):
    items = [item(shop, 1), item(shop, 2, customer_id="12", latitude="30.2"),
             item(shop, 3, visited_at="2026-03-03T09:00:00")]
    r = post_visits(client, world.a.staff, items)
    assert r.status_code == 422
    fields = r.json["details"]["fields"]["json"]["items"]
    assert set(fields) == {"1", "2"}
    assert set(fields["1"]) == {"customer_id", "latitude"}
    assert set(fields["2"]) == {"visited_at"}  # no offset: ambiguous
    assert stored_visits() == 0


# ---- whose visits ----

def test_staff_posting_for_someone_else_gets_a_403_for_that_item(client, world, shop):
    r = post_visits(client, world.a.staff, [
        item(shop, 1, salesperson_id=world.a.other_staff.id), item(shop, 2)])
    refused, own = r.json["items"]
    assert (refused["error"]["field"], refused["error"]["status"]) == ("salesperson_id", 403)
    assert own["status"] == "created"
    assert db.session.scalars(select(Visit.user_id)).all() == [world.a.staff.id]


def test_a_team_lead_logs_for_its_team_but_not_for_another_team(client, world, shop):
    r = post_visits(client, world.a.manager, [
        item(shop, 1, salesperson_id=world.a.staff.id),
        item(shop, 2, salesperson_id=world.a.other_staff.id)])
    led, other = r.json["items"]
    assert led["status"] == "created" and other["error"]["status"] == 403
    assert db.session.get(Visit, led["id"]).user_id == world.a.staff.id


def test_another_partners_customer_is_an_item_error(client, world, shop):
    foreign = customer(world.b.staff, "滨江水果行")
    r = post_visits(client, world.a.staff, [item(foreign, 1), item(shop, 2)])
    refused, own = r.json["items"]
    assert refused["error"]["field"] == "customer_id" and own["status"] == "created"
    # Refused exactly as an id that exists nowhere: nothing tells B's customer exists.
    missing = post_visits(client, world.a.staff, [item(foreign, 3, customer_id=2**31 - 1)])
    assert missing.json["items"][0]["error"] == refused["error"]
    assert stored_visits() == 1


@pytest.mark.parametrize("who", ["admin", "cm", "auditor"])
@pytest.mark.parametrize("path", ["visits", "customers"])
def test_the_principals_tokens_may_not_post_batches(client, world, shop, who, path):
    body = {"items": [item(shop, 1)] if path == "visits" else
            [{"client_id": "crm-cust-0001", "name": "新店"}]}
    r = client.post(f"{API}/{path}", json=body, headers=bearer(getattr(world, who)))
    assert r.status_code == 403
    assert stored_visits() == 0


# ---- lists ----

@pytest.fixture
def logged(world):
    """One visit per person of A's and B's teams (staff, other team's staff, manager)."""
    freeze()
    made = {}
    for key in ("a", "b"):
        side = getattr(world, key)
        for person in ("staff", "other_staff", "manager"):
            who = getattr(side, person)
            made[f"{key}.{person}"] = visit(who, customer(who, f"{key}{person}店"),
                                            note=f"{key}.{person}")
    return made


def listed(client, user, query="") -> set[str]:
    r = client.get(f"{API}/visits{query}", headers=bearer(user))
    assert r.status_code == 200
    return {v["note"] for v in r.json["items"]}


@pytest.mark.parametrize("who, expected", [
    ("a.staff", {"a.staff"}),
    ("a.manager", {"a.staff", "a.manager"}),
    ("a.owner", {"a.staff", "a.other_staff", "a.manager"}),
    ("b.staff", {"b.staff"}),
    ("cm", {"a.staff", "a.other_staff", "a.manager"}),
    ("admin", {"a.staff", "a.other_staff", "a.manager", "b.staff", "b.other_staff",
               "b.manager"}),
])
def test_visit_list_shows_only_what_the_caller_may_see(client, world, logged, who, expected):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    assert listed(client, user) == expected


def test_visit_list_filters_and_pages_newest_first(client, world, shop):
    first = visit(world.a.staff, shop, at=clock.now() - timedelta(days=2), note="早")
    visit(world.a.staff, shop, decision_maker=False, note="晚")
    staff = world.a.staff
    assert listed(client, staff, "?effective=false") == {"晚"}
    assert listed(client, staff, f"?to={first.day.isoformat()}") == {"早"}
    assert listed(client, staff, f"?from={clock.now().date().isoformat()}") == {"晚"}
    assert listed(client, staff, f"?customer_id={shop.id}&user_id={staff.id}") == {"早", "晚"}
    assert listed(client, staff, "?flagged=true") == set()
    page = client.get(f"{API}/visits?per_page=1", headers=bearer(staff)).json
    assert (page["total"], page["pages"], page["items"][0]["note"]) == (2, 2, "晚")
    assert page["items"][0]["rule_version"] == 1 and page["items"][0]["parts"]
    bad = client.get(f"{API}/visits?from=yesterday&efective=true", headers=bearer(staff))
    assert bad.status_code == 422
    assert set(bad.json["details"]["fields"]["query"]) == {"from", "efective"}


# ---- customers ----

def post_customers(client, user, items):
    return client.post(f"{API}/customers", json={"items": items}, headers=bearer(user))


def test_a_customer_batch_adds_catches_look_alikes_and_never_doubles(client, world, shop):
    items = [{"client_id": "crm-cust-0001", "name": "清波茶庄", "town_code": TOWN_A},
             {"client_id": "crm-cust-0002", "name": "西湖 鲜果店", "town_code": TOWN_A,
              "address": "湖滨路1号"},
             {"client_id": "crm-cust-0003", "name": "远方", "town_code": "330106002"}]
    r = post_customers(client, world.a.staff, items)
    assert r.status_code == 201
    added, alike, outside = r.json["items"]
    assert added["status"] == "created"
    assert db.session.get(Customer, added["id"]).owner_id == world.a.staff.id
    assert alike["error"]["status"] == 409 and alike["error"]["matches"] == [shop.id]
    assert outside["error"]["field"] == "town_code" and outside["error"]["status"] == 422
    again = post_customers(client, world.a.staff, items)
    assert again.status_code == 200
    assert [x["status"] for x in again.json["items"]] == ["exists", "error", "error"]
    assert again.json["items"][0]["id"] == added["id"]
    confirmed = {**items[1], "confirm_duplicate": True, "address": "南山路2号"}
    twice = post_customers(client, world.a.staff, [confirmed])
    assert twice.status_code == 201
    assert post_customers(client, world.a.staff, [confirmed]).json["items"][0] == {
        **twice.json["items"][0], "status": "exists"}
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 3


def test_staff_adds_customers_only_for_itself(client, world):
    r = post_customers(client, world.a.staff, [
        {"client_id": "crm-cust-0001", "name": "他人的店", "owner_id": world.a.other_staff.id}])
    assert r.json["items"][0]["error"]["status"] == 403
    led = post_customers(client, world.a.manager, [
        {"client_id": "crm-cust-0002", "name": "组员的店", "owner_id": world.a.staff.id}])
    assert led.json["items"][0]["status"] == "created"


def test_customer_list_is_scoped_and_searchable(client, world, shop):
    customer(world.a.other_staff, "另一组的店")
    customer(world.b.staff, "B的店")
    names = lambda user, q="": {c["name"] for c in client.get(  # noqa: E731
        f"{API}/customers{q}", headers=bearer(user)).json["items"]}
    assert names(world.a.staff) == {"西湖鲜果店"}
    assert names(world.a.owner) == {"西湖鲜果店", "另一组的店"}
    assert names(world.a.owner, "?q=鲜果") == {"西湖鲜果店"}
    assert names(world.a.owner, f"?owner_id={world.a.other_staff.id}&klass=new") == {"另一组的店"}
    assert names(world.a.owner, "?q=%25") == set()  # a wildcard is only a character
    assert names(world.b.owner) == {"B的店"}


# ---- at the same moment ----

def test_two_copies_of_one_batch_at_once_store_each_visit_once(app, world, shop):
    items = [item(shop, n) for n in range(1, 21)]
    calls = [lambda c, h=bearer(world.a.staff): post_visits(c, None, items, headers=h)
             for _ in range(2)]
    responses = _together(app, calls)
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert sorted(r.json["counts"]["created"] for r in responses) == [0, 20]
    assert [x["id"] for x in responses[0].json["items"]] == [
        x["id"] for x in responses[1].json["items"]]
    db.session.rollback()
    assert stored_visits() == 20
    assert rollups.differences() == []


# ---- the document ----

def test_the_openapi_document_lists_the_habits_endpoints(client):
    doc = client.get(f"{API}/openapi.json").json
    for path in ("/api/v1/visits", "/api/v1/customers"):
        operations = doc["paths"][path]
        assert set(operations) == {"get", "post"}
        body = operations["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith("Batch")
        assert {"200", "201", "403", "422"} <= set(operations["post"]["responses"])
    batch = doc["components"]["schemas"]["VisitBatch"]["properties"]["items"]
    assert (batch["minItems"], batch["maxItems"]) == (1, batches.MAX_ITEMS)
