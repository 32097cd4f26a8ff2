"""The team's day and week, read from the daily roll-ups only: a team lead sees its team,
an owner its whole partner by team, the principal one partner it may read at a time;
rates are "—" when there is nothing to divide, people who logged nothing are marked, and
no query of the page touches the visits table.

The hand-computed example (T0 is Tuesday 2026-03-03; the week runs from Monday 03-02):

    Sunday   staff:   visits shop C (before the week: counts nowhere here)
    Monday   staff:   adds shops A and B; visits A (effective, next step due Tuesday)
                      and B (no decision maker: not effective, next step due Monday)
             manager: adds its own shop, visits it (effective, next step due Thursday)
    Tuesday  staff:   follows up B at 09:00 (effective; Monday's follow-up done late),
                      visits A 7 km from where A was met (not effective, flagged; done
                      on its due day: in time)
             other team, partner B: one visit each

    staff today:  2 visits, 1 effective (50%), 0 first, 1 due, 1 in time (its day has
                  not passed: rate —), 0 customers added, 1 flagged
    staff week:   4 visits, 2 effective (50%), 2 first, 2 due, 1 in time (passed: Monday's
                  one, late: 0%), 2 customers added, 1 flagged
    manager:      nothing today (marked); this week 1 visit, 1 effective (100%), 1 first,
                  nothing due (rate —), 1 customer added
    team total:   today 2 visits, 1 effective; week 5 visits, 3 effective (60%), 0%
"""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.habits import rollups
from tests.conftest import login
from tests.habiting import FAR, HERE, T0, customer, freeze, visit

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)


@pytest.fixture
def days(world):
    freeze(T0 - timedelta(days=2))
    visit(world.a.staff, customer(world.a.staff, "周日店"))
    freeze(T0 - timedelta(days=1))
    shop_a = customer(world.a.staff, "甲店")
    visit(world.a.staff, shop_a, where=HERE, next_step_on=TUESDAY)
    shop_b = customer(world.a.staff, "乙店")
    visit(world.a.staff, shop_b, decision_maker=False, next_step_on=MONDAY)
    visit(world.a.manager, customer(world.a.manager, "组长店"))
    freeze(T0)
    visit(world.a.staff, shop_b, at=T0 - timedelta(hours=1))
    far = visit(world.a.staff, shop_a, where=FAR)
    assert far.flagged and not far.effective
    visit(world.a.other_staff, customer(world.a.other_staff, "二组店"))
    visit(world.b.staff, customer(world.b.staff, "乙方店"))
    assert rollups.differences() == []
    return world


def _row(body, row_id) -> dict:
    found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', body, re.S)
    assert found, row_id
    return {col: value.strip() for col, value in
            re.findall(r'data-col="(\w+)">([^<]*)', found.group(1))}


def _team(body, team_id) -> str:
    """The part of the page under one team's heading."""
    start = body.index(f'id="team-{team_id}"')
    following = body.find("<h3", start)
    return body[start:following if following != -1 else len(body)]


def _figures(visits, effective, rate, first, due, in_time, fu_rate, added, flagged):
    return {"visits": str(visits), "effective": str(effective), "effective_rate": rate,
            "first_visits": str(first), "follow_ups_due": str(due),
            "follow_ups_in_time": str(in_time), "follow_up_rate": fu_rate,
            "customers_added": str(added), "flagged": str(flagged)}


def _page(client, user, **args):
    login(client, user)
    response = client.get("/habits/team/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_team_lead_sees_its_teams_day_and_week_as_computed_by_hand(client, days):
    world = days
    body = _page(client, world.a.manager)
    staff, manager = world.a.staff.id, world.a.manager.id
    assert _row(body, f"person-{staff}-today") == _figures(2, 1, "50%", 0, 1, 1, "—", 0, 1)
    assert _row(body, f"person-{staff}-week") == _figures(4, 2, "50%", 2, 2, 1, "0%", 2, 1)
    assert _row(body, f"person-{manager}-today") == _figures(0, 0, "—", 0, 0, 0, "—", 0, 0)
    assert _row(body, f"person-{manager}-week") == _figures(1, 1, "100%", 1, 0, 0, "—", 1, 0)
    team = world.a.team.id
    assert _row(body, f"total-{team}-today") == _figures(2, 1, "50%", 0, 1, 1, "—", 0, 1)
    assert _row(body, f"total-{team}-week") == _figures(5, 3, "60%", 3, 2, 1, "0%", 3, 1)
    # Who logged nothing is marked, per period.
    today = body[body.index(f'id="person-{manager}-today"'):]
    assert 'data-idle="today"' in today[:today.index("</tr>")]
    assert 'data-idle="week"' not in body and f'id="person-{staff}-today"' in body
    assert f'href="/people/{staff}"' in body
    # Nobody of another team or partner.
    for outsider in (world.a.other_staff, world.a.owner, world.b.staff):
        assert f'id="person-{outsider.id}-today"' not in body
        assert outsider.display_name not in body


def test_the_page_reads_roll_ups_and_never_the_visits_table(client, days):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    login(client, days.a.owner)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/habits/team/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert any("habit_days" in s for s in statements)
    touching = [s for s in statements
                if re.search(r'\b(FROM|JOIN)\s+"?visits"?(\s|$|,|\))', s, re.I)]
    assert not touching, touching


def test_an_owner_sees_every_team_of_its_partner(client, days):
    world = days
    body = _page(client, world.a.owner, partner=world.b.partner.id)  # ignored: its own
    assert f'id="person-{world.a.staff.id}-today"' in _team(body, world.a.team.id)
    assert f'id="person-{world.a.manager.id}-today"' in _team(body, world.a.team.id)
    assert f'id="person-{world.a.other_staff.id}-today"' in _team(body, world.a.other_team.id)
    assert f'id="person-{world.a.staff.id}-today"' not in _team(body, world.a.other_team.id)
    assert _row(body, f"person-{world.a.other_staff.id}-today") == \
        _figures(1, 1, "100%", 1, 0, 0, "—", 1, 0)
    # The owner is in no team; it logged nothing this week either.
    assert f'id="person-{world.a.owner.id}-week"' in _team(body, "none")
    assert 'data-idle="week"' in body[body.index(f'id="person-{world.a.owner.id}-week"'):]
    for person in (world.b.owner, world.b.manager, world.b.staff, world.b.other_staff):
        assert person.display_name not in body and f'id="person-{person.id}-' not in body


def test_a_channel_manager_picks_only_its_own_partners(client, days, make):
    world = days
    third = make.partner("代理商C", manager=world.cm)
    body = _page(client, world.cm)
    picker = body[body.index('id="partner-picker"'):body.index("</form>", body.index(
        'id="partner-picker"'))]
    assert world.a.partner.name in picker and third.name in picker
    assert world.b.partner.name not in picker
    assert 'id="person-' not in body  # two partners: it picks one first
    chosen = _page(client, world.cm, partner=world.a.partner.id)
    assert _row(chosen, f"person-{world.a.staff.id}-week")["visits"] == "4"
    assert world.b.staff.display_name not in chosen
    assert client.get("/habits/team/", query_string={
        "partner": world.b.partner.id}).status_code == 404


def test_an_admin_reads_any_partner(client, days):
    world = days
    body = _page(client, world.admin, partner=world.b.partner.id)
    assert _row(body, f"person-{world.b.staff.id}-today")["visits"] == "1"
    assert world.a.staff.display_name not in body


@pytest.mark.parametrize("who", ["staff", "other_staff"])
def test_staff_do_not_see_the_team_page(client, world, who):
    login(client, getattr(world.a, who))
    assert client.get("/habits/team/").status_code == 403


def test_a_lead_without_a_team_sees_nobody(client, world, make):
    loose = make.person("manager", world.a.partner)
    body = _page(client, loose)
    assert 'id="person-' not in body and world.a.staff.display_name not in body
