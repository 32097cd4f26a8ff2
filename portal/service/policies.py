"""Who may see and enter service tickets, and who publishes the service rule.

A partner's tickets are its own: its owner and team leads see and keep them (a team lead
answers customers for the whole partner, tickets belong to no team); its channel manager
sees and enters those of its partners; the principal's admin and auditors see all. Staff
do not keep tickets. Everyone reads the service rule; only an admin publishes one."""
from sqlalchemy import false, select

from portal.core.access import assigned_partners, change_rule, rule, scope
from portal.service.models import Ticket

# The ticket pages, the monthly summary (what each sees is the Ticket scope).
rule("service.read", "admin", "auditor", "channel_manager", "owner", "manager")
# Entering tickets (form, file, API) and recording responses and resolutions.
rule("service.enter", "admin", "channel_manager", "owner", "manager")
# The service rule: everyone reads it, an admin publishes a new version.
rule("service.rules", "admin", "auditor", "channel_manager", "owner", "manager", "staff")
rule("service.publish", "admin")


@scope(Ticket)
def ticket_scope(user):
    if user.role == "channel_manager":
        return Ticket.partner_id.in_(assigned_partners(user))
    if user.partner_id is None or user.role not in ("owner", "manager"):
        return false()
    return Ticket.partner_id == user.partner_id


@change_rule(Ticket)
def change_ticket(user, ticket):
    """Whoever sees a ticket and enters tickets keeps it (never an auditor)."""
    return user.role in ("channel_manager", "owner", "manager")


def enterable_partners(user):
    """SQL: ids of the active partners `user` may enter tickets for: its own (owner,
    team lead), those it looks after (channel manager), all (admin)."""
    from portal.org.models import Partner
    query = select(Partner.id).where(Partner.status == "active")
    if user.role == "admin":
        return query
    if user.role == "channel_manager":
        return query.where(Partner.channel_manager_id == user.id)
    if user.role in ("owner", "manager") and user.partner_id is not None:
        return query.where(Partner.id == user.partner_id)
    return query.where(false())


def seen_partner_ids(user) -> tuple[int, ...] | None:
    """Whose service figures `user` reads: None for every partner (the principal's
    admin and auditors), else the partners of its Ticket scope."""
    from portal.core.access import assigned_partner_ids
    if user.role in ("admin", "auditor"):
        return None
    if user.role == "channel_manager":
        return assigned_partner_ids(user)
    if user.role in ("owner", "manager") and user.partner_id is not None:
        return (user.partner_id,)
    return ()
