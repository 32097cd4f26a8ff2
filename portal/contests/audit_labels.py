"""How the audit log names contests (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.contests.labels import BOARD_LABELS, LEVEL_LABELS, METRIC_LABELS
from portal.core.audit_labels import AuditType

TYPES = {
    "Contest": AuditType(
        _l("Contest"), "portal.contests.models:Contest", name=("name",),
        refs={"partner_id": "Partner", "organiser_id": "User"},
        values={"metric": METRIC_LABELS, "level": LEVEL_LABELS, "board": BOARD_LABELS},
        link=("contests.contest", "contest_id"),
        fields={"name": _l("Name"), "metric": _l("Ranks on"), "level": _l("Taking part"),
                "partner_id": _l("Partner"), "organiser_id": _l("Organiser"),
                "starts_on": _l("First day"), "ends_on": _l("Last day"),
                "min_people": _l("Minimum size"), "board": _l("Board"),
                "created_at": _l("Created"), "cancelled_at": _l("Cancelled"),
                "frozen_at": _l("Results frozen")}),
}
