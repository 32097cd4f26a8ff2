"""The home page of partner people: their own to-dos first (broadcasts to acknowledge,
exams open now with time left and attempts, courses in progress, recent results), then
for owners and team leads their team's state (who has not acknowledged what, who has not
taken the open exam, course completion by person) with a one-tap reminder."""
from datetime import timedelta

import pytest

from portal.core import clock
from portal.extensions import db
from portal.notify.models import Notification
from tests.broadcasting import T0, freeze, publish
from tests.conftest import login
from tests.examining import HABITS, scheduled_exam


@pytest.fixture
def today(app, world, banks):
    freeze()
    policy = publish(world.admin, requires_ack=True, title="保护期政策",
                     ack_deadline=T0 + timedelta(days=2))
    exam = scheduled_exam(world.admin, {"partner_ids": [world.a.partner.id]}, draw=HABITS,
                          title="本周小测")
    return policy, exam


def _home(client, user):
    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_staff_land_on_their_to_dos(client, world, today):
    policy, exam = today
    page = _home(client, world.a.staff)
    todo = page.split('id="home-to-ack"')[1].split("</section>")[0]
    assert "保护期政策" in todo
    exams = page.split('id="home-exams"')[1].split("</section>")[0]
    assert "本周小测" in exams and "已用 0/1 次机会" in exams
    assert 'id="home-team-acks"' not in page and 'id="home-team-exams"' not in page


def test_an_owner_sees_who_has_not_acknowledged_or_taken_the_exam_and_reminds(
        client, world, today):
    policy, exam = today
    from portal.broadcasts import services
    services.acknowledge(world.a.staff, policy)
    db.session.commit()
    page = _home(client, world.a.owner)
    acks = page.split('id="home-team-acks"')[1].split("</section>")[0]
    assert "保护期政策" in acks and world.a.other_staff.display_name in acks
    assert world.a.staff.display_name not in acks  # it acknowledged
    assert world.b.staff.display_name not in page  # another partner's people never show
    exams = page.split('id="home-team-exams"')[1].split("</section>")[0]
    assert "本周小测" in exams and world.a.staff.display_name in exams
    remind = client.post(f"/broadcasts/{policy.id}/nudge")  # before the deadline
    assert remind.status_code == 302


def test_a_team_lead_sees_and_reminds_its_own_team_only(client, world, today):
    policy, _exam = today
    page = _home(client, world.a.manager)
    acks = page.split('id="home-team-acks"')[1].split("</section>")[0]
    assert world.a.staff.display_name in acks
    assert world.a.other_staff.display_name not in acks  # another team
    assert f'action="/broadcasts/{policy.id}/nudge?next=/"' in acks and "提醒他们" in acks
    remind = client.post(f"/broadcasts/{policy.id}/nudge?next=/", follow_redirects=True)
    assert remind.request.path == "/" and "已提醒 1 人" in remind.get_data(as_text=True)
    reminded = {n.user_id for n in Notification.query.filter(
        Notification.title.contains("保护期政策"))}
    assert reminded == {world.a.staff.id}  # not the other team, not B, not itself


def test_nothing_to_do_says_so(client, world, app):
    freeze()
    page = _home(client, world.a.staff)
    assert 'id="nothing-to-ack"' in page and 'id="no-open-exams"' in page


def test_principal_roles_land_on_the_health_overview(client, world):
    login(client, world.cm)
    assert client.get("/").headers["Location"].endswith("/health/")
    clock.set_now(None)
