"""Operations on service tickets: checking one, opening it (from a form, a file or the
API, idempotent by the entry's `client_id` within its partner), recording its first
response, resolution and satisfaction, and how it did against its rule's targets.

Plain functions that add to the session; the caller commits once. Every field is checked
before anything is written: times never precede the opening, never lie in the future
(beyond a few minutes of clock skew), and a resolution never comes before the first
response."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.forms import storable_text
from portal.extensions import db
from portal.habits.customers import in_territory
from portal.habits.models import Customer
from portal.org.models import Region
from portal.service import rules
from portal.service.figures import hours_between
from portal.service.models import SCALE_RANGE, SCALES, ServiceRule, Ticket

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
SKEW = timedelta(minutes=5)
OLDEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
SUBJECT_MAX, DETAIL_MAX = 200, 4000
# What a retry must match to be the same ticket.
CONTENT = ("subject", "detail", "town_code", "customer_id", "opened_at",
           "first_response_at", "resolved_at", "satisfaction", "satisfaction_scale")
TIMES = ("opened_at", "first_response_at", "resolved_at")


class Problems(DomainError):
    """Several fields refused together (`details`: field -> message)."""

    def __init__(self, errors: dict, status: int = 400):
        field = next(iter(errors))
        super().__init__(field, errors[field], status)
        self.details = errors


def _text(values, key, limit, errors, *, required=False, multiline=False) -> str:
    text = values.get(key)
    text = text.strip() if isinstance(text, str) else ""
    if required and not text:
        errors[key] = _l("This field is required.")
    elif len(text) > limit or not storable_text(text, multiline=multiline):
        errors[key] = _l("At most %(num)d characters, one line.", num=limit) \
            if not multiline else _l("At most %(num)d characters.", num=limit)
    return text


def _moment(values, key, errors, at, *, required=False) -> datetime | None:
    value = values.get(key)
    if value is None or value == "":
        if required:
            errors[key] = _l("Enter when the ticket was opened.")
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        errors[key] = _l("Enter a date and time.")
        return None
    if value > at + SKEW:
        errors[key] = _l("This time is in the future.")
    elif value < OLDEST:
        errors[key] = _l("This time is too long ago.")
    return value


def _times(values, errors, at) -> dict:
    opened = _moment(values, "opened_at", errors, at, required=True)
    first = _moment(values, "first_response_at", errors, at)
    resolved = _moment(values, "resolved_at", errors, at)
    if opened is not None:
        for key, moment in (("first_response_at", first), ("resolved_at", resolved)):
            if moment is not None and key not in errors and moment < opened:
                errors[key] = _l("This cannot be before the ticket was opened.")
    if resolved is not None and "resolved_at" not in errors:
        if first is None and "first_response_at" not in errors:
            errors["first_response_at"] = _l(
                "A resolved ticket needs its first response (the same time when it was "
                "resolved on the spot).")
        elif first is not None and resolved < first:
            errors["resolved_at"] = _l("The resolution cannot come before the first "
                                       "response.")
    return {"opened_at": opened, "first_response_at": first, "resolved_at": resolved}


def _satisfaction(values, errors) -> tuple[int | None, str | None]:
    score, scale = values.get("satisfaction"), values.get("satisfaction_scale") or None
    if score is None or score == "":
        if scale not in (None, *SCALES):
            errors["satisfaction_scale"] = _l("Choose CSAT (1–5) or NPS (0–10).")
        return None, None
    if scale not in SCALES:
        errors["satisfaction_scale"] = _l("Choose the scale the customer answered on.")
        return None, None
    low, high = SCALE_RANGE[scale]
    if not isinstance(score, int) or isinstance(score, bool) or not low <= score <= high:
        errors["satisfaction"] = _l("A whole number from %(low)d to %(high)d.",
                                    low=low, high=high)
        return None, None
    return score, scale


def _town(partner_id, values, errors) -> str | None:
    town = values.get("town_code")
    town = town.strip() if isinstance(town, str) else None
    if not town:
        return None
    region = db.session.get(Region, town) if len(town) <= 12 else None
    if region is None or region.level != "town":
        errors["town_code"] = _l("Choose a town from the list.")
    elif not in_territory(partner_id, town):
        errors["town_code"] = _l("This town is outside the partner's territory.")
    return town


def _customer(partner_id, values, errors) -> int | None:
    ident = values.get("customer_id")
    if ident is None or ident == "":
        return None
    customer = db.session.get(Customer, ident) if isinstance(ident, int) and \
        0 < ident < 2**31 else None
    if customer is None or customer.partner_id != partner_id:
        errors["customer_id"] = _l("Choose a customer of this partner's book.")
        return None
    return customer.id


def clean(partner_id: int, values: dict, *, at: datetime | None = None,
          client_id: bool = True) -> dict:
    """The ticket's fields checked together; raises `Problems` naming every field at
    fault."""
    at = at or now()
    errors: dict = {}
    cleaned = {"client_id": None}
    if client_id:
        ident = values.get("client_id")
        if not isinstance(ident, str) or not CLIENT_ID.match(ident):
            errors["client_id"] = _l("1 to 64 letters, digits or the characters _ . : -")
        cleaned["client_id"] = ident
    cleaned["subject"] = _text(values, "subject", SUBJECT_MAX, errors, required=True)
    cleaned["detail"] = _text(values, "detail", DETAIL_MAX, errors, multiline=True)
    cleaned["town_code"] = _town(partner_id, values, errors)
    cleaned["customer_id"] = _customer(partner_id, values, errors)
    cleaned.update(_times(values, errors, at))
    cleaned["satisfaction"], cleaned["satisfaction_scale"] = _satisfaction(values, errors)
    if errors:
        raise Problems(errors)
    return cleaned


@dataclass
class Opened:
    ticket: Ticket
    created: bool


def _existing(partner_id: int, client_id: str) -> Ticket | None:
    return db.session.execute(select(Ticket).where(
        Ticket.partner_id == partner_id, Ticket.client_id == client_id)).scalar_one_or_none()


def same(ticket: Ticket, cleaned: dict) -> bool:
    """Is `ticket` exactly what `cleaned` describes (a retry of the same entry)?"""
    return all(getattr(ticket, key) == cleaned[key] for key in CONTENT)


def _again(existing: Ticket, cleaned: dict) -> Opened:
    if not same(existing, cleaned):
        raise DomainError("client_id", _l("This entry id was already used for a different "
                                          "ticket."), status=409)
    return Opened(existing, False)


def open_ticket(actor, partner_id: int, values: dict, *, channel: str = "portal",
                cleaned: dict | None = None) -> Opened:
    """Store one ticket of `partner_id`, judged later by the rule in force when it was
    opened; an entry id already stored with the same content is that ticket again
    (`created` False), with different content a 409."""
    cleaned = cleaned or clean(partner_id, values)
    existing = _existing(partner_id, cleaned["client_id"])
    if existing is not None:
        return _again(existing, cleaned)
    rule = rules.in_force(cleaned["opened_at"])
    if rule is None:
        raise DomainError("opened_at", _l("No service rule was in force at this time."))
    ticket = Ticket(partner_id=partner_id, channel=channel, rule_id=rule.id,
                    recorded_by=getattr(actor, "id", None),
                    **{key: cleaned[key] for key in ("client_id", *CONTENT)})
    try:
        with db.session.begin_nested():
            db.session.add(ticket)
            db.session.flush()
    except IntegrityError:
        # The same entry sent twice at once: the other copy got in first.
        existing = _existing(partner_id, cleaned["client_id"])
        if existing is None:
            raise
        return _again(existing, cleaned)
    return Opened(ticket, True)


def update_ticket(ticket: Ticket, values: dict) -> None:
    """Record the first response, the resolution and the satisfaction answer (the rest
    of the ticket as it was); checked as a whole like a new ticket."""
    current = {key: getattr(ticket, key) for key in CONTENT}
    merged = {**current, **{k: v for k, v in values.items()
                            if k in ("first_response_at", "resolved_at", "satisfaction",
                                     "satisfaction_scale")}}
    cleaned = clean(ticket.partner_id, merged, client_id=False)
    for key in ("first_response_at", "resolved_at", "satisfaction", "satisfaction_scale"):
        if getattr(ticket, key) != cleaned[key]:
            setattr(ticket, key, cleaned[key])


# ---- state and timing ----

def state(ticket: Ticket) -> str:
    if ticket.resolved_at is not None:
        return "resolved"
    return "responded" if ticket.first_response_at is not None else "open"


def hours(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds() / 3600


@dataclass
class Timing:
    """How one ticket did against its rule: each target's hours, the hours taken (so
    far, when not done yet) and whether it was met (None: still running in time)."""
    first_target: int
    first_hours: float | None
    first_met: bool | None
    resolution_target: int
    resolution_hours: float | None
    resolution_met: bool | None

    @property
    def overdue(self) -> bool:
        return self.first_met is False or self.resolution_met is False


def _met(target: int, taken: float | None, running: float) -> bool | None:
    if taken is not None:
        return taken <= target
    return False if running > target else None


def timing(ticket: Ticket, at: datetime | None = None) -> Timing:
    at = at or now()
    rule = ticket.rule
    running = hours(ticket.opened_at, at)
    first = hours(ticket.opened_at, ticket.first_response_at)
    resolved = hours(ticket.opened_at, ticket.resolved_at)
    return Timing(rule.first_response_hours, first,
                  _met(rule.first_response_hours, first, running),
                  rule.resolution_hours, resolved,
                  _met(rule.resolution_hours, resolved, running))


def in_state(code: str):
    """SQL over Ticket: tickets in state `code`."""
    return {"open": and_(Ticket.first_response_at.is_(None), Ticket.resolved_at.is_(None)),
            "responded": and_(Ticket.first_response_at.is_not(None),
                              Ticket.resolved_at.is_(None)),
            "resolved": Ticket.resolved_at.is_not(None)}[code]


def over_target(at: datetime):
    """SQL over Ticket (joined to its rule): tickets that missed a target, or are past
    one still running."""
    first_end = Ticket.first_response_at.is_(None)
    resolved_end = Ticket.resolved_at.is_(None)
    return or_(
        and_(first_end, hours_between(Ticket.opened_at, at) > ServiceRule.first_response_hours),
        and_(~first_end, hours_between(Ticket.opened_at, Ticket.first_response_at)
             > ServiceRule.first_response_hours),
        and_(resolved_end, hours_between(Ticket.opened_at, at) > ServiceRule.resolution_hours),
        and_(~resolved_end, hours_between(Ticket.opened_at, Ticket.resolved_at)
             > ServiceRule.resolution_hours))
