"""Management pages: partners and territories, teams, people."""
import random
import re

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.extensions import db
from portal.org.models import Partner, Team, Territory
from portal.org.uscc import make_uscc
from tests.conftest import PASSWORD, login

# Messages are asserted in English, whatever the default language of the portal.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def partner_data(**changes):
    data = {"name": "新代理商", "uscc": make_uscc(random.Random(99), "330100"), "tier": "A",
            "structure": "tight", "status": "active", "contract_start": "2026-01-01",
            "contract_end": "2026-12-31", "province_code": "33", "channel_manager_id": ""}
    data.update(changes)
    return data


def signed_in(app, user):
    """A fresh client logged in as `user` (a client stays with its first login)."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def field_errors(response, name):
    """The messages shown under form field `name`."""
    html = response.get_data(as_text=True)
    return re.findall(rf'data-field="{name}">([^<]*)<', html)


# --- partners -------------------------------------------------------------------------

def test_admin_creates_partner(client, world):
    login(client, world.admin)
    response = client.post("/manage/partners/new",
                           data=partner_data(channel_manager_id=str(world.cm.id)))
    assert response.status_code == 302
    partner = db.session.execute(select(Partner).where(Partner.name == "新代理商")).scalar_one()
    assert (partner.tier, partner.structure, partner.channel_manager_id) == ("A", "tight",
                                                                           world.cm.id)


def test_bad_credit_code_shows_reason_and_stores_nothing(client, world):
    login(client, world.admin)
    for code, reason in (("91330100MA2B3C4D5", "exactly 18 characters"),
                         ("91330100MA2B3C4DIX", "Only digits and capital letters"),
                         ("9133A100MA2B3C4D5X", "Characters 3 to 8")):
        response = client.post("/manage/partners/new", data=partner_data(uscc=code))
        assert response.status_code == 400
        assert any(reason in message for message in field_errors(response, "uscc")), code
    assert count(Partner) == 2


def test_wrong_check_character_is_refused_on_edit(client, world):
    partner = world.a.partner
    good = partner.uscc
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    login(client, world.admin)
    response = client.post(f"/manage/partners/{partner.id}/edit",
                           data=partner_data(name=partner.name, uscc=wrong))
    assert response.status_code == 400
    assert any("does not match" in m for m in field_errors(response, "uscc"))
    db.session.expire_all()
    assert db.session.get(Partner, partner.id).uscc == good


def test_duplicate_partner_name_and_code_are_field_errors(client, world):
    login(client, world.admin)
    response = client.post("/manage/partners/new", data=partner_data(name="代理商B"))
    assert response.status_code == 400
    assert field_errors(response, "name") == ["Another partner already has this name."]
    response = client.post("/manage/partners/new",
                           data=partner_data(uscc=world.b.partner.uscc.lower()))
    assert response.status_code == 400
    assert field_errors(response, "uscc") == ["Another partner already has this credit code."]
    assert count(Partner) == 2


def test_contract_cannot_end_before_it_starts(client, world):
    login(client, world.admin)
    response = client.post("/manage/partners/new", data=partner_data(
        contract_start="2026-06-01", contract_end="2026-05-31"))
    assert response.status_code == 400
    assert field_errors(response, "contract_end")


def test_only_admin_edits_partners(client, world):
    login(client, world.cm)
    assert client.get(f"/manage/partners/{world.a.partner.id}/edit").status_code == 403
    assert client.get(f"/manage/partners/{world.b.partner.id}/edit").status_code == 404
    assert client.get("/manage/partners/new").status_code == 403


def test_terminating_a_partner_keeps_the_record(client, world):
    login(client, world.admin)
    response = client.post(f"/manage/partners/{world.b.partner.id}/status/terminated")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Partner, world.b.partner.id).status == "terminated"


# --- territories ----------------------------------------------------------------------

def add_territory(client, partner, code, exclusive):
    levels = dict(zip(("t-province", "t-city", "t-county", "t-town"),
                      (code[:n] for n in (2, 4, 6, 9) if len(code) >= n)))
    if exclusive:
        levels["t-exclusive"] = "y"
    return client.post(f"/manage/partners/{partner.id}/territories", data=levels)


def test_exclusive_territory_cannot_go_to_a_second_partner(client, world):
    a, b = world.a.partner, world.b.partner  # A holds 330102 exclusively, B 330106
    login(client, world.admin)
    # the region itself, a town inside it, and the city around it
    for code, exclusive in (("330102", False), ("330102001", False), ("3301", False)):
        response = add_territory(client, b, code, exclusive)
        assert response.status_code == 400
        assert "代理商A" in response.get_data(as_text=True)
    assert count(Territory, Territory.partner_id == b.id) == 1

    assert add_territory(client, b, "3303", exclusive=False).status_code == 302
    response = add_territory(client, a, "3303", exclusive=True)
    assert response.status_code == 400  # B already works there
    assert "代理商B" in response.get_data(as_text=True)
    assert count(Territory, Territory.partner_id == a.id) == 1


def test_shared_territory_can_be_shared(client, world):
    login(client, world.admin)
    assert add_territory(client, world.a.partner, "3303", exclusive=False).status_code == 302
    assert add_territory(client, world.b.partner, "3303", exclusive=False).status_code == 302
    assert add_territory(client, world.b.partner, "3303", exclusive=False).status_code == 400
    assert count(Territory, Territory.region_code == "3303") == 2


def test_admin_removes_a_territory(client, world):
    login(client, world.admin)
    territory_id = world.a.territory.id
    assert client.post(f"/manage/territories/{territory_id}/remove").status_code == 302
    assert db.session.get(Territory, territory_id) is None
    assert add_territory(client, world.b.partner, "330102", exclusive=True).status_code == 302


def test_region_children_feed_the_cascading_selects(client, world):
    login(client, world.admin)
    cities = client.get("/manage/regions/33/children").get_json()
    assert {"code": "3301", "name": "杭州市", "level": "city"} in cities
    assert client.get("/manage/regions/99/children").status_code == 404


# --- teams ----------------------------------------------------------------------------

def test_owner_creates_team_with_unique_name(client, world):
    login(client, world.a.owner)
    url = f"/manage/partners/{world.a.partner.id}/teams/new"
    response = client.post(url, data={"name": "三组", "leader_id": str(world.a.manager.id)})
    assert response.status_code == 302
    team = db.session.execute(select(Team).where(Team.name == "三组")).scalar_one()
    assert team.leader_id == world.a.manager.id
    response = client.post(url, data={"name": "一组a", "leader_id": ""})
    assert response.status_code == 400
    assert field_errors(response, "name")


def test_team_leader_must_be_a_manager_of_the_partner(client, world):
    login(client, world.admin)
    response = client.post(f"/manage/teams/{world.a.team.id}/edit",
                           data={"name": "一组a", "leader_id": str(world.b.manager.id)})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Team, world.a.team.id).leader_id == world.a.manager.id


def test_owner_cannot_touch_other_partner_teams(client, world):
    login(client, world.a.owner)
    assert client.get(f"/manage/teams/{world.b.team.id}/edit").status_code == 404
    assert client.get(f"/manage/partners/{world.b.partner.id}/teams/new").status_code == 404


def test_manager_may_not_manage_teams_or_people(client, world):
    login(client, world.a.manager)
    assert client.get(f"/manage/partners/{world.a.partner.id}/teams/new").status_code == 403
    assert client.get(f"/manage/teams/{world.a.team.id}/edit").status_code == 403
    assert client.get(f"/manage/partners/{world.a.partner.id}/people/new").status_code == 403


def test_channel_manager_deactivates_team(client, world):
    login(client, world.cm)
    assert client.post(f"/manage/teams/{world.a.other_team.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Team, world.a.other_team.id).active is False


# --- people ---------------------------------------------------------------------------

def person_data(**changes):
    data = {"username": "newbie", "display_name": "新人", "role": "staff", "team": "",
            "email": "", "phone": "", "password": "long-enough-1"}
    data.update(changes)
    return data


def test_owner_adds_staff_to_own_partner(client, world):
    login(client, world.a.owner)
    response = client.post(f"/manage/partners/{world.a.partner.id}/people/new",
                           data=person_data(team=str(world.a.team.id), phone="13912345678"))
    assert response.status_code == 302
    person = db.session.execute(select(User).where(User.username == "newbie")).scalar_one()
    assert (person.partner_id, person.team_id, person.role) == (
        world.a.partner.id, world.a.team.id, "staff")


def test_owner_cannot_create_an_owner(client, world):
    login(client, world.a.owner)
    response = client.post(f"/manage/partners/{world.a.partner.id}/people/new",
                           data=person_data(role="owner"))
    assert response.status_code == 400
    assert field_errors(response, "role")
    assert count(User, User.username == "newbie") == 0


def test_owner_cannot_add_people_to_other_partner(client, world):
    login(client, world.a.owner)
    response = client.post(f"/manage/partners/{world.b.partner.id}/people/new",
                           data=person_data())
    assert response.status_code == 404
    assert count(User, User.username == "newbie") == 0


def test_bad_person_fields_are_field_errors(client, world):
    login(client, world.cm)
    for field, value in (("username", "x"), ("username", "owner_b"), ("email", "not-an-address"),
                         ("phone", "12345678901"), ("password", "short"), ("team", "99999")):
        response = client.post(f"/manage/partners/{world.a.partner.id}/people/new",
                               data=person_data(**{field: value}))
        assert response.status_code == 400
        assert field_errors(response, field), (field, value)
    assert count(User, User.display_name == "新人") == 0


def test_edit_person_changes_team_and_contact(client, world):
    login(client, world.a.owner)
    staff = world.a.staff
    response = client.post(f"/manage/people/{staff.id}/edit", data=person_data(
        username=staff.username, role="staff", team=str(world.a.other_team.id),
        email="li@example.cn", password=""))
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(User, staff.id)
    assert (person.team_id, person.email) == (world.a.other_team.id, "li@example.cn")


def test_team_leader_keeps_manager_role(client, world):
    login(client, world.a.owner)
    manager = world.a.manager
    response = client.post(f"/manage/people/{manager.id}/edit", data=person_data(
        username=manager.username, role="staff", team=str(world.a.team.id)))
    assert response.status_code == 400
    assert field_errors(response, "role")


def test_owner_cannot_edit_other_partner_people_or_principals(app, world):
    owner = signed_in(app, world.a.owner)
    assert owner.get(f"/manage/people/{world.b.staff.id}/edit").status_code == 404
    assert owner.get(f"/manage/people/{world.cm.id}/edit").status_code == 404
    cm = signed_in(app, world.cm)
    assert cm.get(f"/manage/people/{world.a.owner.id}/edit").status_code == 200
    assert cm.get(f"/manage/people/{world.b.owner.id}/edit").status_code == 404
    assert cm.get(f"/manage/people/{world.admin.id}/edit").status_code == 404


def test_nobody_changes_their_own_role(client, world):
    login(client, world.a.owner)
    owner = world.a.owner
    response = client.post(f"/manage/people/{owner.id}/edit", data=person_data(
        username=owner.username, role="staff"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, owner.id).role == "owner"


def test_deactivating_a_person_ends_their_session(app, client, world):
    staff_client = app.test_client()
    login(staff_client, world.a.staff)
    assert staff_client.get("/").status_code == 200  # its home page
    assert staff_client.get(f"/people/{world.a.staff.id}").status_code == 200

    login(client, world.a.owner)
    assert client.post(f"/manage/people/{world.a.staff.id}/deactivate").status_code == 302
    response = staff_client.get(f"/people/{world.a.staff.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert login(staff_client, world.a.staff).status_code == 401

    assert client.post(f"/manage/people/{world.a.staff.id}/reactivate").status_code == 302
    assert login(staff_client, world.a.staff).status_code == 302


def test_admin_resets_password(app, client, world):
    staff_client = app.test_client()
    login(staff_client, world.a.staff)
    login(client, world.admin)
    response = client.post(f"/manage/people/{world.a.staff.id}/password",
                           data={"new_password": "brand-new-pass"})
    assert response.status_code == 302
    assert staff_client.get(f"/people/{world.a.staff.id}").status_code == 302
    assert login(staff_client, world.a.staff, "brand-new-pass").status_code == 302


def test_only_admin_resets_passwords(client, world):
    login(client, world.a.owner)
    response = client.post(f"/manage/people/{world.a.staff.id}/password",
                           data={"new_password": "brand-new-pass"})
    assert response.status_code == 403
    assert login(client.application.test_client(), world.a.staff).status_code == 302  # unchanged


def test_admin_creates_principal_account(app, client, world):
    login(client, world.admin)
    data = person_data(username="cm2", role="channel_manager")
    del data["team"]
    response = client.post("/manage/users/new", data=data)
    assert response.status_code == 302
    assert db.session.execute(select(User.role).where(User.username == "cm2")).scalar() \
        == "channel_manager"
    assert signed_in(app, world.cm).get("/manage/users/new").status_code == 403


def test_users_page_searches_and_filters(app, client, world):
    login(client, world.admin)
    response = client.get("/manage/users?q=staff_&partner=%d" % world.b.partner.id)
    html = response.get_data(as_text=True)
    assert "staff_b" in html and "staff2_b" in html and "staff_a" not in html
    response = client.get("/manage/users?role=auditor")
    assert "auditor1" in response.get_data(as_text=True)
    assert "owner_a" not in response.get_data(as_text=True)
    assert signed_in(app, world.cm).get("/manage/users").status_code == 403
    response = app.test_client().get("/manage/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_auditor_cannot_post_to_manage_pages(client, world):
    login(client, world.auditor)
    a, staff, team = world.a.partner.id, world.a.staff.id, world.a.team.id
    for url in ("/manage/partners/new", f"/manage/partners/{a}/edit",
                f"/manage/partners/{a}/status/terminated", f"/manage/partners/{a}/territories",
                f"/manage/partners/{a}/teams/new", f"/manage/partners/{a}/people/new",
                f"/manage/partners/{a}/import", "/manage/users/new",
                f"/manage/people/{staff}/deactivate", f"/manage/people/{staff}/password",
                f"/manage/teams/{team}/edit",
                f"/manage/territories/{world.a.territory.id}/remove"):
        assert client.post(url, data={"name": "x"}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(User, staff).active
    assert db.session.get(Partner, a).status == "active"


def csrf_token(response) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                     response.get_data(as_text=True)).group(1)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_manage_posts_need_the_csrf_token(client, world):
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"username": "admin1", "password": PASSWORD, "csrf_token": token})
    url = f"/manage/people/{world.a.staff.id}/deactivate"
    assert client.post(url).status_code == 400
    assert db.session.get(User, world.a.staff.id).active
    token = csrf_token(client.get(f"/manage/people/{world.a.staff.id}/edit"))
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, world.a.staff.id).active


def test_a_person_page_shows_times_in_the_portals_time_zone(client, world):
    from datetime import datetime, timezone
    world.a.staff.last_login_at = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    db.session.commit()
    login(client, world.a.owner)
    page = client.get(f"/people/{world.a.staff.id}").get_data(as_text=True)
    assert "2026-03-02 10:00" in page and "02:00:00+00:00" not in page


def test_an_unknown_partner_status_is_not_found_and_changes_nothing(client, world):
    login(client, world.admin)
    assert client.post(f"/manage/partners/{world.a.partner.id}/status/bogus").status_code == 404
    db.session.refresh(world.a.partner)
    assert world.a.partner.status == "active"
