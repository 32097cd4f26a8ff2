"""Results and targets (定目标 / 追过程 / 拿结果): orders closed and payments collected by
each salesperson, the new customers they develop, the per-person daily roll-ups of
those, and monthly targets for a partner, a team and a person with the three reference
lines (historical peak, starting line, forecast) and progress against the pace."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="results",
    models=("portal.results.models",),
    policies=("portal.results.policies",),
    blueprints=("portal.results.routes:bp",),
    api=("portal.results.api:bp",),
    cli=("portal.results.cli:results",),
    demo="portal.results.demo:seed_demo",
    notifications={"results": _l("Results and targets")},
    walk="portal.results.walk",
    home="portal.results.home:panels",
    person="portal.results.person:panels",
    today="portal.results.home:today_panels",
)
