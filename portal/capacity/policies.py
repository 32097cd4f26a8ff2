"""Who plans capacity and who reads saved plans.

The principal's admin and channel managers plan, and a partner's owner plans its own
territory; auditors read every saved plan. A channel manager sees the plans of the
partners it looks after and the whole-market plans it made itself; an owner its
partner's plans."""
from sqlalchemy import and_, false, or_

from portal.capacity.models import CapacityPlan
from portal.core.access import assigned_partners, change_rule, rule, scope

# Working out a region's headcount and saving the plan.
rule("capacity.plan", "admin", "channel_manager", "owner")
# The saved plans (what each sees is the CapacityPlan scope).
rule("capacity.read", "admin", "auditor", "channel_manager", "owner")


@scope(CapacityPlan)
def plan_scope(user):
    if user.role == "channel_manager":
        return or_(CapacityPlan.partner_id.in_(assigned_partners(user)),
                   and_(CapacityPlan.partner_id.is_(None), CapacityPlan.created_by == user.id))
    if user.role == "owner" and user.partner_id is not None:
        return CapacityPlan.partner_id == user.partner_id
    return false()


@change_rule(CapacityPlan)
def change_plan(user, plan):
    """Saved plans are kept as they were: a new plan is saved instead (admins aside)."""
    return False
