"""The ticket endpoints: batches stored item by item and never doubled, the partner a
caller may send for, and the scoped list."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.service.models import Ticket
from tests.test_api import bearer

NOW = datetime(2026, 3, 13, 2, 0, tzinfo=timezone.utc)
API = "/api/v1/tickets"


def item(n, **values) -> dict:
    return {"client_id": f"crm-{n}", "subject": "冷柜不制冷",
            "opened_at": (NOW - timedelta(hours=5)).isoformat(),
            "first_response_at": (NOW - timedelta(hours=4)).isoformat(), **values}


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


@pytest.fixture(autouse=True)
def _clock(app):
    clock.set_now(NOW)


def test_a_batch_stores_good_items_and_refuses_the_bad_one_on_its_field(client, world):
    response = client.post(API, json={"items": [
        item(1), item(2, town_code="330106002"), item(3, satisfaction_scale="csat",
                                                      satisfaction=4)]},
        headers=bearer(world.a.owner))
    assert response.status_code == 201
    assert response.json["counts"] == {"created": 2, "exists": 0, "error": 1}
    refused = response.json["items"][1]
    assert refused["status"] == "error" and refused["error"]["field"] == "town_code"
    assert refused["error"]["status"] == 422
    assert stored() == 2


def test_a_retry_never_doubles_and_changed_content_is_a_409(client, world):
    headers = bearer(world.a.owner)
    assert client.post(API, json={"items": [item(1)]}, headers=headers).status_code == 201
    again = client.post(API, json={"items": [item(1)]}, headers=headers)
    assert again.status_code == 200 and again.json["items"][0]["status"] == "exists"
    changed = client.post(API, json={"items": [item(1, subject="断电")]}, headers=headers)
    assert changed.json["items"][0]["error"]["status"] == 409
    assert stored() == 1


def test_a_channel_manager_sends_for_its_partners_only(client, world):
    headers = bearer(world.cm)
    response = client.post(API, json={"items": [
        item(1, partner_id=world.a.partner.id), item(2, partner_id=world.b.partner.id),
        item(3)]}, headers=headers)
    results = response.json["items"]
    assert results[0]["status"] == "created"
    assert results[1]["error"]["status"] == 403 and results[2]["error"]["status"] == 403
    assert db.session.execute(select(Ticket.partner_id)).scalars().all() == [
        world.a.partner.id]


def test_an_owner_cannot_send_for_another_partner(client, world):
    response = client.post(API, json={"items": [item(1, partner_id=world.b.partner.id)]},
                           headers=bearer(world.a.owner))
    assert response.json["items"][0]["error"]["status"] == 403 and stored() == 0


@pytest.mark.parametrize("who", ["auditor", "staff"])
def test_readers_and_staff_may_not_send(client, world, who):
    user = world.auditor if who == "auditor" else world.a.staff
    assert client.post(API, json={"items": [item(1, partner_id=world.a.partner.id)]},
                       headers=bearer(user)).status_code == 403
    assert stored() == 0


def test_a_body_of_the_wrong_shape_stores_nothing(client, world):
    response = client.post(API, json={"items": [item(1), item(2, satisfaction="5")]},
                           headers=bearer(world.a.owner))
    assert response.status_code == 422 and stored() == 0


def test_the_list_shows_only_the_callers_tickets(client, world):
    client.post(API, json={"items": [item(1)]}, headers=bearer(world.a.owner))
    client.post(API, json={"items": [item(2)]}, headers=bearer(world.b.owner))
    mine = client.get(API, headers=bearer(world.a.manager)).json
    assert [t["client_id"] for t in mine["items"]] == ["crm-1"] and mine["total"] == 1
    assert mine["items"][0]["rule_version"] == 1
    assert client.get(API, headers=bearer(world.auditor)).json["total"] == 2
    assert client.get(API, headers=bearer(world.cm)).json["total"] == 1
    assert client.get(API, headers=bearer(world.a.staff)).status_code == 403
