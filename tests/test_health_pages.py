"""The health drill-down pages (a partner's, a team's, a person's month) on a month worked
out by hand, and who may open which.

March 2026 (22 working days) for partner A: staff_a logs 10 days of 3 visits, 2 of them
effective (30 visits, 20 effective), from Monday 2 March; one order of 60,000 fen on
10 March against a partner revenue target of 100,000 fen. So on A's partner page:
effective-visit rate 20 ÷ 30 = 66.7; revenue 600 ÷ 1,000 yuan = 60.0; no customers are
looked after, so "customers not forgotten" has no data and its weight goes to the other
process measures; no orders, payments or new-customer targets: no data either."""
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from portal.broadcasts import services
from portal.extensions import db
from portal.health.models import HealthMonth
from tests.broadcasting import freeze, publish
from tests.conftest import login
from tests.healthing import AFTER, compute, hand_worked_march

MONTH = "?month=2026-03"


@pytest.fixture
def a(world):
    return hand_worked_march(world)


def page(client, user, path):
    login(client, user)
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def measure_row(body, code) -> str:
    found = re.search(rf'<tr id="measure-{code}">(.*?)</tr>', body, re.S)
    assert found, code
    return found.group(1)


def test_partner_page_shows_scores_and_the_explanation_by_hand(client, a):
    status, body = page(client, a.owner, f"/health/partners/{a.partner.id}{MONTH}")
    assert status == 200
    assert 'id="score-overall"' in body and 'id="score-performance"' in body
    effective = measure_row(body, "effective_rate")
    assert '<span data-col="numerator">20</span>' in effective
    assert '<span data-col="denominator">30</span>' in effective
    assert 'data-score="66.7"' in effective
    revenue = measure_row(body, "revenue")
    assert "¥600.00" in revenue and "¥1,000.00" in revenue and 'data-score="60.0"' in revenue
    # Revenue is the only performance measure with data: it carries the whole part.
    assert "100%" in revenue
    assert 'id="score-performance"' in body
    assert re.search(r'id="score-performance".*?data-score="60.0"', body, re.S)


def test_a_measure_without_data_says_so_and_that_its_weight_went_elsewhere(client, a):
    status, body = page(client, a.owner, f"/health/partners/{a.partner.id}{MONTH}")
    remembered = measure_row(body, "remembered")
    assert 'data-score="none"' in remembered and "暂无数据" in remembered
    assert "data-moved-weight" in remembered
    assert "data-moved-weight" not in measure_row(body, "effective_rate")


def test_partner_page_lists_its_teams_linked_to_their_pages(client, a):
    status, body = page(client, a.owner, f"/health/partners/{a.partner.id}{MONTH}")
    for team in (a.team, a.other_team):
        assert f'id="team-{team.id}"' in body
        assert f'href="/health/teams/{team.id}?month=2026-03"' in body


def test_team_page_lists_its_people_and_sorts_them(client, a):
    status, body = page(client, a.manager, f"/health/teams/{a.team.id}{MONTH}&sort=overall")
    assert status == 200
    assert f'href="/health/people/{a.staff.id}?month=2026-03"' in body
    assert f'id="person-{a.other_staff.id}"' not in body  # another team's
    assert 'aria-sort="descending"' in body


def test_person_page_shows_the_visits_of_a_given_day(client, a):
    status, body = page(client, a.staff, f"/health/people/{a.staff.id}{MONTH}")
    assert status == 200
    day = re.search(r'<tr id="day-2026-03-02"[^>]*>(.*?)</tr>', body, re.S).group(1)
    assert '<td class="text-end" data-col="visits">3</td>' in day
    assert '<td class="text-end" data-col="effective">2</td>' in day
    order_day = re.search(r'<tr id="day-2026-03-10"[^>]*>(.*?)</tr>', body, re.S).group(1)
    assert '<td class="text-end" data-col="orders">1</td>' in order_day
    assert "¥600.00" in order_day
    total = re.search(r'<tr class="fw-semibold" id="day-total">(.*?)</tr>', body, re.S).group(1)
    assert '<td class="text-end" data-col="visits">30</td>' in total
    # The day-by-day is the data behind the person's process measures.
    assert 'href="#days"' in measure_row(body, "effective_rate")


def test_person_page_shows_the_day_a_broadcast_was_acknowledged(client, world, a):
    # Acknowledged at 01:30 UTC on 4 March: 09:30 in Shanghai, so on the 4th.
    freeze()  # published on Monday 2 March
    policy = publish(world.admin, requires_ack=True, title="三月价格政策")
    services.acknowledge(a.staff, policy, at=datetime(2026, 3, 4, 1, 30, tzinfo=timezone.utc))
    db.session.commit()
    freeze(AFTER)
    status, body = page(client, a.manager, f"/health/people/{a.staff.id}{MONTH}")
    day = re.search(r'<tr id="day-2026-03-04"[^>]*>(.*?)</tr>', body, re.S).group(1)
    assert "三月价格政策" in day
    assert "三月价格政策" not in re.search(r'<tr id="day-2026-03-03"[^>]*>(.*?)</tr>', body,
                                        re.S).group(1)


def test_the_trend_is_a_chart_with_its_scores_in_a_hidden_table(client, a):
    status, body = page(client, a.owner, f"/health/partners/{a.partner.id}{MONTH}")
    assert 'src="data:image/svg+xml;base64,' in body and "<script" not in body.split(
        'id="trend"')[1].split("</section>")[0]
    table = body.split('id="trend-table"')[1].split("</table>")[0]
    assert table.count("暂无数据") >= 5 * 4  # five months before March without data


def test_the_rise_since_last_month_is_shown_in_points(client, a):
    # February: no target, nobody logs: effective visits per day and logging score 0
    # (the working days are there), people kept 100 → (30·0 + 20·100) ÷ 50 = 40.
    compute(month=date(2026, 2, 1))
    rows = {row.month: row.overall for row in db.session.execute(select(HealthMonth).where(
        HealthMonth.subject == f"partner:{a.partner.id}")).scalars()}
    assert rows[date(2026, 2, 1)] == pytest.approx(40.0)
    rise = round(rows[date(2026, 3, 1)] - 40.0, 1)  # 59.3 in March
    status, body = page(client, a.owner, f"/health/partners/{a.partner.id}{MONTH}")
    card = body.split('id="score-overall"')[1].split("</div></div>")[0]
    assert rise > 0 and f"▲ {rise}" in card
    assert 'value="2026-02"' in body  # the month picker offers both computed months


def test_a_subject_without_a_row_that_month_shows_no_data(client, a, make):
    new_team = make.team(a.partner, "三组")
    status, body = page(client, a.owner, f"/health/teams/{new_team.id}{MONTH}")
    assert status == 200 and 'id="no-data"' in body and 'id="explanation"' not in body


def test_the_explanation_links_only_to_pages_the_viewer_may_open(client, a):
    status, body = page(client, a.owner, f"/health/partners/{a.partner.id}{MONTH}")
    assert "/results/targets/partners/" in measure_row(body, "revenue")
    assert 'href="/habits/team/"' in measure_row(body, "effective_rate")
    # Owners do not list the principal's broadcasts.
    assert "<a " not in measure_row(body, "ack_rate")


@pytest.mark.parametrize("who, path, status", [
    ("cm", "/health/partners/{b.partner.id}", 404),
    ("owner_a", "/health/partners/{b.partner.id}", 404),
    ("owner_a", "/health/teams/{b.team.id}", 404),
    ("owner_a", "/health/people/{b.staff.id}", 404),
    ("manager_a", "/health/teams/{a.other_team.id}", 404),
    ("manager_a", "/health/partners/{a.partner.id}", 403),
    ("staff_a", "/health/people/{a.other_staff.id}", 404),
    ("staff_a", "/health/teams/{a.team.id}", 403),
    ("staff_a", "/health/people/{a.staff.id}", 200),
    ("manager_a", "/health/people/{a.staff.id}", 200),
    ("cm", "/health/teams/{a.team.id}", 200),
    ("owner_a", "/health/partners/{a.partner.id}", 200),
    ("admin", "/health/partners/{b.partner.id}", 200),
    ("auditor", "/health/people/{b.staff.id}", 200),
])
def test_each_reader_opens_only_its_own_subjects(client, world, a, who, path, status):
    users = {"cm": world.cm, "owner_a": a.owner, "manager_a": a.manager, "staff_a": a.staff,
             "admin": world.admin, "auditor": world.auditor}
    got, body = page(client, users[who], path.format(a=a, b=world.b) + MONTH)
    assert got == status
    if who not in ("admin", "auditor"):
        assert "代理商B" not in body


def test_a_month_not_computed_falls_back_to_the_latest_computed(client, a):
    status, body = page(client, a.owner, f"/health/partners/{a.partner.id}?month=1999-01")
    assert status == 200 and 'value="2026-03" selected' in body
