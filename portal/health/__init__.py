"""Team health (评估团队是否高效): every partner's, team's and person's month scored on
three published parts — performance stands out (业绩出众), the process is clear
(流程清晰), the team grows (团队成长) — from per-person rates, computed set-based from the
roll-ups into `health_months` and read from there by every page."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="health",
    models=("portal.health.models",),
    policies=("portal.health.policies",),
    jobs=("portal.health.jobs",),
    blueprints=("portal.health.routes:bp",),
    api=("portal.health.api:bp",),
    cli=("portal.health.cli:health",),
    demo="portal.health.demo:seed_demo",
    notifications={"health": _l("Team health")},
    home="portal.health.home:panels",
    walk="portal.health.walk",
)
