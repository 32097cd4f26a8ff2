"""Accounts, server-side login sessions and personal API tokens."""
import hashlib
from datetime import datetime
from typing import ClassVar

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.collation import KEY_LENGTH, key_default, sort_key_of
from portal.core.database import UTCDateTime
from portal.extensions import db

PRINCIPAL_ROLES = ("admin", "channel_manager", "auditor")
PARTNER_ROLES = ("owner", "manager", "staff")
ROLES = PRINCIPAL_ROLES + PARTNER_ROLES


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (session keys, API tokens); never of a password."""
    return hashlib.sha256(secret.encode()).hexdigest()


class User(UserMixin, db.Model):
    """A person with one role; partner roles belong to a partner and maybe a team."""

    __tablename__ = "users"
    __audited__ = True
    __audit_exclude__ = ("password_hash",)
    __audit_ignore__ = ("last_login_at", "name_key")  # name_key follows display_name
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), index=True,
                                          default=key_default("display_name", person=True))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person was deactivated (left its partner); cleared when it comes back.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner = relationship("Partner", foreign_keys=[partner_id])
    team = relationship("Team", foreign_keys=[team_id], back_populates="members")

    # Set by the user loader: the server-side session this request runs under.
    session_key: ClassVar[str | None] = None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_principal(self) -> bool:
        return self.role in PRINCIPAL_ROLES

    def get_id(self) -> str:
        # Flask-Login stores this in the cookie: the session key, not the user id, so
        # ending the server-side session invalidates every copy of the cookie.
        return self.session_key or ""

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


sort_key_of(User, "display_name", person=True)


class LoginSession(db.Model):
    """A login; the cookie carries its key, the table holds only the key's digest."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User")


class LoginThrottle(db.Model):
    """Failed logins of one username from one address: after a few, each further try
    from there waits longer (`portal.auth.throttle`). Kept per address so that a
    stranger guessing elsewhere never keeps the person out of its own office."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("username", "ip", name="uq_login_throttle"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)  # lower case
    ip: Mapped[str] = mapped_column(String(45))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(db.Model):
    """A personal API token; shown once at creation, stored as a digest."""

    __tablename__ = "api_tokens"
    __audited__ = True
    __audit_exclude__ = ("token_digest",)
    __audit_ignore__ = ("last_used_at",)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
