"""Local service (本地化服务): customers' service tickets against a partner — opened,
first response, resolved, the town and customer, a satisfaction answer (CSAT or NPS) —
entered in the portal, by file or in idempotent API batches, each judged by the version
of the published service rule in force when it was opened. `figures` gives scoring the
per-partner facts (median first response, resolved within target, satisfaction)."""
from portal.core.domains import Domain

DOMAIN = Domain(
    name="service",
    models=("portal.service.models",),
    policies=("portal.service.policies",),
    blueprints=("portal.service.pages:bp",),
    api=("portal.service.api:bp",),
    demo="portal.service.demo:seed_demo",
    home="portal.service.home:panels",
    walk="portal.service.walk",
)
