"""Who may see and record orders, payments and targets.

Orders and payments follow the lines of visits: staff see and record their own, a team
lead its team's, an owner its partner's; a channel manager reads its partners', the
principal's admin and auditors every partner's. Targets cascade down the organisation:
a channel manager (or the admin) sets a partner's, its owner the teams', and a team
lead (or the owner) each person's of its team; a team lead never sets its own."""
from sqlalchemy import and_, false, or_

from portal.core.access import assigned_partners, change_rule, rule, scope
from portal.habits.policies import people_rows
from portal.results.models import Order, Payment, Target

# Entering orders and payments: the partner's people (what each may enter: `record`).
rule("results.record", "owner", "manager", "staff")
# The order and payment lists (what each sees is the Order and Payment scopes).
rule("results.read", "admin", "auditor", "channel_manager", "owner", "manager", "staff")
# Importing a file of orders or payments, for the whole partner.
rule("results.import", "owner")
# The targets pages: reading targets, their lines and progress.
rule("results.targets", "admin", "auditor", "channel_manager", "owner", "manager", "staff")


@scope(Order)
def order_scope(user):
    return people_rows(user, Order.partner_id, Order.team_id, Order.salesperson_id)


@scope(Payment)
def payment_scope(user):
    return people_rows(user, Payment.partner_id, Payment.team_id, Payment.salesperson_id)


@scope(Target)
def target_scope(user):
    if user.role == "channel_manager":
        return Target.partner_id.in_(assigned_partners(user))
    if user.partner_id is None:
        return false()
    mine = Target.partner_id == user.partner_id
    if user.role == "owner":
        return mine
    own = [and_(Target.level == "person", Target.user_id == user.id)]
    if user.role == "manager":
        own.append(Target.level == "partner")
        if user.team_id is not None:
            own.append(Target.team_id == user.team_id)  # the team's and its people's
    elif user.team_id is not None:  # staff: their own and their team's, not colleagues'
        own.append(and_(Target.level == "team", Target.team_id == user.team_id))
    return and_(mine, or_(*own))


def may_set(user, level: str, partner_id: int, team_id: int | None = None,
            person_id: int | None = None) -> bool:
    """May `user` set a target at `level` for this partner (team, person)? Visibility
    of the subject is the caller's check; this is who sets which level."""
    if user.role == "admin":
        return level == "partner"
    if user.role == "channel_manager":
        return level == "partner"  # its own partners: the caller checks the subject
    if user.partner_id != partner_id:
        return False
    if user.role == "owner":
        return level in ("team", "person")
    if user.role == "manager":
        return level == "person" and team_id is not None and team_id == user.team_id \
            and person_id != user.id
    return False


@change_rule(Target, admins=False)
def change_target(user, target):
    return may_set(user, target.level, target.partner_id, target.team_id, target.user_id)
