"""Operations on partners, their territories and teams. No commits here: the caller commits.

Every operation validates all of its input before it touches the object, so a refused
change never leaves a half-edited row in the session."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, or_, select

from portal.core.errors import DomainError
from portal.auth.models import User
from portal.extensions import db
from portal.org.models import (PARTNER_STATUSES, STRUCTURES, TIERS, Partner, Region, Team,
                               Territory)
from portal.org.uscc import normalise_uscc, uscc_error



USCC_MESSAGES = {
    "length": _l("A unified social credit code has exactly 18 characters."),
    "charset": _l("Only digits and capital letters except I, O, Z, S and V are allowed."),
    "division": _l("Characters 3 to 8 must be digits (the administrative division code)."),
    "check": _l("The last character does not match the others; please look for a typo."),
}


def clean_uscc(text: str) -> str:
    """The normalised credit code; DomainError("uscc") with the reason when it is invalid."""
    code = normalise_uscc(text)
    reason = uscc_error(code)
    if reason is not None:
        raise DomainError("uscc", USCC_MESSAGES[reason])
    return code


def _taken(column, value, exclude_id, *conditions) -> bool:
    # The exact match is what the unique constraint enforces; lower() catches case twins
    # (SQLite lowers ASCII only, so the exact test is not redundant).
    query = select(column).where(or_(column == value, func.lower(column) == value.lower()),
                                 *conditions)
    if exclude_id is not None:
        query = query.where(column.class_.id != exclude_id)
    return db.session.execute(query.limit(1)).first() is not None


def channel_managers(include_id: int | None = None) -> list[User]:
    """Active channel managers, the people a partner can be assigned to (plus
    `include_id`, the partner's current one)."""
    condition = (User.role == "channel_manager") & User.active.is_(True)
    if include_id is not None:
        condition = condition | (User.id == include_id)
    return db.session.execute(select(User).where(condition).order_by(User.name_key)
                              ).scalars().all()


def provinces() -> list[Region]:
    """All provinces, in code order."""
    return db.session.execute(select(Region).where(Region.level == "province")
                              .order_by(Region.code)).scalars().all()


def save_partner(partner: Partner | None, *, name: str, uscc: str, tier: str, structure: str,
                 status: str, contract_start: date | None, contract_end: date | None,
                 province_code: str | None, channel_manager_id: int | None) -> Partner:
    """Validate the fields and apply them to `partner` (a new one when None); flushes."""
    name = (name or "").strip()
    exclude = partner.id if partner is not None else None
    if not name:
        raise DomainError("name", _l("Please enter a name."))
    if _taken(Partner.name, name, exclude):
        raise DomainError("name", _l("Another partner already has this name."))
    uscc = clean_uscc(uscc)
    if _taken(Partner.uscc, uscc, exclude):
        raise DomainError("uscc", _l("Another partner already has this credit code."))
    for field, value, allowed in (("tier", tier, TIERS), ("structure", structure, STRUCTURES),
                                  ("status", status, PARTNER_STATUSES)):
        if value not in allowed:
            raise DomainError(field, _l("Not a valid choice."))
    if contract_start and contract_end and contract_end < contract_start:
        raise DomainError("contract_end", _l("The contract cannot end before it starts."))
    if province_code:
        region = db.session.get(Region, province_code)
        if region is None or region.level != "province":
            raise DomainError("province_code", _l("Not a valid choice."))
    current_manager = partner.channel_manager_id if partner is not None else None
    if channel_manager_id is not None and channel_manager_id != current_manager:
        manager = db.session.get(User, channel_manager_id)
        if manager is None or manager.role != "channel_manager" or not manager.active:
            raise DomainError("channel_manager_id", _l("Choose an active channel manager."))

    if partner is None:
        partner = Partner()
        db.session.add(partner)
    partner.name, partner.uscc, partner.tier, partner.structure = name, uscc, tier, structure
    partner.status = status
    partner.contract_start, partner.contract_end = contract_start, contract_end
    partner.province_code = province_code or None
    partner.channel_manager_id = channel_manager_id
    db.session.flush()
    return partner


def set_partner_status(partner: Partner, status: str) -> None:
    """Suspend, terminate or reactivate a partner; partners are never deleted."""
    if status not in PARTNER_STATUSES:
        raise DomainError("status", _l("Not a valid choice."))
    partner.status = status


def _overlapping(region_code: str):
    # Region codes nest by prefix (33 > 3301 > 330102 > 330102001), so one LIKE in each
    # direction finds the ancestors and descendants of a region in a single query.
    return or_(Territory.region_code.startswith(region_code, autoescape=True),
               literal(region_code).startswith(Territory.region_code))


def territory_conflict(partner: Partner, region_code: str, exclusive: bool) -> Territory | None:
    """Another partner's territory that overlaps `region_code` where either side is
    exclusive, i.e. the territory that forbids this assignment (None when it is free)."""
    query = select(Territory).where(Territory.partner_id != partner.id,
                                    _overlapping(region_code))
    if not exclusive:
        query = query.where(Territory.exclusive.is_(True))
    return db.session.execute(query.order_by(Territory.exclusive.desc(), Territory.id)
                              .limit(1)).scalar_one_or_none()


def add_territory(partner: Partner, region_code: str, exclusive: bool) -> Territory:
    """Assign a region to `partner`. An exclusive region overlaps no other partner's
    territory, and nobody may take a region inside another partner's exclusive one."""
    region = db.session.get(Region, region_code or "")
    if region is None:
        raise DomainError("region", _l("Choose a region."))
    held = db.session.execute(select(Territory.id).where(
        Territory.partner_id == partner.id, Territory.region_code == region.code)).first()
    if held is not None:
        raise DomainError("region", _l("%(region)s is already a territory of this partner.",
                                    region=region.name))
    conflict = territory_conflict(partner, region.code, exclusive)
    if conflict is not None:
        names = {"region": conflict.region.name, "partner": conflict.partner.name}
        if conflict.exclusive:
            raise DomainError("region", _l("%(region)s is exclusive territory of %(partner)s.",
                                        **names))
        raise DomainError("region", _l(
            "%(partner)s already works in %(region)s, so it cannot be exclusive here.",
            **names))
    territory = Territory(partner_id=partner.id, region_code=region.code,
                          exclusive=bool(exclusive))
    db.session.add(territory)
    db.session.flush()
    return territory


def remove_territory(territory: Territory) -> None:
    """Take a region back from its partner (the audit log keeps the old row)."""
    db.session.delete(territory)


def partner_managers(partner_id: int, include_id: int | None = None) -> list[User]:
    """Active mid-level managers of a partner (plus `include_id`, the current leader)."""
    condition = (User.partner_id == partner_id) & (User.role == "manager") \
        & User.active.is_(True)
    if include_id is not None:
        condition = condition | (User.id == include_id)
    return db.session.execute(select(User).where(condition)
                              .order_by(User.name_key)).scalars().all()


def save_team(team: Team | None, partner: Partner, *, name: str,
              leader_id: int | None) -> Team:
    """Validate and apply name and leader to `team` (a new team of `partner` when None)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("name", _l("Please enter a name."))
    exclude = team.id if team is not None else None
    if _taken(Team.name, name, exclude, Team.partner_id == partner.id):
        raise DomainError("name", _l("This partner already has a team with this name."))
    if leader_id is not None:
        leader = db.session.get(User, leader_id)
        current = team.leader_id if team is not None else None
        if leader is None or leader.partner_id != partner.id or leader.role != "manager" \
                or (not leader.active and leader.id != current):
            raise DomainError("leader_id", _l("The leader must be a manager of this partner."))
    if team is None:
        team = Team(partner_id=partner.id)
        db.session.add(team)
    team.name, team.leader_id = name, leader_id
    db.session.flush()
    return team


def set_team_active(team: Team, active: bool) -> None:
    """Deactivate or reactivate a team; its history and members' records stay."""
    team.active = active


def active_teams(partner_id: int, include_id: int | None = None) -> list[Team]:
    """Active teams of a partner (plus `include_id`, e.g. a person's current team)."""
    condition = (Team.partner_id == partner_id) & Team.active.is_(True)
    if include_id is not None:
        condition = condition | (Team.id == include_id)
    return db.session.execute(select(Team).where(condition).order_by(Team.name_key)
                              ).scalars().all()
