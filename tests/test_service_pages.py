"""The service pages: entering a ticket and its progress, who sees and keeps which
tickets, the list's filters and export, the ticket file import, the rule and the
monthly summary."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.service import tickets
from portal.service.models import ServiceRule, Ticket
from tests.conftest import login

NOW = datetime(2026, 3, 13, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
TOWN_A = "330102001"
_n = iter(range(1, 10_000))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def local(moment) -> str:
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def made(world, key="a", hours_ago=30, first=None, resolved=None, subject="冷柜不制冷",
         **more):
    side = getattr(world, key)
    opened = NOW - timedelta(hours=hours_ago)
    found = tickets.open_ticket(side.owner, side.partner.id, {
        "client_id": f"p-{key}-{next(_n)}", "subject": subject, "opened_at": opened,
        "first_response_at": None if first is None else opened + timedelta(hours=first),
        "resolved_at": None if resolved is None else opened + timedelta(hours=resolved),
        **more}).ticket
    db.session.commit()
    return found


@pytest.fixture(autouse=True)
def _clock(app):
    clock.set_now(NOW)


def test_an_owner_records_a_ticket_for_its_own_partner(client, world):
    login(client, world.a.owner)
    assert world.a.partner.name in client.get("/service/new").get_data(as_text=True)
    response = client.post("/service/new", data={
        "client_id": "form-1", "subject": "送货延迟", "town_code": TOWN_A,
        "opened_at": local(NOW - timedelta(hours=3)),
        "first_response_at": local(NOW - timedelta(hours=2))})
    assert response.status_code == 302
    found = db.session.execute(select(Ticket)).scalar_one()
    assert found.partner_id == world.a.partner.id and found.town_code == TOWN_A
    assert found.channel == "portal" and found.rule.version == 1
    # Sending the same form twice (a double click) is still one ticket.
    client.post("/service/new", data={
        "client_id": "form-1", "subject": "送货延迟", "town_code": TOWN_A,
        "opened_at": local(NOW - timedelta(hours=3)),
        "first_response_at": local(NOW - timedelta(hours=2))})
    assert count() == 1


def test_a_resolution_before_the_first_response_is_refused_on_its_field(client, world):
    login(client, world.a.manager)
    response = client.post("/service/new", data={
        "client_id": "form-2", "subject": "送货延迟", "opened_at": local(NOW - timedelta(hours=5)),
        "first_response_at": local(NOW - timedelta(hours=2)),
        "resolved_at": local(NOW - timedelta(hours=3))})
    assert response.status_code == 400
    assert 'data-field="resolved_at"' in response.get_data(as_text=True)
    assert count() == 0


def test_a_town_outside_the_territory_is_refused(client, world):
    login(client, world.a.owner)
    response = client.post("/service/new", data={
        "client_id": "form-3", "subject": "漏水", "town_code": "330106002",
        "opened_at": local(NOW - timedelta(hours=1))})
    assert response.status_code == 400 and 'data-field="town_code"' in response.get_data(
        as_text=True)
    assert count() == 0


def test_a_channel_manager_enters_for_its_partners_only(client, world):
    login(client, world.cm)
    # Only partner A is the channel manager's: the form goes straight to it.
    assert world.a.partner.name in client.get("/service/new").get_data(as_text=True)
    response = client.post(f"/service/new?partner_id={world.b.partner.id}", data={
        "client_id": "form-4", "subject": "漏水", "opened_at": local(NOW - timedelta(hours=1))})
    assert response.status_code == 400 and count() == 0  # B is not its partner
    response = client.post(f"/service/new?partner_id={world.a.partner.id}", data={
        "client_id": "form-4", "subject": "漏水", "opened_at": local(NOW - timedelta(hours=1))})
    assert response.status_code == 302
    assert db.session.execute(select(Ticket.partner_id)).scalar() == world.a.partner.id


def test_staff_and_other_partners_never_see_a_ticket(client, world):
    found = made(world)
    login(client, world.a.staff)
    assert client.get("/service/").status_code == 403
    assert client.get(f"/service/{found.id}").status_code == 403
    client.post("/logout")
    login(client, world.b.owner)
    assert client.get(f"/service/{found.id}").status_code == 404
    assert found.subject not in client.get("/service/").get_data(as_text=True)
    assert client.post(f"/service/{found.id}/progress", data={
        "first_response_at": local(NOW)}).status_code == 404


def test_the_auditor_reads_but_cannot_record_progress(client, world):
    found = made(world)
    login(client, world.auditor)
    assert found.subject in client.get(f"/service/{found.id}").get_data(as_text=True)
    assert client.post(f"/service/{found.id}/progress", data={
        "first_response_at": local(NOW - timedelta(hours=1))}).status_code == 403
    db.session.refresh(found)
    assert found.first_response_at is None


def test_progress_is_recorded_and_the_page_judges_it_against_the_rule(client, world):
    found = made(world, hours_ago=30)
    login(client, world.a.owner)
    response = client.post(f"/service/{found.id}/progress", data={
        "first_response_at": local(NOW - timedelta(hours=29)),
        "resolved_at": local(NOW - timedelta(hours=1)),
        "satisfaction_scale": "csat", "satisfaction": "4"})
    assert response.status_code == 302
    db.session.refresh(found)
    assert tickets.state(found) == "resolved" and found.satisfaction == 4
    page = client.get(f"/service/{found.id}").get_data(as_text=True)
    assert page.count("text-bg-success") == 2  # 1 h ≤ 4 h, 29 h ≤ 48 h


def test_bad_progress_changes_nothing(client, world):
    found = made(world, hours_ago=30)
    login(client, world.a.owner)
    response = client.post(f"/service/{found.id}/progress", data={
        "first_response_at": local(NOW - timedelta(hours=31)),
        "satisfaction_scale": "nps", "satisfaction": "11"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'data-field="first_response_at"' in body and 'data-field="satisfaction"' in body
    db.session.refresh(found)
    assert found.first_response_at is None and found.satisfaction is None


def test_the_list_filters_by_state_and_target(client, world):
    made(world, hours_ago=60, subject="旧单未回")          # open, past both targets
    made(world, hours_ago=2, first=1, subject="刚回复的")  # responded, in time
    made(world, hours_ago=10, first=1, resolved=3, subject="已解决的", town_code=TOWN_A)
    login(client, world.a.owner)
    in_town = client.get(f"/service/?town={TOWN_A}").get_data(as_text=True)
    assert "已解决的" in in_town and "旧单未回" not in in_town
    listed = client.get("/service/?state=open").get_data(as_text=True)
    assert "旧单未回" in listed and "刚回复的" not in listed
    overdue = client.get("/service/?timing=overdue").get_data(as_text=True)
    assert "旧单未回" in overdue and "已解决的" not in overdue
    on_time = client.get("/service/?timing=on_time").get_data(as_text=True)
    assert "刚回复的" in on_time and "已解决的" in on_time and "旧单未回" not in on_time
    assert "已解决的" in client.get("/service/?q=解决").get_data(as_text=True)


def test_the_export_holds_only_what_the_user_sees(client, world):
    made(world, subject="A的工单")
    made(world, key="b", subject="B的工单")
    login(client, world.a.owner)
    response = client.get("/service/export.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith("\ufeff")
    assert "A的工单" in text and "B的工单" not in text


def _upload(client, content: bytes, path="/service/import"):
    from io import BytesIO
    return client.post(path, data={"file": (BytesIO(content), "tickets.csv")},
                       content_type="multipart/form-data")


GOOD = ("工单号,主题,镇街,受理时间,首次响应时间,解决时间,满意度量表,满意度\r\n"
        "T-001,冷柜不制冷,330102001,2026-03-12 09:00,2026-03-12 10:30,2026-03-12 16:00,csat,5\r\n"
        "T-002,送货延迟,,2026-03-12 11:00,,,,\r\n")


def test_a_gbk_file_imports_and_importing_it_again_changes_nothing(client, world):
    login(client, world.a.owner)
    assert _upload(client, GOOD.encode("gbk")).status_code == 302
    assert count() == 2
    first = db.session.execute(select(Ticket).where(Ticket.client_id == "T-001")).scalar_one()
    assert first.channel == "csv" and first.satisfaction == 5
    assert first.opened_at == datetime(2026, 3, 12, 1, 0, tzinfo=timezone.utc)
    assert _upload(client, ("\ufeff" + GOOD).encode("utf-8")).status_code == 302
    assert count() == 2


def test_one_bad_row_imports_nothing_and_names_its_line_and_column(client, world):
    login(client, world.a.owner)
    bad = GOOD + "T-003,漏水,,2026-03-12 12:00,2026-03-12 11:00,,,\r\n"
    response = _upload(client, bad.encode("utf-8"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "<td>4</td><td><code>首次响应时间</code></td>" in body
    assert count() == 0


def test_only_an_admin_publishes_a_rule_version(client, world):
    login(client, world.a.owner)
    assert "4" in client.get("/service/rules").get_data(as_text=True)
    assert client.post("/service/rules/new", data={
        "effective_from": local(NOW + timedelta(days=1)), "first_response_hours": "2",
        "resolution_hours": "24"}).status_code == 403
    client.post("/logout")
    login(client, world.admin)
    assert client.post("/service/rules/new", data={
        "effective_from": local(NOW - timedelta(days=1)), "first_response_hours": "2",
        "resolution_hours": "24"}).status_code == 400
    assert client.post("/service/rules/new", data={
        "effective_from": local(NOW + timedelta(days=1)), "first_response_hours": "2",
        "resolution_hours": "24"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ServiceRule)) == 2


def test_the_summary_shows_each_reader_its_own_partners(client, world):
    made(world, hours_ago=30, first=2, resolved=10, satisfaction_scale="csat", satisfaction=4)
    made(world, key="b", hours_ago=30, first=2)
    login(client, world.a.owner)
    page = client.get("/service/summary?month=2026-03").get_data(as_text=True)
    assert world.a.partner.name in page and world.b.partner.name not in page
    assert "4.00" in page
    client.post("/logout")
    login(client, world.admin)
    page = client.get("/service/summary?month=2026-03").get_data(as_text=True)
    assert world.a.partner.name in page and world.b.partner.name in page
    assert 'id="summary-empty"' in client.get("/service/summary?month=2026-01").get_data(
        as_text=True)


def test_the_home_page_counts_waiting_tickets_of_the_own_partner_only(client, world):
    made(world, hours_ago=60)
    made(world, hours_ago=1, first=0.5)
    login(client, world.a.manager)
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-tickets-open"' in home and "2" in home and 'id="home-tickets-late"' in home
    client.post("/logout")
    login(client, world.b.owner)
    assert 'id="home-service"' not in client.get("/").get_data(as_text=True)


def test_the_list_narrows_to_a_month_as_scorecards_link_it(client, world):
    made(world, hours_ago=30, subject="三月的单")
    made(world, hours_ago=24 * 20, subject="二月的单")
    login(client, world.a.owner)
    march = client.get(f"/service/?month=2026-03&partner_id={world.a.partner.id}").get_data(
        as_text=True)
    assert "三月的单" in march and "二月的单" not in march and 'id="month-filter"' in march
    assert "二月的单" in client.get("/service/?month=2026-02").get_data(as_text=True)
    assert "三月的单" in client.get("/service/?month=2026-13").get_data(as_text=True)
