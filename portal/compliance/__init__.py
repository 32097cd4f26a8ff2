"""Good faith (守信): verified violations (pricing, territory, contract) a channel manager
enters against a partner with evidence, which the partner's owner may answer once and
the channel manager may withdraw, and the partner's dues to the principal, paid on time
or not (契约精神). `figures` gives scoring the per-partner facts."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="compliance",
    models=("portal.compliance.models",),
    policies=("portal.compliance.policies",),
    blueprints=("portal.compliance.pages:bp",),
    api=("portal.compliance.api:bp",),
    demo="portal.compliance.demo:seed_demo",
    notifications={"compliance": _l("Good faith")},
    home="portal.compliance.home:panels",
    walk="portal.compliance.walk",
)
