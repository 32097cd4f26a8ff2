"""How the audit log names partners, territories, teams and regions, and the
organisation's events (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.audit_labels import AuditType
from portal.org.labels import STATUS_LABELS, STRUCTURE_LABELS

ACTIONS = {
    "password_reset": _l("Password reset"), "import_people": _l("Staff imported"),
    "seed_demo_wipe": _l("Demo data wiped"), "seed_scale": _l("Scale data seeded"),
}


def _territory_names():
    from portal.org.models import Partner, Region, Territory
    return (select(Territory.id, Region.name, Partner.name)
            .join(Region, Region.code == Territory.region_code)
            .join(Partner, Partner.id == Territory.partner_id))


TYPES = {
    "Partner": AuditType(
        _l("Partner"), "portal.org.models:Partner", name=("name",),
        link=("org.partner", "partner_id"),
        values={"structure": STRUCTURE_LABELS, "status": STATUS_LABELS},
        refs={"province_code": "Region", "channel_manager_id": "User"},
        fields={"uscc": _l("Unified social credit code"), "tier": _l("Tier"),
                "structure": _l("Structure"), "contract_start": _l("Contract start"),
                "contract_end": _l("Contract end"), "province_code": _l("Province"),
                "channel_manager_id": _l("Channel manager")}),
    "Territory": AuditType(
        _l("Territory"), "portal.org.models:Territory", name=("region_code",),
        query=_territory_names, refs={"region_code": "Region"},
        fields={"region_code": _l("Region"), "exclusive": _l("Exclusive")}),
    "Team": AuditType(
        _l("Team"), "portal.org.models:Team", name=("name",), link=("org.team", "team_id"),
        refs={"leader_id": "User"}, fields={"leader_id": _l("Leader")}),
    # Not audited itself: named where a partner or territory points at it.
    "Region": AuditType(_l("Region"), "portal.org.models:Region", name=("name",),
                        public=True),
}
