"""Training tracks: courses of Markdown lessons, enrolment by role and by hand, progress."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="training",
    models=("portal.training.models",),
    policies=("portal.training.policies",),
    jobs=("portal.training.jobs",),
    blueprints=("portal.training.routes:bp",),
    demo="portal.training.demo:seed_demo",
    notifications={"training": _l("Training")},
    walk="portal.training.walk",
    home="portal.training.home:panels",
    person="portal.training.person:panels",
)
