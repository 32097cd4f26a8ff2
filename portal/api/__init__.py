"""The JSON API under /api/v1: bearer tokens, the access policy, an OpenAPI document."""
from portal.api import schemas
from portal.api.auth import SCHEME, SECURITY_SCHEME
from portal.api.auth import authenticate, content_language
from portal.extensions import api, csrf


def register(app, blueprints) -> None:
    """Document and mount the domains' API blueprints on `app` (after `api.init_app`):
    every one authenticates by bearer token and says which language it answers in."""
    # flask-smorest documents errors with its own payload shape; ours is core.errors'.
    api.spec.components.schemas.pop("Error", None)
    api.ERROR_SCHEMA = schemas.ErrorSchema
    api._register_responses()
    api.spec.components.security_scheme(SCHEME, SECURITY_SCHEME)
    api.spec.options["security"] = [{SCHEME: []}]
    # The page-size limit in the document is read from this app's config.
    with app.app_context():
        for bp in blueprints:
            if not getattr(bp, "_portal_api", False):  # once per process, not per app
                bp.before_request(authenticate)
                bp.after_request(content_language)
                bp._portal_api = True
            api.register_blueprint(bp)
            csrf.exempt(bp)
