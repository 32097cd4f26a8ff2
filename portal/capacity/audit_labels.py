"""How the audit log names saved capacity plans (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType

TYPES = {
    "CapacityPlan": AuditType(
        _l("Capacity plan"), "portal.capacity.models:CapacityPlan", name=("name",),
        refs={"partner_id": "Partner", "created_by": "User"},
        fields={"name": _l("Name"), "partner_id": _l("Partner"), "region_code": _l("Region"),
                "existing": _l("Existing customers"), "prospect": _l("Not yet joined"),
                "new": _l("Newly added"),
                "visits_existing": _l("Visits a month per existing customer"),
                "visits_prospect": _l("Visits a month per customer not yet joined"),
                "visits_new": _l("Visits a month per newly added customer"),
                "visits_per_day": _l("Visits per person-day"),
                "working_days": _l("Working days a month"),
                "ramp_days": _l("Ramp-up (working days)"),
                "ramp_share": _l("Ramp share (%)"), "serving": _l("People serving"),
                "ramping": _l("Of them ramping up"), "deal_cycle_days": _l("Deal cycle (days)"),
                "target_on": _l("Productive by"), "created_by": _l("Saved by"),
                "created_at": _l("Saved")}),
}
