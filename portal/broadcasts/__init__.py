"""Policy broadcasts: write once, reach exactly the right people, prove who read and
acknowledged, and see where a policy fades on its way down a partner (层层衰减)."""

from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="broadcasts",
    models=("portal.broadcasts.models",),
    policies=("portal.broadcasts.policies",),
    jobs=("portal.broadcasts.jobs",),
    blueprints=("portal.broadcasts.routes:bp",),
    api=("portal.broadcasts.api:bp",),
    demo="portal.broadcasts.demo:seed_demo",
    notifications={"policy": _l("Policy"), "notice": _l("Notices")},
    walk="portal.broadcasts.walk",
    home="portal.broadcasts.home:panels",
    person="portal.broadcasts.person:panels",
)
