"""The demo's contests: two under way (cm_zj's partners on a full board, p01_owner's
teams on their own standings) and one ended last month, frozen and announced."""
import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.contests import standings
from portal.contests.models import Contest, ContestStanding
from portal.core.clock import now, today
from portal.extensions import db
from portal.notify.models import Notification

pytestmark = pytest.mark.template("demo")


def _user(username):
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def test_the_demo_holds_contests_under_way_and_one_ended(app):
    contests = {c.organiser.username + ":" + c.metric: c
                for c in db.session.execute(select(Contest)).scalars()}
    visits = contests["cm_zj:effective_per_day"]
    teams = contests["p01_owner:follow_up_rate"]
    ended = contests["cm_zj:new_customers_per_person"]
    day = today()
    assert visits.state(day) == teams.state(day) == "running"
    assert (visits.board, teams.board, teams.level) == ("full", "own", "team")
    board = standings.compute(visits, now())
    assert board.ranked >= 2 and board.thresholds
    assert ended.state(day) == "ended" and ended.frozen_at is not None
    assert db.session.scalar(select(func.count()).select_from(ContestStanding).where(
        ContestStanding.contest_id == ended.id)) == len(ended.entries)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.category == "contests",
        Notification.user_id == _user("p01_owner").id)) == 1


def test_a_demo_salesperson_sees_its_teams_standing_and_the_thresholds(app, client):
    from tests.conftest import DEMO_PASSWORD, login
    owner = _user("p01_owner")
    contest = db.session.execute(select(Contest).where(
        Contest.organiser_id == owner.id)).scalar_one()
    person = db.session.execute(select(User).where(
        User.partner_id == owner.partner_id, User.role == "staff",
        User.team_id.is_not(None), User.active.is_(True)).order_by(User.id)).scalars().first()
    login(client, person, DEMO_PASSWORD)
    body = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert body.count("<tr data-entry=") == 1 and person.team.name in body
    assert 'id="contest-thresholds"' in body
    listing = client.get("/contests/").get_data(as_text=True)
    assert contest.name in listing
