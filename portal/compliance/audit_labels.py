"""How the audit log names violations and dues."""
from flask_babel import lazy_gettext as _l

from portal.compliance.labels import KIND_LABELS, STATE_LABELS
from portal.core.audit_labels import AuditType

TYPES = {
    "Violation": AuditType(
        _l("Violation"), "portal.compliance.models:Violation", name=("occurred_on", "kind"),
        refs={"entered_by": "User", "answered_by": "User", "withdrawn_by": "User"},
        values={"kind": KIND_LABELS, "state": STATE_LABELS},
        link=("compliance.violation", "violation_id"),
        fields={"kind": _l("Kind"), "occurred_on": _l("Day it happened"),
                "description": _l("What was verified"), "state": _l("State"),
                "entered_by": _l("Entered by"), "entered_at": _l("Entered"),
                "answer": _l("Answer"), "answered_by": _l("Answered by"),
                "answered_at": _l("Answered"), "withdrawn_by": _l("Withdrawn by"),
                "withdrawn_at": _l("Withdrawn"), "withdrawn_reason": _l("Why it is withdrawn")}),
    "Due": AuditType(
        _l("Due to the principal"), "portal.compliance.models:Due", name=("reference",),
        refs={"recorded_by": "User"}, link=("compliance.due", "due_id"),
        fields={"reference": _l("Reference"), "amount_fen": _l("Amount due (fen)"),
                "due_on": _l("Due on"), "paid_fen": _l("Amount paid (fen)"),
                "paid_on": _l("Paid on"), "note": _l("Note"), "recorded_by": _l("Recorded by"),
                "recorded_at": _l("Recorded")}),
}
ACTIONS = {"import_dues": _l("Dues imported")}
