"""Registering a prospect (客户报备): the input checked, then the rule in force judges it
in its published order, and the registration is kept whatever the verdict (a refused
one says why, never naming another partner). Also the holder's release and the
look-up that answers only "free", "protected" or "under review". No commits here.

The order of the rule (shown on the rule page):
1. eligibility: not one of the principal's direct accounts; inside the partner's
   territory (or, as the rule says, allowed or sent to review);
2. de-duplication against every partner's live or under-review registrations on the
   credit code, the phone digits and the normalised name in the same town;
3. cooldown: the same partner's registration of this customer ended less than
   `cooldown_days` ago;
4. caps: live and under-review registrations of the partner (`live_cap`), registrations
   filed today that were not refused (`daily_cap`);
5. manual review: the customer has an order (to any partner) in the last
   `review_recent_order_days`, or lies outside the territory under "review";
6. otherwise protected from now for `protection_days`."""
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select

from portal.core.access import visible
from portal.core.clock import BUSINESS_TZ, now
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.extensions import db
from portal.habits.customers import PHONE, in_territory, normalise_name
from portal.habits.models import Customer
from portal.org.models import Region
from portal.org.partners import clean_uscc
from portal.registrations import keys, rules
from portal.registrations.keys import Prospect
from portal.registrations.models import DirectAccount, Registration, live, pending
from portal.results.models import Order

LOOKUP_STATES = ("free", "protected", "under_review")


def _text(values: dict, key: str, limit: int, *, required: bool = False) -> str:
    raw = values.get(key)
    value = raw.strip() if isinstance(raw, str) else ""
    if required and not value:
        raise DomainError(key, _l("This field is required."))
    if len(value) > limit:
        raise DomainError(key, _l("At most %(num)d characters.", num=limit))
    if unsafe_character(value):
        raise DomainError(key, _l("This text holds a character that cannot be stored."))
    return value


def _town(code) -> str:
    code = (code or "").strip() if isinstance(code, str) else ""
    region = db.session.get(Region, code) if code.isascii() and code.isdigit() else None
    if region is None or region.level != "town":
        raise DomainError("town_code", _l("Choose a town from the list."))
    return code


def _customer(actor, raw) -> Customer:
    try:
        ident = int(raw)
    except (TypeError, ValueError):
        ident = None
    found = db.session.execute(select(Customer).where(
        Customer.id == ident, Customer.partner_id == actor.partner_id,
        visible(actor, Customer))).scalar_one_or_none() if ident and ident < 2**31 else None
    if found is None:
        raise DomainError("customer_id", _l("Choose a customer from your book."))
    if found.town_code is None:
        raise DomainError("customer_id", _l("This customer has no town yet; add it in the "
                                            "customer book first."))
    return found


def clean(actor, values: dict) -> Prospect:
    """The prospect from the form or the API: a customer of the actor's book
    (`customer_id`) or a new one (name, town, optional credit code and phone)."""
    if values.get("customer_id") not in (None, ""):
        customer = _customer(actor, values.get("customer_id"))
        return Prospect(customer.name, customer.name_norm, customer.uscc,
                        keys.phone_digits(customer.contact_phone), customer.town_code,
                        customer.id)
    name = _text(values, "name", 120, required=True)
    if not normalise_name(name):
        raise DomainError("name", _l("Enter the customer's name."))
    code = _text(values, "uscc", 18)
    uscc = clean_uscc(code) if code else None
    phone = _text(values, "phone", 20)
    if phone and not PHONE.match(phone):
        raise DomainError("phone", _l("Enter a phone number of digits, e.g. 13800138000 or "
                                      "0571-88888888."))
    return Prospect(name, normalise_name(name), uscc, keys.phone_digits(phone),
                    _town(values.get("town_code")))


def _direct(prospect: Prospect) -> DirectAccount | None:
    return db.session.execute(select(DirectAccount).where(
        keys.matching(DirectAccount, prospect)).limit(1)).scalar_one_or_none()


def _cooldown_until(partner_id: int, prospect: Prospect, rule, at: datetime):
    """When the partner may register this customer again, if its own registration of it
    ended less than the cooldown ago."""
    ended = func.coalesce(Registration.released_at, Registration.expires_at)
    last = db.session.execute(select(func.max(ended)).where(
        Registration.partner_id == partner_id, keys.matching(Registration, prospect),
        or_(Registration.status == "released",
            and_(Registration.status == "protected", Registration.expires_at <= at)))
    ).scalar()
    if last is not None and last + timedelta(days=rule.cooldown_days) > at:
        return last + timedelta(days=rule.cooldown_days)
    return None


def _day_start(at: datetime) -> datetime:
    local = at.astimezone(BUSINESS_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def counts(partner_id: int, at: datetime) -> tuple[int, int]:
    """(live and under-review registrations, registrations filed today and not refused)
    of the partner: what the caps count."""
    held = db.session.execute(select(func.count()).where(
        Registration.partner_id == partner_id, or_(live(at), pending()))).scalar()
    today = db.session.execute(select(func.count()).where(
        Registration.partner_id == partner_id, Registration.requested_at >= _day_start(at),
        Registration.status != "refused")).scalar()
    return held, today


def _recent_order(prospect: Prospect, rule, at: datetime) -> bool:
    since = at.astimezone(BUSINESS_TZ).date() - timedelta(days=rule.review_recent_order_days)
    same = keys.matching(Customer, prospect)
    if prospect.customer_id is not None:
        same = or_(Customer.id == prospect.customer_id, same)
    return db.session.execute(select(exists().where(
        Order.customer_id == Customer.id, Order.ordered_on >= since, same))).scalar()


def judge(partner_id: int, prospect: Prospect, rule, at: datetime) -> tuple[str, str | None,
                                                                             dict]:
    """(status, reason, detail) of a registration under `rule`, step by step."""
    direct = _direct(prospect)
    if direct is not None:
        return "refused", "direct_account", {"matched_on": keys.matched_on(direct, prospect)}
    review = None
    if not in_territory(partner_id, prospect.town_code):
        if rule.outside_territory == "refuse":
            return "refused", "outside_territory", {"town_code": prospect.town_code}
        if rule.outside_territory == "review":
            review = "outside_territory"
    found = keys.holder(prospect, at)
    if found is not None:
        reason = "protected" if found.status == "protected" else "under_review"
        return "refused", reason, {"matched_on": keys.matched_on(found, prospect),
                                   "yours": found.partner_id == partner_id,
                                   "holder_id": found.id}
    until = _cooldown_until(partner_id, prospect, rule, at)
    if until is not None:
        return "refused", "cooldown", {"until": until.isoformat(),
                                       "cooldown_days": rule.cooldown_days}
    held, filed = counts(partner_id, at)
    if held >= rule.live_cap:
        return "refused", "live_cap", {"count": held, "cap": rule.live_cap}
    if filed >= rule.daily_cap:
        return "refused", "daily_cap", {"count": filed, "cap": rule.daily_cap}
    if review is None and rule.review_recent_order_days and _recent_order(prospect, rule, at):
        review = "recent_orders"
    if review is not None:
        return "review", review, {"decision_hours": rule.decision_hours}
    return "protected", None, {"protection_days": rule.protection_days}


def file(actor, partner_id: int, prospect: Prospect, *, source: str, note: str = "",
         at: datetime | None = None) -> Registration:
    """Judge and keep one registration (refused ones too)."""
    at = at or now()
    rule = rules.in_force(at)
    if rule is None:
        raise DomainError("name", _l("No registration rule is in force yet."), status=409)
    keys.serialise(prospect)
    status, reason, detail = judge(partner_id, prospect, rule, at)
    registration = Registration(
        partner_id=partner_id, customer_id=prospect.customer_id, source=source,
        name=prospect.name, name_norm=prospect.name_norm, uscc=prospect.uscc,
        phone_norm=prospect.phone_norm, town_code=prospect.town_code, note=note,
        rule_id=rule.id, status=status, reason=reason, detail=detail,
        requested_by=getattr(actor, "id", None), requested_at=at)
    if status == "protected":
        registration.protected_from = at
        registration.expires_at = at + timedelta(days=rule.protection_days)
    elif status == "review":
        registration.review_due_at = at + timedelta(hours=rule.decision_hours)
    db.session.add(registration)
    db.session.flush()
    return registration


def register(actor, values: dict) -> Registration:
    """A partner person's registration of a prospect from its book or new."""
    if actor.partner_id is None:
        raise DomainError("name", _l("Only a partner's people register customers."),
                          status=403)
    prospect = clean(actor, values)
    note = _text(values, "note", 500)
    return file(actor, actor.partner_id, prospect,
                source="book" if prospect.customer_id else "new", note=note)


def release(actor, registration: Registration) -> None:
    """The holder gives a live registration up: its customer goes to the open pool."""
    at = now()
    if not (registration.status == "protected" and registration.expires_at > at):
        raise DomainError("registration", _l("Only a registration under protection can be "
                                             "released."), status=409)
    registration.status = "released"
    registration.released_at = at
    db.session.flush()


def lookup(actor, values: dict) -> str:
    """"free", "protected" or "under_review" for a name / credit code / phone (+ town);
    a direct account of the principal reads "protected" (nobody may register it).
    Never who holds it, never its dates."""
    name = _text(values, "name", 120)
    code = _text(values, "uscc", 18)
    phone = _text(values, "phone", 20)
    if not (name or code or phone):
        raise DomainError("name", _l("Enter a name, a credit code or a phone number."))
    uscc = clean_uscc(code) if code else None
    town = _town(values.get("town_code")) if name else None
    prospect = Prospect(name, normalise_name(name) if name else "", uscc,
                        keys.phone_digits(phone), town)
    if _direct(prospect) is not None:
        return "protected"
    found = keys.holder(prospect, now())
    if found is None:
        return "free"
    return "protected" if found.status == "protected" else "under_review"


def state(registration: Registration, at: datetime) -> str:
    """What a registration is now: review, protected, expired, released or refused."""
    if registration.status == "protected" and registration.expires_at <= at:
        return "expired"
    return registration.status
