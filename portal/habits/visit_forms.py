"""What the visit page offers and takes: the customers it can pick from (recent first),
the towns a new customer may be in, the rule versions it judges with on the device, and
the values it sends (a JSON body or a multipart form with a photo) made into the ones
`visits.log_visit` takes: ISO times and dates parsed, text kept as text."""
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from portal.core.access import visible
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits import rules
from portal.habits.customers import normalise_name
from portal.habits.models import Customer, Visit
from portal.habits.policies import pickable
from portal.org.models import Region, Territory

# How many customers the page carries for picking offline, and a search answers.
EMBEDDED = 200
FOUND = 20
TOWNS_SHOWN = 2000
TEXT = ("client_id", "kind", "outcome", "next_step", "note")
NUMBERS = ("customer_id", "salesperson_id", "latitude", "longitude", "accuracy_m")
IDS = ("customer_id", "salesperson_id")


# --- what the page sends --------------------------------------------------------------------
def _time(value) -> datetime:
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        return datetime.fromisoformat(value)
    except ValueError:
        raise DomainError("visited_at", _l("Give the visit's time as an ISO 8601 time with "
                                           "its offset, e.g. 2026-03-03T10:00:00+08:00.")
                          ) from None


def _day(value) -> date:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("next_step_on", _l("Give the next step's date as a day.")) from None


def visit_values(source) -> dict:
    """The fields of one visit from a JSON object or a form; a value of the wrong shape
    raises DomainError with its field (or is passed on for the service to refuse)."""
    if not hasattr(source, "get"):
        raise DomainError("body", _l("Send the fields as a JSON object."))
    values = {}
    for key in TEXT:
        value = source.get(key)
        if value is not None and not isinstance(value, str):
            raise DomainError(key, _l("This field takes text."))
        values[key] = value
    flag = source.get("decision_maker")
    values["decision_maker"] = flag if isinstance(flag, (bool, str, type(None))) else "invalid"
    for key in NUMBERS:
        value = source.get(key)
        ok = value is None or (isinstance(value, (int, float, str)) and
                               not isinstance(value, bool))
        if isinstance(value, str) and key in IDS and value.isascii() and value.isdigit() \
                and len(value) <= 12:
            value = int(value)  # a form's "12" is the id 12, as in a JSON body
        values[key] = value if ok else "invalid"  # the service refuses it with its message
    if source.get("visited_at") not in (None, ""):
        values["visited_at"] = _time(source.get("visited_at"))
    if source.get("next_step_on") not in (None, ""):
        values["next_step_on"] = _day(source.get("next_step_on"))
    return values


def photo_of(files) -> tuple[str, bytes] | None:
    """The uploaded photo as (file name, bytes), read no further than one byte past the
    limit (`visits.clean_photo` refuses it then); None when none was chosen."""
    upload = files.get("photo") if files else None
    if upload is None or not upload.filename:
        return None
    data = upload.read(current_app.config["VISIT_PHOTO_MAX_BYTES"] + 1)
    return (upload.filename, data) if data else None


# --- what the page offers -----------------------------------------------------------------
def _customer_rows(user):
    """SELECT of the customers `user` may pick, with the time of the user's last visit to
    each, whether anybody visited it before and its town's name; recent first."""
    mine = (select(Visit.customer_id, func.max(Visit.visited_at).label("last"))
            .where(Visit.user_id == user.id).group_by(Visit.customer_id).subquery())
    visited = exists().where(Visit.customer_id == Customer.id)
    return (select(Customer, mine.c.last, visited.label("visited"),
                   Region.name.label("town"))
            .outerjoin(mine, mine.c.customer_id == Customer.id)
            .outerjoin(Region, Region.code == Customer.town_code)
            .where(pickable(user))
            .order_by(mine.c.last.desc().nulls_last(), Customer.name_key, Customer.id)), mine


def as_json(row, user) -> dict:
    customer = row[0]
    return {"id": customer.id, "name": customer.name, "town": row.town or "",
            "lat": customer.latitude, "lng": customer.longitude, "visited": bool(row.visited),
            "mine": customer.owner_id == user.id,
            "last": row.last.isoformat() if row.last is not None else None}


def recent_customers(user, also: int | None = None) -> list[dict]:
    """Up to EMBEDDED customers for the page to pick from offline: those the user
    visited (most recent first), then the ones it looks after (its scope), plus `also`
    (a customer the page was opened for) when it may pick it."""
    query, mine = _customer_rows(user)
    wanted = [mine.c.last.is_not(None), visible(user, Customer)]
    if also is not None:
        wanted.append(Customer.id == also)
    rows = db.session.execute(query.where(or_(*wanted)).limit(EMBEDDED)).all()
    found = [as_json(row, user) for row in rows]
    if also is not None and all(c["id"] != also for c in found):
        extra = db.session.execute(query.where(Customer.id == also)).first()
        if extra is not None:
            found.insert(0, as_json(extra, user))
    return found


def search_customers(user, text: str) -> list[dict]:
    """Customers the user may pick whose name holds `text` (as typed or normalised);
    recent first. An empty text gives the recent ones."""
    text = (text or "").strip()[:60]
    if not text:
        return recent_customers(user)[:FOUND]
    query, _ = _customer_rows(user)
    matches = [Customer.name.contains(text, autoescape=True)]
    norm = normalise_name(text)
    if norm:
        matches.append(Customer.name_norm.contains(norm, autoescape=True))
    rows = db.session.execute(query.where(or_(*matches)).limit(FOUND)).all()
    return [as_json(row, user) for row in rows]


def territory_towns(partner_id: int) -> list[tuple[str, list[Region]]]:
    """The towns inside the partner's territories, by county: [(county name, towns)]."""
    codes = db.session.execute(select(Territory.region_code).where(
        Territory.partner_id == partner_id)).scalars().all()
    if not codes:
        return []
    towns = db.session.execute(
        select(Region).where(Region.level == "town",
                             or_(*[Region.code.startswith(code) for code in codes]))
        .order_by(Region.code).limit(TOWNS_SHOWN)).scalars().all()
    counties = {r.code: r.name for r in db.session.execute(select(Region).where(
        Region.code.in_({t.parent_code for t in towns if t.parent_code}))).scalars()}
    groups: dict[str, list[Region]] = {}
    for town in towns:
        groups.setdefault(counties.get(town.parent_code, ""), []).append(town)
    return list(groups.items())


def rule_data(rule) -> dict:
    return {"version": rule.version, "from": rule.effective_from.isoformat(),
            "decision_maker": rule.needs_decision_maker, "next_step": rule.needs_next_step,
            "next_step_date": rule.needs_next_step_date,
            "max_distance_m": rule.max_distance_m}


def page_rules() -> list[dict]:
    """The rule in force now and the next version if one is published, so the device
    judges with the right one when a visit waits past the change."""
    at = now()
    found = [rules.in_force(at), rules.upcoming(at)]
    return [rule_data(rule) for rule in found if rule is not None]
