"""Capacity planning (布局之理: 测算市场容量 → 推算团队人数): per region, the visits its
customers need a month, the people that takes at the observed visits per person-day,
when to hire so new people are productive by a chosen date, and the gap against the
people serving the region now; plans are saved to re-open."""
from portal.core.domains import Domain

DOMAIN = Domain(
    name="capacity",
    models=("portal.capacity.models",),
    policies=("portal.capacity.policies",),
    blueprints=("portal.capacity.routes:bp",),
    api=("portal.capacity.api:bp",),
    demo="portal.capacity.demo:seed_demo",
    walk="portal.capacity.walk",
)
