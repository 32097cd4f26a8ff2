"""How the audit log names broadcasts, their attachments and check questions (see
`portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.broadcasts.labels import CATEGORY_LABELS
from portal.core.audit_labels import AuditType

_OF_A_BROADCAST = {"broadcast_id": "Broadcast"}

TYPES = {
    "Broadcast": AuditType(
        _l("Broadcast"), "portal.broadcasts.models:Broadcast", name=("title",),
        link=("broadcasts.read", "broadcast_id"), values={"category": CATEGORY_LABELS},
        refs={"supersedes_id": "Broadcast", "superseded_by_id": "Broadcast"},
        fields={"series_id": _l("Series"), "version": _l("Version"),
                "supersedes_id": _l("Replaces"), "superseded_by_id": _l("Replaced by"),
                "body_md": _l("Text"), "category": _l("Category"),
                "audience": _l("Audience"), "requires_ack": _l("Requires acknowledgement"),
                "ack_deadline": _l("Acknowledge by"), "publish_at": _l("Publish at"),
                "recipient_count": _l("Recipients")}),
    "Attachment": AuditType(
        _l("Attachment"), "portal.broadcasts.models:Attachment", name=("filename",),
        refs=_OF_A_BROADCAST,
        fields={"broadcast_id": _l("Broadcast"), "filename": _l("File name"),
                "stored_name": _l("Stored as"), "content_type": _l("File type"),
                "size": _l("Size (bytes)")}),
    "CheckQuestion": AuditType(
        _l("Check question"), "portal.broadcasts.models:CheckQuestion", name=("text",),
        refs=_OF_A_BROADCAST,
        fields={"broadcast_id": _l("Broadcast"), "text": _l("Question"),
                "options": _l("Options"), "correct": _l("Right answer")}),
}
