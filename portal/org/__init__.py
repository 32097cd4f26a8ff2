"""Organisation: regions, partners, territories, teams, people."""

from portal.core.domains import Domain

DOMAIN = Domain(
    name="org",
    models=("portal.org.models",),
    policies=("portal.org.policies",),
    blueprints=("portal.org.routes:bp", "portal.org.manage:bp"),
    api=("portal.org.api:account", "portal.org.api:partners"),
    cli=("portal.org.cli:create_user", "portal.org.cli:load_regions_command",
         "portal.org.seed:seed_demo", "portal.org.seed:demo_accounts",
         "portal.org.seed_scale:seed_scale"),
    walk="portal.org.walk",
)
