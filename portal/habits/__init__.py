"""Sales habits (帮助代理商养成良好销售习惯): each partner's customer book, visits logged
from a phone (offline too) and judged by the published effective-visit rule, flags a
manager reviews, follow-ups, and the per-person daily roll-ups the pages read."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="habits",
    models=("portal.habits.models",),
    policies=("portal.habits.policies",),
    blueprints=("portal.habits.routes:bp",),
    api=("portal.habits.api:bp",),
    cli=("portal.habits.cli:habits",),
    demo="portal.habits.demo:seed_demo",
    notifications={"habits": _l("Sales habits")},
    walk="portal.habits.walk",
    home="portal.habits.home:panels",
    person="portal.habits.person:panels",
)
