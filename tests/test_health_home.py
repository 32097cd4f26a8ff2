"""An owner's and a team lead's home: its health this month and today's habit to-dos,
each person with a one-tap reminder that reaches that person once an hour at most."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.health.models import HealthNudge
from portal.notify.models import Notification
from tests.conftest import login
from tests.habiting import customer, freeze, later, visit


@pytest.fixture
def a(world):
    freeze()
    return world.a


def _home(client, user) -> str:
    login(client, user)
    return client.get("/").get_data(as_text=True)


def _inbox(person) -> list[str]:
    return db.session.execute(select(Notification.title).where(
        Notification.user_id == person.id)).scalars().all()


def test_the_owner_sees_who_logged_nothing_and_whose_follow_ups_are_late(client, a):
    shop = customer(a.staff)
    visit(a.staff, shop)  # a next step in 3 days: a follow-up due then
    later(days=5)  # the follow-up is two days late; staff2 never logged a visit
    page = _home(client, a.owner)
    assert 'id="home-habit-todos"' in page
    silent = page.split('id="todo-logging"')[1].split("</div>")[0]
    assert a.other_staff.display_name in silent and a.staff.display_name not in silent
    assert a.manager.display_name in silent  # a team lead sells too
    late = page.split('id="todo-follow_ups"')[1].split("</div>")[0]
    assert a.staff.display_name in late and "· 1" in late


def test_a_team_lead_sees_its_own_team_only(client, a):
    page = _home(client, a.manager)
    silent = page.split('id="todo-logging"')[1].split("</div>")[0]
    assert a.staff.display_name in silent
    assert a.other_staff.display_name not in silent  # another team's
    assert a.manager.display_name not in silent  # never itself


def test_staff_have_no_team_to_dos(client, a):
    assert 'id="home-habit-todos"' not in _home(client, a.staff)


def test_one_tap_reminds_the_person_once_an_hour(client, a):
    login(client, a.owner)
    url = f"/health/nudge/logging/{a.other_staff.id}?next=/"
    assert client.post(url).status_code == 302
    assert any(a.owner.display_name in title for title in _inbox(a.other_staff))
    nudges = db.session.execute(select(HealthNudge)).scalars().all()
    assert [(n.kind, n.user_id, n.sent_by) for n in nudges] == [
        ("logging", a.other_staff.id, a.owner.id)]
    page = client.get("/").get_data(as_text=True)
    row = page.split(f'data-person="{a.other_staff.id}"')[1].split("</li>")[0]
    assert "<button" not in row and "11:00" in row  # reminded at 10:00: again after 11:00
    client.post(url)  # again within the hour: nothing more is sent
    assert len(_inbox(a.other_staff)) == 1
    later(hours=1, minutes=1)
    client.post(url)
    assert len(_inbox(a.other_staff)) == 2


def test_reminders_stay_inside_ones_own_people(client, world, a):
    login(client, a.manager)
    # Another team's person, another partner's, and oneself: not one of its people.
    for person in (a.other_staff, world.b.staff, a.manager):
        assert client.post(f"/health/nudge/logging/{person.id}").status_code == 404
    client.post("/logout")
    login(client, a.staff)
    assert client.post(f"/health/nudge/logging/{a.other_staff.id}").status_code == 403
    client.post("/logout")
    login(client, world.cm)
    assert client.post(f"/health/nudge/logging/{a.staff.id}").status_code == 403
    assert not db.session.execute(select(HealthNudge)).scalars().all()


def test_nothing_to_remind_of_is_refused_plainly(client, a):
    shop = customer(a.staff)
    visit(a.staff, shop)
    login(client, a.owner)
    response = client.post(f"/health/nudge/logging/{a.staff.id}")  # it logged today
    assert response.status_code == 409
    assert client.post(f"/health/nudge/shouting/{a.staff.id}").status_code == 400


def test_the_home_card_shows_this_months_health_or_says_there_is_none(client, a):
    from portal.health.compute import compute_month
    from portal.results.months import first_of
    from tests.healthing import settle
    settle(a.owner, a.manager, a.staff, a.other_staff)
    page = _home(client, a.owner)
    assert 'id="home-health"' in page and 'id="home-health-overall"' not in page
    shop = customer(a.staff)
    visit(a.staff, shop)
    compute_month(first_of(freeze().date()))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert 'id="home-health-overall"' in page
    assert f'/health/partners/{a.partner.id}' in page
