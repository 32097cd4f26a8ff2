"""A leader's one-tap exam reminder before the close: an owner reminds its partner's
people, a team lead its team's, who are assigned to the open sitting and have not taken
it, nobody else; once an hour per sitting and per sender's people; recorded and audited;
refused once the sitting closed; the button on the home panel and the not-taken page.

The world: partners A and B, each with an owner, a manager leading team 1 with staff,
and staff of team 2. The exam is for everyone of both partners; A's staff has submitted."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.core.audit import AuditLog
from portal.exams import services, taking
from portal.exams.models import ExamNudge
from portal.extensions import db
from portal.notify.models import Notification
from tests.conftest import login
from tests.examining import freeze, later, scheduled_exam

pytestmark = pytest.mark.usefixtures("banks")


@pytest.fixture
def sitting(world):
    freeze()
    exam = scheduled_exam(world.admin, {"partner_ids": [world.a.partner.id,
                                                        world.b.partner.id],
                                        "roles": ["owner", "manager", "staff"]},
                          title="本周小测", hours=12)
    sitting = exam.sittings[0]
    taking.submit(taking.start_or_resume(world.a.staff, sitting))
    db.session.commit()
    return sitting


def _reminded(*people) -> dict:
    """{username: how many exam notices it has} for `people` (no job runs here: they are
    all reminders)."""
    db.session.expire_all()
    return {p.username: len(db.session.execute(select(Notification.id).where(
        Notification.user_id == p.id, Notification.category == "exam")).all())
        for p in people}


def _nudge(client, sitting, **kw):
    return client.post(f"/exams/sittings/{sitting.id}/nudge", **kw)


def _as(app, user):
    """A client of its own logged in as `user`."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _everyone(world):
    return [getattr(side, who) for side in (world.a, world.b)
            for who in ("owner", "manager", "staff", "other_staff")]


def test_an_owner_reminds_exactly_its_partners_people_who_have_not_taken_it(
        client, world, sitting):
    login(client, world.a.owner)
    response = _nudge(client, sitting, follow_redirects=True)
    assert response.status_code == 200 and "已提醒 2 人。" in response.get_data(as_text=True)
    assert _reminded(*_everyone(world)) == {
        "owner_a": 0,  # never itself
        "manager_a": 1, "staff_a": 0,  # A's staff has taken it
        "staff2_a": 1,
        "owner_b": 0, "manager_b": 0, "staff_b": 0, "staff2_b": 0}  # another partner
    note = db.session.execute(select(Notification).where(
        Notification.user_id == world.a.other_staff.id)).scalar_one()
    assert world.a.owner.display_name in note.title and "本周小测" in note.title
    assert note.link == f"/exams/sittings/{sitting.id}"


def test_a_team_lead_reminds_its_own_team_only(app, world, sitting):
    client = _as(app, world.b.manager)  # B's staff of team 1 has not taken it
    assert _nudge(client, sitting).status_code == 302
    assert _reminded(*_everyone(world)) == {
        "owner_a": 0, "manager_a": 0, "staff_a": 0, "staff2_a": 0,
        "owner_b": 0, "manager_b": 0, "staff_b": 1,
        "staff2_b": 0}  # the other team of the same partner


def test_a_second_tap_within_the_hour_says_when_and_sends_nothing(client, world, sitting):
    login(client, world.a.owner)
    _nudge(client, sitting)
    later(minutes=20)
    page = _nudge(client, sitting, follow_redirects=True).get_data(as_text=True)
    assert "一小时内已提醒过你的人员" in page and "10:00 之后可以再次提醒" in page  # 09:00 + 1 h
    assert _reminded(world.a.other_staff) == {"staff2_a": 1}
    client.post("/lang/en", data={"next": "/"})
    page = _nudge(client, sitting, follow_redirects=True).get_data(as_text=True)
    assert "you can remind them again after 10:00" in page
    later(minutes=41)
    page = _nudge(client, sitting, follow_redirects=True).get_data(as_text=True)
    assert "2 people were reminded." in page
    assert _reminded(world.a.other_staff) == {"staff2_a": 2}
    note = db.session.execute(select(Notification.title).where(
        Notification.user_id == world.a.other_staff.id).order_by(Notification.id.desc())
    ).scalars().first()
    assert note == f"{world.a.owner.display_name} asks you to take 本周小测"


def test_each_senders_people_have_their_own_hour(app, world, sitting):
    _nudge(_as(app, world.a.owner), sitting)
    _nudge(_as(app, world.b.owner), sitting)
    _nudge(_as(app, world.b.manager), sitting)  # its team: within the owner's hour too
    # A's team lead: its team's staff has taken it and it does not remind itself.
    page = _nudge(_as(app, world.a.manager), sitting, follow_redirects=True
                  ).get_data(as_text=True)
    assert "你的人员中被安排的都已参加" in page
    assert _reminded(world.b.staff, world.a.other_staff) == {"staff_b": 2, "staff2_a": 1}


def test_a_reminder_is_recorded_with_who_sent_it_and_audited(app, world, sitting):
    _nudge(_as(app, world.b.manager), sitting)
    nudge = db.session.execute(select(ExamNudge)).scalar_one()
    assert (nudge.sitting_id, nudge.partner_id, nudge.team_id, nudge.sent_by, nudge.people) \
        == (sitting.id, world.b.partner.id, world.b.team.id, world.b.manager.id, 1)
    assert nudge.sent_at == clock.now()
    logged = db.session.execute(select(AuditLog).where(
        AuditLog.object_type == "ExamNudge")).scalar_one()
    assert logged.action == "create" and logged.actor_id == world.b.manager.id
    assert logged.after["people"] == 1 and logged.after["sitting_id"] == sitting.id


def test_a_closed_sitting_cannot_be_reminded_of(client, world, sitting):
    later(hours=12)
    login(client, world.a.owner)
    response = _nudge(client, sitting)
    assert response.status_code == 409
    assert "已经无法参加" in response.get_data(as_text=True)
    client.post("/lang/en", data={"next": "/"})
    assert "it can no longer be taken" in _nudge(client, sitting).get_data(as_text=True)
    assert _reminded(world.a.other_staff) == {"staff2_a": 0}
    assert db.session.execute(select(ExamNudge)).first() is None


def test_a_cancelled_exam_cannot_be_reminded_of(client, world, sitting):
    services.cancel(sitting.exam)
    db.session.commit()
    login(client, world.a.owner)
    assert _nudge(client, sitting).status_code == 409
    assert _reminded(world.a.other_staff) == {"staff2_a": 0}


@pytest.mark.parametrize("who", ["staff", "admin", "cm"])
def test_only_owners_and_team_leads_remind(app, world, sitting, who):
    user = getattr(world.a, who, None) or getattr(world, who)
    assert _nudge(_as(app, user), sitting).status_code == 403
    assert _reminded(world.a.other_staff) == {"staff2_a": 0}


def test_a_sitting_of_another_partner_is_not_found(client, world, make):
    freeze()
    exam = scheduled_exam(world.admin, {"partner_ids": [world.b.partner.id]}, title="B的考试")
    login(client, world.a.owner)
    assert _nudge(client, exam.sittings[0]).status_code == 404
    assert _reminded(world.b.staff) == {"staff_b": 0}


def _panel(app, user) -> str:
    page = _as(app, user).get("/").get_data(as_text=True)
    return page.split('id="home-team-exams"')[1].split("</section>")[0]


def test_the_home_panel_asks_with_the_exact_number_and_posts_the_reminder(app, world,
                                                                          sitting):
    panel = _panel(app, world.a.owner)
    assert f'action="/exams/sittings/{sitting.id}/nudge"' in panel
    assert "提醒他们" in panel and "向尚未参加的 2 人发送提醒？" in panel
    _nudge(_as(app, world.a.owner), sitting)
    panel = _panel(app, world.a.owner)
    assert "10:00 之后可再次提醒" in panel  # the button stays; a tap says when
    # A's team lead: its team's staff has taken it and it does not remind itself.
    assert "/nudge" not in _panel(app, world.a.manager)
    assert "向尚未参加的 1 人发送提醒？" in _panel(app, world.b.manager)


def test_the_not_taken_page_has_the_button_for_those_the_rule_allows(app, world, sitting):
    url = f"/exams/reports/sittings/{sitting.id}/not-taken"
    client = _as(app, world.a.owner)
    page = client.get(url).get_data(as_text=True)
    assert f'action="/exams/sittings/{sitting.id}/nudge?next=' in page
    assert "向尚未参加的 2 人发送提醒？" in page
    response = client.post(f"/exams/sittings/{sitting.id}/nudge?next={url}")
    assert response.headers["Location"] == url
    for reader in (world.admin, world.cm, world.auditor):
        page = _as(app, reader).get(url).get_data(as_text=True)
        assert 'id="not-taken"' in page and "/nudge" not in page
    later(hours=12)  # closed: nothing to remind of
    assert "/nudge" not in client.get(url).get_data(as_text=True)


def test_a_sitting_not_open_yet_cannot_be_reminded_of(client, world):
    freeze()
    exam = scheduled_exam(world.admin, {"partner_ids": [world.a.partner.id]}, title="下周小测",
                          opens_at=clock.now() + timedelta(days=7),
                          closes_at=clock.now() + timedelta(days=7, hours=12))
    login(client, world.a.owner)
    response = _nudge(client, exam.sittings[0])
    assert response.status_code == 409 and "开放后再提醒" in response.get_data(as_text=True)


def test_a_deactivated_person_is_neither_counted_nor_reminded(app, world, sitting):
    world.a.other_staff.active = False
    db.session.commit()
    assert "向尚未参加的 1 人发送提醒？" in _panel(app, world.a.owner)
    _nudge(_as(app, world.a.owner), sitting)
    assert _reminded(world.a.manager, world.a.other_staff) == {"manager_a": 1, "staff2_a": 0}
    assert db.session.execute(select(ExamNudge.people)).scalar_one() == 1


def test_the_home_panel_leaves_out_a_cancelled_exam(app, world, sitting):
    services.cancel(sitting.exam)
    db.session.commit()
    panel = _panel(app, world.a.owner)
    assert "本周小测" not in panel and 'id="no-team-exams"' in panel
