"""The in-app inbox: who gets a notification, the bell, reading, preferences."""
import re

import pytest
from sqlalchemy import event, func, insert, select

from portal.auth.models import User
from portal.extensions import db
from portal.notify.models import Notification
from portal.notify.services import mark_read, notify, unread_count
from tests.conftest import login


def _inbox(user):
    return db.session.execute(select(Notification.title).where(
        Notification.user_id == user.id).order_by(Notification.id)).scalars().all()


def _badge(client):
    page = client.get("/notifications").get_data(as_text=True)
    found = re.search(r'id="notify-unread">([^<]+)<', page)
    return found.group(1) if found else None


def test_notify_reaches_exactly_the_recipients(world):
    world.a.other_staff.active = False
    db.session.commit()
    made = notify([world.a.staff.id, world.a.manager.id, world.a.other_staff.id], "exam",
                  "产品知识考试明天截止", body="请在明天 18:00 前提交。", link="/exams/1")
    db.session.commit()
    assert made == 2
    owners = db.session.execute(select(Notification.user_id)).scalars().all()
    assert sorted(owners) == sorted([world.a.staff.id, world.a.manager.id])
    assert _inbox(world.a.staff) == ["产品知识考试明天截止"]


def test_notify_takes_a_select_of_people(world):
    made = notify(select(User.id).where(User.partner_id == world.b.partner.id), "notice",
                  "B 的通知")
    db.session.commit()
    assert made == 4
    assert _inbox(world.a.staff) == []
    assert _inbox(world.b.other_staff) == ["B 的通知"]


@pytest.mark.parametrize("link", ["https://evil.example/x", "//evil.example", "javascript:x"])
def test_notify_refuses_links_to_other_sites(world, link):
    with pytest.raises(ValueError):
        notify([world.a.staff.id], "notice", "x", link=link)


def test_bell_counts_unread_and_opening_clears_it(client, world):
    notify([world.a.staff.id], "training", "新课程上线", link="/notifications/preferences")
    notify([world.a.staff.id], "notice", "第二条")
    db.session.commit()
    login(client, world.a.staff)
    assert _badge(client) == "2"
    first = db.session.execute(select(Notification).where(
        Notification.title == "新课程上线")).scalar_one()
    response = client.get(f"/notifications/{first.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/preferences"
    assert _badge(client) == "1"
    assert client.post("/notifications/read-all").status_code == 302
    assert _badge(client) is None


def test_opening_a_notification_with_an_unsafe_link_stays_on_the_site(client, world):
    db.session.add(Notification(user_id=world.a.staff.id, category="notice", title="x",
                                link="//evil.example/phish"))
    db.session.commit()
    note_id = db.session.execute(select(Notification.id)).scalar_one()
    login(client, world.a.staff)
    response = client.get(f"/notifications/{note_id}")
    assert response.headers["Location"] == "/notifications"


@pytest.mark.parametrize("who", ["staff_a", "owner_b", "admin"])
def test_other_peoples_notifications_are_not_found(client, world, who):
    notify([world.b.staff.id], "notice", "只给 B 的员工")
    db.session.commit()
    note_id = db.session.execute(select(Notification.id)).scalar_one()
    viewer = {"staff_a": world.a.staff, "owner_b": world.b.owner, "admin": world.admin}[who]
    login(client, viewer)
    assert client.get(f"/notifications/{note_id}").status_code == 404
    assert "只给 B 的员工" not in client.get("/notifications").get_data(as_text=True)
    assert unread_count(world.b.staff) == 1


def test_mark_all_read_only_touches_own_rows(client, world):
    notify([world.a.staff.id, world.a.manager.id], "notice", "大家好")
    db.session.commit()
    login(client, world.a.staff)
    client.post("/notifications/read-all")
    assert unread_count(world.a.staff) == 0
    assert unread_count(world.a.manager) == 1


def test_mark_read_by_id_ignores_other_peoples_ids(world):
    notify([world.a.staff.id, world.b.staff.id], "notice", "x")
    ids = db.session.execute(select(Notification.id)).scalars().all()
    assert mark_read(world.a.staff, ids) == 1
    assert unread_count(world.b.staff) == 1


def test_centre_filters_unread_and_category(client, world):
    notify([world.a.staff.id], "exam", "考试通知")
    notify([world.a.staff.id], "training", "培训通知")
    db.session.commit()
    login(client, world.a.staff)
    page = client.get("/notifications?category=exam").get_data(as_text=True)
    assert "考试通知" in page and "培训通知" not in page
    exam = db.session.execute(select(Notification.id).where(
        Notification.category == "exam")).scalar_one()
    client.get(f"/notifications/{exam}")
    page = client.get("/notifications?unread=1").get_data(as_text=True)
    assert "培训通知" in page and "考试通知" not in page


def test_empty_centre_says_so(client, world):
    login(client, world.a.staff)
    response = client.get("/notifications")
    assert response.status_code == 200
    assert 'class="empty-state"' in response.get_data(as_text=True)


def test_turning_off_in_app_stops_ordinary_notifications(client, world):
    login(client, world.a.staff)
    # Everything ticked except exams in the portal.
    form = {f"{c}-{ch}": "1" for c in ("policy", "notice", "training", "scoring", "system")
            for ch in ("in_app", "webhook")}
    assert client.post("/notifications/preferences", data=form).status_code == 302
    assert notify([world.a.staff.id], "exam", "普通考试提醒") == 0
    assert notify([world.a.staff.id], "notice", "普通通知") == 1


def test_mandatory_notification_bypasses_a_disabled_in_app_preference(client, world):
    login(client, world.a.staff)
    client.post("/notifications/preferences", data={})  # everything off
    assert notify([world.a.staff.id], "exam", "普通") == 0
    assert notify([world.a.staff.id], "exam", "必读的考试纪律", mandatory=True) == 1
    db.session.commit()
    assert _inbox(world.a.staff) == ["必读的考试纪律"]


def test_policy_always_reaches_the_inbox(client, world):
    login(client, world.a.staff)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="pref-policy-in_app"[^>]*>', page).group(0)
    assert "checked" in box and "disabled" in box
    client.post("/notifications/preferences", data={})
    assert notify([world.a.staff.id], "policy", "新价格政策") == 1


def test_email_column_is_disabled_without_smtp(client, world):
    login(client, world.a.staff)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="pref-exam-email"[^>]*>', page).group(0)
    assert "disabled" in box


def test_principal_staff_have_no_chat_group_column(client, world):
    login(client, world.cm)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'id="pref-exam-in_app"' in page
    assert 'id="pref-exam-webhook"' not in page


def test_saving_keeps_choices_on_channels_the_page_does_not_offer(app, client, make, world):
    from portal.notify.services import preferences
    app.config.update(SMTP_HOST="127.0.0.1", MAIL_FROM="portal@example.com")
    staff = make.person("staff", world.a.partner, world.a.team, email="x@example.com")
    login(client, staff)
    client.post("/notifications/preferences", data={"exam-in_app": "1", "exam-email": "1"})
    app.config["SMTP_HOST"] = None  # e-mail switched off: its column is greyed out
    client.post("/notifications/preferences", data={"exam-in_app": "1"})
    chosen = preferences(staff)
    assert chosen[("exam", "email")] is True
    assert chosen[("notice", "in_app")] is False


def test_notify_fans_out_to_thousands_in_a_few_statements(world):
    rows = [{"username": f"bulk{i}", "display_name": f"bulk{i}", "password_hash": "x",
             "role": "staff", "partner_id": world.a.partner.id, "active": True,
             "created_at": world.a.partner.created_at} for i in range(5000)]
    db.session.execute(insert(User), rows)
    db.session.commit()
    ids = db.session.execute(select(User.id).where(User.username.like("bulk%"))).scalars().all()
    statements = []

    def count(*args):
        statements.append(args[2])
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        made = notify(ids, "training", "全员培训")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    db.session.commit()
    assert made == 5000
    assert len(statements) <= 4
    assert db.session.execute(select(func.count()).select_from(Notification)).scalar() == 5000


def test_prune_forgets_old_read_notifications_but_keeps_unread_ones(world):
    from datetime import datetime, timedelta, timezone
    from portal.core import clock
    from portal.notify.services import prune
    clock.set_now(datetime(2026, 1, 1, tzinfo=timezone.utc))
    notify([world.a.staff.id, world.a.manager.id], "notice", "旧通知")
    mark_read(world.a.staff)
    clock.advance(timedelta(days=181))
    notify([world.a.staff.id], "notice", "新通知")
    mark_read(world.a.staff)
    assert prune(180) == (1, 0)
    db.session.commit()
    assert _inbox(world.a.staff) == ["新通知"]
    assert _inbox(world.a.manager) == ["旧通知"]
