"""The audit log page: admin and auditor only, newest first, filterable."""
import re

import pytest

from portal.core.clock import today
from tests.conftest import login

# Messages are asserted in English, whatever the default language of the portal.
pytestmark = pytest.mark.config(BABEL_DEFAULT_LOCALE="en")


def rows(response):
    """(actor's username, action, object type) of each entry shown, in page order."""
    html = response.get_data(as_text=True)
    return [(re.sub(r".*\((.*)\)", r"\1", actor), action, kind) for actor, action, kind in
            re.findall(r'<td class="audit-actor">(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>\s*'
                       r'<td class="audit-action[^"]*">([^<]*)</td>\s*'
                       r'<td class="audit-object"><span class="text-muted">([^<]*)</span>',
                       html)]


def test_audit_page_shows_a_form_change_with_actor_and_before_after(app, client, world):
    login(client, world.a.owner)
    client.post(f"/manage/teams/{world.a.team.id}/edit",
                data={"name": "先锋组", "leader_id": str(world.a.manager.id)})

    auditor = app.test_client()
    login(auditor, world.auditor)
    response = auditor.get("/manage/audit?action=update&object_type=Team")
    assert response.status_code == 200
    assert rows(response)[0] == ("owner_a", "Change", "Team")
    html = response.get_data(as_text=True)
    assert re.search(r"Name:</span>\s*<del><span[^>]*>一组a</span></del> → "
                     r"<span[^>]*>先锋组</span>", html)


def test_audit_page_is_newest_first_and_filters_by_actor_and_date(app, client, world):
    login(client, world.admin)
    client.post(f"/manage/teams/{world.b.team.id}/deactivate")
    response = client.get(f"/manage/audit?actor=ADMIN1&start={today().isoformat()}")
    shown = rows(response)
    assert shown[0] == ("admin1", "Change", "Team")
    assert ("admin1", "Log in", "Person") in shown
    assert {actor for actor, _, _ in shown} == {"admin1"}
    response = client.get("/manage/audit?actor=admin1&end=2000-01-01")
    assert response.status_code == 200 and rows(response) == []
    response = client.get("/manage/audit?start=2020-02-01&end=2020-01-01")
    assert response.status_code == 400


def test_only_admin_and_auditor_see_the_audit_log_and_its_menu_link(app, world):
    for user, status in ((world.admin, 200), (world.auditor, 200), (world.cm, 403),
                         (world.a.owner, 403), (world.a.staff, 403)):
        client = app.test_client()
        login(client, user)
        assert client.get("/manage/audit").status_code == status, user.username
        # The menu link and the page are the one rule "org.audit_log".
        menu = client.get("/training/").get_data(as_text=True)
        assert ('href="/manage/audit"' in menu) == (status == 200), user.username


def test_dates_outside_the_portals_years_are_field_errors(client, world):
    """The same bounds as every other date of the portal (2000 to 2100)."""
    login(client, world.admin)
    response = client.get("/manage/audit?start=1900-01-01")
    assert response.status_code == 400 and 'data-field="start"' in response.get_data(
        as_text=True)
    partner = client.post(f"/manage/partners/{world.a.partner.id}/edit", data={
        "name": world.a.partner.name, "uscc": world.a.partner.uscc, "tier": "B",
        "structure": "loose", "status": "active", "contract_start": "9999-01-01",
        "province_code": world.a.partner.province_code or ""})
    assert partner.status_code == 400 and 'data-field="contract_start"' in partner.get_data(
        as_text=True)
