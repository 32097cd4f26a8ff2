"""Exams: question banks kept in git (`quizzes/`), and later the sittings built on them."""

from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="exams",
    models=("portal.exams.models",),
    policies=("portal.exams.policies",),
    jobs=("portal.exams.jobs",),
    blueprints=("portal.exams.routes:bp",),
    api=("portal.exams.api:bp",),
    cli=("portal.exams.bank.cli:quizzes",),
    demo="portal.exams.demo:seed_demo",
    # Scores and appeals notify in their own category from the scoring domain on.
    notifications={"exam": _l("Exams"), "scoring": _l("Scoring")},
    walk="portal.exams.walk",
    home="portal.exams.home:panels",
    person="portal.exams.person:panels",
)
