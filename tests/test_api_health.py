"""The team-health API: the partners' month in pages, only those the caller may see, and
one partner's, team's or person's month taken apart with its six-month trend; what is
not the caller's is a 404, as what does not exist, and a bad period a 422 naming it.

March 2026 (22 working days): A's staff logs 4 visits a day, 2 of them effective, so its
effective-visit rate is 44 ÷ 88 = 50 %; B's staff logs 2 a day, all effective."""
import pytest
from flask_babel import force_locale, gettext

from portal.core import clock
from tests.healthing import AFTER, WORK_DAYS, compute, habits, settle
from tests.test_api import bearer

API = "/api/v1"


@pytest.fixture
def march(world):
    people = [p for side in (world.a, world.b)
              for p in (side.owner, side.manager, side.staff, side.other_staff)]
    settle(*people)
    habits(world.a.staff, WORK_DAYS, visits=4, effective=2)
    habits(world.b.staff, WORK_DAYS, visits=2, effective=2)
    compute()
    clock.set_now(AFTER)
    return world


def get(client, user, path):
    return client.get(f"{API}/{path}", headers=bearer(user))


def test_a_channel_manager_lists_only_its_partner(client, march):
    r = get(client, march.cm, "health?period=2026-03")
    assert r.status_code == 200
    assert [i["partner_id"] for i in r.json["items"]] == [march.a.partner.id]
    item = r.json["items"][0]
    assert item["partner_name"] == "代理商A" and item["month"] == "2026-03"
    assert item["headcount"] == 4
    assert item["counts"]["visits"] == 88 and item["counts"]["effective"] == 44
    assert item["counts"]["target_revenue_fen"] is None  # no target: no data, not 0
    assert item["performance"] is None and item["process"] is not None
    assert set(item) >= {"overall", "performance", "process", "growth"}


def test_the_admin_lists_every_partner_in_pages_best_first(client, march):
    r = get(client, march.admin, "health?period=2026-03&per_page=1")
    assert (r.json["total"], r.json["pages"], r.json["per_page"]) == (2, 2, 1)
    first = r.json["items"][0]
    second = get(client, march.admin, "health?period=2026-03&per_page=1&page=2"
                 ).json["items"][0]
    assert first["partner_id"] == march.b.partner.id  # every visit effective
    assert second["partner_id"] == march.a.partner.id
    assert first["overall"] >= second["overall"]


def test_the_period_defaults_to_the_latest_month_computed(client, march):
    r = get(client, march.a.owner, "health")
    assert [i["month"] for i in r.json["items"]] == ["2026-03"]


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_team_leads_and_staff_list_no_partner(client, march, who):
    r = get(client, getattr(march.a, who), "health?period=2026-03")
    assert r.status_code == 200 and r.json["items"] == [] and r.json["total"] == 0


@pytest.mark.parametrize("period", ["2026-3", "2026-13", "March", "1999-12", "2026-03-01"])
def test_a_bad_period_is_a_field_message(client, march, period):
    for path in ("health", f"partners/{march.a.partner.id}/health"):
        r = get(client, march.a.owner, f"{path}?period={period}")
        assert r.status_code == 422
        with force_locale("zh"):
            assert r.json["details"]["fields"]["query"]["period"] == [
                gettext("Give the month as YYYY-MM, from 2000-01 to 2100-12.")]


def test_the_owner_reads_its_partner_taken_apart(client, march):
    r = get(client, march.a.owner, f"partners/{march.a.partner.id}/health?period=2026-03")
    assert r.status_code == 200
    body = r.json
    assert (body["subject"], body["level"], body["name"], body["computed"]) == (
        f"partner:{march.a.partner.id}", "partner", "代理商A", True)
    assert body["rule_version"] == 1 and body["headcount"] == 4
    parts = {p["part"]: p for p in body["parts"]}
    assert list(parts) == ["performance", "process", "growth"]
    rate = next(m for m in parts["process"]["measures"] if m["code"] == "effective_rate")
    assert (rate["numerator"], rate["denominator"], rate["score"], rate["weight"]) == (
        44, 88, 50.0, 20)
    assert 0 < rate["share"] < 1
    assert parts["performance"]["score"] is None and parts["performance"]["share"] is None
    assert body["process"] == parts["process"]["score"]
    months = [h["month"] for h in body["history"]]
    assert months == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert all(h["overall"] is None for h in body["history"][:5])
    assert body["history"][5]["overall"] == body["overall"]


def test_a_month_without_figures_answers_no_data(client, march):
    r = get(client, march.a.owner, f"partners/{march.a.partner.id}/health?period=2026-02")
    assert r.status_code == 200
    assert r.json["computed"] is False and r.json["parts"] is None
    assert r.json["overall"] is None and r.json["counts"] is None
    assert r.json["history"][-1] == {"month": "2026-02", "overall": None,
                                     "performance": None, "process": None, "growth": None}


def test_the_owner_of_a_gets_404_for_bs_partner_team_and_people(client, march):
    owner = march.a.owner
    for path in (f"partners/{march.b.partner.id}", f"teams/{march.b.team.id}",
                 f"people/{march.b.staff.id}", "partners/999999", f"people/{march.admin.id}"):
        r = get(client, owner, f"{path}/health?period=2026-03")
        assert r.status_code == 404, path
        assert r.json["error"] == "not_found"


def test_a_team_lead_reads_its_team_not_the_partner_nor_the_other_team(client, march):
    manager = march.a.manager
    r = get(client, manager, f"teams/{march.a.team.id}/health?period=2026-03")
    assert r.status_code == 200 and r.json["name"] == march.a.team.name
    assert r.json["partner_id"] == march.a.partner.id
    assert get(client, manager, f"teams/{march.a.other_team.id}/health").status_code == 404
    assert get(client, manager, f"partners/{march.a.partner.id}/health").status_code == 404
    assert get(client, manager, f"people/{march.a.staff.id}/health").status_code == 200


def test_staff_read_their_own_health_only(client, march):
    staff = march.a.staff
    r = get(client, staff, f"people/{staff.id}/health?period=2026-03")
    assert r.status_code == 200
    assert (r.json["subject"], r.json["level"], r.json["name"]) == (
        f"person:{staff.id}", "person", staff.display_name)
    assert r.json["counts"]["visits"] == 88 and r.json["headcount"] == 1
    for path in (f"people/{march.a.other_staff.id}", f"teams/{march.a.team.id}",
                 f"partners/{march.a.partner.id}"):
        assert get(client, staff, f"{path}/health").status_code == 404, path


def test_the_api_needs_a_token(client, march):
    assert client.get(f"{API}/health").status_code == 401
    assert client.get(f"{API}/people/{march.a.staff.id}/health").status_code == 401
