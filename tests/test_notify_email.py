"""E-mail notifications, sent to a local SMTP server the test starts."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.notify.models import Delivery
from portal.notify.sending import deliver_due
from portal.notify.services import notify
from tests.conftest import login
from tests.notify_servers import smtp_server

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def mailbox(app):
    with smtp_server() as (mailbox, port):
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="portal@example.com",
                          PUBLIC_URL="https://portal.example.com")
        clock.set_now(T0)
        yield mailbox


def _choose_email(client, user, *categories):
    login(client, user)
    form = {f"{c}-in_app": "1" for c in ("notice", "training", "exam", "scoring", "system")}
    form.update({f"{c}-email": "1" for c in categories})
    assert client.post("/notifications/preferences", data=form).status_code == 302
    client.post("/logout")


def _emails():
    return db.session.execute(select(Delivery).where(Delivery.channel == "email")
                              .order_by(Delivery.id)).scalars().all()


def test_email_goes_to_people_who_chose_it_for_the_category(client, make, world, mailbox):
    staff = make.person("staff", world.a.partner, world.a.team, email="li.lei@example.com")
    manager = make.person("manager", world.a.partner, world.a.team, email="han@example.com")
    _choose_email(client, staff, "exam")
    _choose_email(client, manager, "training")
    notify([staff.id, manager.id], "exam", "考试提醒：产品知识考试明天截止",
           body="请在明天 18:00 前完成考试。", link="/exams/7")
    db.session.commit()
    assert [d.address for d in _emails()] == ["li.lei@example.com"]

    assert deliver_due(clock.now()) == {"sent": 1}
    (recipients, message), = mailbox.messages
    assert recipients == ["li.lei@example.com"]
    assert message["Subject"] == "考试提醒：产品知识考试明天截止"
    assert message["From"] == "portal@example.com"
    text = message.get_content()
    assert "请在明天 18:00 前完成考试。" in text
    assert "https://portal.example.com/exams/7" in text
    delivery = _emails()[0]
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("sent", 1, T0)


def test_people_without_an_address_get_no_email(client, world, mailbox):
    _choose_email(client, world.a.staff, "exam")  # the world's people have no e-mail
    notify([world.a.staff.id], "exam", "提醒")
    db.session.commit()
    assert _emails() == []


def test_no_email_is_queued_when_smtp_is_not_set_up(app, client, make, world, mailbox):
    staff = make.person("staff", world.a.partner, world.a.team, email="x@example.com")
    _choose_email(client, staff, "notice")
    app.config["SMTP_HOST"] = None
    notify([staff.id], "notice", "通知")
    db.session.commit()
    assert _emails() == []


def test_a_refused_email_is_retried_later(client, make, world, mailbox):
    staff = make.person("staff", world.a.partner, world.a.team, email="gone@example.com")
    _choose_email(client, staff, "notice")
    notify([staff.id], "notice", "通知")
    db.session.commit()
    mailbox.refuse = "550 No such user"
    assert deliver_due(clock.now()) == {"failed": 1}
    delivery = _emails()[0]
    assert delivery.response_code == 550
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1)
    mailbox.refuse = None
    clock.advance(timedelta(minutes=1))
    assert deliver_due(clock.now()) == {"sent": 1}
    assert len(mailbox.messages) == 1
