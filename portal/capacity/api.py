"""The capacity endpoint: a region's plan with the observed defaults, the headcount it
needs by the workload method, the gap and when to hire — what the planner page opens
with, for the same people (`capacity.plan`) and the same reach (a partner or region
outside it is a 404)."""
from dataclasses import asdict

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort

from portal.api.auth import allowed
from portal.api.batches import QUERY
from portal.api.schemas import ErrorSchema
from portal.capacity import capacity, plans, reach, schemas
from portal.capacity.observed import observe
from portal.core.clock import today as business_today

bp = Blueprint("capacity_api", __name__, url_prefix="/api/v1",
               description="Capacity planning (测算市场容量 → 推算团队人数) for a region.")


@bp.route("/capacity")
@allowed("capacity.plan")
@bp.arguments(schemas.CapacityArgs, **QUERY)
@bp.response(200, schemas.CapacitySchema)
@bp.alt_response(404, schema=ErrorSchema, description="A partner or region outside the "
                 "caller's reach, or none such.")
def region_capacity(partner, region):
    """A region's capacity with the defaults observed in the data (the customer book,
    visits per person-day over the last three full months, the deal cycle, the people
    serving it) and the result of the formula on them."""
    partner_id, region_code, label = reach.checked(current_user, partner, region)
    if region_code is None:  # an empty partner or region names nothing
        abort(422, message=_("Give a partner (or \"market\") and a region."))
    today = business_today()
    observed = observe(current_user, partner_id, region_code, today, plans.RAMP_DAYS)
    inputs = plans.defaults(observed, today)
    result = capacity.compute(inputs, today)
    return {"partner_id": partner_id, "region_code": region_code, "region": label,
            "observed": asdict(observed), "inputs": asdict(inputs),
            "result": {**asdict(result), "formula": [str(step) for step in result.formula]}}
