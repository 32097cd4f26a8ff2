"""Capacity plans: the defaults of a new plan from what was observed, and saving one."""
from datetime import date

from flask_babel import gettext as _

from portal.capacity.capacity import Inputs
from portal.capacity.models import INPUTS, CapacityPlan
from portal.capacity.observed import Observed
from portal.core.errors import DomainError
from portal.core.forms import storable_text
from portal.extensions import db
from portal.results import months

# Visits a month each class needs, until a plan says otherwise: a regular is seen every
# fortnight, a shop not yet joined monthly, a newly added one weekly-ish while it settles.
VISITS_NEEDED = {"existing": 2.0, "prospect": 1.0, "new": 3.0}
RAMP_DAYS, RAMP_SHARE = 22, 50  # one working month at half a person
FALLBACK_VISITS_PER_DAY = 6.0  # when the partner has logged no visits yet
NAME_LENGTH = 120


def target_default(today: date) -> date:
    """The first day of the month after next: time enough to hire and ramp up."""
    return months.add_months(months.first_of(today), 2)


def defaults(observed: Observed, today: date) -> Inputs:
    """A new plan's inputs: the observed figures, the house defaults for the rest."""
    counts = observed.customers
    return Inputs(
        existing=counts["existing"], prospect=counts["prospect"], new=counts["new"],
        visits_existing=VISITS_NEEDED["existing"], visits_prospect=VISITS_NEEDED["prospect"],
        visits_new=VISITS_NEEDED["new"],
        visits_per_day=observed.visits_per_day or FALLBACK_VISITS_PER_DAY,
        working_days=months.in_month(months.add_months(months.first_of(today), 1)),
        ramp_days=RAMP_DAYS, ramp_share=RAMP_SHARE, serving=observed.serving,
        ramping=observed.ramping, target_on=target_default(today),
        deal_cycle_days=observed.deal_cycle)


def of_plan(plan: CapacityPlan) -> Inputs:
    """A saved plan's inputs, to show or re-open."""
    return Inputs(**{name: getattr(plan, name) for name in INPUTS})


def save_plan(user, partner_id: int | None, region_code: str, name: str,
              inputs: Inputs) -> CapacityPlan:
    """Keep a plan under `name` (no commit); the caller checked the region is the user's."""
    name = (name or "").strip()
    if not name:
        raise DomainError("name", _("Give the plan a name."))
    if len(name) > NAME_LENGTH or not storable_text(name, multiline=False):
        raise DomainError("name", _("Use at most %(count)d ordinary characters.",
                                    count=NAME_LENGTH))
    plan = CapacityPlan(name=name, partner_id=partner_id, region_code=region_code,
                        created_by=user.id,
                        **{field: getattr(inputs, field) for field in INPUTS})
    db.session.add(plan)
    db.session.flush()
    return plan
