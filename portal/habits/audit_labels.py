"""How the audit log names customers, visits, their flags and the effective-visit rule's
versions (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.habits.labels import (CLASS_LABELS, FLAG_LABELS, FLAG_STATE_LABELS, KIND_LABELS,
                                  OUTCOME_LABELS)

ACTIONS = {"import_customers": _l("Customers imported")}
_PLACE = {"latitude": _l("Latitude"), "longitude": _l("Longitude")}

TYPES = {
    "Customer": AuditType(
        _l("Customer"), "portal.habits.models:Customer", name=("name",),
        values={"klass": CLASS_LABELS}, refs={"owner_id": "User"},
        fields={"uscc": _l("Unified social credit code"), "town_code": _l("Town"),
                "address": _l("Address"), "contact_name": _l("Contact"),
                "contact_phone": _l("Phone"), "klass": _l("Class"),
                "owner_id": _l("Salesperson"), **_PLACE,
                "located_by_visit_id": _l("Located by visit"),
                "first_order_on": _l("First order")}),
    "Visit": AuditType(
        _l("Visit"), "portal.habits.models:Visit", name=("visited_at",),
        values={"kind": KIND_LABELS, "outcome": OUTCOME_LABELS},
        refs={"customer_id": "Customer"},
        fields={"client_id": _l("Entry id"), "customer_id": _l("Customer"),
                "visited_at": _l("Visited"), "day": _l("Day"), "received_at": _l("Received"),
                "kind": _l("Kind"), "decision_maker": _l("Decision maker met"),
                "outcome": _l("Outcome"), "next_step": _l("Next step"),
                "next_step_on": _l("Next step on"), "note": _l("Note"), **_PLACE,
                "accuracy_m": _l("Accuracy (m)"), "distance_m": _l("Distance (m)"),
                "photo": _l("Photo"), "rule_id": _l("Rule version"),
                "effective": _l("Effective"), "verdict": _l("Verdict"),
                "flagged": _l("Flagged"), "backdated": _l("Logged late")}),
    "VisitFlag": AuditType(
        _l("Visit flag"), "portal.habits.models:VisitFlag", name=("reason",),
        values={"reason": FLAG_LABELS, "state": FLAG_STATE_LABELS},
        refs={"visit_id": "Visit", "decided_by": "User"},
        fields={"visit_id": _l("Visit"), "reason": _l("Reason"), "detail": _l("Detail"),
                "state": _l("State"), "decided_by": _l("Decided by"),
                "decided_at": _l("Decided"), "decision_note": _l("Reason given")}),
    "VisitRule": AuditType(
        _l("Effective-visit rule"), "portal.habits.models:VisitRule", name=("version",),
        fields={"version": _l("Version"), "effective_from": _l("Effective from"),
                "needs_decision_maker": _l("Decision maker met"),
                "needs_next_step": _l("Next step"),
                "needs_next_step_date": _l("Date for the next step"),
                "max_distance_m": _l("Distance limit (m)"), "note": _l("Note")}),
}
