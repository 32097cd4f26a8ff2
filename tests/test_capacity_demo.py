"""The demo's capacity plan: the first partner's city, its figures observed from the
demo's book and visits, and a gap to hire for that its owner sees on the plan's page.
Read from the demo template (seeded once per run)."""
import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.capacity import capacity, plans
from portal.capacity.models import CapacityPlan
from portal.core.clock import today
from portal.extensions import db
from portal.org.models import Partner
from tests.conftest import DEMO_PASSWORD, login

pytestmark = pytest.mark.template("demo")


def test_the_demo_plans_one_city_of_the_first_partner_with_a_gap(app):
    plan = db.session.execute(select(CapacityPlan)).scalar_one()
    first = db.session.execute(select(Partner).order_by(Partner.id)).scalars().first()
    assert plan.partner_id == first.id and plan.region.level == "city"
    assert plan.visits_per_day > 1 and plan.serving > 0 and plan.deal_cycle_days is not None
    with app.test_request_context():
        result = capacity.compute(plans.of_plan(plan), today())
    assert result.headcount > plan.serving and result.hires > 0


def test_the_demo_owner_sees_the_gap(app):
    owner = db.session.execute(select(User).where(User.username == "p01_owner")).scalar_one()
    plan = db.session.execute(select(CapacityPlan)).scalar_one()
    client = app.test_client()
    assert login(client, owner, DEMO_PASSWORD).status_code == 302
    page = client.get(f"/capacity/{plan.id}").get_data(as_text=True)
    assert plan.name in page and 'class="fs-3 text-danger"' in page
