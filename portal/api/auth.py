"""Bearer-token authentication for the API.

Only `Authorization: Bearer <token>` counts: a browser's session cookie is ignored, so
a page the user happens to have open can never be used to drive the API."""
from datetime import timedelta
from functools import wraps

from flask import g, request
from flask_babel import get_locale
from sqlalchemy import update
from werkzeug.exceptions import Unauthorized

from portal.auth.models import ApiToken, User
from portal.auth.sessions import live_token
from portal.core import audit
from portal.core.clock import now
from portal.core.database import write_during_get
from portal.core.web import refuse_auditor_writes
from portal.extensions import db

SCHEME = "bearerAuth"
SECURITY_SCHEME = {"type": "http", "scheme": "bearer",
                   "description": "A personal API token, sent as `Authorization: Bearer ptk_...`."}
# Marking a token as used is a write; once a minute is enough to see stale tokens.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _refuse(reason: str):
    exc = Unauthorized()
    exc.data = {"reason": reason}
    # core.errors sends `exc.headers`; RFC 6750 asks for the challenge on every 401.
    exc.headers = {"WWW-Authenticate": 'Bearer realm="api"' if reason == "missing_token"
                   else 'Bearer realm="api", error="invalid_token"'}
    raise exc


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _mark_used(row: ApiToken) -> None:
    """Stamp `last_used_at` when it is older than a minute, in its own write transaction."""
    stamp = now()
    if row.last_used_at is not None and row.last_used_at > stamp - LAST_USED_RESOLUTION:
        return
    write_during_get(lambda: db.session.execute(
        update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=stamp)))


def authenticate() -> None:
    """`before_request` of every API blueprint: the token's user becomes current_user."""
    token = bearer_token()
    if token is None:
        _refuse("missing_token")
    row = live_token(token)
    if row is None:
        _refuse("invalid_token")
    user: User = row.user
    _mark_used(row)
    # Flask-Login reads the request's user from here; this replaces any cookie user.
    g._login_user = user
    refuse_auditor_writes(user)
    audit.set_actor(audit.Actor(user.id, user.username, request.remote_addr))


def content_language(response):
    """`after_request` of every API blueprint: messages are in the caller's language;
    say which one it is."""
    response.headers["Content-Language"] = str(get_locale())
    return response


def allowed(name: str):
    """Refuse callers without the action rule `name` with 403 before the body is even
    read (the same rule that guards the page)."""
    from portal.core.access import require

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            require(name)
            return view(*args, **kwargs)
        return guarded
    return decorate
