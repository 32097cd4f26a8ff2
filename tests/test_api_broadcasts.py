"""The broadcast API: each caller's inbox holds only what was addressed to it and is out
by the clock, acknowledging is idempotent and checked, only the principal's writers
publish, and reach never shows a partner owner anyone else's partner."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.broadcasts.models import Broadcast, Receipt
from portal.broadcasts.services import create_broadcast, supersede
from portal.core import clock
from portal.extensions import db
from tests.test_api import bearer

QUESTION = {"text": "新返点何时生效？", "options": ["本月", "下季度"], "correct": 1}


def iso(moment) -> str:
    return moment.isoformat()


@pytest.fixture
def start():
    moment = clock.now().replace(microsecond=0)
    clock.set_now(moment)
    return moment


def broadcast(world, title="返点政策调整", *, audience=None, publish_in=timedelta(0),
              **fields) -> Broadcast:
    """A broadcast by the admin, out `publish_in` from now (None: a draft)."""
    publish_at = None if publish_in is None else clock.now() + publish_in
    made = create_broadcast(world.admin, title=title, body_md=fields.pop("body_md", "正文"),
                            category=fields.pop("category", "policy"),
                            audience=audience or {}, publish_at=publish_at, **fields)
    db.session.commit()
    return made


def inbox_titles(client, user, query="") -> list[str]:
    r = client.get(f"/api/v1/broadcasts{query}", headers=bearer(user))
    assert r.status_code == 200
    return [item["title"] for item in r.json["items"]]


def test_inbox_holds_only_broadcasts_addressed_to_the_caller(client, world, start):
    broadcast(world, "全体通知")
    clock.advance(timedelta(minutes=1))
    broadcast(world, "只给A", audience={"partner_ids": [world.a.partner.id]})
    assert inbox_titles(client, world.a.staff) == ["只给A", "全体通知"]
    assert inbox_titles(client, world.b.staff) == ["全体通知"]
    assert inbox_titles(client, world.cm) == []


def test_inbox_pages_and_filters_unread_and_unacknowledged(client, world, start):
    read = broadcast(world, "已读")
    clock.advance(timedelta(minutes=1))
    broadcast(world, "未读须确认", requires_ack=True)
    headers = bearer(world.a.staff)
    assert client.get(f"/api/v1/broadcasts/{read.id}", headers=headers).status_code == 200
    assert inbox_titles(client, world.a.staff, "?unread=true") == ["未读须确认"]
    assert inbox_titles(client, world.a.staff, "?unread=false") == ["已读"]
    assert inbox_titles(client, world.a.staff, "?unacknowledged=true") == ["未读须确认"]
    assert inbox_titles(client, world.a.staff, "?unacknowledged=false") == ["已读"]
    page = client.get("/api/v1/broadcasts?per_page=1&page=2", headers=headers).json
    assert (page["total"], page["pages"], [i["title"] for i in page["items"]]) == (2, 2, ["已读"])
    for query, field in (("unread=yes", "unread"), ("unred=true", "unred")):
        bad = client.get(f"/api/v1/broadcasts?{query}", headers=headers)
        assert bad.status_code == 422 and list(bad.json["details"]["fields"]["query"]) == [field]


def test_scheduled_broadcast_is_hidden_until_its_time(client, world, start):
    later = broadcast(world, "明日政策", publish_in=timedelta(hours=1))
    headers = bearer(world.a.staff)
    assert inbox_titles(client, world.a.staff) == []
    assert client.get(f"/api/v1/broadcasts/{later.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/broadcasts/{later.id}/ack", headers=headers,
                       json={}).status_code == 404
    clock.advance(timedelta(hours=1))
    assert inbox_titles(client, world.a.staff) == ["明日政策"]
    assert client.get(f"/api/v1/broadcasts/{later.id}", headers=headers).status_code == 200


def test_detail_shows_the_questions_but_not_their_answers(client, world, start):
    made = broadcast(world, body_md="**重要**<script>alert(1)</script>", requires_ack=True,
                     ack_deadline=start + timedelta(days=3), questions=[QUESTION])
    r = client.get(f"/api/v1/broadcasts/{made.id}", headers=bearer(world.a.staff))
    assert r.status_code == 200
    body = r.json
    assert body["questions"] == [{"position": 1, "text": "新返点何时生效？",
                                  "options": ["本月", "下季度"]}]
    assert "<strong>重要</strong>" in body["body_html"] and "<script" not in body["body_html"]
    assert body["receipt"]["opened_at"] == iso(start) and body["receipt"]["acked_at"] is None
    assert "recipient_count" not in body and "audience" not in body
    principal = client.get(f"/api/v1/broadcasts/{made.id}", headers=bearer(world.admin)).json
    assert principal["recipient_count"] == 8 and principal["receipt"] is None


def test_acknowledging_twice_keeps_the_first_time(client, world, start):
    made = broadcast(world, requires_ack=True, ack_deadline=start + timedelta(days=3))
    headers = bearer(world.a.staff)
    first = client.post(f"/api/v1/broadcasts/{made.id}/ack", headers=headers)
    assert first.status_code == 200
    assert first.json == {"broadcast_id": made.id, "opened_at": iso(start),
                          "acked_at": iso(start)}
    clock.advance(timedelta(hours=2))
    again = client.post(f"/api/v1/broadcasts/{made.id}/ack", headers=headers, json={})
    assert again.status_code == 200 and again.json["acked_at"] == iso(start)


def test_wrong_answers_are_refused_and_counted(client, world, start):
    made = broadcast(world, requires_ack=True, ack_deadline=start + timedelta(days=3),
                     questions=[QUESTION])
    headers = bearer(world.a.staff)
    path = f"/api/v1/broadcasts/{made.id}/ack"
    wrong = client.post(path, headers=headers, json={"answers": [0]})
    assert wrong.status_code == 422
    assert list(wrong.json["details"]["fields"]["json"]) == ["answers"]
    missing = client.post(path, headers=headers)
    assert missing.status_code == 422
    receipt = db.session.execute(select(Receipt).where(
        Receipt.broadcast_id == made.id, Receipt.user_id == world.a.staff.id)).scalar_one()
    assert receipt.acked_at is None and receipt.check_failures == 1  # a missing answer is not a wrong one
    right = client.post(path, headers=headers, json={"answers": [1]})
    assert right.status_code == 200 and right.json["acked_at"] == iso(start)


def test_only_recipients_can_acknowledge(client, world, start):
    made = broadcast(world, audience={"partner_ids": [world.a.partner.id]}, requires_ack=True)
    path = f"/api/v1/broadcasts/{made.id}/ack"
    # The channel manager reads every broadcast but received none of them.
    seen = client.get(f"/api/v1/broadcasts/{made.id}", headers=bearer(world.cm))
    assert seen.status_code == 200
    assert client.post(path, headers=bearer(world.cm)).status_code == 404
    assert client.post(path, headers=bearer(world.b.staff)).status_code == 404
    assert client.post(path, headers=bearer(world.auditor)).status_code == 403


@pytest.mark.parametrize("who", ["b.owner", "b.manager", "b.staff"])
def test_foreign_broadcast_is_not_found(client, world, start, who):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    made = broadcast(world, audience={"partner_ids": [world.a.partner.id]})
    r = client.get(f"/api/v1/broadcasts/{made.id}", headers=bearer(user))
    assert r.status_code == 404 and r.json["error"] == "not_found"


def test_owner_cannot_see_reach_of_a_broadcast_to_another_partner(client, world, start):
    made = broadcast(world, audience={"partner_ids": [world.a.partner.id]})
    r = client.get(f"/api/v1/broadcasts/{made.id}/reach", headers=bearer(world.b.owner))
    assert r.status_code == 404


def new_broadcast(**changes) -> dict:
    body = {"title": "客户报备保护期延长至90天", "body_md": "即日起保护期为 **90 天**。",
            "category": "policy", "audience": {"roles": ["staff"]}, "requires_ack": True,
            "ack_deadline": iso(clock.now() + timedelta(days=7)),
            "publish_at": iso(clock.now()), "questions": [QUESTION]}
    return {**body, **changes}


def broadcast_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Broadcast))


def test_channel_manager_publishes_to_the_chosen_audience(client, world, start):
    r = client.post("/api/v1/broadcasts", headers=bearer(world.cm), json=new_broadcast())
    assert r.status_code == 201
    assert r.json["recipient_count"] == 2  # the two staff of its own partner A
    assert r.json["audience"]["roles"] == ["staff"]
    assert r.json["audience"]["within"] == [world.a.partner.id]
    assert r.json["questions"][0]["options"] == ["本月", "下季度"]
    assert inbox_titles(client, world.a.staff) == ["客户报备保护期延长至90天"]
    assert inbox_titles(client, world.a.owner) == inbox_titles(client, world.b.staff) == []


def test_draft_reaches_nobody_until_published(client, world, start):
    r = client.post("/api/v1/broadcasts", headers=bearer(world.admin),
                    json=new_broadcast(publish_at=None))
    assert r.status_code == 201 and r.json["publish_at"] is None
    assert inbox_titles(client, world.a.staff) == []
    assert client.get(f"/api/v1/broadcasts/{r.json['id']}",
                      headers=bearer(world.a.staff)).status_code == 404


@pytest.mark.parametrize("who", ["a.owner", "a.manager", "a.staff", "auditor"])
def test_only_the_principals_writers_may_publish(client, world, start, who):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    r = client.post("/api/v1/broadcasts", headers=bearer(user), json=new_broadcast())
    assert r.status_code == 403 and r.json["error"] == "forbidden"
    assert broadcast_count() == 0


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"audience": {"provinces": ["44"]}}, "audience"),  # no partner in Guangdong
    ({"audience": {"provinces": ["99"]}}, "audience"),
    ({"audience": {"partner_ids": [99]}}, "audience"),
    ({"publish_at": "2025-06-30T10:00:00+08:00"}, "publish_at"),  # in the past
    ({"category": "memo"}, "category"),
    ({"requires_ack": "yes"}, "requires_ack"),
    ({"publish_at": "tomorrow"}, "publish_at"),
    ({"publish_at": "1999-12-31T10:00:00+08:00"}, "publish_at"),
    ({"questions": [{**QUESTION, "options": ["唯一"]}]}, "questions"),
    ({"questions": [{**QUESTION, "correct": 4}]}, "questions"),
    ({"title": "x" * 201}, "title"),
    ({"body_md": "a\x00b"}, "body_md"),
    ({"colour": "red"}, "colour"),
])
def test_bad_broadcast_gets_a_field_message_and_stores_nothing(client, world, start,
                                                               changes, field):
    r = client.post("/api/v1/broadcasts", headers=bearer(world.cm),
                    json=new_broadcast(**changes))
    assert r.status_code == 422
    messages = r.json["details"]["fields"]["json"]
    assert list(messages) == [field]
    assert all(isinstance(m, str) and m for m in str_messages(messages[field]))
    assert broadcast_count() == 0


def test_channel_manager_names_only_its_own_partners(client, world, start):
    body = new_broadcast(audience={"partner_ids": [world.b.partner.id]})
    refused = client.post("/api/v1/broadcasts", headers=bearer(world.cm), json=body)
    assert refused.status_code == 422 and list(refused.json["details"]["fields"]["json"]) == [
        "audience"]
    assert broadcast_count() == 0
    allowed = client.post("/api/v1/broadcasts", headers=bearer(world.admin), json=body)
    assert allowed.status_code == 201 and allowed.json["recipient_count"] == 4


def str_messages(value) -> list:
    """Flatten the nested messages marshmallow gives for lists and nested objects."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in str_messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in str_messages(v)]
    return [value]


def test_reach_counts_every_recipient_for_the_principal(client, world, start):
    made = broadcast(world, requires_ack=True, ack_deadline=start + timedelta(days=1))
    client.post(f"/api/v1/broadcasts/{made.id}/ack", headers=bearer(world.a.staff))
    client.get(f"/api/v1/broadcasts/{made.id}", headers=bearer(world.b.owner))
    clock.advance(timedelta(days=2))
    r = client.get(f"/api/v1/broadcasts/{made.id}/reach", headers=bearer(world.auditor))
    assert r.status_code == 200
    summary = r.json["summary"]
    assert (summary["delivered"], summary["opened"], summary["acknowledged"],
            summary["overdue"]) == (8, 2, 1, 7)
    assert r.json["partner_ids"] is None
    by_partner = {row["partner_name"]: row["acknowledged"] for row in r.json["by_partner"]}
    assert by_partner == {"代理商A": 1, "代理商B": 0}
    by_role = {row["role"]: row["delivered"] for row in r.json["by_role"]}
    assert by_role == {"owner": 2, "manager": 2, "staff": 4}


def test_owner_sees_reach_of_its_own_partner_only(client, world, start):
    made = broadcast(world, requires_ack=True, ack_deadline=start + timedelta(days=1))
    client.post(f"/api/v1/broadcasts/{made.id}/ack", headers=bearer(world.b.staff))
    r = client.get(f"/api/v1/broadcasts/{made.id}/reach", headers=bearer(world.a.owner))
    assert r.status_code == 200
    assert r.json["partner_ids"] == [world.a.partner.id]
    assert [row["partner_name"] for row in r.json["by_partner"]] == ["代理商A"]
    assert (r.json["summary"]["delivered"], r.json["summary"]["acknowledged"]) == (4, 0)


@pytest.mark.parametrize("who", ["a.manager", "a.staff"])
def test_managers_and_staff_see_no_reach(client, world, start, who):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    made = broadcast(world)
    r = client.get(f"/api/v1/broadcasts/{made.id}/reach", headers=bearer(user))
    assert r.status_code == 403


def test_openapi_documents_the_broadcast_operations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/broadcasts"]) == {"get", "post"}
    assert "requestBody" in paths["/api/v1/broadcasts/{broadcast_id}/ack"]["post"]
    assert {"/api/v1/broadcasts/{broadcast_id}",
            "/api/v1/broadcasts/{broadcast_id}/reach"} <= set(paths)


def test_superseded_version_is_acknowledged_again_in_its_new_version(client, world, start):
    old = broadcast(world, "保护期 60 天", requires_ack=True)
    headers = bearer(world.a.staff)
    assert client.post(f"/api/v1/broadcasts/{old.id}/ack", headers=headers).status_code == 200
    clock.advance(timedelta(hours=1))
    new = supersede(db.session.get(Broadcast, old.id), world.admin, title="保护期 90 天")
    db.session.commit()
    assert inbox_titles(client, world.a.staff, "?unacknowledged=true") == ["保护期 90 天"]
    detail = client.get(f"/api/v1/broadcasts/{new.id}", headers=headers).json
    assert (detail["version"], detail["supersedes_id"]) == (2, old.id)
    assert detail["receipt"]["acked_at"] is None
    # The old version stays readable; acknowledging it again changes nothing.
    kept = client.post(f"/api/v1/broadcasts/{old.id}/ack", headers=headers)
    assert kept.status_code == 200 and kept.json["acked_at"] == iso(start)
    stale = client.post(f"/api/v1/broadcasts/{old.id}/ack", headers=bearer(world.b.staff))
    assert stale.status_code == 409 and stale.json["details"]["reason"]
    assert client.post(f"/api/v1/broadcasts/{new.id}/ack", headers=headers).status_code == 200
