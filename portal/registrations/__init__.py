"""Customer registration (客户报备) and protection (保护期): a partner registers a
prospect, the published rule in force decides (direct accounts, territory,
de-duplication against every partner, cooldown, caps, manual review) and a protected
registration holds the customer for a while, extended by effective visits; an expired or
released one returns the customer to the open pool (公海). Channel managers decide
reviews and conflict cases between partners; scoring reads `figures`."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain, PartnerFlag

DOMAIN = Domain(
    name="registrations",
    models=("portal.registrations.models",),
    policies=("portal.registrations.policies",),
    jobs=("portal.registrations.jobs",),
    blueprints=("portal.registrations.routes:bp",),
    api=("portal.registrations.api:bp",),
    demo="portal.registrations.demo:seed_demo",
    notifications={"registrations": _l("Customer registrations")},
    walk="portal.registrations.walk",
    home="portal.registrations.home:panels",
    partner_flags=(PartnerFlag(
        "registrations-ending", _l("Protection ending this week: %(count)d"),
        _l("Registrations ending this week"),
        "portal.registrations.figures:ending_soon_by_partner"),),
)
