"""Partner scoring (公平公正, 守信, 本地化服务): a criteria catalogue published in
advance, in versions that judge the months from their effective month and are frozen
once they apply; monthly scorecards per partner computed set-based from the facts of the
other domains (registrations, service tickets, violations, dues, team health), each line
explained down to its rows; what-if on a copy; appeals decided with a reason; tiers
promoted by the score and demoted only after a person's review."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="scoring",
    models=("portal.scoring.models",),
    policies=("portal.scoring.policies",),
    jobs=("portal.scoring.jobs",),
    cli=("portal.scoring.cli:scoring",),
    demo="portal.scoring.demo:seed_demo",
    blueprints=("portal.scoring.routes:bp",),
    api=("portal.scoring.api:bp",),
    notifications={"scoring": _l("Partner scoring")},
    walk="portal.scoring.walk",
    home="portal.scoring.home:panels",
)
