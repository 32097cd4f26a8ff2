"""How the audit log names scoring's objects (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.scoring.labels import (APPEAL_STATE_LABELS, DIRECTION_LABELS, GROUP_LABELS,
                                   MAPPING_LABELS, SET_STATE_LABELS, TIER_CHANGE_STATE_LABELS)

ACTIONS = {"amend_criteria": _l("Change a published criteria version")}

TYPES = {
    "CriteriaSet": AuditType(
        _l("Scoring criteria version"), "portal.scoring.models:CriteriaSet", name=("version",),
        values={"state": SET_STATE_LABELS},
        refs={"published_by": "User"},
        link=("scoring.criteria_set", "set_id"),
        fields={"version": _l("Version"), "effective_month": _l("Applies from"),
                "state": _l("State"), "note": _l("Note"), "tiers": _l("Tiers and gates"),
                "published_by": _l("Published by"), "published_at": _l("Published"),
                "criterion": _l("Criterion"), "change": _l("Change")}),
    "Criterion": AuditType(
        _l("Scoring criterion"), "portal.scoring.models:Criterion", name=("name", "code"),
        values={"group": GROUP_LABELS, "direction": DIRECTION_LABELS,
                "mapping": MAPPING_LABELS},
        refs={"set_id": "CriteriaSet"},
        fields={"set_id": _l("Criteria version"), "code": _l("Code"),
                "description": _l("Description"), "group": _l("Group"),
                "metric": _l("Metric"), "direction": _l("Direction"),
                "mapping": _l("Mapping"), "anchors": _l("Points mapping"),
                "weight": _l("Weight")}),
    # Not audited itself (recomputed often), but named by the appeals and tier changes.
    "Scorecard": AuditType(
        _l("Scorecard"), "portal.scoring.models:Scorecard", name=("month",),
        refs={"set_id": "CriteriaSet"},
        fields={"month": _l("Month"), "set_id": _l("Criteria version"), "tier": _l("Tier"),
                "total": _l("Total")}),
    "ManualValue": AuditType(
        _l("Corrected metric value"), "portal.scoring.models:ManualValue",
        refs={"criterion_id": "Criterion", "appeal_id": "Appeal", "set_by": "User"},
        fields={"month": _l("Month"), "criterion_id": _l("Criterion"),
                "value": _l("Value"), "appeal_id": _l("Appeal"), "set_by": _l("Set by"),
                "set_at": _l("Set")}),
    "Appeal": AuditType(
        _l("Score appeal"), "portal.scoring.models:Appeal", name=("month",),
        values={"state": APPEAL_STATE_LABELS},
        refs={"scorecard_id": "Scorecard", "criterion_id": "Criterion", "filed_by": "User",
              "decided_by": "User"},
        fields={"month": _l("Month"), "scorecard_id": _l("Scorecard"),
                "criterion_id": _l("Criterion"), "appealed_value": _l("Value appealed"),
                "claimed_value": _l("Value claimed"), "reason": _l("Reason"),
                "state": _l("State"), "filed_by": _l("Filed by"), "filed_at": _l("Filed"),
                "due_at": _l("Decision due"), "corrected_value": _l("Corrected value"),
                "decided_by": _l("Decided by"), "decided_at": _l("Decided"),
                "decision_reason": _l("Reason for the decision")}),
    "AppealMessage": AuditType(
        _l("Appeal message"), "portal.scoring.models:AppealMessage",
        refs={"appeal_id": "Appeal"},
        fields={"appeal_id": _l("Appeal"), "body": _l("Message"),
                "file_hash": _l("File fingerprint"), "file_name": _l("File name"),
                "file_type": _l("File type"), "file_size": _l("File size")}),
    "TierChange": AuditType(
        _l("Tier change"), "portal.scoring.models:TierChange", name=("month",),
        values={"state": TIER_CHANGE_STATE_LABELS},
        refs={"scorecard_id": "Scorecard", "decided_by": "User"},
        fields={"month": _l("Month"), "scorecard_id": _l("Scorecard"),
                "from_tier": _l("From tier"), "to_tier": _l("To tier"), "state": _l("State"),
                "reason": _l("Reason"), "decided_by": _l("Decided by"),
                "decided_at": _l("Decided")}),
}
