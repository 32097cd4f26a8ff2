"""How the audit log names service tickets and rule versions."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.service.labels import CHANNEL_LABELS, SCALE_LABELS

TYPES = {
    "Ticket": AuditType(
        _l("Service ticket"), "portal.service.models:Ticket", name=("subject", "client_id"),
        refs={"customer_id": "Customer", "town_code": "Region", "rule_id": "ServiceRule",
              "assignee_id": "User", "recorded_by": "User"},
        values={"channel": CHANNEL_LABELS, "satisfaction_scale": SCALE_LABELS},
        link=("service.ticket", "ticket_id"),
        fields={"client_id": _l("Ticket number"), "customer_id": _l("Customer"),
                "town_code": _l("Town"), "subject": _l("Ticket subject"),
                "detail": _l("What the customer reported"), "channel": _l("Channel"),
                "rule_id": _l("Service rule"), "opened_at": _l("Ticket received"),
                "first_response_at": _l("First response"), "resolved_at": _l("Resolved"),
                "satisfaction": _l("Satisfaction"),
                "satisfaction_scale": _l("Satisfaction scale"),
                "assignee_id": _l("Assignee"), "recorded_by": _l("Recorded by"),
                "recorded_at": _l("Recorded")}),
    "ServiceRule": AuditType(
        _l("Service rule"), "portal.service.models:ServiceRule", name=("version",),
        fields={"version": _l("Version"), "effective_from": _l("In force from"),
                "first_response_hours": _l("First response within (hours)"),
                "resolution_hours": _l("Resolution within (hours)"), "note": _l("Note")}),
}
ACTIONS = {"import_tickets": _l("Tickets imported")}
