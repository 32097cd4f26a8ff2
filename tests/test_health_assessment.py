"""The person assessment: 70 % results, 20 % ability, 10 % attitude by default, a side
without data left out, the owner's own weights inside the principal's limits."""
import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.health.models import AssessmentWeights
from tests.conftest import login
from tests.healthing import compute, habits, results, settle, target


@pytest.fixture
def a(world):
    a = world.a
    settle(a.owner, a.manager, a.staff, a.other_staff)
    # staff_a: 80 % of its own revenue target (results 80), a visit logged on 10 of the
    # 22 working days (logging 45.45); no training, exams or broadcasts: ability has no
    # data, attitude is logging alone.
    target("person", 100_000, partner=a.partner, person=a.staff)
    results(a.staff, revenue_fen=80_000)
    habits(a.staff, 10, visits=2, effective=1)
    compute()
    return a


def _row(page: str, person) -> str:
    return page.split(f'data-person="{person.id}"')[1].split("</tr>")[0]


def _side(row: str, side: str) -> str:
    return row.split(f'data-side="{side}"')[1].split("data-score=")[1].split('"')[1]


def test_the_default_weights_worked_out_by_hand(client, a):
    login(client, a.owner)
    page = client.get("/health/assessment?month=2026-03").get_data(as_text=True)
    row = _row(page, a.staff)
    assert _side(row, "results") == "80.0"
    assert _side(row, "ability") == "none"  # no data, never 0
    assert _side(row, "attitude") == f"{100 * 10 / 22:.1f}"
    assert _side(row, "total") == f"{(70 * 80 + 10 * 100 * 10 / 22) / 80:.1f}"
    # The best first: staff_a above the colleagues without results.
    assert page.index(f'data-person="{a.staff.id}"') < page.index(
        f'data-person="{a.other_staff.id}"')


def test_the_owner_sets_weights_inside_the_principals_limits(client, a):
    login(client, a.owner)
    response = client.post("/health/assessment/weights",
                           data={"results": "60", "ability": "20", "attitude": "20"})
    assert response.status_code == 302
    page = client.get("/health/assessment?month=2026-03").get_data(as_text=True)
    assert _side(_row(page, a.staff), "total") == f"{(60 * 80 + 20 * 100 * 10 / 22) / 80:.1f}"


@pytest.mark.parametrize("values, field", [
    ({"results": "95", "ability": "3", "attitude": "2"}, "results"),  # above 90
    ({"results": "70", "ability": "20", "attitude": "20"}, "results"),  # 110 in all
    ({"results": "seventy", "ability": "20", "attitude": "10"}, "results"),
    ({"results": "70", "ability": "", "attitude": "10"}, "ability"),
])
def test_bad_weights_are_refused_field_by_field(client, a, values, field):
    login(client, a.owner)
    response = client.post("/health/assessment/weights", data=values)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="w-{field}"' in page and "is-invalid" in page.split(f'id="w-{field}"')[0][-200:]
    assert db.session.execute(select(AssessmentWeights)).first() is None


def test_a_team_lead_assesses_its_team_and_only_the_owner_sets_weights(client, world, a):
    login(client, a.manager)
    page = client.get("/health/assessment?month=2026-03").get_data(as_text=True)
    assert f'data-person="{a.staff.id}"' in page
    assert f'data-person="{a.other_staff.id}"' not in page  # another team
    assert 'id="weights-form"' not in page
    assert client.post("/health/assessment/weights", data={
        "results": "70", "ability": "20", "attitude": "10"}).status_code == 403
    client.post("/logout")
    login(client, a.staff)
    assert client.get("/health/assessment").status_code == 403
    client.post("/logout")
    login(client, world.b.owner)
    page = client.get("/health/assessment?month=2026-03").get_data(as_text=True)
    assert f'data-person="{a.staff.id}"' not in page
