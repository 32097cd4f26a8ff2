"""The JSON API under /api/v1: bearer tokens, the access policy, an OpenAPI document."""
from portal.api import schemas
from portal.api.auth import SCHEME, SECURITY_SCHEME, authenticate, content_language
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
            api.register_blueprint(bp)
            # Hooked on this app, not on the shared blueprint object: every app the
            # process builds (tests build many) gets them exactly once.
            app.before_request_funcs.setdefault(bp.name, []).append(authenticate)
            app.after_request_funcs.setdefault(bp.name, []).append(content_language)
            csrf.exempt(bp)
