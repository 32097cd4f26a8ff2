"""Logging a visit: every field checked first, then judged by the rule in force at the
visit's time, flagged where it looks wrong (saved all the same), the follow-ups it asks
for or completes, and the day's roll-up, all in the caller's transaction. No commits.

A visit is identified by its salesperson and the device's `client_id`: sending the same
entry again (a retry after a lost answer, the offline queue) returns the visit already
stored; the same id with different content is refused (409). Two retries racing each
other end the same way: the loser's INSERT meets the unique key inside a savepoint."""
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.core import files
from portal.core.access import visible
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.extensions import db
from portal.habits import flags, rollups, rules
from portal.habits.flags import decide_flag, distance_m  # noqa: F401 (part of this API)
from portal.habits.models import KINDS, OUTCOMES, Customer, FollowUp, Visit

# Other domains hear of each newly stored visit: callables `fn(visit)` appended at import
# time (registrations extends protection on effective visits), run in the visit's own
# transaction after it is stored, judged and rolled up; a retry of a stored visit does
# not call them again.
AFTER_VISIT: list = []
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
# Compared when the same client id arrives again.
CONTENT = ("customer_id", "visited_at", "decision_maker", "outcome", "next_step",
           "next_step_on", "note", "latitude", "longitude")


def settings() -> dict:
    config = current_app.config
    return {key: config[key] for key in (
        "VISIT_CLOCK_SKEW_MINUTES", "VISIT_MAX_AGE_DAYS", "FOLLOW_UP_DAYS",
        "VISIT_FLAG_DISTANCE_M", "VISIT_MAX_SPEED_KMH", "VISIT_BACKDATED_HOURS",
        "VISIT_BURST_COUNT", "VISIT_PHOTO_MAX_BYTES", "VISIT_LEARN_ACCURACY_M",
        "VISIT_MAX_ACCURACY_M")}


@dataclass
class Logged:
    visit: Visit
    created: bool


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return bool(value)


def _number(values: dict, key: str, low: float, high: float, message) -> float | None:
    value = values.get(key)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DomainError(key, message) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise DomainError(key, message)
    return number


def _text(values: dict, key: str, limit: int, *, multiline: bool = False) -> str:
    value = (values.get(key) or "").strip()
    if len(value) > limit:
        raise DomainError(key, _l("At most %(num)d characters.", num=limit))
    if unsafe_character(value, multiline=multiline):
        raise DomainError(key, _l("This text holds a character that cannot be stored."))
    return value


def _when(values: dict, limits: dict) -> datetime:
    at = values.get("visited_at") or now()
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise DomainError("visited_at", _l("Give the visit's time with its time zone."))
    current = now()
    if at > current + timedelta(minutes=limits["VISIT_CLOCK_SKEW_MINUTES"]):
        raise DomainError("visited_at", _l("The visit's time is in the future; check the "
                                           "phone's clock."))
    if at < current - timedelta(days=limits["VISIT_MAX_AGE_DAYS"]):
        raise DomainError("visited_at", _l("Visits older than %(num)d days cannot be "
                                           "logged.", num=limits["VISIT_MAX_AGE_DAYS"]))
    return at


def salesperson(actor, wanted, refused) -> User:
    """Whose entry it is: the actor, or for an owner or team lead `wanted` among the
    people it leads; else DomainError(salesperson_id, `refused`, 403). Only a partner's
    people have entries (visits, orders, payments)."""
    if wanted in (None, "", actor.id):
        person = actor
    else:
        try:
            wanted = int(wanted)
        except (TypeError, ValueError):
            wanted = None
        person = db.session.execute(select(User).where(
            User.id == wanted, visible(actor, User))).scalar_one_or_none() \
            if wanted is not None and actor.role in ("owner", "manager") else None
        if person is None or person.partner_id != actor.partner_id:
            raise DomainError("salesperson_id", refused, status=403)
    if person.partner_id is None or person.role not in ("owner", "manager", "staff"):
        raise DomainError("salesperson_id", _l("Only a partner's people have entries of "
                                               "their own."), status=403)
    return person


def clean(actor, values: dict) -> dict:
    """Every field of a visit checked, in the form's order; the first bad one raises
    DomainError with its field."""
    limits = settings()
    cleaned = {}
    client_id = str(values.get("client_id") or "")
    if not CLIENT_ID.match(client_id):
        raise DomainError("client_id", _l("The entry's id is missing or malformed."))
    cleaned["client_id"] = client_id
    person = salesperson(actor, values.get("salesperson_id"), _l(
        "You can log only your own visits, or those of the people you lead."))
    try:
        customer_id = int(values.get("customer_id"))
    except (TypeError, ValueError):
        customer_id = None
    customer = db.session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None or customer.partner_id != person.partner_id or not customer.active:
        raise DomainError("customer_id", _l("Choose a customer of your partner."))
    cleaned["customer"] = customer
    cleaned["visited_at"] = _when(values, limits)
    day = rollups.business_day(cleaned["visited_at"])
    kind = values.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise DomainError("kind", _l("Choose first visit or follow-up."))
    cleaned["kind"] = kind
    cleaned["decision_maker"] = _bool(values.get("decision_maker"))
    outcome = values.get("outcome") or ""
    if outcome not in OUTCOMES:
        raise DomainError("outcome", _l("Choose an outcome from the list."))
    cleaned["outcome"] = outcome
    cleaned["next_step"] = _text(values, "next_step", 200)
    next_on = values.get("next_step_on") or None
    if next_on is not None:
        if isinstance(next_on, datetime) or not isinstance(next_on, date):
            raise DomainError("next_step_on", _l("Give the next step's date as a day."))
        if not day <= next_on <= day + timedelta(days=366):
            raise DomainError("next_step_on", _l("The next step's date lies between the "
                                                 "visit and a year after it."))
        if not cleaned["next_step"]:
            raise DomainError("next_step", _l("Say what the next step is, or leave its date "
                                              "empty."))
    cleaned["next_step_on"] = next_on
    cleaned["note"] = _text(values, "note", 2000, multiline=True)
    where = _l("A location needs a latitude (-90 to 90), a longitude (-180 to 180) and "
               "its accuracy in metres.")
    latitude = _number(values, "latitude", -90, 90, where)
    longitude = _number(values, "longitude", -180, 180, where)
    accuracy = _number(values, "accuracy_m", 0.1, limits["VISIT_MAX_ACCURACY_M"],
                       _l("The location's accuracy must be between 0.1 and %(num)d metres.",
                          num=limits["VISIT_MAX_ACCURACY_M"]))
    given = [v is not None for v in (latitude, longitude, accuracy)]
    if any(given) and not all(given):
        field = ("latitude", "longitude", "accuracy_m")[given.index(False)]
        raise DomainError(field, where)
    cleaned.update(latitude=latitude, longitude=longitude, accuracy_m=accuracy)
    cleaned["person"], cleaned["day"] = person, day
    return cleaned


def clean_photo(filename: str, data: bytes) -> bytes:
    """A visit photo as stored: a JPEG or PNG within the size limit, decoded and
    encoded again as JPEG, which drops every piece of metadata (place, device, time)."""
    from PIL import Image, UnidentifiedImageError
    limit = current_app.config["VISIT_PHOTO_MAX_BYTES"]
    if len(data) > limit:
        raise DomainError("photo", _l("A photo may be at most %(num)d MB.",
                                      num=limit // (1024 * 1024)), status=413)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise DomainError("photo", _l("The photo must be a JPEG or PNG picture."))
            image.thumbnail((2048, 2048))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise DomainError("photo", _l("The photo must be a JPEG or PNG picture.")) from None
    return out.getvalue()


def _same(visit: Visit, cleaned: dict) -> bool:
    for key in CONTENT:
        mine = cleaned["customer"].id if key == "customer_id" else cleaned[key]
        theirs = getattr(visit, key)
        if isinstance(mine, datetime):
            if abs((mine - theirs).total_seconds()) >= 1:
                return False
        elif isinstance(mine, float) or isinstance(theirs, float):
            if (mine is None) != (theirs is None) or (
                    mine is not None and abs(mine - theirs) > 1e-7):
                return False
        elif mine != theirs:
            return False
    return True


def _existing(person: User, client_id: str) -> Visit | None:
    return db.session.execute(select(Visit).where(
        Visit.user_id == person.id, Visit.client_id == client_id)).scalar_one_or_none()


def _kind(customer: Customer, at: datetime) -> str:
    earlier = db.session.execute(select(Visit.id).where(
        Visit.customer_id == customer.id, Visit.visited_at <= at).limit(1)).first()
    return "follow_up" if earlier else "first"


def _follow_ups(visit: Visit, person: User, limits: dict) -> None:
    """Complete the customer's open follow-ups asked for by earlier visits, then ask
    for this visit's own when it is a first visit with a next step."""
    open_ones = db.session.execute(select(FollowUp).join(Visit, Visit.id == FollowUp.visit_id)
                                   .where(FollowUp.customer_id == visit.customer_id,
                                          FollowUp.done_visit_id.is_(None),
                                          Visit.visited_at < visit.visited_at)).scalars().all()
    for follow_up in open_ones:
        follow_up.done_visit_id, follow_up.done_on = visit.id, visit.day
        if visit.day <= follow_up.due_on:
            rollups.add(db.session.get(User, follow_up.user_id), follow_up.due_on,
                        follow_ups_in_time=1)
    if visit.kind == "first" and visit.next_step:
        due = visit.next_step_on or visit.day + timedelta(days=limits["FOLLOW_UP_DAYS"])
        db.session.add(FollowUp(visit_id=visit.id, customer_id=visit.customer_id,
                                user_id=person.id, partner_id=person.partner_id,
                                team_id=person.team_id, due_on=due))
        rollups.add(person, due, follow_ups_due=1)


def preview(actor, values: dict) -> dict:
    """What the form shows before saving: the kind, the distance to the customer and
    the rule's verdict part by part (nothing stored)."""
    cleaned = clean(actor, {**values, "client_id": values.get("client_id") or "preview-00"})
    return _judged(cleaned)


def _judged(cleaned: dict) -> dict:
    """The kind, distance to the customer and the verdict of the rule in force."""
    customer = cleaned["customer"]
    distance = None
    if cleaned["latitude"] is not None and customer.latitude is not None:
        distance = distance_m(cleaned["latitude"], cleaned["longitude"], customer.latitude,
                              customer.longitude)
    rule = rules.in_force(cleaned["visited_at"])
    effective, parts = rules.judge(rule, decision_maker=cleaned["decision_maker"],
                                   next_step=cleaned["next_step"],
                                   next_step_on=cleaned["next_step_on"], distance_m=distance)
    return {"kind": cleaned["kind"] or _kind(customer, cleaned["visited_at"]),
            "distance_m": distance, "rule": rule, "effective": effective, "parts": parts}


def log_visit(actor, values: dict, *, photo: tuple[str, bytes] | None = None) -> Logged:
    """Store one visit from a form, the offline queue or the API; `Logged.created` is
    False when the same entry was already stored (nothing changes then)."""
    cleaned = clean(actor, values)
    person, customer = cleaned["person"], cleaned["customer"]
    existing = _existing(person, cleaned["client_id"])
    if existing is not None:
        return _again(existing, cleaned)
    limits = settings()
    photo_name = None
    if photo is not None and photo[1]:
        photo_name = files.store("visits", clean_photo(*photo))
    received = now()
    judged = _judged(cleaned)
    kind, distance, rule = judged["kind"], judged["distance_m"], judged["rule"]
    effective, parts = judged["effective"], judged["parts"]
    visit = Visit(client_id=cleaned["client_id"], partner_id=person.partner_id,
                  team_id=person.team_id, user_id=person.id, customer_id=customer.id,
                  visited_at=cleaned["visited_at"], day=cleaned["day"], received_at=received,
                  kind=kind, decision_maker=cleaned["decision_maker"],
                  outcome=cleaned["outcome"], next_step=cleaned["next_step"],
                  next_step_on=cleaned["next_step_on"], note=cleaned["note"],
                  latitude=cleaned["latitude"], longitude=cleaned["longitude"],
                  accuracy_m=cleaned["accuracy_m"], distance_m=distance, photo=photo_name,
                  rule_id=rule.id if rule else None, effective=effective,
                  backdated=received - cleaned["visited_at"] > timedelta(
                      hours=limits["VISIT_BACKDATED_HOURS"]),
                  verdict={"rule": rule.version if rule else None, "parts": parts})
    try:
        with db.session.begin_nested():
            db.session.add(visit)
            db.session.flush()
    except IntegrityError:
        # A retry of the same entry got in first (the unique key on user and client id).
        existing = _existing(person, cleaned["client_id"])
        if existing is None:
            raise
        return _again(existing, cleaned)
    if distance is not None and distance > limits["VISIT_FLAG_DISTANCE_M"]:
        flags.flag(visit, "far_from_customer", metres=round(distance))
    if photo_name is not None:
        earlier = db.session.execute(select(Visit.id, Visit.partner_id).where(
            Visit.photo == photo_name, Visit.id != visit.id).order_by(Visit.id).limit(1)).first()
        if earlier is not None:
            flags.flag(visit, "reused_photo",
                  earlier_visit=earlier.id if earlier.partner_id == visit.partner_id else None)
    flags.travel(visit, limits)
    if customer.latitude is None and cleaned["latitude"] is not None and \
            cleaned["accuracy_m"] <= limits["VISIT_LEARN_ACCURACY_M"]:
        customer.latitude, customer.longitude = cleaned["latitude"], cleaned["longitude"]
        customer.located_by_visit_id = visit.id
    _follow_ups(visit, person, limits)
    rollups.add(person, visit.day, visits=1, effective=int(effective),
                first_visits=int(kind == "first"), flagged=int(visit.flagged))
    flags.burst(visit, limits, received)
    for listener in AFTER_VISIT:
        listener(visit)
    return Logged(visit, True)


def _again(existing: Visit, cleaned: dict) -> Logged:
    if not _same(existing, cleaned):
        raise DomainError("client_id", _l("This entry id was already used for a different "
                                          "visit."), status=409)
    return Logged(existing, False)


def due_follow_ups(person: User, day: date):
    """SQL: the person's open follow-ups due by `day` (today's and overdue), oldest first."""
    return (select(FollowUp).where(FollowUp.user_id == person.id,
                                   FollowUp.done_visit_id.is_(None), FollowUp.due_on <= day)
            .order_by(FollowUp.due_on, FollowUp.id))
