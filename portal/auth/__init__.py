"""Accounts, roles, sessions that can be ended on the server, API tokens."""

from portal.core.domains import Domain

DOMAIN = Domain(
    name="auth",
    models=("portal.auth.models",),
    policies=("portal.auth.policies",),
    jobs=("portal.auth.jobs",),
    blueprints=("portal.auth.routes:bp",),
    cli=("portal.auth.cli:create_token", "portal.auth.cli:tokens"),
    walk="portal.auth.walk",
)
