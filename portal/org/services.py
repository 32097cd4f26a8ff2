"""Queries and operations on the organisation. No commits here: the caller commits."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.core.access import visible
from portal.extensions import db
from portal.org.models import Partner, Team


def partner_query(user, q: str | None = None, province: str | None = None,
                  tier: str | None = None, structure: str | None = None,
                  status: str | None = None):
    """Partners `user` may see, filtered by search text and attributes, by name."""
    query = select(Partner).where(visible(user, Partner))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(or_(Partner.name.ilike(like), Partner.uscc.ilike(like)))
    if province:
        query = query.where(Partner.province_code == province)
    if tier:
        query = query.where(Partner.tier == tier)
    if structure:
        query = query.where(Partner.structure == structure)
    if status:
        query = query.where(Partner.status == status)
    return query.order_by(Partner.name_key)


def people_query(user, partner_id: int | None = None, team_id: int | None = None,
                 role: str | None = None, q: str | None = None, active: bool | None = True):
    """People `user` may see at person level, optionally within a partner or team."""
    query = select(User).where(visible(user, User))
    if partner_id is not None:
        query = query.where(User.partner_id == partner_id)
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    if q:
        like = f"%{q.strip()}%"
        query = query.where(or_(User.display_name.ilike(like), User.username.ilike(like)))
    return query.order_by(User.role, User.name_key)


def headcount_by_role(partner_id: int) -> dict[str, int]:
    """Active people of a partner per role (a partner-level figure, not person data)."""
    rows = select(User.role, func.count()).where(
        User.partner_id == partner_id, User.active.is_(True)).group_by(User.role)
    return dict(db.session.execute(rows).all())


def team_sizes(partner_id: int) -> dict[int, int]:
    """Active members per team of a partner."""
    rows = select(User.team_id, func.count()).where(
        User.partner_id == partner_id, User.active.is_(True),
        User.team_id.is_not(None)).group_by(User.team_id)
    return dict(db.session.execute(rows).all())


def visible_teams(user, partner_id: int):
    """Teams of a partner that `user` may open."""
    return db.session.execute(select(Team).where(Team.partner_id == partner_id,
                                                 visible(user, Team))
                              .options(selectinload(Team.leader))
                              .order_by(Team.name_key)).scalars().all()
