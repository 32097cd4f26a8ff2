"""Logins that live on the server: the cookie names a LoginSession row, and ending that
row (logout, password change, deactivation) refuses every copy of the cookie."""
import secrets
from datetime import timedelta

from flask import current_app, request
from flask_login import login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth.models import ApiToken, LoginSession, User, digest
from portal.core import audit
from portal.core.clock import now
from portal.extensions import db, login_manager

# Checked against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = None
    login_manager.user_loader(_load_user)


def may_log_in(user: User) -> bool:
    """Active people of partners that are not terminated; derived, so ending a partner's
    contract needs no mass update of its people."""
    return user.active and (user.partner is None or user.partner.status != "terminated")


def _load_user(session_key: str):
    if not session_key:
        return None
    oldest = now() - timedelta(hours=current_app.config["LOGIN_MAX_AGE_HOURS"])
    row = db.session.execute(
        select(LoginSession).where(LoginSession.key_digest == digest(session_key),
                                   LoginSession.ended_at.is_(None),
                                   LoginSession.created_at >= oldest)).scalar_one_or_none()
    if row is None or not may_log_in(row.user):
        return None
    row.user.session_key = session_key
    return row.user


def hash_password(password: str) -> str:
    """Salted hash with the configured method (scrypt by default)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; constant work either way."""
    global _DUMMY_HASH
    user = db.session.execute(
        select(User).where(User.username == (username or "").strip())).scalar_one_or_none()
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not may_log_in(user):
        return None
    return user


def start_session(user: User) -> None:
    """Open a server-side session for `user` and put its key in the cookie."""
    key = secrets.token_urlsafe(32)
    db.session.add(LoginSession(key_digest=digest(key), user_id=user.id,
                                ip=request.remote_addr,
                                user_agent=(request.user_agent.string or "")[:200]))
    user.session_key = key
    user.last_login_at = now()
    login_user(user)
    # The request began anonymous; from here on its changes are the user's own.
    audit.set_actor(audit.Actor(user.id, user.username, request.remote_addr))
    audit.record("login", user)


def end_session(user: User) -> None:
    """End the current server-side session and clear the cookie."""
    if user.session_key:
        db.session.execute(update(LoginSession)
                           .where(LoginSession.key_digest == digest(user.session_key))
                           .values(ended_at=now()))
    audit.record("logout", user)
    logout_user()


def end_all_sessions(user: User) -> int:
    """End every open session of `user` and revoke every API token it holds (password
    change or reset, deactivation); returns how many sessions and tokens ended."""
    at = now()
    ended = db.session.execute(update(LoginSession)
                               .where(LoginSession.user_id == user.id,
                                      LoginSession.ended_at.is_(None))
                               .values(ended_at=at)).rowcount
    tokens = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id,
                                                       ApiToken.revoked_at.is_(None))).scalars()
    revoked = 0
    for token in tokens:  # one by one, so the audit log names each token
        token.revoked_at = at
        revoked += 1
    return ended + revoked


def revoke_token(token: ApiToken) -> bool:
    """Revoke one token; False when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now()
    return True


def issue_token(user: User, name: str = "cli") -> str:
    """Create a personal API token; returns the plain token, stored only as a digest."""
    token = "ptk_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, token_digest=digest(token)))
    return token


def live_token(token: str) -> ApiToken | None:
    """The unrevoked token row of a usable account, loaded with its user and partner in
    one query (every API request runs this), or None."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_digest == digest(token or ""),
                               ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user).joinedload(User.partner))).scalar_one_or_none()
    if row is None or not may_log_in(row.user):
        return None
    return row


def user_for_token(token: str) -> User | None:
    """The active user owning this unrevoked token, or None."""
    row = live_token(token)
    return row.user if row is not None else None
