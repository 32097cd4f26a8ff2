"""How the audit log names registration rules, direct accounts, registrations, conflict
cases and their evidence (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.registrations.labels import (CASE_STATE_LABELS, DECISION_LABELS, OUTSIDE_LABELS,
                                         SETTING_LABELS, SOURCE_LABELS, STATE_LABELS)

_REASONS = {"direct_account": _l("Direct account"),
            "outside_territory": _l("Outside the territory"),
            "protected": _l("Protected by another"), "under_review": _l("Under review by another"),
            "cooldown": _l("Cooldown"), "live_cap": _l("Live cap"), "daily_cap": _l("Daily cap"),
            "recent_orders": _l("Recent orders"), "refused_in_review": _l("Refused in review")}
_TOWN = {"town_code": _l("Town"), "uscc": _l("Unified social credit code"),
         "note": _l("Note")}

TYPES = {
    "RegistrationRule": AuditType(
        _l("Registration rule version"), "portal.registrations.models:RegistrationRule",
        name=("version",), values={"outside_territory": OUTSIDE_LABELS},
        fields={"version": _l("Version"), "effective_from": _l("Takes effect"),
                **{name: label for name, (label, _help) in SETTING_LABELS.items()},
                "note": _l("Note")}),
    "DirectAccount": AuditType(
        _l("Direct account"), "portal.registrations.models:DirectAccount", name=("name",),
        refs={"town_code": "Region"}, fields=dict(_TOWN)),
    "Registration": AuditType(
        _l("Customer registration"), "portal.registrations.models:Registration",
        name=("name",), refs={"customer_id": "Customer", "requested_by": "User",
                              "decided_by": "User", "town_code": "Region"},
        values={"status": STATE_LABELS, "source": SOURCE_LABELS, "reason": _REASONS},
        link=("registrations.registration", "registration_id"),
        fields={**_TOWN, "customer_id": _l("Customer"), "source": _l("Source"),
                "rule_id": _l("Rule version"), "reason": _l("Reason"),
                "detail": _l("What the rule saw"), "requested_by": _l("Registered by"),
                "requested_at": _l("Registered"), "protected_from": _l("Protected from"),
                "expires_at": _l("Protected until"), "extended_days": _l("Days extended"),
                "released_at": _l("Released"), "review_due_at": _l("Review due"),
                "decided_by": _l("Decided by"), "decided_at": _l("Decided"),
                "decision_note": _l("Decision note"), "warned_at": _l("Warned")}),
    "ConflictCase": AuditType(
        _l("Registration conflict case"), "portal.registrations.models:ConflictCase",
        name=("id",), values={"state": CASE_STATE_LABELS, "decision": DECISION_LABELS},
        refs={"holder_id": "Registration", "challenger_id": "Registration",
              "holder_partner_id": "Partner", "challenger_partner_id": "Partner",
              "caused_by_partner_id": "Partner", "opened_by": "User", "decided_by": "User"},
        link=("registrations.case", "case_id"),
        fields={"holder_id": _l("Holding registration"),
                "challenger_id": _l("Challenging registration"),
                "holder_partner_id": _l("Holding partner"),
                "challenger_partner_id": _l("Challenging partner"), "state": _l("State"),
                "opened_by": _l("Opened by"), "opened_at": _l("Opened"), "due_at": _l("Due"),
                "decision": _l("Decision"), "caused_by_partner_id": _l("Caused by"),
                "reason": _l("Reason"), "decided_by": _l("Decided by"),
                "decided_at": _l("Decided")}),
    "CaseEvidence": AuditType(
        _l("Case evidence"), "portal.registrations.models:CaseEvidence", name=("file_name",),
        refs={"case_id": "ConflictCase"},
        fields={"case_id": _l("Case"), "body": _l("Statement"), "file_hash": _l("File"),
                "file_name": _l("File name"), "file_type": _l("File type"),
                "file_size": _l("File size")}),
}
