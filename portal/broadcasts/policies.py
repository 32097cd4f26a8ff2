"""Who may see broadcasts, change them and see their reach.

A broadcast is the principal's own content: its admin and auditors see all of them; a
channel manager sees the ones it wrote and those that reached a partner assigned to it. Partner people see a broadcast only once it is published and only when it
reached them; a partner owner also sees those that reached anyone of its partner (to
follow up on its people). Reach figures are narrower: a channel manager sees every
partner for its own broadcasts and its assigned partners for the others; an owner sees
its own partner; mid-level managers and staff see no reach at all."""
from sqlalchemy import and_, exists, false, or_, select

from portal.auth.models import PARTNER_ROLES
from portal.broadcasts.models import Attachment, Broadcast, Receipt
from portal.core.access import change_rule, scope
from portal.core.clock import now
from portal.extensions import db
from portal.org.models import Partner

COMPOSER_ROLES = ("admin", "channel_manager")
REACH_ROLES = ("admin", "auditor", "channel_manager", "owner")


@scope(Broadcast)
def broadcast_scope(user):
    if user.role == "channel_manager":
        # Its own broadcasts, and those that reached any partner assigned to it.
        assigned = select(Partner.id).where(Partner.channel_manager_id == user.id)
        return or_(Broadcast.created_by == user.id,
                   exists().where(Receipt.broadcast_id == Broadcast.id,
                                  Receipt.partner_id.in_(assigned)))
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        return false()
    if user.role == "owner":
        reached = Receipt.partner_id == user.partner_id
    else:
        reached = Receipt.user_id == user.id
    return and_(Broadcast.publish_at <= now(),
                exists().where(Receipt.broadcast_id == Broadcast.id, reached))


@scope(Attachment)
def attachment_scope(user):
    return Attachment.broadcast_id.in_(select(Broadcast.id).where(broadcast_scope(user)))


@change_rule(Broadcast)
def change_broadcast(user, broadcast):
    """Composers change a broadcast only until it is published; after that a new
    version supersedes it."""
    return user.role in COMPOSER_ROLES and not broadcast.is_published


def may_compose(user) -> bool:
    return user.is_authenticated and user.active and user.role in COMPOSER_ROLES


def assigned_partner_ids(user) -> list[int]:
    return list(db.session.execute(select(Partner.id).where(
        Partner.channel_manager_id == user.id).order_by(Partner.id)).scalars())


def reach_partner_ids(user, broadcast: Broadcast) -> list[int] | None:
    """The partners whose reach `user` may see for `broadcast`; None means all of them,
    an empty list none (mid-level managers, staff)."""
    if user.role in ("admin", "auditor"):
        return None
    if user.role == "channel_manager":
        return None if broadcast.created_by == user.id else assigned_partner_ids(user)
    if user.role == "owner" and user.partner_id is not None:
        return [user.partner_id]
    return []


def fidelity_partner_ids(user) -> list[int] | None:
    """The partners on the fidelity page: all for admin and auditors, a channel
    manager's assigned partners, nothing for partner people."""
    if user.role in ("admin", "auditor"):
        return None
    if user.role == "channel_manager":
        return assigned_partner_ids(user)
    return []
