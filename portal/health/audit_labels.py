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
}
