"""Group messages to DingTalk, WeCom and generic webhooks, sent to a local HTTP server the
test starts: formats, signatures, retries with back-off, exactly-once sending."""
import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.notify.models import Delivery, Webhook
from portal.notify.sending import attempt, deliver_due
from portal.notify.services import notify
from tests.conftest import login
from tests.notify_servers import http_server

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def server(app):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # the test server listens on 127.0.0.1
    clock.set_now(T0)
    with http_server() as (recorder, base):
        recorder.base = base
        yield recorder


def _hook(partner, kind, url, secret=None, categories="exam,notice", active=True):
    webhook = Webhook(partner_id=partner.id, name=f"{kind} 销售群", kind=kind, url=url,
                      secret=secret, categories=categories, active=active)
    db.session.add(webhook)
    db.session.commit()
    return webhook


def _deliveries():
    return db.session.execute(select(Delivery).order_by(Delivery.id)).scalars().all()


def _send_one(world, category="exam"):
    notify([world.a.staff.id], category, "考试提醒", body="明天截止", link="/exams/1")
    db.session.commit()
    return deliver_due(clock.now())


def test_dingtalk_message_is_markdown_and_signed(world, server):
    _hook(world.a.partner, "dingtalk", server.base + "/robot/send?access_token=tok",
          secret="SEC123")
    assert _send_one(world) == {"sent": 1}
    (request,) = server.requests
    body = json.loads(request["body"])
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "考试提醒"
    assert "明天截止" in body["markdown"]["text"]
    query = parse_qs(urlsplit(request["path"]).query)
    assert query["access_token"] == ["tok"]
    stamp = query["timestamp"][0]
    assert int(stamp) == int(T0.timestamp() * 1000)
    expected = base64.b64encode(hmac.new(b"SEC123", f"{stamp}\nSEC123".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]


def test_dingtalk_without_secret_is_not_signed(world, server):
    _hook(world.a.partner, "dingtalk", server.base + "/robot/send?access_token=tok")
    _send_one(world)
    assert "sign" not in parse_qs(urlsplit(server.requests[0]["path"]).query)


def test_wecom_message_is_markdown_content(world, server):
    _hook(world.a.partner, "wecom", server.base + "/cgi-bin/webhook/send?key=k1")
    assert _send_one(world) == {"sent": 1}
    body = json.loads(server.requests[0]["body"])
    assert body["msgtype"] == "markdown"
    assert "考试提醒" in body["markdown"]["content"]
    assert server.requests[0]["path"] == "/cgi-bin/webhook/send?key=k1"


def test_generic_webhook_body_signature_verifies(world, server):
    server.answers = [(204, {})]
    _hook(world.a.partner, "generic", server.base + "/hooks/portal", secret="s3cret")
    assert _send_one(world) == {"sent": 1}
    request = server.requests[0]
    body = json.loads(request["body"])
    assert (body["event"], body["category"], body["title"], body["link"]) == (
        "notification", "exam", "考试提醒", None)
    assert body["sent_at"] == T0.isoformat()
    expected = hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Portal-Signature"] == f"sha256={expected}"
    assert request["headers"]["X-Portal-Timestamp"] == str(int(T0.timestamp()))


def test_links_become_absolute_with_the_public_url(app, world, server):
    app.config["PUBLIC_URL"] = "https://portal.example.com/"
    _hook(world.a.partner, "generic", server.base + "/h")
    _send_one(world)
    assert json.loads(server.requests[0]["body"])["link"] == "https://portal.example.com/exams/1"


def test_failing_endpoint_is_retried_with_back_off_then_given_up(world, server):
    server.answers = [(500, {"error": "boom"})]
    _hook(world.a.partner, "wecom", server.base + "/send?key=k")
    notify([world.a.staff.id], "exam", "考试提醒")
    db.session.commit()
    waits = [1, 5, 25, 125]
    for number in range(1, 6):
        outcome = deliver_due(clock.now())
        delivery = _deliveries()[0]
        assert delivery.attempts == number
        assert delivery.response_code == 500
        if number < 5:
            assert outcome == {"failed": 1}
            assert delivery.next_attempt_at == clock.now() + timedelta(minutes=waits[number - 1])
            # Not due yet: nothing is sent before the back-off is over.
            clock.advance(timedelta(minutes=waits[number - 1]) - timedelta(seconds=1))
            assert deliver_due(clock.now()) == {}
            clock.advance(timedelta(seconds=1))
        else:
            assert outcome == {"gave_up": 1}
            assert delivery.status == "gave_up"
    clock.advance(timedelta(days=1))
    assert deliver_due(clock.now()) == {}
    assert len(server.requests) == 5


def test_a_nonzero_errcode_counts_as_failure(world, server):
    server.answers = [(200, {"errcode": 310000, "errmsg": "sign not match"})]
    _hook(world.a.partner, "dingtalk", server.base + "/robot/send?access_token=t", secret="x")
    assert _send_one(world) == {"failed": 1}
    delivery = _deliveries()[0]
    assert delivery.response_code == 200
    assert "310000" in delivery.last_error


def test_a_sent_delivery_is_never_sent_again(world, server):
    _hook(world.a.partner, "wecom", server.base + "/send?key=k")
    assert _send_one(world) == {"sent": 1}
    clock.advance(timedelta(hours=1))
    assert deliver_due(clock.now()) == {}
    assert attempt(_deliveries()[0].id, clock.now()) is None
    assert len(server.requests) == 1


def test_a_delivery_claimed_elsewhere_is_left_alone_until_its_lease_ends(world, server):
    _hook(world.a.partner, "wecom", server.base + "/send?key=k")
    notify([world.a.staff.id], "exam", "x")
    delivery = _deliveries()[0]
    # Another process claimed it and then died without recording the outcome.
    delivery.status, delivery.attempts = "sending", 1
    delivery.next_attempt_at = clock.now() + timedelta(minutes=10)
    db.session.commit()
    assert deliver_due(clock.now()) == {}
    clock.advance(timedelta(minutes=10))
    assert deliver_due(clock.now()) == {"sent": 1}
    assert _deliveries()[0].attempts == 2
    assert len(server.requests) == 1


def test_one_group_message_per_subscribed_partner_webhook(world, server):
    hook_a = _hook(world.a.partner, "wecom", server.base + "/a?key=k", categories="exam")
    _hook(world.a.partner, "wecom", server.base + "/old?key=k", active=False)
    _hook(world.b.partner, "wecom", server.base + "/b?key=k", categories="training")
    notify([world.a.staff.id, world.a.manager.id, world.b.staff.id], "exam", "考试")
    db.session.commit()
    assert [(d.channel, d.webhook_id) for d in _deliveries()] == [("webhook", hook_a.id)]


def test_news_about_one_person_stays_out_of_the_chat_group(world, server):
    _hook(world.a.partner, "wecom", server.base + "/a?key=k")
    assert notify([world.a.staff.id], "exam", "你的成绩：58 分", group=False) == 1
    db.session.commit()
    assert _deliveries() == []


def test_people_who_turn_off_the_chat_group_are_not_counted(client, world, server):
    _hook(world.a.partner, "wecom", server.base + "/a?key=k")
    login(client, world.a.staff)
    form = {f"{c}-in_app": "1" for c in ("notice", "exam")}
    client.post("/notifications/preferences", data=form)  # chat group off everywhere
    notify([world.a.staff.id], "exam", "只给我")
    db.session.commit()
    assert _deliveries() == []
    notify([world.a.staff.id, world.a.manager.id], "exam", "给我们俩")
    db.session.commit()
    assert [d.title for d in _deliveries()] == ["给我们俩"]


def test_private_addresses_are_refused_unless_allowed(app, world, server):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    _hook(world.a.partner, "generic", server.base + "/h")
    assert _send_one(world) == {"gave_up": 1}
    assert "private" in _deliveries()[0].last_error
    assert server.requests == []


def test_deactivating_a_webhook_drops_its_waiting_messages(client, world, server):
    hook = _hook(world.a.partner, "wecom", server.base + "/a?key=k")
    notify([world.a.staff.id], "exam", "x")
    db.session.commit()
    login(client, world.a.owner)
    assert client.post(f"/webhooks/{hook.id}/deactivate").status_code == 302
    assert deliver_due(clock.now()) == {}
    assert _deliveries()[0].status == "gave_up"
    assert server.requests == []


def test_send_test_message_shows_the_result(client, world, server):
    hook = _hook(world.a.partner, "dingtalk", server.base + "/robot/send?access_token=t")
    login(client, world.a.owner)
    response = client.post(f"/webhooks/{hook.id}/test", follow_redirects=True)
    assert response.status_code == 200
    assert "alert-success" in response.get_data(as_text=True)
    assert len(server.requests) == 1
    server.answers = [(200, {"errcode": 300001, "errmsg": "token is not exist"})]
    page = client.post(f"/webhooks/{hook.id}/test", follow_redirects=True).get_data(
        as_text=True)
    assert "alert-danger" in page and "300001" in page
    # A failed test is not retried later.
    clock.advance(timedelta(hours=1))
    assert deliver_due(clock.now()) == {}
    assert len(server.requests) == 2


def test_the_scheduled_job_sends_what_is_due(world, server):
    from portal.jobs import JOBS
    from portal.jobs.runner import run_now
    assert "notify.deliver" in JOBS
    _hook(world.a.partner, "wecom", server.base + "/send?key=k")
    notify([world.a.staff.id], "exam", "考试提醒")
    db.session.commit()
    assert run_now("notify.deliver") == "succeeded"
    assert _deliveries()[0].status == "sent"
    assert len(server.requests) == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/", "http://[::1/", "http://h:0/",
                                 "http://h:-1/", "ftp://h/", "http:///x"])
def test_an_address_no_delivery_could_use_is_refused_on_save(client, world, url):
    login(client, world.a.owner)
    response = client.post(f"/partners/{world.a.partner.id}/webhooks/new", data={
        "name": "销售群", "kind": "generic", "url": url, "categories": ["exam"]})
    assert response.status_code == 400
    assert 'data-field="url"' in response.get_data(as_text=True)
    assert db.session.execute(select(Webhook)).first() is None


def test_one_broken_address_fails_alone_and_for_good(client, world, server):
    """A webhook stored before addresses were checked (or edited in the database) gives
    up at once; the deliveries after it in the same batch are still sent, and the test
    button answers with the failure rather than a 500."""
    broken = _hook(world.a.partner, "generic", "http://127.0.0.1:99999/")
    _hook(world.b.partner, "generic", server.base + "/ok")
    notify([world.a.staff.id, world.b.staff.id], "exam", "考试提醒")
    db.session.commit()
    assert deliver_due(clock.now()) == {"gave_up": 1, "sent": 1}
    assert len(server.requests) == 1
    login(client, world.a.owner)
    response = client.post(f"/webhooks/{broken.id}/test", follow_redirects=True)
    assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)


def test_an_unexpected_error_in_one_delivery_leaves_the_rest_sent(world, server, monkeypatch):
    from portal.notify import sending
    _hook(world.a.partner, "generic", server.base + "/a")
    _hook(world.b.partner, "generic", server.base + "/b")
    notify([world.a.staff.id, world.b.staff.id], "exam", "考试提醒")
    db.session.commit()
    real, calls = sending._send, []

    def flaky(work):
        calls.append(work)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(work)
    monkeypatch.setattr(sending, "_send", flaky)
    assert deliver_due(clock.now()) == {"gave_up": 1, "sent": 1}
    assert "RuntimeError: boom" in _deliveries()[0].last_error
