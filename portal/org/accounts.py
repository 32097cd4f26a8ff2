"""Account upkeep beyond creation (which lives in `people.py`): contact-detail rules shared by the forms and the CSV import, edits, password resets.
No commits here: the caller commits."""
import re
import secrets

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.passwords import password_problem
from portal.auth.models import User
from portal.core import audit
from portal.core.errors import DomainError
from portal.extensions import db
from portal.org.models import Team
from portal.org.people import check_person

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# No 0/O, 1/l/I: generated passwords are read off a screen or a printout.
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


def email_problem(value: str | None):
    """None when `value` is empty or a well-formed address, else the message to show."""
    if not value:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return _l("Not a valid e-mail address.")
    return None


def phone_problem(value: str | None):
    """None when `value` is empty or a mainland mobile number, else the message to show."""
    if not value or PHONE_RE.match(value):
        return None
    return _l("A mobile number has 11 digits and starts with 13 to 19.")


def generate_password(length: int = 12) -> str:
    """A random password that is easy to read out and type."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def update_person(person: User, *, username: str, display_name: str, role: str,
                  team: Team | None, email: str | None, phone: str | None) -> None:
    """Validate and apply an edit; a team leader keeps the manager role."""
    username = (username or "").strip()
    check_person(username=username, role=role, partner=person.partner, team=team,
                 exclude_id=person.id)
    if role != "manager" and person.role == "manager":
        led = db.session.execute(select(Team.name).where(
            Team.leader_id == person.id, Team.active.is_(True)).limit(1)).scalar()
        if led is not None:
            raise DomainError("role", _l(
                "This person leads the team %(team)s; give the team another leader first.",
                team=led))
    person.username, person.role = username, role
    person.display_name = (display_name or username).strip()
    person.team_id = team.id if team is not None else None
    person.email, person.phone = email or None, phone or None


def reset_password(person: User, password: str) -> None:
    """Set a new password and log the person out everywhere."""
    problem = password_problem(password, names=(person.username, person.display_name),
                               current_hash=person.password_hash)
    if problem:
        raise DomainError("password", problem)
    person.password_hash = sessions.hash_password(password)
    sessions.end_all_sessions(person)
    audit.record("password_reset", person)


def reactivate_person(person: User) -> None:
    """Let a deactivated person log in again."""
    person.active, person.left_at = True, None
