"""The contest pages and API: who sees a contest and how much of its board, the form
that sets one up (bad input is a 400 with the field's message and nothing saved), the
organiser's cancel, and the API answering exactly what the page shows."""
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.auth import sessions
from portal.contests.finish import finish_ended
from portal.contests.models import Contest, ContestEntry
from portal.core import clock
from portal.extensions import db
from tests.conftest import login
from tests.healthing import AFTER, habits, settle
from tests.test_contests import DURING, organise


@pytest.fixture
def w(world, make):
    """A and B looked after by world.cm; C by another region's channel manager."""
    world.b.partner.channel_manager_id = world.cm.id
    world.cm_js = make.person("channel_manager", username="cm_js")
    world.c = make.partner("代理商C", province="32", manager=world.cm_js)
    world.c_owner = make.person("owner", world.c, username="owner_c")
    settle(world.a.manager, world.a.staff, world.a.other_staff, world.b.manager,
           world.b.staff, world.b.other_staff)
    habits(world.a.staff, 5, visits=3, effective=3)
    habits(world.b.staff, 5, visits=3, effective=1)
    clock.set_now(DURING)
    return world


def page(client, user, contest):
    login(client, user)
    response = client.get(f"/contests/{contest.id}")
    client.post("/logout")
    return response


def test_a_participant_sees_its_own_standing_and_the_thresholds_only(client, w):
    contest = organise(w.cm, participants=[w.a.partner.id, w.b.partner.id])
    body = page(client, w.a.staff, contest).get_data(as_text=True)
    assert "代理商A" in body and "代理商B" not in body
    assert 'id="contest-thresholds"' in body and 'data-threshold="50"' in body
    assert "data-rank" not in body  # no rank while it runs: the thresholds instead
    assert "data-band" in body


def test_everyone_sees_every_rank_on_a_full_board(client, w):
    contest = organise(w.cm, board="full", participants=[w.a.partner.id, w.b.partner.id])
    body = page(client, w.b.staff, contest).get_data(as_text=True)
    assert "代理商A" in body and "代理商B" in body and "data-rank" in body


def test_the_organiser_always_sees_the_full_board(client, w):
    contest = organise(w.cm, participants=[w.a.partner.id, w.b.partner.id])
    body = page(client, w.cm, contest).get_data(as_text=True)
    assert "代理商A" in body and "代理商B" in body


@pytest.mark.parametrize("who", ["c_owner", "cm_js"])
def test_a_non_participant_or_another_regions_manager_gets_a_404(client, w, who):
    contest = organise(w.cm, board="full", participants=[w.a.partner.id, w.b.partner.id])
    assert page(client, getattr(w, who), contest).status_code == 404
    login(client, getattr(w, who))
    listing = client.get("/contests/").get_data(as_text=True)
    assert contest.name not in listing and 'id="contest-empty"' in listing


def test_team_members_see_their_own_team_in_an_owners_contest(client, w):
    contest = organise(w.a.owner, level="team", metric="follow_up_rate")
    mine = page(client, w.a.other_staff, contest).get_data(as_text=True)
    assert "二组a" in mine and "一组a" not in mine
    lead = page(client, w.a.manager, contest).get_data(as_text=True)
    assert "一组a" in lead and "二组a" not in lead
    assert page(client, w.b.owner, contest).status_code == 404
    assert page(client, w.cm, contest).status_code == 404


def test_the_list_shows_contests_under_way_upcoming_and_ended(client, w):
    running = organise(w.cm, name="进行中PK")
    upcoming = organise(w.cm, name="下月PK", start=date(2026, 4, 1), end=date(2026, 4, 30))
    login(client, w.a.staff)
    now_on = client.get("/contests/").get_data(as_text=True)
    assert running.name in now_on and upcoming.name not in now_on
    later = client.get("/contests/?when=upcoming").get_data(as_text=True)
    assert upcoming.name in later and running.name not in later
    assert 'id="contest-empty"' in client.get("/contests/?when=ended").get_data(as_text=True)


def _form(**values):
    data = {"name": "四月有效拜访PK", "metric": "effective_per_day", "level": "partner",
            "starts_on": "2026-03-23", "ends_on": "2026-04-03", "board": "own"}
    data.update(values)
    return data


def test_a_contest_is_set_up_between_all_its_partners_by_default(client, w):
    login(client, w.cm)
    assert client.get("/contests/new").status_code == 200
    response = client.post("/contests/new", data=_form())
    assert response.status_code == 302
    contest = db.session.execute(select(Contest)).scalar_one()
    assert {e.partner_id for e in contest.entries} == {w.a.partner.id, w.b.partner.id}
    assert (contest.organiser_id, contest.board, contest.partner_id) == (w.cm.id, "own", None)


@pytest.mark.parametrize("values, field", [
    ({"ends_on": "2026-03-22", "starts_on": "2026-03-25"}, "ends_on"),  # before the start
    ({"starts_on": "2026-03-01", "ends_on": "2026-03-19"}, "ends_on"),  # in the past
    ({"ends_on": "2026-07-01"}, "ends_on"),  # more than 92 days
    ({"name": ""}, "name"),
    ({"metric": "likes"}, "metric"),
    ({"min_people": "0"}, "min_people"),
    ({"level": "team"}, "level"),  # not a channel manager's to choose
    ({"participants_partner": ["C"]}, "participants_partner"),
])
def test_bad_input_is_refused_with_the_fields_message_and_nothing_saved(
        client, w, values, field):
    login(client, w.cm)
    response = client.post("/contests/new", data=_form(**values))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Contest)) == 0
    assert db.session.scalar(select(func.count()).select_from(ContestEntry)) == 0


def test_a_partner_not_looked_after_cannot_be_put_in_a_contest(client, w):
    login(client, w.cm)
    response = client.post("/contests/new", data=_form(
        participants_partner=[str(w.a.partner.id), str(w.c.id)]))
    assert response.status_code == 400
    assert 'data-field="participants_partner"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Contest)) == 0


def test_staff_may_not_set_up_a_contest(client, w):
    login(client, w.a.staff)
    assert client.get("/contests/new").status_code == 403


def test_the_organiser_cancels_after_confirming_and_no_one_else_may(client, w):
    contest = organise(w.a.owner, level="team", metric="follow_up_rate")
    login(client, w.a.owner)
    body = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "data-confirm" in body and f"/contests/{contest.id}/cancel" in body
    client.post("/logout")
    login(client, w.a.staff)
    assert client.post(f"/contests/{contest.id}/cancel").status_code == 403
    client.post("/logout")
    login(client, w.b.owner)
    assert client.post(f"/contests/{contest.id}/cancel").status_code == 404
    client.post("/logout")
    login(client, w.a.owner)
    assert client.post(f"/contests/{contest.id}/cancel").status_code == 302
    assert db.session.get(Contest, contest.id).cancelled_at is not None
    body = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert 'id="contest-cancelled"' in body and "data-confirm" not in body


def test_an_ended_contest_can_no_longer_be_cancelled(client, w):
    contest = organise(w.a.owner, level="team", metric="follow_up_rate")
    clock.set_now(datetime(2026, 4, 2, 2, 0, tzinfo=timezone.utc))
    login(client, w.a.owner)
    assert client.post(f"/contests/{contest.id}/cancel").status_code == 403
    assert db.session.get(Contest, contest.id).cancelled_at is None


def _api(client, user, path):
    token = sessions.issue_token(user, "test")
    db.session.commit()
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_the_api_lists_only_the_contests_the_caller_may_see(client, w):
    mine = organise(w.cm, participants=[w.a.partner.id, w.b.partner.id], name="甲乙PK")
    organise(w.a.owner, level="team", metric="follow_up_rate", name="A小组赛")
    listed = _api(client, w.b.staff, "/api/v1/contests")
    assert listed.status_code == 200
    assert [c["name"] for c in listed.json["items"]] == [mine.name]
    assert listed.json["items"][0]["participants"] == 2
    assert _api(client, w.c_owner, "/api/v1/contests").json["total"] == 0
    assert _api(client, w.cm_js, f"/api/v1/contests/{mine.id}/standings").status_code == 404


def test_the_api_answers_the_standings_as_the_page_shows_them(client, w):
    contest = organise(w.cm, participants=[w.a.partner.id, w.b.partner.id])
    own = _api(client, w.b.staff, f"/api/v1/contests/{contest.id}/standings").json
    assert own["full_board"] is False and own["final"] is False
    assert [(s["name"], s["own"], s["rank"]) for s in own["standings"]] == [
        ("代理商B", True, None)]
    assert own["ranked"] == 2 and own["thresholds"]["top_10"] == pytest.approx(15 / 45)
    full = _api(client, w.cm, f"/api/v1/contests/{contest.id}/standings").json
    assert [(s["name"], s["rank"]) for s in full["standings"]] == [("代理商A", 1),
                                                                   ("代理商B", 2)]
    assert full["through"] == "2026-03-20"


def test_the_navigation_leads_to_the_contests_and_marks_the_section(client, w):
    login(client, w.a.staff)
    page = client.get("/contests/").get_data(as_text=True)
    assert re.search(r'id="nav-contests"[^>]*aria-current="page"', page)
    assert 'id="contest-new"' not in page  # staff do not organise


def test_an_ended_contest_shows_its_frozen_results_with_the_own_place(client, w):
    contest = organise(w.cm, participants=[w.a.partner.id, w.b.partner.id])
    clock.set_now(AFTER)
    assert finish_ended(AFTER) == 1
    db.session.commit()
    body = page(client, w.b.staff, contest).get_data(as_text=True)
    assert 'id="contest-final"' in body and "代理商A" not in body
    assert re.search(r"<td data-rank>2</td>", body)
    standings = _api(client, w.b.staff, f"/api/v1/contests/{contest.id}/standings").json
    assert standings["final"] is True and standings["standings"][0]["rank"] == 2
