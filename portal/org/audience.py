"""Audiences: which partner people a broadcast, an exam (or any later domain) addresses,
as a spec resolved to people in one SQL statement. Neutral about who uses it: errors
are `DomainError("audience", ...)`.

A spec is a dict of lists; an empty or missing list means "any". Provinces and cities
together form one region filter: a partner matches when its province is one of them or
it holds a territory inside one of them.

Who addresses an audience bounds it (`addressed_by`): a channel manager's audiences stay
inside its own partners, recorded in the spec as `within` (their ids when it saved), so
empty pickers mean "my partners" and a province it does not look after reaches nobody.
Only an admin addresses the whole country; an admin changing a bounded audience keeps
its bound."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select

from portal.auth.models import User
from portal.core.errors import DomainError
from portal.core.pages import MAX_ID
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
    if any(not 1 <= i <= MAX_ID for i in ids):
        raise DomainError("audience", _l("Unknown partner."))
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
    """A validated audience spec with every key present as a sorted list without repeats
    (and `within` when the audience is bounded); raises DomainError("audience", ...) for
    unknown keys or values."""
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - set(SPEC_KEYS) - {"within"}:
        raise DomainError("audience", _l("Unknown audience setting."))
    within = raw.get("within")
    if within is not None:
        if isinstance(within, (str, bytes, dict)) or not hasattr(within, "__iter__"):
            raise DomainError("audience", _l("Unknown audience setting."))
        within = list(within)
        if len(within) > MAX_VALUES:
            raise DomainError("audience", _l("Too many values."))
        within = _partner_ids(within)
    lists = {}
    for key in SPEC_KEYS:
        value = raw.get(key) or []
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise DomainError("audience", _l("Unknown audience setting."))
        lists[key] = list(value)
        if len(lists[key]) > MAX_VALUES:
            raise DomainError("audience", _l("Too many values."))
    spec = {
        "provinces": _region_codes(lists["provinces"], 2, "province"),
        "cities": _region_codes(lists["cities"], 4, "city"),
        "tiers": _choices(lists["tiers"], TIERS, _l("Unknown tier.")),
        "structures": _choices(lists["structures"], STRUCTURES, _l("Unknown structure.")),
        "partner_ids": _partner_ids(lists["partner_ids"]),
        "roles": _choices(lists["roles"], AUDIENCE_ROLES, _l("Unknown role.")),
    }
    if within is not None:
        spec["within"] = within
    return spec


def addressed_by(user, spec: dict, previous: dict | None = None) -> dict:
    """`spec` (normalised) bounded by who addresses it: a channel manager to its own
    partners now; an admin keeps the bound `spec` or the `previous` version carried."""
    from portal.core.access import assigned_partner_ids, may
    if user is not None and may(user, "org.bounded_audience"):
        return {**spec, "within": list(assigned_partner_ids(user))}
    if user is not None and user.role != "admin":
        raise DomainError("audience", _l("Only the principal addresses partners."), 403)
    bound = spec.get("within", (previous or {}).get("within"))
    return {**spec, "within": list(bound)} if bound is not None else spec


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
    if spec.get("within") is not None:
        conditions.append(Partner.id.in_(list(spec["within"])))
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
        .group_by(Partner.id, Partner.name, Partner.name_key, User.role)
        .order_by(Partner.name_key, User.role)).all()
    return {"total": sum(row[3] for row in rows),
            "rows": [{"partner_id": pid, "partner_name": name, "role": role, "count": count}
                     for pid, name, role, count in rows]}


def confirmation(spec: dict, counts: dict | None = None) -> str:
    """"<people>:<partners>" that `spec` reaches now (or its `preview` counts): what a
    person confirms before sending to it, so a changed audience asks again."""
    counts = counts or preview(spec)
    return f"{counts['total']}:{len({row['partner_id'] for row in counts['rows']})}"


def reaches_anyone(spec: dict) -> bool:
    """Does `spec` resolve to at least one person? One EXISTS query."""
    return db.session.execute(select(audience_query(spec).exists())).scalar()
