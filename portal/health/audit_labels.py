"""How the audit log names the versions of the team-health rule."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType

TYPES = {
    "HealthRule": AuditType(
        _l("Team-health rule"), "portal.health.models:HealthRule", name=("version",),
        refs={"created_by": "User"},
        fields={"version": _l("Version"), "effective_month": _l("Judges months from"),
                "weights": _l("Weights and norms"), "note": _l("Note"),
                "created_by": _l("Published by"), "created_at": _l("Published")}),
    "AssessmentWeights": AuditType(
        _l("Assessment weights"), "portal.health.models:AssessmentWeights",
        refs={"partner_id": "Partner", "set_by": "User"},
        fields={"partner_id": _l("Partner"), "results": _l("Results (%)"),
                "ability": _l("Ability (%)"), "attitude": _l("Attitude (%)"),
                "set_by": _l("Set by"), "set_at": _l("Set")}),
    "HealthNudge": AuditType(
        _l("Habit reminder"), "portal.health.models:HealthNudge",
        refs={"user_id": "User", "sent_by": "User", "partner_id": "Partner"},
        values={"kind": {"logging": _l("No visit logged this week"),
                         "follow_ups": _l("Follow-ups overdue"),
                         "forgotten": _l("Customers forgotten")}},
        fields={"kind": _l("About"), "user_id": _l("Reminded"), "partner_id": _l("Partner"),
                "team_id": _l("Team"), "sent_by": _l("Sent by"), "sent_at": _l("Sent"),
                "count": _l("How many")}),
}
