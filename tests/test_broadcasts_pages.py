"""Broadcast pages: composing with preview and field-level errors, attachments, reading
and acknowledging, superseding, and who may see which broadcast and reach."""
import io
import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.broadcasts import services
from portal.broadcasts.models import Attachment, Broadcast, Receipt
from portal.extensions import db
from portal.notify.models import Notification
from tests.broadcasting import T0, freeze, later, publish, send
from tests.conftest import login

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def _form(**change):
    data = {"title": "五月价格政策", "body_md": "**请**阅读", "category": "policy",
            "action": "publish"}
    data.update(change)
    return data


def _stored_files(app):
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "broadcasts")
    return os.listdir(folder) if os.path.isdir(folder) else []


def _as(client, user):
    assert login(client, user).status_code == 302
    return client


def test_channel_manager_publishes_to_the_chosen_audience(client, world):
    _as(client, world.cm)
    assert client.get("/broadcasts/new").status_code == 200
    response = send(client, "/broadcasts/new", data=_form(
        partner_ids=[str(world.a.partner.id)], roles=["staff"], requires_ack="y"))
    assert response.status_code == 302
    broadcast = db.session.execute(select(Broadcast)).scalar_one()
    assert broadcast.recipient_count == 2 and broadcast.requires_ack
    assert "<strong>请</strong>" in broadcast.body_html
    holders = set(db.session.execute(select(Receipt.user_id)).scalars())
    assert holders == {world.a.staff.id, world.a.other_staff.id}


def test_a_channel_managers_preview_counts_its_own_partners_only(client, world):
    """Empty pickers mean "my partners" for a channel manager: partner B's people are
    neither counted nor named."""
    _as(client, world.cm)
    response = send(client, "/broadcasts/new", data=_form(
        action="preview", roles=["owner", "staff"], body_md="<script>x()</script>**粗**"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="preview-total"' in page
    assert "3" in page.split('id="preview-total"')[1][:80]
    assert "代理商A" in page and "代理商B" not in page
    assert len(page.split('id="preview-audience"')[1].split("</table>")[0].split("<tr>")) == 3
    shown = page.split('id="preview-body"')[1].split("</div>")[0]
    assert "<strong>粗</strong>" in shown and "x()" not in shown and "<script>x" not in page
    assert _count(Broadcast) == 0


def test_admin_preview_names_every_partner(client, world):
    _as(client, world.admin)
    page = send(client, "/broadcasts/new", data=_form(action="preview")).get_data(as_text=True)
    assert "代理商A" in page and "代理商B" in page


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"tiers": ["A"]}, "audience"),  # nobody is in tier A
    ({"publish_at": "2026-03-01T08:00"}, "publish_at"),
    ({"publish_at": "2026-02-30T08:00"}, "publish_at"),
    ({"publish_at": "0001-01-01T00:00"}, "publish_at"),
    ({"requires_ack": "y", "ack_deadline": "2026-03-02T09:00"}, "ack_deadline"),
    ({"questions-0-text": "保护期?", "questions-0-options": "30", "questions-0-correct": "1"},
     "questions-0-options"),
    ({"questions-0-text": "保护期?", "questions-0-options": "30\n90",
      "questions-0-correct": "3"}, "questions-0-correct"),
    ({"partner_ids": ["abc"]}, "partner_ids"),
])
def test_bad_input_gets_a_field_message_and_stores_nothing(client, world, change, field):
    freeze()
    _as(client, world.cm)
    response = send(client, "/broadcasts/new", data=_form(**change))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert _count(Broadcast) == 0 and _count(Receipt) == 0


def test_a_nul_character_is_refused_and_stores_nothing(client, world):
    freeze()
    _as(client, world.cm)
    assert send(client, "/broadcasts/new", data=_form(body_md="a\x00b")).status_code == 400
    assert _count(Broadcast) == 0 and _count(Receipt) == 0


@pytest.mark.parametrize("name, content", [
    ("policy.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),
    ("notes.txt", b"hello <script>alert(1)</script>"),
    ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("sheet.xlsx", b"PK\x03\x04not really a zip"),
    ("page.html", b"<p>hi</p>"),
    ("empty.pdf", b""),
])
def test_a_disguised_or_unknown_attachment_stores_no_broadcast_and_no_file(
        app, client, world, name, content):
    _as(client, world.cm)
    response = send(client, "/broadcasts/new", content_type="multipart/form-data", data={
        **_form(), "attachments": [(io.BytesIO(PDF), "ok.pdf"), (io.BytesIO(content), name)]})
    assert response.status_code == 400
    assert 'data-field="attachments"' in response.get_data(as_text=True)
    assert _count(Broadcast) == 0 and _count(Attachment) == 0
    assert _stored_files(app) == []


@pytest.mark.config(BROADCAST_MAX_ATTACHMENT_BYTES=1000)
def test_an_oversized_attachment_or_too_many_are_refused(app, client, world):
    _as(client, world.cm)
    big = send(client, "/broadcasts/new", content_type="multipart/form-data", data={
        **_form(), "attachments": [(io.BytesIO(PDF + b"0" * 1000), "big.pdf")]})
    many = send(client, "/broadcasts/new", content_type="multipart/form-data", data={
        **_form(), "attachments": [(io.BytesIO(PDF), f"f{i}.pdf") for i in range(6)]})
    assert big.status_code == many.status_code == 400
    assert _count(Broadcast) == 0 and _stored_files(app) == []


def _with_attachment(client, world, **form):
    _as(client, world.admin)
    response = send(client, "/broadcasts/new", content_type="multipart/form-data", data={
        **_form(**form), "attachments": [(io.BytesIO(PDF), "价格表.pdf")]})
    assert response.status_code == 302
    client.post("/logout")
    return db.session.execute(select(Attachment)).scalar_one()


def test_attachments_download_to_recipients_with_safe_headers(app, client, world):
    attachment = _with_attachment(client, world)
    assert _stored_files(app) == [attachment.stored_name]
    _as(client, world.b.staff)
    response = client.get(f"/broadcasts/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"


def test_attachments_are_hidden_from_people_not_addressed(client, world):
    attachment = _with_attachment(client, world, partner_ids=[str(world.b.partner.id)])
    for outsider in (world.a.owner, world.a.staff):
        _as(client, outsider)
        assert client.get(f"/broadcasts/attachments/{attachment.id}").status_code == 404
        client.post("/logout")
    _as(client, world.auditor)
    assert client.get(f"/broadcasts/attachments/{attachment.id}").status_code == 200


def test_reading_records_the_opening_and_never_shows_scripts(client, world):
    freeze()
    broadcast = publish(world.admin, body_md="正文<script>alert(1)</script>"
                        "[x](javascript:alert(2))<img src=x onerror=alert(3)>")
    _as(client, world.a.staff)
    page = client.get(f"/broadcasts/{broadcast.id}").get_data(as_text=True)
    assert "正文" in page
    for bad in ("<script>alert", "javascript:", "onerror"):
        assert bad not in page
    assert services.receipt_for(world.a.staff, broadcast).opened_at == T0


def test_a_scheduled_broadcast_opens_at_its_time(client, world):
    freeze()
    broadcast = publish(world.admin, at=T0 + timedelta(hours=1))
    _as(client, world.a.staff)
    assert client.get(f"/broadcasts/{broadcast.id}").status_code == 404
    assert "渠道政策调整" not in client.get("/broadcasts/inbox").get_data(as_text=True)
    later(hours=1)
    assert client.get(f"/broadcasts/{broadcast.id}").status_code == 200
    assert "渠道政策调整" in client.get("/broadcasts/inbox").get_data(as_text=True)


def test_a_wrong_answer_is_a_field_error_and_does_not_count(client, world):
    freeze()
    broadcast = publish(world.admin, requires_ack=True, questions=[
        {"text": "保护期多少天?", "options": ["30", "90"], "correct": 1}])
    _as(client, world.a.staff)
    wrong = client.post(f"/broadcasts/{broadcast.id}/ack", data={"answer-1": "0"})
    assert wrong.status_code == 400 and 'data-field="answers"' in wrong.get_data(as_text=True)
    receipt = services.receipt_for(world.a.staff, broadcast)
    assert receipt.acked_at is None and receipt.check_failures == 1
    assert client.post(f"/broadcasts/{broadcast.id}/ack", data={"answer-1": "1"}).status_code \
        == 302
    assert services.receipt_for(world.a.staff, broadcast).acked_at == T0


def test_an_owner_reads_what_reached_its_staff_but_does_not_sign_for_them(client, world):
    freeze()
    broadcast = publish(world.admin, requires_ack=True, audience={"roles": ["staff"]})
    _as(client, world.a.owner)
    assert client.get(f"/broadcasts/{broadcast.id}").status_code == 200
    assert client.post(f"/broadcasts/{broadcast.id}/ack").status_code == 403


def test_superseded_version_points_to_the_new_one_which_asks_again(client, world):
    freeze()
    old = publish(world.cm, requires_ack=True, title="报备规则")
    services.acknowledge(world.a.staff, old)
    db.session.commit()
    later(days=1)
    _as(client, world.cm)
    assert client.get(f"/broadcasts/{old.id}/edit").status_code == 403
    form_page = client.get(f"/broadcasts/{old.id}/supersede").get_data(as_text=True)
    assert 'value="报备规则"' in form_page
    response = send(client, f"/broadcasts/{old.id}/supersede",
                           data=_form(title="报备规则（修订）", requires_ack="y"))
    assert response.status_code == 302
    new = db.session.execute(select(Broadcast).where(Broadcast.version == 2)).scalar_one()
    assert client.get(f"/broadcasts/{old.id}/supersede").status_code == 409
    client.post("/logout")
    _as(client, world.a.staff)
    new_page = client.get(f"/broadcasts/{new.id}").get_data(as_text=True)
    assert 'id="changed-banner"' in new_page and 'id="ack-form"' in new_page
    old_page = client.get(f"/broadcasts/{old.id}").get_data(as_text=True)
    assert 'id="superseded-banner"' in old_page and f"/broadcasts/{new.id}" in old_page
    history = client.get(f"/broadcasts/{new.id}/history").get_data(as_text=True)
    assert "报备规则（修订）" in history and f"/broadcasts/{old.id}" in history


def test_only_the_author_or_an_admin_supersedes_or_edits(client, world, make):
    """A channel manager who sees the admin's nationwide broadcast (it reached its
    partner) may not publish a new version of it, which would ask every recipient again;
    nor may it edit another author's draft."""
    freeze()
    nationwide = publish(world.admin, requires_ack=True, title="全国政策")
    _as(client, world.cm)
    page = client.get(f"/broadcasts/{nationwide.id}")
    assert page.status_code == 200 and "/supersede" not in page.get_data(as_text=True)
    assert client.get(f"/broadcasts/{nationwide.id}/supersede").status_code == 403
    assert send(client, f"/broadcasts/{nationwide.id}/supersede",
                       data=_form(title="改了")).status_code == 403
    assert _count(Broadcast) == 1 and _count(Receipt) == nationwide.recipient_count
    scheduled = publish(world.admin, title="明日政策", at=T0 + timedelta(days=1))
    if client.get(f"/broadcasts/{scheduled.id}/edit").status_code != 404:
        assert send(client, f"/broadcasts/{scheduled.id}/edit",
                           data=_form(title="改了")).status_code == 403
    db.session.refresh(scheduled)
    assert scheduled.title == "明日政策"
    client.post("/logout")
    _as(client, world.admin)
    assert client.get(f"/broadcasts/{nationwide.id}/supersede").status_code == 200


def test_inbox_shows_counts_and_filters(client, world):
    freeze()
    publish(world.admin, requires_ack=True, title="要确认的")
    publish(world.admin, category="notice", title="普通通知")
    _as(client, world.a.staff)
    page = client.get("/broadcasts/inbox").get_data(as_text=True)
    assert "要确认的" in page and "普通通知" in page
    unacked = client.get("/broadcasts/inbox?unacked=1").get_data(as_text=True)
    assert "要确认的" in unacked and "普通通知" not in unacked


def test_owner_cannot_open_a_broadcast_addressed_only_to_another_partner(client, world):
    freeze()
    only_b = publish(world.admin, audience={"partner_ids": [world.b.partner.id]},
                     requires_ack=True)
    _as(client, world.a.owner)
    for path in ("", "/reach", "/history"):
        assert client.get(f"/broadcasts/{only_b.id}{path}").status_code == 404
    assert client.post(f"/broadcasts/{only_b.id}/nudge").status_code == 404
    assert client.post(f"/broadcasts/{only_b.id}/ack").status_code == 404


def test_owner_sees_the_reach_of_its_own_partner_only(client, world):
    freeze()
    both = publish(world.admin, requires_ack=True)
    _as(client, world.a.owner)
    page = client.get(f"/broadcasts/{both.id}/reach").get_data(as_text=True)
    assert 'id="reach-delivered">4<' in page
    assert "代理商B" not in page and world.b.staff.username not in page
    assert client.get(f"/broadcasts/{both.id}/reach?partner={world.b.partner.id}") \
        .get_data(as_text=True).count('id="reach-delivered">4<') == 1


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_managers_and_staff_see_no_reach(client, world, who):
    freeze()
    broadcast = publish(world.admin, requires_ack=True)
    _as(client, getattr(world.a, who))
    assert client.get(f"/broadcasts/{broadcast.id}/reach").status_code == 403
    assert client.get("/broadcasts/").status_code == 403
    assert client.get("/broadcasts/fidelity").status_code == 403
    assert client.get("/broadcasts/new").status_code == 403


def test_channel_manager_sees_its_partners_reach_of_others_broadcasts(client, world):
    freeze()
    by_admin_to_b = publish(world.admin, audience={"partner_ids": [world.b.partner.id]})
    by_admin_to_all = publish(world.admin)
    own = publish(world.cm)
    _as(client, world.cm)
    assert client.get(f"/broadcasts/{by_admin_to_b.id}/reach").status_code == 404
    limited = client.get(f"/broadcasts/{by_admin_to_all.id}/reach").get_data(as_text=True)
    assert 'id="reach-delivered">4<' in limited and "代理商B" not in limited
    own_reach = client.get(f"/broadcasts/{own.id}/reach").get_data(as_text=True)
    assert 'id="reach-delivered">4<' in own_reach and "代理商B" not in own_reach


def test_reach_page_lists_overdue_people_and_times(client, world):
    freeze()
    broadcast = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1))
    services.acknowledge(world.a.staff, broadcast, at=T0 + timedelta(minutes=90))
    db.session.commit()
    later(hours=2)
    _as(client, world.cm)
    page = client.get(f"/broadcasts/{broadcast.id}/reach?partner={world.a.partner.id}") \
        .get_data(as_text=True)
    assert 'id="reach-overdue">3<' in page and world.a.other_staff.username in page
    assert world.a.staff.username not in page.split('id="overdue-people"')[1]
    assert 'id="reach-by-team"' in page and 'id="ack-times"' in page


def test_owner_nudge_button_reminds_its_overdue_people_once_an_hour(client, world):
    freeze()
    broadcast = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1))
    later(hours=2)
    _as(client, world.a.owner)
    page = client.get(f"/broadcasts/{broadcast.id}/reach").get_data(as_text=True)
    assert f'action="/broadcasts/{broadcast.id}/nudge"' in page
    assert client.post(f"/broadcasts/{broadcast.id}/nudge").status_code == 302
    assert client.post(f"/broadcasts/{broadcast.id}/nudge").status_code == 302
    notes = db.session.execute(select(Notification.user_id)).scalars().all()
    assert sorted(notes) == sorted([world.a.manager.id, world.a.staff.id,
                                    world.a.other_staff.id])  # once: the second was too soon
    page = client.get(f"/broadcasts/{broadcast.id}/reach").get_data(as_text=True)
    assert 'id="nudge-wait"' in page and "/nudge" not in page
    client.post("/logout")
    _as(client, world.a.manager)  # its team was just reminded by the owner: not again
    assert client.post(f"/broadcasts/{broadcast.id}/nudge").status_code == 302
    assert len(db.session.execute(select(Notification.user_id)).scalars().all()) == 3
    client.post("/logout")
    _as(client, world.a.staff)
    assert client.post(f"/broadcasts/{broadcast.id}/nudge").status_code == 403


def test_list_filters_and_shows_reach_figures_per_row(client, world):
    freeze()
    policy = publish(world.admin, requires_ack=True, title="价格政策")
    publish(world.admin, category="training", title="培训安排")
    services.acknowledge(world.a.staff, policy)
    services.acknowledge(world.b.staff, policy)
    db.session.commit()
    _as(client, world.admin)
    page = client.get("/broadcasts/?q=价格").get_data(as_text=True)
    assert "价格政策" in page and "培训安排" not in page
    assert '<td class="text-end">25%</td>' in page  # 2 of 8 acknowledged
    assert "培训安排" in client.get("/broadcasts/?category=training").get_data(as_text=True)
    assert "价格政策" not in client.get("/broadcasts/?status=draft").get_data(as_text=True)


def test_fidelity_page_shows_only_the_channel_managers_partners(client, world):
    freeze()
    broadcast = publish(world.admin, requires_ack=True)
    services.acknowledge(world.a.owner, broadcast)
    db.session.commit()
    _as(client, world.cm)
    page = client.get("/broadcasts/fidelity").get_data(as_text=True)
    assert "代理商A" in page and "代理商B" not in page


def test_a_draft_is_edited_then_published(client, world):
    freeze()
    _as(client, world.cm)
    assert send(client, "/broadcasts/new", data=_form(action="draft")).status_code == 302
    draft = db.session.execute(select(Broadcast)).scalar_one()
    assert draft.publish_at is None
    page = client.get(f"/broadcasts/{draft.id}/edit").get_data(as_text=True)
    assert 'value="五月价格政策"' in page
    response = send(client, f"/broadcasts/{draft.id}/edit", data=_form(
        title="五月价格政策（定稿）", roles=["owner"], publish_at="2026-03-02T12:00"))
    assert response.status_code == 302
    draft = db.session.get(Broadcast, draft.id)
    assert draft.title.endswith("（定稿）") and draft.recipient_count == 1  # A's owner
    assert draft.publish_at == T0 + timedelta(hours=2)


def _render_nav(app, user):
    """A whole page as `user`, and how many statements on it counted broadcasts."""
    statements = []

    def count(conn, cursor, statement, *args):
        if "broadcast_receipts" in statement:
            statements.append(statement)
    client = app.test_client()
    login(client, user)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        html = client.get("/notifications").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return html, len(statements)


def test_navigation_shows_unread_and_to_acknowledge_counts_with_one_query(app, world):
    freeze()
    publish(world.admin, requires_ack=True)
    publish(world.admin, category="notice")
    html, queries = _render_nav(app, world.a.staff)
    assert re.search(r'id="broadcast-unread"[^>]*>2<', html)
    assert re.search(r'id="broadcast-to-ack"[^>]*>1<', html)
    assert queries == 1
    html, queries = _render_nav(app, world.cm)
    assert 'id="broadcast-list"' in html and "broadcast-unread" not in html and queries == 0


def test_publishing_asks_first_with_the_exact_count(client, world):
    """Without the count confirmed (or with a count that no longer holds) nothing is
    sent; the page asks "send to 4 people in 1 partners?" and a second press sends."""
    _as(client, world.cm)
    asked = client.post("/broadcasts/new", data=_form())
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="confirm-send"' in page
    assert "发送给 1 个代理商的 4 人？" in page and _count(Broadcast) == 0
    stale = client.post("/broadcasts/new", data=_form(confirm="9:2"))
    assert 'id="confirm-send"' in stale.get_data(as_text=True) and _count(Broadcast) == 0
    code = re.search(r'name="confirm" value="([0-9:]+)"', page).group(1)
    assert client.post("/broadcasts/new", data=_form(confirm=code)).status_code == 302
    assert db.session.execute(select(Broadcast)).scalar_one().recipient_count == 4


def test_a_channel_manager_cannot_address_partners_it_does_not_look_after(client, world):
    _as(client, world.cm)
    elsewhere = send(client, "/broadcasts/new", data=_form(provinces=["32"]))  # Jiangsu
    assert elsewhere.status_code == 400
    assert "该对象不包含您负责的任何代理商" in elsewhere.get_data(as_text=True)
    named = send(client, "/broadcasts/new", data=_form(partner_ids=[str(world.b.partner.id)]))
    assert named.status_code == 400 and _count(Broadcast) == 0
    count = client.post("/broadcasts/audience-count", data=_form())
    assert count.json["confirm"] == "4:1"


def test_an_admin_superseding_a_bounded_broadcast_keeps_its_bound(client, world):
    freeze()
    old = publish(world.cm, requires_ack=True, title="区域政策")
    assert old.audience["within"] == [world.a.partner.id]
    later(hours=1)
    _as(client, world.admin)
    response = send(client, f"/broadcasts/{old.id}/supersede", data=_form(title="区域政策（修订）"))
    assert response.status_code == 302
    new = db.session.execute(select(Broadcast).where(Broadcast.version == 2)).scalar_one()
    assert new.audience["within"] == [world.a.partner.id] and new.recipient_count == 4


def test_reading_a_broadcast_reads_its_notifications(client, world):
    from portal.broadcasts.reminders import notify_published
    freeze()
    broadcast = publish(world.admin, requires_ack=True, title="新政策")
    other = publish(world.admin, title="另一条")
    notify_published(T0)
    db.session.commit()

    def unread():
        return {n.link for n in db.session.execute(select(Notification).where(
            Notification.user_id == world.a.staff.id,
            Notification.read_at.is_(None))).scalars()}
    assert unread() == {f"/broadcasts/{broadcast.id}", f"/broadcasts/{other.id}"}
    _as(client, world.a.staff)
    assert client.get(f"/broadcasts/{broadcast.id}").status_code == 200
    assert unread() == {f"/broadcasts/{other.id}"}


def test_messages_of_repeated_fields_are_in_chinese_too(client, world):
    """The comprehension questions are a subform: WTForms' own messages there were in
    English ("Number must be between 1 and 6.")."""
    _as(client, world.cm)
    page = client.post("/broadcasts/new", data=_form(**{
        "questions-0-text": "何时生效？", "questions-0-options": "本月\n下月",
        "questions-0-correct": "9"})).get_data(as_text=True)
    assert "Number must be between" not in page and "数值大小必须介于 1 到 6 之间" in page


def test_an_unanswered_question_asks_for_an_answer_and_is_not_counted(client, world):
    freeze()
    broadcast = publish(world.admin, requires_ack=True, questions=[
        {"text": "保护期多少天?", "options": ["30", "90"], "correct": 1}])
    _as(client, world.a.staff)
    empty = client.post(f"/broadcasts/{broadcast.id}/ack", data={})
    page = empty.get_data(as_text=True)
    assert empty.status_code == 400 and "请先回答所有问题" in page and "有答案不正确" not in page
    assert services.receipt_for(world.a.staff, broadcast).check_failures == 0


def test_a_past_deadline_reads_overdue(client, world):
    freeze()
    broadcast = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=2))
    _as(client, world.a.staff)
    before = client.get(f"/broadcasts/{broadcast.id}").get_data(as_text=True)
    assert 'id="ack-overdue"' not in before and "请在" in before
    later(hours=3)
    after = client.get(f"/broadcasts/{broadcast.id}").get_data(as_text=True)
    assert 'id="ack-overdue"' in after


def test_pages_say_what_is_true_before_publication_and_before_any_acknowledgement(
        client, world):
    freeze()
    scheduled = publish(world.admin, title="明日政策", requires_ack=True,
                        at=T0 + timedelta(days=1))
    published = publish(world.admin, title="今日政策", requires_ack=True)
    _as(client, world.admin)
    listing = client.get("/broadcasts/").get_data(as_text=True)
    row = listing.split("明日政策")[1].split("</tr>")[0]
    assert "尚未发布" in row
    reach = client.get(f"/broadcasts/{scheduled.id}/reach").get_data(as_text=True)
    assert "将送达" in reach and "定于" in reach
    times = client.get(f"/broadcasts/{published.id}/reach").get_data(as_text=True)
    assert "还没有人确认" in times.split('id="ack-times"')[1][:80]
    empty = client.get("/broadcasts/?q=不存在的标题").get_data(as_text=True)
    assert "没有符合这些条件的公告" in empty
