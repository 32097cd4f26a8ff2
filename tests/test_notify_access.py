"""Who may see and manage a partner's webhooks, and the webhook form's checks."""
import re

import pytest
from sqlalchemy import select

from portal.core.audit import AuditLog
from portal.extensions import db
from portal.notify.models import Delivery, Webhook
from portal.notify.services import notify
from tests.conftest import login

FORM = {"name": "华东销售群", "kind": "dingtalk",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "secret": "SECxyz", "categories": ["exam", "policy"]}


def _hook(partner, name="B 的钉钉群"):
    webhook = Webhook(partner_id=partner.id, name=name, kind="wecom", categories="exam",
                      url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secretkey")
    db.session.add(webhook)
    db.session.commit()
    return webhook


def test_owner_cannot_see_or_change_other_partner_webhooks(client, world):
    hook_b = _hook(world.b.partner)
    login(client, world.a.owner)
    assert client.get(f"/partners/{world.b.partner.id}/webhooks").status_code == 404
    assert client.get(f"/partners/{world.b.partner.id}/webhooks/new").status_code == 404
    assert client.post(f"/partners/{world.b.partner.id}/webhooks/new",
                       data=FORM).status_code == 404
    assert client.get(f"/webhooks/{hook_b.id}/edit").status_code == 404
    assert client.post(f"/webhooks/{hook_b.id}/edit", data=FORM).status_code == 404
    assert client.post(f"/webhooks/{hook_b.id}/test").status_code == 404
    assert client.post(f"/webhooks/{hook_b.id}/deactivate").status_code == 404
    db.session.refresh(hook_b)
    assert hook_b.name == "B 的钉钉群" and hook_b.active


def test_channel_manager_of_another_partner_gets_not_found(client, world):
    hook_b = _hook(world.b.partner)
    login(client, world.cm)
    assert client.get(f"/partners/{world.b.partner.id}/webhooks").status_code == 404
    assert client.get(f"/webhooks/{hook_b.id}/edit").status_code == 404


def test_auditor_reads_webhooks_but_cannot_change_them(client, world):
    hook_b = _hook(world.b.partner)
    login(client, world.auditor)
    page = client.get(f"/partners/{world.b.partner.id}/webhooks")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "B 的钉钉群" in body
    assert "secretkey" not in body  # the robot's key stays hidden
    assert 'id="new-webhook"' not in body
    assert client.post(f"/partners/{world.b.partner.id}/webhooks/new",
                       data=FORM).status_code == 403
    assert client.post(f"/webhooks/{hook_b.id}/edit", data=FORM).status_code == 403
    assert client.post(f"/webhooks/{hook_b.id}/deactivate").status_code == 403


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_staff_and_managers_cannot_manage_webhooks(client, world, who):
    hook_a = _hook(world.a.partner, "A 的群")
    login(client, getattr(world.a, who))
    assert client.get(f"/partners/{world.a.partner.id}/webhooks").status_code == 403
    assert client.post(f"/partners/{world.a.partner.id}/webhooks/new",
                       data=FORM).status_code == 403
    assert client.get(f"/webhooks/{hook_a.id}/edit").status_code == 404
    assert client.post(f"/webhooks/{hook_a.id}/test").status_code == 404


@pytest.mark.parametrize("who", ["owner", "cm", "admin"])
def test_owner_channel_manager_and_admin_add_webhooks(client, world, who):
    user = {"owner": world.a.owner, "cm": world.cm, "admin": world.admin}[who]
    login(client, user)
    assert client.get(f"/partners/{world.a.partner.id}/webhooks/new").status_code == 200
    response = client.post(f"/partners/{world.a.partner.id}/webhooks/new", data=FORM)
    assert response.status_code == 302
    hook = db.session.execute(select(Webhook)).scalar_one()
    assert (hook.partner_id, hook.kind, hook.secret, hook.created_by) == (
        world.a.partner.id, "dingtalk", "SECxyz", user.id)
    assert hook.category_list == ["policy", "exam"]
    page = client.get(f"/partners/{world.a.partner.id}/webhooks").get_data(as_text=True)
    assert "华东销售群" in page
    form = client.get(f"/webhooks/{hook.id}/edit").get_data(as_text=True)
    assert "checked" in re.search(r'<input[^>]*id="cat-exam"[^>]*>', form).group(0)
    assert "checked" not in re.search(r'<input[^>]*id="cat-notice"[^>]*>', form).group(0)


def test_webhook_changes_are_audited_without_the_secret_or_url(client, world):
    login(client, world.a.owner)
    client.post(f"/partners/{world.a.partner.id}/webhooks/new", data=FORM)
    entry = db.session.execute(select(AuditLog).where(
        AuditLog.object_type == "Webhook")).scalar_one()
    assert entry.action == "create"
    assert entry.after["secret"] == "(set)" and entry.after["url"] == "(set)"
    assert entry.actor_id == world.a.owner.id


def test_editing_with_an_empty_secret_keeps_the_stored_one(client, world):
    login(client, world.a.owner)
    client.post(f"/partners/{world.a.partner.id}/webhooks/new", data=FORM)
    hook = db.session.execute(select(Webhook)).scalar_one()
    form = dict(FORM, name="新名字", secret="")
    assert client.post(f"/webhooks/{hook.id}/edit", data=form).status_code == 302
    db.session.refresh(hook)
    assert (hook.name, hook.secret) == ("新名字", "SECxyz")
    form["clear_secret"] = "y"
    client.post(f"/webhooks/{hook.id}/edit", data=form)
    db.session.refresh(hook)
    assert hook.secret is None


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)",
                                 "oapi.dingtalk.com/robot", "https:///nohost", ""])
def test_webhook_form_refuses_addresses_that_are_not_http(client, world, url):
    login(client, world.a.owner)
    response = client.post(f"/partners/{world.a.partner.id}/webhooks/new",
                           data=dict(FORM, url=url))
    assert response.status_code == 400
    assert 'data-field="url"' in response.get_data(as_text=True)
    assert db.session.execute(select(Webhook)).first() is None


def test_webhook_form_needs_a_category_and_a_known_format(client, world):
    login(client, world.a.owner)
    response = client.post(f"/partners/{world.a.partner.id}/webhooks/new",
                           data=dict(FORM, categories=[], kind="slack"))
    assert response.status_code == 400
    assert 'data-field="categories"' in response.get_data(as_text=True)
    assert db.session.execute(select(Webhook)).first() is None


def test_delivery_log_shows_only_this_partners_webhooks(client, world):
    _hook(world.a.partner, "A 的群")
    _hook(world.b.partner, "B 的群")
    notify([world.a.staff.id], "exam", "只给 A")
    notify([world.b.staff.id], "exam", "只给 B")
    db.session.commit()
    assert len(db.session.execute(select(Delivery)).all()) == 2
    login(client, world.a.owner)
    page = client.get(f"/partners/{world.a.partner.id}/webhooks").get_data(as_text=True)
    assert "只给 A" in page and "只给 B" not in page


def test_principal_delivery_log_is_for_admin_and_auditor(client, world):
    _hook(world.a.partner, "A 的群")
    notify([world.a.staff.id], "exam", "考试提醒")
    db.session.commit()
    login(client, world.auditor)
    page = client.get("/notifications/deliveries?channel=webhook&status=pending")
    assert "考试提醒" in page.get_data(as_text=True)
    client.post("/logout")
    login(client, world.a.owner)
    assert client.get("/notifications/deliveries").status_code == 403
