"""A prospect's de-duplication keys and the one query that finds who holds them.

Three keys identify a prospect across every partner: the credit code, the phone's
digits (a leading country code 86 dropped when more than 11 digits remain) and the
normalised name in its town (`portal.habits.customers.normalise_name`). Each has its
own index on `registrations`, so the look-up reads a handful of rows however many
registrations there are (`benchmarks/bench_registrations.py` times it)."""
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, or_, select, text

from portal.extensions import db
from portal.registrations.models import Registration, live, pending

_NOT_DIGIT = re.compile(r"\D+")


def phone_digits(phone: str | None) -> str | None:
    """The phone as compared: digits only, without a leading 86 on a longer number."""
    digits = _NOT_DIGIT.sub("", phone or "")
    if digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return digits[:20] or None


@dataclass
class Prospect:
    """Who is being registered: its display name and the keys it is compared on."""
    name: str
    name_norm: str
    uscc: str | None
    phone_norm: str | None
    town_code: str
    customer_id: int | None = None

    def keys(self) -> list[str]:
        found = [f"uscc:{self.uscc}"] if self.uscc else []
        if self.phone_norm:
            found.append(f"phone:{self.phone_norm}")
        found.append(f"name:{self.town_code}:{self.name_norm}")
        return sorted(found)


def matching(columns, prospect: Prospect):
    """SQL over a table with uscc / phone_norm / town_code / name_norm columns: the rows
    sharing any key with `prospect`."""
    found = []
    if prospect.uscc:
        found.append(columns.uscc == prospect.uscc)
    if prospect.phone_norm and hasattr(columns, "phone_norm"):
        found.append(columns.phone_norm == prospect.phone_norm)
    if prospect.name_norm:
        found.append(and_(columns.town_code == prospect.town_code,
                          columns.name_norm == prospect.name_norm))
    return or_(*found) if found else false()


def matched_on(row, prospect: Prospect) -> list[str]:
    """Which keys `row` shares with `prospect` (what a refusal may say)."""
    found = []
    if prospect.uscc and row.uscc == prospect.uscc:
        found.append("uscc")
    if prospect.phone_norm and getattr(row, "phone_norm", None) == prospect.phone_norm:
        found.append("phone")
    if row.town_code == prospect.town_code and row.name_norm == prospect.name_norm:
        found.append("name")
    return found


def holder_query(prospect: Prospect, at: datetime, exclude_id: int | None = None):
    """The earliest live or under-review registration of any partner on a key of
    `prospect`: the de-duplication check."""
    query = (select(Registration).where(matching(Registration, prospect),
                                        or_(live(at), pending()))
             .order_by(Registration.requested_at, Registration.id).limit(1))
    if exclude_id is not None:
        query = query.where(Registration.id != exclude_id)
    return query


def holder(prospect: Prospect, at: datetime, exclude_id: int | None = None):
    return db.session.execute(holder_query(prospect, at, exclude_id)).scalar_one_or_none()


def serialise(prospect: Prospect) -> None:
    """Let one transaction at a time judge a prospect with these keys. SQLite already
    runs writes one at a time (BEGIN IMMEDIATE); on PostgreSQL a transaction-scoped
    advisory lock per key (taken in key order, so two never wait on each other) makes a
    second racing request wait and then see the first one's registration."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in prospect.keys():
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                           {"key": f"registrations:{key}"})
