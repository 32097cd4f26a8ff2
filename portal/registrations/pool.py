"""The open pool (公海): customers whose last registration expired or was released and
that nobody holds or has under review now. Any eligible partner may claim one inside its
territory (a registration with source "pool", judged like any other: the daily cap
applies, and the previous holder waits out its cooldown)."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from portal.core.access import visible
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits.customers import normalise_name
from portal.habits.models import Customer
from portal.org.models import Territory
from portal.registrations import services
from portal.registrations.keys import Prospect
from portal.registrations.models import Registration


def _same(other, row):
    return or_(and_(row.uscc.is_not(None), other.uscc == row.uscc),
               and_(row.phone_norm.is_not(None), other.phone_norm == row.phone_norm),
               and_(other.town_code == row.town_code, other.name_norm == row.name_norm))


def pool_query(partner_id: int, at: datetime, q: str = ""):
    """SQL: the latest ended registration of each pool customer in the partner's
    territory, newest first."""
    codes = db.session.execute(select(Territory.region_code).where(
        Territory.partner_id == partner_id)).scalars().all()
    if not codes:
        return select(Registration).where(false())
    held, later = aliased(Registration), aliased(Registration)
    ended = or_(Registration.status == "released",
                and_(Registration.status == "protected", Registration.expires_at <= at))
    later_ended = or_(later.status == "released",
                      and_(later.status == "protected", later.expires_at <= at))
    query = select(Registration).where(
        ended, or_(*(Registration.town_code.startswith(code) for code in codes)),
        ~exists().where(_same(held, Registration),
                        or_(and_(held.status == "protected", held.expires_at > at),
                            held.status == "review")),
        ~exists().where(later.town_code == Registration.town_code,
                        later.name_norm == Registration.name_norm, later_ended,
                        later.id > Registration.id))
    if q:
        query = query.where(or_(Registration.name.contains(q, autoescape=True),
                                Registration.name_norm.contains(normalise_name(q),
                                                                autoescape=True),
                                Registration.uscc == q.upper()))
    return query.order_by(Registration.id.desc())


def claim(actor, pool_id) -> Registration:
    """The actor's partner claims a pool customer (named by its last registration)."""
    try:
        ident = int(pool_id)
    except (TypeError, ValueError):
        ident = None
    if actor.partner_id is None:
        raise DomainError("pool_id", _l("Only a partner's people claim customers."), 403)
    at = now()
    found = db.session.execute(pool_query(actor.partner_id, at).where(
        Registration.id == ident)).scalar_one_or_none() if ident and ident < 2**31 else None
    if found is None:
        raise DomainError("pool_id", _l("This customer is no longer in the open pool."),
                          status=409)
    mine = db.session.execute(select(Customer.id).where(
        Customer.partner_id == actor.partner_id, visible(actor, Customer),
        or_(and_(Customer.uscc.is_not(None), Customer.uscc == found.uscc),
            and_(Customer.town_code == found.town_code,
                 Customer.name_norm == found.name_norm))).limit(1)).scalar()
    prospect = Prospect(found.name, found.name_norm, found.uscc, found.phone_norm,
                        found.town_code, mine)
    return services.file(actor, actor.partner_id, prospect, source="pool", at=at)

