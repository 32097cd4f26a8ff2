"""Operations on people: create, change role and team, deactivate. No commits here."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.core.errors import DomainError
from portal.auth import sessions
from portal.auth.models import PARTNER_ROLES, PRINCIPAL_ROLES, ROLES, User
from portal.core.clock import now
from portal.extensions import db

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")



def username_taken(username: str, exclude_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.execute(query).first() is not None


def check_person(*, username: str, role: str, partner, team, exclude_id=None) -> None:
    """Raise DomainError when the combination of fields is not allowed."""
    if not USERNAME_RE.match(username or ""):
        raise DomainError("username", _l(
            "3–64 letters, digits, dot, dash or underscore, starting with a letter or digit."))
    if username_taken(username, exclude_id):
        raise DomainError("username", _l("This username is taken."))
    if role not in ROLES:
        raise DomainError("role", _l("Unknown role."))
    if role in PRINCIPAL_ROLES and partner is not None:
        raise DomainError("role", _l("Principal roles do not belong to a partner."))
    if role in PARTNER_ROLES and partner is None:
        raise DomainError("partner", _l("Partner roles need a partner."))
    if team is not None and (partner is None or team.partner_id != partner.id):
        raise DomainError("team", _l("The team belongs to another partner."))


def create_person(*, username: str, display_name: str, role: str, partner=None, team=None,
                  password: str | None = None, password_hash: str | None = None,
                  email: str | None = None, phone: str | None = None) -> User:
    """Validate and add a new person (with a hashed password) to the session."""
    username = (username or "").strip()
    check_person(username=username, role=role, partner=partner, team=team)
    if password_hash is None:
        if not password or len(password) < 8:
            raise DomainError("password", _l("At least %(num)d characters.", num=8))
        password_hash = sessions.hash_password(password)
    user = User(username=username, display_name=(display_name or username).strip(), role=role,
                partner_id=partner.id if partner else None, team_id=team.id if team else None,
                password_hash=password_hash, email=email or None, phone=phone or None)
    db.session.add(user)
    db.session.flush()
    return user


def deactivate_person(user: User) -> None:
    """Deactivate and log out everywhere; the history of the person stays."""
    user.active = False
    user.left_at = now()
    sessions.end_all_sessions(user)
