"""Who may see and change partners, teams and people, and the organisation's action rules."""
from sqlalchemy import and_, false, or_, select

from portal.auth.models import PARTNER_ROLES, PRINCIPAL_ROLES, User
from portal.core.access import assigned_partners, change_rule, rule, scope
from portal.org.models import Partner, Team, Territory

# Partner records, principal accounts, the list of every account, password resets.
rule("org.admin", "admin")
# A partner's teams, people and staff import (narrowed further by the partner's scope).
rule("org.manage_staff", "admin", "channel_manager", "owner")
rule("org.audit_log", "admin", "auditor")
# Searching a partner's people: everyone but staff, who only ever see themselves.
rule("org.find_people", "admin", "auditor", "channel_manager", "owner", "manager")
# Audiences bounded to the partners one looks after (`org.audience.addressed_by`).
rule("org.bounded_audience", "channel_manager")
# The team's state on a home page: who of one's people has not done what.
rule("org.team_state", "owner", "manager")


def _assigned_partner_ids(user):
    return assigned_partners(user).scalar_subquery()


@scope(Partner)
def partner_scope(user):
    if user.role == "channel_manager":
        return Partner.channel_manager_id == user.id
    if user.partner_id is not None:
        return Partner.id == user.partner_id
    return false()


@scope(Territory)
def territory_scope(user):
    return Territory.partner_id.in_(select(Partner.id).where(partner_scope(user)))


@scope(Team)
def team_scope(user):
    if user.role == "channel_manager":
        return Team.partner_id.in_(_assigned_partner_ids(user))
    if user.role == "owner":
        return Team.partner_id == user.partner_id
    if user.role in ("manager", "staff") and user.team_id is not None:
        return and_(Team.partner_id == user.partner_id, Team.id == user.team_id)
    return false()


@scope(User)
def person_scope(user):
    """Person-level data: a manager sees its own team, staff only themselves."""
    if user.role == "channel_manager":
        return or_(User.id == user.id, User.partner_id.in_(_assigned_partner_ids(user)))
    if user.role == "owner":
        return or_(User.id == user.id, User.partner_id == user.partner_id)
    if user.role == "manager" and user.team_id is not None:
        return or_(User.id == user.id,
                   and_(User.partner_id == user.partner_id, User.team_id == user.team_id))
    return User.id == user.id


def assignable_roles(actor: User, partner) -> tuple[str, ...]:
    """Roles `actor` may give to a person of `partner` (None: a principal account)."""
    if partner is None:
        return PRINCIPAL_ROLES if actor.role == "admin" else ()
    if actor.role in ("admin", "channel_manager"):
        return PARTNER_ROLES
    if actor.role == "owner":
        return ("manager", "staff")
    return ()


@change_rule(Partner)
def change_partner(user, partner):
    return False  # partner records belong to the principal's admin


@change_rule(Team)
def change_team(user, team):
    return user.role in ("channel_manager", "owner")


@change_rule(User)
def change_person(user, person):
    """Channel managers and owners manage their partners' people, never principal staff
    and never an owner other than themselves."""
    if person.role in PRINCIPAL_ROLES:
        return False
    if user.role == "channel_manager":
        return True
    if user.role == "owner":
        return person.role != "owner" or person.id == user.id
    return False
