"""The demo's capacity plan: the first partner's city (its territories lie in it), with
the customer book's counts and the observed visits per person-day, deal cycle and
people. The demo's book already needs more people than serve the city; should it not,
the not-yet-joined shops of a market census the book does not hold yet are added until
it does, so the plan always shows a gap to hire for."""
import math

from sqlalchemy import select

from portal.auth.models import User
from portal.capacity import capacity, plans
from portal.capacity.observed import observe
from portal.core.clock import today
from portal.extensions import db
from portal.org.models import Partner, Region, Territory

GAP = 3  # people short in the demo's city


def seed_demo(rng) -> str:
    partner = db.session.execute(select(Partner).order_by(Partner.id)).scalars().first()
    if partner is None:
        return "Capacity: no partner, no plan"
    owner = db.session.execute(select(User).where(
        User.partner_id == partner.id, User.role == "owner").order_by(User.id)).scalars().first()
    territory = db.session.execute(select(Territory.region_code).where(
        Territory.partner_id == partner.id).order_by(Territory.region_code)).scalars().first()
    city = db.session.get(Region, territory[:4]) if territory else None
    if owner is None or city is None:
        return "Capacity: no territory, no plan"
    day = today()
    inputs = plans.defaults(observe(owner, partner.id, city.code, day, plans.RAMP_DAYS), day)
    per_person = inputs.visits_per_day * inputs.working_days
    booked = inputs.existing * inputs.visits_existing + inputs.new * inputs.visits_new
    # The census's shops not yet joined: enough for GAP people more than serve the city.
    wanted = math.ceil(((inputs.serving + GAP) * per_person - booked) / inputs.visits_prospect)
    inputs = capacity.Inputs(**{**inputs.__dict__,
                                "prospect": max(inputs.prospect, wanted + rng.randint(0, 20))})
    plan = plans.save_plan(owner, partner.id, city.code,
                           f"{city.name}{day.year + 1}年团队规模测算", inputs)
    result = capacity.compute(inputs, day)
    return (f"Capacity: plan '{plan.name}' needs {result.headcount} people, "
            f"{inputs.serving} serve the city, hire {result.hires} by {result.hire_by}")
