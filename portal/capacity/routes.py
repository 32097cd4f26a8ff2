"""The capacity pages (/capacity): the planner (pick a partner or the whole market and a
region, see the observed defaults, change any input, get the headcount with its formula),
the recompute endpoint the planner's script posts to, the saved plans and one plan.

Every handler checks the rule first, then loads what the request names inside the
user's reach (`reach.checked`, `get_or_404`): a foreign region or plan is a 404."""
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.capacity import capacity, plans, reach
from portal.capacity.models import CapacityPlan
from portal.capacity.observed import observe
from portal.core.access import get_or_404, require, visible
from portal.core.clock import today as business_today
from portal.core.errors import DomainError, error_body
from portal.core.pages import number_arg, paginate, require_login
from portal.extensions import db

bp = Blueprint("capacity", __name__, url_prefix="/capacity")
require_login(bp)


def _planner(partner_arg, partner_id, region_code, label, *, inputs=None, errors=None,
             name="", status=200, source=None):
    """The planner page: the pickers, and once a region is chosen its inputs (observed
    defaults unless given) with the result, or the fields at fault."""
    today = business_today()
    observed = result = None
    if region_code is not None:
        observed = observe(current_user, partner_id, region_code, today, plans.RAMP_DAYS)
        if inputs is None and source is None:
            inputs = plans.defaults(observed, today)
        if inputs is not None and not errors:
            result = capacity.compute(inputs, today)
    values = source if source is not None else (inputs.as_form() if inputs else {})
    return render_template(
        "capacity/planner.html", partners=reach.partners(current_user),
        market=reach.market(current_user), partner_id=partner_id,
        partner_arg=partner_arg or "",
        regions=reach.regions(current_user, partner_id) if partner_arg else [],
        region_code=region_code, region_label=label, observed=observed, values=values,
        result=result, errors=errors or {}, name=name, MARKET=reach.MARKET), status


def _only_partner() -> str | None:
    """The partner to plan for when there is nothing to choose (an owner's own)."""
    options = reach.partners(current_user)
    return str(options[0][0]) if len(options) == 1 and not reach.market(current_user) \
        else None


@bp.route("/new", methods=["GET", "POST"])
def new_plan():
    require("capacity.plan")
    if request.method == "GET":
        source_plan = number_arg("plan")
        if source_plan is not None:  # re-open a saved plan with its inputs
            plan = get_or_404(current_user, CapacityPlan, source_plan)
            partner_arg = reach.MARKET if plan.partner_id is None else str(plan.partner_id)
            partner_id, region_code, label = reach.checked(current_user, partner_arg,
                                                           plan.region_code)
            return _planner(partner_arg, partner_id, region_code, label,
                            inputs=plans.of_plan(plan),
                            name=plan.name)
        partner_arg = request.args.get("partner") or _only_partner()
        partner_id, region_code, label = reach.checked(current_user, partner_arg,
                                                       request.args.get("region"))
        return _planner(partner_arg, partner_id, region_code, label)
    form = request.form
    partner_arg = form.get("partner")
    partner_id, region_code, label = reach.checked(current_user, partner_arg,
                                                   form.get("region"))
    if region_code is None:
        return _planner(partner_arg, partner_id, None, None, errors={
            "region": _("Pick a region.")}, status=400)
    name = form.get("name", "")
    try:
        inputs = capacity.parse(form, business_today())
        if form.get("action") == "save":
            plan = plans.save_plan(current_user, partner_id, region_code, name, inputs)
            db.session.commit()
            return redirect(url_for("capacity.plan", plan_id=plan.id))
    except DomainError as exc:
        db.session.rollback()
        return _planner(partner_arg, partner_id, region_code, label, errors=exc.details,
                        name=name, status=exc.status, source=form)
    return _planner(partner_arg, partner_id, region_code, label, inputs=inputs, name=name)


@bp.route("/compute", methods=["POST"])
def compute():
    """The result of the posted inputs as JSON, for the planner's script."""
    require("capacity.plan")
    _partner, region_code, _label = reach.checked(current_user, request.form.get("partner"),
                                                  request.form.get("region"))
    today = business_today()
    try:
        if region_code is None:
            raise DomainError("region", _("Pick a region."))
        result = capacity.compute(capacity.parse(request.form, today), today)
    except DomainError as exc:
        return jsonify(error_body(exc.status, "invalid", str(exc.message),
                                  {k: str(v) for k, v in exc.details.items()})), exc.status
    return jsonify(capacity.as_json(result))


@bp.route("/")
def plans_list():
    require("capacity.read")
    query = (select(CapacityPlan).where(visible(current_user, CapacityPlan))
             .order_by(CapacityPlan.created_at.desc(), CapacityPlan.id.desc()))
    return render_template("capacity/plans.html", page=paginate(query))


@bp.route("/<int:plan_id>")
def plan(plan_id):
    require("capacity.read")
    saved = get_or_404(current_user, CapacityPlan, plan_id)
    inputs = plans.of_plan(saved)
    today = business_today()
    return render_template("capacity/plan.html", plan=saved, inputs=inputs,
                           result=capacity.compute(inputs, today))
