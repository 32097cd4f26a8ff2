"""Bearer-token authentication for the API.

Only `Authorization: Bearer <token>` counts: a browser's session cookie is ignored, so
a page the user happens to have open can never be used to drive the API."""
from datetime import timedelta

from flask import g, request
from sqlalchemy import select, update
from werkzeug.exceptions import Unauthorized

from portal.auth.models import ApiToken, User, digest
from portal.auth.sessions import user_for_token
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


def _mark_used(token: str) -> None:
    """Stamp `last_used_at` when it is older than a minute, in its own write transaction."""
    stamp = now()
    last_used = db.session.execute(select(ApiToken.last_used_at).where(
        ApiToken.token_digest == digest(token))).scalar_one_or_none()
    if last_used is not None and last_used > stamp - LAST_USED_RESOLUTION:
        return
    write_during_get(lambda: db.session.execute(
        update(ApiToken).where(ApiToken.token_digest == digest(token))
        .values(last_used_at=stamp)))


def authenticate() -> None:
    """`before_request` of every API blueprint: the token's user becomes current_user."""
    token = bearer_token()
    if token is None:
        _refuse("missing_token")
    user: User | None = user_for_token(token)
    if user is None:
        _refuse("invalid_token")
    _mark_used(token)
    # Flask-Login reads the request's user from here; this replaces any cookie user.
    g._login_user = user
    refuse_auditor_writes(user)
    audit.set_actor(audit.Actor(user.id, user.username, request.remote_addr))
