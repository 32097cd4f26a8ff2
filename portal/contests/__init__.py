"""Contests (日常短期激励和PK): short contests a channel manager sets up between its
partners, or an owner between its teams or its people, on a rate that is fair to small
teams (effective visits per person-day, follow-up rate, new customers per person,
revenue against target, exam pass rate). Standings are computed set-based from the
roll-ups; participants see their own standing and the thresholds of the top 10/25/50 %
(everyone's rank when the organiser chose a full board); a job freezes the final
standings when a contest ends and announces the results."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="contests",
    models=("portal.contests.models",),
    policies=("portal.contests.policies",),
    jobs=("portal.contests.jobs",),
    blueprints=("portal.contests.routes:bp",),
    api=("portal.contests.api:bp",),
    demo="portal.contests.demo:seed_demo",
    notifications={"contests": _l("Contests")},
    walk="portal.contests.walk",
)
