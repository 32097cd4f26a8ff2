"""How the audit log names notification settings and chat-group robots (see
`portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.notify.labels import CATEGORY_LABELS, CHANNEL_LABELS, KIND_LABELS

TYPES = {
    "NotificationPreference": AuditType(
        _l("Notification setting"), "portal.notify.models:NotificationPreference",
        values={"category": CATEGORY_LABELS, "channel": CHANNEL_LABELS},
        fields={"category": _l("Category"), "channel": _l("Channel"),
                "enabled": _l("Enabled")}),
    "Webhook": AuditType(
        _l("Chat-group robot"), "portal.notify.models:Webhook", name=("name",),
        values={"kind": KIND_LABELS},
        fields={"kind": _l("Kind"), "url": _l("Address"), "secret": _l("Signing secret"),
                "categories": _l("Categories")}),
}
