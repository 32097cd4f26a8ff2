"""Which partners and regions a user may plan: an owner its partner's territories (and
the cities they lie in); a channel manager those of its partners, and the whole market
over them; the admin every partner's and the whole market's, every city. A region or a
partner outside these is a 404, as a foreign object is."""
from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from portal.core.access import figures_of
from portal.extensions import db
from portal.org.models import Partner, Region, Territory

MARKET = "market"  # the partner select's value for the principal's whole market


def partners(user) -> list[tuple[int, str]]:
    """(id, name) of the partners whose plans `user` may make."""
    if user.role == "owner":
        condition = Partner.id == user.partner_id
    elif user.role in ("admin", "channel_manager"):
        condition = figures_of(user).condition(Partner.id)
    else:
        return []
    return db.session.execute(select(Partner.id, Partner.name).where(condition)
                              .order_by(Partner.name_key)).all()


def market(user) -> bool:
    """May `user` plan the whole market (every partner it reads, none named)?"""
    return user.role in ("admin", "channel_manager")


def regions(user, partner_id: int | None) -> list[tuple[str, str]]:
    """(code, label) of the regions `user` may plan for the partner (None: the market)."""
    if partner_id is None:
        if not market(user):
            return []
        held = figures_of(user).condition(Territory.partner_id)
    else:
        held = Territory.partner_id == partner_id
    codes = select(Territory.region_code).where(held)
    cities = select(func.substr(Territory.region_code, 1, 4)).where(held)
    wanted = [Region.code.in_(codes), Region.code.in_(cities)]
    if partner_id is None and user.role == "admin":
        wanted.append(Region.level == "city")
    parent = aliased(Region)
    rows = db.session.execute(
        select(Region.code, Region.name, Region.level, parent.name)
        .outerjoin(parent, parent.code == Region.parent_code)
        .where(Region.level.in_(("city", "county", "town")), or_(*wanted))
        .order_by(Region.code)).all()
    return [(code, name if level == "city" or not above else f"{above} · {name}")
            for code, name, level, above in rows]


def checked(user, partner_arg: str | None, region_code: str | None):
    """(partner id or None, region code or None, region label) from the request, a 404
    for a partner or region outside `user`'s reach."""
    if partner_arg in (None, ""):
        return None, None, None
    if partner_arg == MARKET:
        if not market(user):
            abort(404)
        partner_id = None
    else:
        if not partner_arg.isascii() or not partner_arg.isdigit() or len(partner_arg) > 9:
            abort(404)
        partner_id = int(partner_arg)
        if partner_id not in {pid for pid, _name in partners(user)}:
            abort(404)
    if not region_code:
        return partner_id, None, None
    label = dict(regions(user, partner_id)).get(region_code)
    if label is None:
        abort(404)
    return partner_id, region_code, label
