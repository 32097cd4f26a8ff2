"""Who may see and manage a partner's webhooks: its owner, its channel manager and the
principal's admin; auditors read them. Notifications themselves are personal and stay out
of the shared policy on purpose: not even an admin opens someone else's inbox."""
from sqlalchemy import false

from portal.core.access import assigned_partners, change_rule, may, rule, scope
from portal.notify.models import Webhook
from portal.org.models import Partner

WEBHOOK_ROLES = ("admin", "channel_manager", "owner")

# The log of every e-mail and group message the portal sent.
rule("notify.deliveries", "admin", "auditor")
# Who opens a partner's webhook list at all (narrowed per partner by may_view_webhooks).
rule("notify.webhooks", "admin", "auditor", "channel_manager", "owner")


@scope(Webhook)
def webhook_scope(user):
    if user.role == "channel_manager":
        return Webhook.partner_id.in_(assigned_partners(user))
    if user.role == "owner" and user.partner_id is not None:
        return Webhook.partner_id == user.partner_id
    return false()


@change_rule(Webhook)
def change_webhook(user, webhook):
    return user.role in WEBHOOK_ROLES


def may_view_webhooks(user, partner: Partner) -> bool:
    """May `user` see the webhook list of `partner` (which they can already see)?"""
    return may(user, "notify.webhooks") and (
        user.role == "auditor" or may_manage_webhooks(user, partner))


def may_manage_webhooks(user, partner: Partner) -> bool:
    """May `user` add webhooks to `partner`? The same people as `change_webhook`."""
    if user.role == "admin":
        return True
    if user.role == "channel_manager":
        return partner.channel_manager_id == user.id
    return user.role == "owner" and user.partner_id == partner.id
