"""Growing delays after failed logins, per username and address.

The first FREE_FAILURES wrong passwords of a username from one address cost nothing;
then each further try from that address waits FIRST_WAIT, doubling up to MAX_WAIT,
until a login from there succeeds, the failures are a day old, or an admin or the partner's owner
unlocks the account. Another address is not slowed down, so a stranger guessing from
elsewhere cannot keep a person out of its office. The address as a whole has its own,
office-sized limit (LOGIN_LIMIT_PER_IP, with Flask-Limiter). Failures and the start of
a wait go to the audit log. Rows live in the database, so every web node sees them."""
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from portal.auth.models import LoginThrottle, User
from portal.core import audit
from portal.core.clock import now
from portal.extensions import db

FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:64]


def _row(username: str, ip: str) -> LoginThrottle | None:
    return db.session.execute(select(LoginThrottle).where(
        LoginThrottle.username == _key(username), LoginThrottle.ip == (ip or "")[:45])
    ).scalar_one_or_none()


def waiting(username: str, ip: str, at: datetime | None = None) -> timedelta | None:
    """How long `username` must still wait before trying from `ip`, or None."""
    at = at or now()
    row = _row(username, ip)
    if row is None or row.wait_until is None or row.wait_until <= at:
        return None
    return row.wait_until - at


def failed(username: str, ip: str, at: datetime | None = None) -> timedelta | None:
    """Count a wrong password; returns the wait it starts (None while still free)."""
    at = at or now()
    row = _row(username, ip)
    if row is None or row.last_failure_at < at - FORGET_AFTER:
        if row is None:
            row = LoginThrottle(username=_key(username), ip=(ip or "")[:45], failures=0)
            db.session.add(row)
        row.failures, row.wait_until = 0, None
    row.failures += 1
    row.last_failure_at = at
    person = db.session.execute(select(User).where(User.username == (username or "").strip())
                                ).scalar_one_or_none()
    audit.record("login_failed", person, object_type="User",
                 after={"username": _key(username), "failures": row.failures})
    if row.failures < FREE_FAILURES:
        return None
    wait = min(FIRST_WAIT * 2 ** (row.failures - FREE_FAILURES), MAX_WAIT)
    row.wait_until = at + wait
    audit.record("login_locked", person, object_type="User",
                 after={"username": _key(username), "seconds": int(wait.total_seconds())})
    return wait


def succeeded(username: str, ip: str) -> None:
    """A right password forgets the failures of this username from this address (a
    stranger's count elsewhere goes on)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.username == _key(username),
                                                   LoginThrottle.ip == (ip or "")[:45]))


def locked_until(user: User, at: datetime | None = None) -> datetime | None:
    """The latest wait of `user` from any address, when one is running."""
    at = at or now()
    return db.session.execute(select(LoginThrottle.wait_until).where(
        LoginThrottle.username == _key(user.username), LoginThrottle.wait_until > at)
        .order_by(LoginThrottle.wait_until.desc()).limit(1)).scalar()


def unlock(user: User) -> int:
    """Forget every failure of `user` (an admin or its owner asked); audited."""
    count = db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.username == _key(user.username))).rowcount
    audit.record("login_unlock", user, after={"cleared": count})
    return count
