"""Who may see broadcasts, change them and see their reach.

A broadcast is the principal's own content: its admin and auditors see all of them; a
channel manager sees the ones it wrote and those that reached a partner assigned to it.
Partner people see a broadcast only once it is published and only when it reached them;
a partner owner also sees those that reached anyone of its partner (to follow up on its
people). Reach figures are narrower (`figures_of`): a channel manager sees every partner
for its own broadcasts and its assigned partners for the others; an owner sees its own
partner; mid-level managers and staff see no reach at all."""
from sqlalchemy import and_, exists, false, or_, select

from portal.auth.models import PARTNER_ROLES
from portal.broadcasts.models import Attachment, Broadcast, Receipt
from portal.core.access import assigned_partners, change_rule, may, rule, scope
from portal.core.clock import now

rule("broadcasts.compose", "admin", "channel_manager")
# The principal's list of broadcasts (and the breadcrumbs leading to it).
rule("broadcasts.list", "admin", "auditor", "channel_manager")
rule("broadcasts.reach", "admin", "auditor", "channel_manager", "owner")
# An owner reminds its partner's people who have not acknowledged, a team lead its team's.
rule("broadcasts.nudge", "owner", "manager")
rule("broadcasts.fidelity", "admin", "auditor", "channel_manager")
# The people with an inbox of broadcasts and its badge in the navigation bar.
rule("broadcasts.inbox", *PARTNER_ROLES)


@scope(Broadcast)
def broadcast_scope(user):
    if user.role == "channel_manager":
        # Its own broadcasts, and those that reached any partner assigned to it.
        return or_(Broadcast.created_by == user.id,
                   exists().where(Receipt.broadcast_id == Broadcast.id,
                                  Receipt.partner_id.in_(assigned_partners(user)))
                   .correlate(Broadcast))
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        return false()
    if user.role == "owner":
        reached = Receipt.partner_id == user.partner_id
    else:
        reached = Receipt.user_id == user.id
    return and_(Broadcast.publish_at <= now(),
                exists().where(Receipt.broadcast_id == Broadcast.id, reached)
                .correlate(Broadcast))


@scope(Attachment)
def attachment_scope(user):
    return Attachment.broadcast_id.in_(select(Broadcast.id).where(broadcast_scope(user)))


def _authored(user, broadcast) -> bool:
    """A broadcast is changed by the composer who wrote it (admins pass `can_change`
    before any model rule)."""
    return may(user, "broadcasts.compose") and broadcast.created_by == user.id


@change_rule(Broadcast)
def change_broadcast(user, broadcast):
    """Its author changes a broadcast only until it is published; after that a new
    version supersedes it."""
    return _authored(user, broadcast) and not broadcast.is_published


def may_supersede(user, broadcast) -> bool:
    """Superseding is a change too: the author of the published version or an admin."""
    return user.role == "admin" or _authored(user, broadcast)

