"""The targets pages as each role meets them: where the entry leads, who reads whose
month, who sets which level (channel managers partners they look after, owners teams
and people, team leads only their team's people and never themselves, staff nothing),
the set form with its three lines, the confirmation outside the lines, bad input, the
cascade and per-person-day rates on the pages, a person's day by day, the home and
person panels and the part *My day* includes.

The history is tests/targeting.py's (A's staff: start 303, peak 400 in
March, forecast 368 for December)."""
import re
import pytest
from flask import render_template
from sqlalchemy import select

from portal.auth.models import User
from portal.core.clock import today
from portal.extensions import db
from portal.results import home, targets
from portal.results.models import Target
from portal.results.months import add_months, first_of
from portal.results.target_lines import Subject, outside, reference_lines
from tests.conftest import DEMO_PASSWORD, login
from tests.targeting import DECEMBER, TODAY, visits, with_history


@pytest.fixture
def history(world):
    return with_history(world)


def _as(client, user):
    """Log `user` in, whoever was logged in before."""
    client.post("/logout")
    assert login(client, user).status_code == 302


def _stored(subject_key, metric="visits", month=DECEMBER):
    return db.session.execute(select(Target).where(
        Target.subject == subject_key, Target.metric == metric,
        Target.month == month)).scalar_one_or_none()


def _set(actor, level, thing, values):
    subject = Subject.of(level, thing)
    targets.set_targets(actor, subject, DECEMBER, values, set(values),
                        reference_lines(subject, DECEMBER, TODAY), TODAY)
    db.session.commit()


def _cell(body, row_id, col):
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', body, re.S)
    assert row, row_id
    found = re.search(rf'data-col="{col}">(.*?)</td>', row.group(1), re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


@pytest.mark.parametrize("who, lands", [
    ("owner", "/results/targets/partners/{a.partner.id}"),
    ("manager", "/results/targets/teams/{a.team.id}"),
    ("staff", "/results/targets/people/{a.staff.id}"),
])
def test_partner_people_land_on_their_partner_team_or_themselves(client, history, who, lands):
    a = history.a
    _as(client, getattr(a, who))
    answer = client.get("/results/targets/?month=2026-12")
    assert answer.status_code == 302
    assert answer.headers["Location"] == lands.format(a=a) + "?month=2026-12"


def test_the_principal_sees_its_partners_side_by_side_with_rates_per_person(
        client, history):
    a = history.a
    _set(history.cm, "partner", a.partner, {"visits": 920})
    visits(a.staff, {(2026, 12): 45}, day=2)
    _as(client, history.cm)
    body = client.get("/results/targets/").get_data(as_text=True)
    assert a.partner.name in body and history.b.partner.name not in body  # not its partner
    row = f"partner-{a.partner.id}"
    assert _cell(body, row, "people") == "4"
    assert _cell(body, row, "target") == "920"
    assert _cell(body, row, "actual") == "45"
    # Pace: 920 × 3 / 23 = 120 expected; 45 of it. Per person-day: 45 / (4 × 3).
    assert _cell(body, row, "of_pace") == "38%"
    assert _cell(body, row, "per_person_day") == "3.8"
    _as(client, history.admin)
    body = client.get("/results/targets/?q=代理商B").get_data(as_text=True)
    assert history.b.partner.name in body and f"partner-{a.partner.id}" not in body
    assert _cell(body, f"partner-{history.b.partner.id}", "actual") == "—"  # no data
    assert "没有与“不存在”匹配的代理商" in client.get(
        "/results/targets/?q=不存在").get_data(as_text=True)


@pytest.mark.config(PAGE_SIZE=1)
def test_the_partner_list_is_paginated(client, history):
    _as(client, history.admin)
    first = client.get("/results/targets/").get_data(as_text=True)
    second = client.get("/results/targets/?page=2").get_data(as_text=True)
    assert first.count('id="partner-') == second.count('id="partner-') == 1
    assert "共 2 条" in first


def test_a_partner_page_shows_progress_cascade_and_teams(client, history):
    a = history.a
    _set(history.cm, "partner", a.partner, {"visits": 1000})
    _set(a.owner, "team", a.team, {"visits": 300})
    _set(a.owner, "team", a.other_team, {"visits": 500})
    visits(a.staff, {(2026, 12): 45}, day=2)
    _as(client, a.owner)
    body = client.get(f"/results/targets/partners/{a.partner.id}").get_data(as_text=True)
    card = body[body.index('id="metric-visits"'):body.index('id="metric-effective"')]
    assert 'data-figure="actual">45<' in card and 'data-figure="target">1,000<' in card
    assert 'data-figure="expected">130<' in card  # 1000 × 3 / 23 = 130.4
    assert _cell(body, "cascade-visits", "total") == "800"
    assert _cell(body, "cascade-visits", "with_target") == "2 / 2"
    assert _cell(body, "cascade-visits", "gap") == "差 200"
    team_row = f"team-{a.team.id}"
    assert _cell(body, team_row, "people") == "2"  # its lead and the staff
    assert _cell(body, team_row, "per_person_day") == "7.5"  # 45 / (2 × 3)
    assert 'href="/results/targets/partners/' in body and 'id="set-targets"' not in body


def test_a_team_lead_reads_its_team_not_the_partner_nor_another_team(client, history):
    a = history.a
    _as(client, a.manager)
    assert client.get(f"/results/targets/partners/{a.partner.id}").status_code == 403
    assert client.get(f"/results/targets/teams/{a.other_team.id}").status_code == 404
    body = client.get(f"/results/targets/teams/{a.team.id}").get_data(as_text=True)
    assert a.staff.display_name in body and a.other_staff.display_name not in body
    assert client.get(f"/results/targets/people/{a.other_staff.id}").status_code == 404
    assert client.get(f"/results/targets/people/{a.staff.id}").status_code == 200


def test_staff_read_only_their_own_month(client, history):
    a = history.a
    _as(client, a.staff)
    assert client.get(f"/results/targets/teams/{a.team.id}").status_code == 403
    assert client.get(f"/results/targets/partners/{a.partner.id}").status_code == 403
    assert client.get(f"/results/targets/people/{a.manager.id}").status_code == 404
    assert client.get(f"/results/targets/people/{a.staff.id}").status_code == 200


@pytest.mark.parametrize("who, url, status", [
    ("cm", "partners/{a.partner.id}", 302), ("cm", "partners/{b.partner.id}", 404),
    ("cm", "teams/{a.team.id}", 403), ("admin", "partners/{b.partner.id}", 302),
    ("admin", "people/{a.staff.id}", 403),
    ("owner", "teams/{a.team.id}", 302), ("owner", "people/{a.staff.id}", 302),
    ("owner", "partners/{a.partner.id}", 403),
    ("manager", "people/{a.staff.id}", 302), ("manager", "people/{a.manager.id}", 403),
    ("manager", "people/{a.other_staff.id}", 404), ("manager", "teams/{a.team.id}", 403),
    ("staff", "people/{a.staff.id}", 403), ("auditor", "partners/{a.partner.id}", 403),
])
def test_who_sets_which_level(client, history, who, url, status):
    a, b = history.a, history.b
    user = getattr(history, who, None) or getattr(a, who)
    _as(client, user)
    answer = client.post(f"/results/targets/{url.format(a=a, b=b)}/set",
                         data={"visits": "310"})
    assert answer.status_code == status
    assert (db.session.execute(select(Target)).first() is not None) == (status == 302)


def _form(client, url, **values):
    data = {"visits": "", "effective": "", "new_customers": "", "orders": "",
            "revenue_fen": "", "payments_fen": "", **values}
    return client.post(url, data=data)


def test_the_set_form_shows_the_three_lines_and_asks_to_confirm_outside_them(
        client, history):
    a = history.a
    url = f"/results/targets/people/{a.staff.id}/set"
    _as(client, a.manager)
    page = client.get(url).get_data(as_text=True)
    lines = page[page.index('id="lines-visits"'):page.index('id="set-effective"')]
    assert "最近3个完整月（9月、10月、11月）平均：303" in lines
    assert "最近12个月最好的一个月：2026年3月，400" in lines
    assert "× 12月的23个工作日" in lines and 'data-value="368"' in lines
    assert 'name="confirm_visits"' not in page
    refused = _form(client, url, visits="450", orders="3")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "高于历史峰值（2026年3月，400）" in body and 'name="confirm_visits"' in body
    assert db.session.execute(select(Target)).first() is None  # orders not saved either
    saved = _form(client, url, visits="450", orders="3", confirm_visits="y")
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/results/targets/people/{a.staff.id}?month=2026-12")
    row = _stored(f"person:{a.staff.id}")
    assert (row.value, row.confirmed, row.set_by) == (450, True, a.manager.id)
    assert _stored(f"person:{a.staff.id}", "orders").value == 3
    again = client.get(url).get_data(as_text=True)
    assert re.search(r'name="confirm_visits"[^>]*checked|checked[^>]*name="confirm_visits"',
                     again)
    below = _form(client, url, visits="250", orders="3")
    assert "低于起跑线（303）" in below.get_data(as_text=True) and below.status_code == 400


def test_money_is_typed_in_yuan_and_bad_input_is_refused_by_field(client, history):
    a = history.a
    url = f"/results/targets/people/{a.staff.id}/set"
    _as(client, a.manager)
    bad = _form(client, url, visits="三百", revenue_fen="12.345", orders="-1")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert re.search(r'data-field="visits">请填写 0 到 10,000,000 之间的整数', body)
    assert re.search(r'data-field="revenue_fen">请填写 0 到 10,000,000,000 之间的金额', body)
    assert 'data-field="orders"' in body
    assert db.session.execute(select(Target)).first() is None
    assert _form(client, url, visits="３１０", revenue_fen="¥12,800.5").status_code == 302
    assert _stored(f"person:{a.staff.id}", "revenue_fen").value == 1280050
    assert _stored(f"person:{a.staff.id}").value == 310  # full-width digits


def test_an_empty_field_clears_a_target_and_a_missing_one_keeps_it(client, history):
    a = history.a
    url = f"/results/targets/people/{a.staff.id}/set"
    _as(client, a.manager)
    _form(client, url, visits="310", orders="3")
    assert client.post(url, data={"orders": "4"}).status_code == 302
    assert _stored(f"person:{a.staff.id}").value == 310  # not in the request: kept
    _form(client, url, orders="4")
    assert _stored(f"person:{a.staff.id}") is None  # empty: cleared
    assert _stored(f"person:{a.staff.id}", "orders").value == 4


def test_past_months_are_read_only(client, history):
    a = history.a
    _as(client, a.manager)
    page = client.get(f"/results/targets/people/{a.staff.id}?month=2026-11")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "以往月份只能查看" in body
    assert 'id="set-targets"' not in body
    # The set page offers this month and the next only; an older one is this month.
    form = client.get(f"/results/targets/people/{a.staff.id}/set?month=2026-11")
    assert 'value="2026-11"' not in form.get_data(as_text=True)


def test_the_set_page_of_a_team_shows_its_cascade(client, history):
    a = history.a
    _set(a.owner, "team", a.team, {"visits": 300})
    _set(a.manager, "person", a.staff, {"visits": 310})
    _as(client, a.owner)
    body = client.get(f"/results/targets/teams/{a.team.id}/set").get_data(as_text=True)
    assert _cell(body, "cascade-visits", "total") == "310"
    assert _cell(body, "cascade-visits", "with_target") == "1 / 2"
    assert _cell(body, "cascade-visits", "gap") == "超出 10"


def test_a_persons_month_day_by_day(client, history):
    a = history.a
    _set(a.manager, "person", a.staff, {"visits": 310})
    visits(a.staff, {(2026, 12): 40}, day=2)
    _as(client, a.staff)
    body = client.get(f"/results/targets/people/{a.staff.id}").get_data(as_text=True)
    assert _cell(body, "day-2026-12-02", "visits") == "40 / 15"  # 310 / 22, rounded up
    assert _cell(body, "day-2026-12-03", "visits") == "0 / 13"
    assert "休息日" in body[body.index('id="day-2026-12-05"'):]
    assert 'id="set-targets"' not in body  # staff set nothing


def test_the_month_page_shows_the_six_month_chart_and_its_figures(client, history):
    a = history.a
    _set(a.manager, "person", a.staff, {"visits": 310})
    _as(client, a.staff)
    body = client.get(f"/results/targets/people/{a.staff.id}").get_data(as_text=True)
    chart = body[body.index('id="chart-visits"'):body.index('id="metric-effective"')]
    assert 'src="data:image/svg+xml;base64,' in chart
    table = re.sub(r"<[^>]+>", " ", chart[chart.index("<table"):chart.index("</table>")])
    assert re.search(r"2026年11月\s+315\s+—", table)
    assert re.search(r"2026年12月\s+—\s+310", table)  # nobody visited yet this month
    assert "最近六个月暂无数据" in body  # new customers: nothing recorded at all


def test_home_and_person_panels_show_the_month_against_the_targets(client, history):
    a = history.a
    _as(client, a.staff)
    assert 'id="home-targets-mine"' not in client.get("/").get_data(as_text=True)
    _set(a.manager, "person", a.staff, {"visits": 310})
    _set(a.owner, "team", a.team, {"visits": 300})
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-targets-mine"' in home and 'id="home-targets-team"' not in home
    _as(client, a.manager)
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-targets-team"' in home and a.team.name in home
    person = client.get(f"/people/{a.staff.id}").get_data(as_text=True)
    assert 'id="person-targets"' in person and "310" in person
    _as(client, a.other_staff)
    assert 'id="person-targets"' not in client.get(
        f"/people/{a.staff.id}").get_data(as_text=True)


def test_my_day_gets_todays_targets_as_a_partial(app, history):
    a = history.a
    _set(a.manager, "person", a.staff, {"visits": 310})
    visits(a.staff, {(2026, 12): 40}, day=2)
    visits(a.staff, {(2026, 12): 5}, day=4)
    assert home.today_panels(a.other_staff, TODAY) == []  # no targets: nothing
    (panel,) = home.today_panels(a.staff, TODAY)
    with app.test_request_context():
        html = render_template(panel.template, **panel.context)
        assert render_template("results/targets/_today.html",
                               today_targets=None).strip() == ""
    assert "今日 5 / 14" in html and "12月：45 / 310（15%）" in html


def test_my_day_shows_todays_targets_to_whoever_has_them(client, history):
    a = history.a
    _set(a.manager, "person", a.staff, {"visits": 310})
    visits(a.staff, {(2026, 12): 5}, day=4)
    _as(client, a.staff)
    page = client.get("/habits/today").get_data(as_text=True)
    assert 'id="today-targets"' in page and "今日 5 / 16" in page
    _as(client, a.other_staff)  # no target of its own, nothing of a colleague's
    assert 'id="today-targets"' not in client.get("/habits/today").get_data(as_text=True)


def test_the_navigation_offers_targets_to_every_role(client, history):
    _as(client, history.a.staff)
    page = client.get("/results/targets/", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'id="nav-targets"[^>]*aria-current="page"', page)


@pytest.mark.template("demo")
def test_the_demo_sets_targets_near_their_lines_at_every_level(app, client):
    month = first_of(today())
    # (The team-health demo adds past months' targets, set without lines.)
    rows = db.session.execute(select(Target).where(Target.month >= month)).scalars().all()
    assert {(r.level, r.month) for r in rows} == {
        (level, m) for level in ("partner", "team", "person")
        for m in (month, add_months(month, 1))}
    assert all(r.confirmed == (outside(r.value, r.lines) is not None) for r in rows)
    above = [r for r in rows if r.confirmed]
    assert 0 < len(above) < len(rows) / 5
    partner_visits = [r for r in rows if r.level == "partner" and r.metric == "visits"
                      and r.month == month]
    # The partners have history, but for the new one (everyone joined seven weeks ago).
    assert sum(not r.lines["start"]["value"] for r in partner_visits) <= 1
    assert len(partner_visits) > 5
    teams = {}
    for r in rows:
        if r.level == "team" and r.month == month:
            teams[(r.partner_id, r.metric)] = teams.get((r.partner_id, r.metric), 0) + r.value
    gaps = [r for r in rows if r.level == "partner" and r.month == month
            and teams.get((r.partner_id, r.metric)) not in (None, r.value)]
    assert gaps  # the cascade does not add up everywhere
    cm = db.session.execute(select(User).where(User.username == "cm_zj")).scalar_one()
    assert login(client, cm.username, DEMO_PASSWORD).status_code == 302
    page = client.get(f"/results/targets/partners/{partner_visits[0].partner_id}")
    assert page.status_code == 200 and "data:image/svg+xml;base64," in page.get_data(as_text=True)
