"""Audiences: which partner people a broadcast, an exam (or any later domain) addresses,
as a spec resolved to people in one SQL statement. Neutral about who uses it: errors
are `DomainError("audience", ...)`.

A spec is a dict of lists; an empty or missing list means "any". Provinces and cities
together form one region filter: a partner matches when its province is one of them or
it holds a territory inside one of them."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select

from portal.auth.models import User
from portal.core.errors import DomainError
from portal.extensions import db
from portal.org.models import STRUCTURES, TIERS, Partner, Region, Territory

# The roles an audience may address: partner people, never the principal's own staff.
AUDIENCE_ROLES = ("owner", "manager", "staff")
SPEC_KEYS = ("provinces", "cities", "tiers", "structures", "partner_ids", "roles")
# A list longer than this is a mistake, not an audience (there are 342 cities in all).
MAX_VALUES = 5000


def _region_codes(values, digits: int, level: str) -> list[str]:
    codes = sorted({str(v).strip() for v in values})
    if any(len(c) != digits or not c.isdigit() for c in codes):
        raise DomainError("audience", _l("Unknown region code."))
    if codes:
        known = set(db.session.execute(select(Region.code).where(
            Region.code.in_(codes), Region.level == level)).scalars())
        if known != set(codes):
            raise DomainError("audience", _l("Unknown region code."))
    return codes


def _partner_ids(values) -> list[int]:
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise DomainError("audience", _l("Unknown partner.")) from None
    if ids:
        known = set(db.session.execute(select(Partner.id).where(Partner.id.in_(ids))).scalars())
        if known != set(ids):
            raise DomainError("audience", _l("Unknown partner."))
    return ids


def _choices(values, allowed, message) -> list[str]:
    chosen = sorted({str(v) for v in values})
    if any(v not in allowed for v in chosen):
        raise DomainError("audience", message)
    return chosen


def normalise_spec(raw: dict | None) -> dict:
    """A validated audience spec with every key present as a sorted list without repeats;
    raises DomainError("audience", ...) for unknown keys or values."""
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - set(SPEC_KEYS):
        raise DomainError("audience", _l("Unknown audience setting."))
    lists = {}
    for key in SPEC_KEYS:
        value = raw.get(key) or []
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise DomainError("audience", _l("Unknown audience setting."))
        lists[key] = list(value)
        if len(lists[key]) > MAX_VALUES:
            raise DomainError("audience", _l("Too many values."))
    return {
        "provinces": _region_codes(lists["provinces"], 2, "province"),
        "cities": _region_codes(lists["cities"], 4, "city"),
        "tiers": _choices(lists["tiers"], TIERS, _l("Unknown tier.")),
        "structures": _choices(lists["structures"], STRUCTURES, _l("Unknown structure.")),
        "partner_ids": _partner_ids(lists["partner_ids"]),
        "roles": _choices(lists["roles"], AUDIENCE_ROLES, _l("Unknown role.")),
    }


def _conditions(spec: dict) -> list:
    """The WHERE clauses of an audience over users joined to their partner."""
    spec = spec or {}
    roles = spec.get("roles") or AUDIENCE_ROLES
    conditions = [User.active.is_(True), User.role.in_(roles), Partner.status == "active"]
    regions = list(spec.get("provinces") or []) + list(spec.get("cities") or [])
    if regions:
        held = exists().where(Territory.partner_id == Partner.id,
                              or_(*(Territory.region_code.startswith(code) for code in regions)))
        conditions.append(or_(Partner.province_code.in_(regions), held))
    if spec.get("tiers"):
        conditions.append(Partner.tier.in_(spec["tiers"]))
    if spec.get("structures"):
        conditions.append(Partner.structure.in_(spec["structures"]))
    if spec.get("partner_ids"):
        conditions.append(Partner.id.in_(spec["partner_ids"]))
    return conditions


def audience_query(spec: dict) -> Select:
    """`select(User.id, User.partner_id, User.team_id, User.role)` of the active partner
    people of active partners that `spec` selects."""
    return (select(User.id, User.partner_id, User.team_id, User.role)
            .join(Partner, Partner.id == User.partner_id).where(*_conditions(spec)))


def preview(spec: dict) -> dict:
    """How many people `spec` reaches, in all and per partner and role (one GROUP BY)."""
    rows = db.session.execute(
        select(Partner.id, Partner.name, User.role, func.count(User.id))
        .join(Partner, Partner.id == User.partner_id).where(*_conditions(spec))
        .group_by(Partner.id, Partner.name, User.role).order_by(Partner.name, User.role)).all()
    return {"total": sum(row[3] for row in rows),
            "rows": [{"partner_id": pid, "partner_name": name, "role": role, "count": count}
                     for pid, name, role, count in rows]}


def reaches_anyone(spec: dict) -> bool:
    """Does `spec` resolve to at least one person? One EXISTS query."""
    return db.session.execute(select(audience_query(spec).exists())).scalar()
