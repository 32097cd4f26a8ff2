"""Reach of a broadcast, from aggregate queries only: delivered, opened, acknowledged,
overdue, by partner, team and role; how long acknowledging took; and cascade fidelity
(层层衰减): whether a policy that reached a partner's leaders also reached its staff.

Receipts are never loaded into Python to be counted; the median and 90th percentile are
read with ORDER BY ... OFFSET, which works the same on SQLite and PostgreSQL."""
import math
from datetime import datetime

from sqlalchemy import Select, and_, case, false, func, select, true

from portal.auth.models import User
from portal.broadcasts.models import Broadcast, Receipt
from portal.broadcasts.services import is_current
from portal.core.access import figures_of, visible
from portal.core.clock import now
from portal.extensions import db
from portal.org.audience import AUDIENCE_ROLES, preview
from portal.org.models import Partner, Team

COUNTS = ("delivered", "opened", "acknowledged", "overdue")


def _past_deadline(broadcast: Broadcast, at: datetime) -> bool:
    return bool(broadcast.requires_ack and broadcast.ack_deadline is not None
                and broadcast.ack_deadline <= at)


def _overdue_condition(broadcast: Broadcast, at: datetime):
    return Receipt.acked_at.is_(None) if _past_deadline(broadcast, at) else false()


def _counts(broadcast: Broadcast, at: datetime) -> list:
    return [func.count(Receipt.id).label("delivered"),
            func.count(Receipt.opened_at).label("opened"),
            func.count(Receipt.acked_at).label("acknowledged"),
            func.count(case((_overdue_condition(broadcast, at), 1))).label("overdue")]


def _where(broadcast: Broadcast, partner_ids) -> list:
    conditions = [Receipt.broadcast_id == broadcast.id]
    if partner_ids is not None:
        conditions.append(Receipt.partner_id.in_(list(partner_ids)))
    return conditions


def _as_dict(row, *keys) -> dict:
    return {key: getattr(row, key) for key in (*keys, *COUNTS)}


def _ack_seconds(broadcast: Broadcast, where: list, offset: int, limit: int) -> list[float]:
    """Seconds from publication to acknowledgement of the acknowledgements at `offset`
    in time order (all share one publication time, so time order is duration order)."""
    times = db.session.execute(
        select(Receipt.acked_at).where(*where, Receipt.acked_at.is_not(None))
        .order_by(Receipt.acked_at).offset(offset).limit(limit)).scalars().all()
    return [max((t - broadcast.publish_at).total_seconds(), 0.0) for t in times]


def covered_partner_ids(user, broadcast: Broadcast) -> tuple[int, ...] | None:
    """The partners whose reach of `broadcast` `user` may read (`figures_of`; None: all
    of them), or an empty tuple when it reached none of them: then `user` may not even
    learn that other partners' figures exist."""
    allowed = figures_of(user).partner_ids
    if allowed and db.session.execute(select(Receipt.id).where(
            Receipt.broadcast_id == broadcast.id,
            Receipt.partner_id.in_(allowed)).limit(1)).first() is None:
        return ()
    return allowed


def reach_summary(broadcast: Broadcast, partner_ids=None) -> dict:
    """Delivered, opened, acknowledged and overdue counts plus the median and 90th
    percentile seconds to acknowledge; `partner_ids` narrows to those partners."""
    where = _where(broadcast, partner_ids)
    row = db.session.execute(select(*_counts(broadcast, now())).where(*where)).one()
    summary = _as_dict(row)
    acked = summary["acknowledged"]
    summary["median_ack_seconds"] = summary["p90_ack_seconds"] = None
    if acked and broadcast.publish_at is not None:
        middle = _ack_seconds(broadcast, where, (acked - 1) // 2, 1 if acked % 2 else 2)
        summary["median_ack_seconds"] = sum(middle) / len(middle)
        # Nearest rank: the smallest time at or under which 90% acknowledged.
        summary["p90_ack_seconds"] = _ack_seconds(
            broadcast, where, math.ceil(0.9 * acked) - 1, 1)[0]
    return summary


def reach_breakdown(broadcast: Broadcast, by: str, partner_ids=None) -> list[dict]:
    """The same counts per partner, team or role (one GROUP BY)."""
    counts, where = _counts(broadcast, now()), _where(broadcast, partner_ids)
    if by == "partner":
        query = (select(Receipt.partner_id, Partner.name.label("partner_name"), *counts)
                 .join(Partner, Partner.id == Receipt.partner_id).where(*where)
                 .group_by(Receipt.partner_id, Partner.name, Partner.name_key)
                 .order_by(Partner.name_key))
        return [_as_dict(r, "partner_id", "partner_name") for r in db.session.execute(query)]
    if by == "team":
        query = (select(Receipt.partner_id, Partner.name.label("partner_name"), Receipt.team_id,
                        Team.name.label("team_name"), *counts)
                 .join(Partner, Partner.id == Receipt.partner_id)
                 .outerjoin(Team, Team.id == Receipt.team_id).where(*where)
                 .group_by(Receipt.partner_id, Partner.name, Partner.name_key, Receipt.team_id,
                           Team.name, Team.name_key)
                 .order_by(Partner.name_key, Team.name_key))
        return [_as_dict(r, "partner_id", "partner_name", "team_id", "team_name")
                for r in db.session.execute(query)]
    if by == "role":
        rows = db.session.execute(select(Receipt.role, *counts).where(*where)
                                  .group_by(Receipt.role))
        order = {role: i for i, role in enumerate(AUDIENCE_ROLES)}
        return sorted((_as_dict(r, "role") for r in rows), key=lambda r: order.get(r["role"], 9))
    raise ValueError(f"unknown breakdown {by!r}")


def overdue_people(broadcast: Broadcast, partner_ids=None) -> Select:
    """`select(User, Receipt)` of the recipients still not acknowledged after the
    deadline, by partner and name, for a paginated list."""
    return (select(User, Receipt).join(Receipt, Receipt.user_id == User.id)
            .where(*_where(broadcast, partner_ids), _overdue_condition(broadcast, now()))
            .order_by(Receipt.partner_id, User.name_key, User.id))


def totals(broadcast_ids, *, partner_ids=None) -> dict[int, dict]:
    """Counts per broadcast for a list page, in one GROUP BY. With `partner_ids`, only
    those partners count."""
    if not broadcast_ids:
        return {}
    at = now()
    overdue = and_(Broadcast.requires_ack.is_(True), Broadcast.ack_deadline <= at,
                   Receipt.acked_at.is_(None))
    query = (select(Receipt.broadcast_id, func.count(Receipt.id).label("delivered"),
                    func.count(Receipt.opened_at).label("opened"),
                    func.count(Receipt.acked_at).label("acknowledged"),
                    func.count(case((overdue, 1))).label("overdue"))
             .join(Broadcast, Broadcast.id == Receipt.broadcast_id)
             .where(Receipt.broadcast_id.in_(list(broadcast_ids)))
             .group_by(Receipt.broadcast_id))
    if partner_ids is not None:
        query = query.where(Receipt.partner_id.in_(list(partner_ids)))
    return {row.broadcast_id: _as_dict(row) for row in db.session.execute(query)}


def _rate(acked: int, delivered: int) -> float | None:
    return acked / delivered if delivered else None


def fidelity(since: datetime, partner_ids=None) -> list[dict]:
    """Per partner, over the acknowledgement-required broadcasts published since `since`
    (current versions): the owner, mid-level manager and staff acknowledgement rates and
    the gap between the better leader rate and the staff rate, largest gap first."""
    at = now()
    columns = []
    for role in AUDIENCE_ROLES:
        columns += [func.count(case((Receipt.role == role, 1))).label(f"{role}_delivered"),
                    func.count(case((and_(Receipt.role == role, Receipt.acked_at.is_not(None)),
                                     1))).label(f"{role}_acked")]
    query = (select(Receipt.partner_id, Partner.name.label("partner_name"), Partner.name_key,
                    *columns)
             .join(Broadcast, Broadcast.id == Receipt.broadcast_id)
             .join(Partner, Partner.id == Receipt.partner_id)
             .where(Broadcast.requires_ack.is_(True), Broadcast.publish_at >= since,
                    Broadcast.publish_at <= at, is_current(at),
                    Receipt.partner_id.in_(list(partner_ids)) if partner_ids is not None
                    else true())
             .group_by(Receipt.partner_id, Partner.name, Partner.name_key))
    rows = []
    for row in db.session.execute(query):
        item = {"partner_id": row.partner_id, "partner_name": row.partner_name,
                "name_key": row.name_key}
        for role in AUDIENCE_ROLES:
            delivered, acked = getattr(row, f"{role}_delivered"), getattr(row, f"{role}_acked")
            item[f"{role}_delivered"] = delivered
            item[f"{role}_rate"] = _rate(acked, delivered)
        leaders = [r for r in (item["owner_rate"], item["manager_rate"]) if r is not None]
        item["gap"] = (max(leaders) - item["staff_rate"]
                       if leaders and item["staff_rate"] is not None else None)
        rows.append(item)
    rows.sort(key=lambda r: (r["gap"] is None, -(r["gap"] or 0), r["name_key"]))
    return rows


def audience_preview(user, spec: dict) -> dict:
    """Who the audience `spec` would reach now, counted per partner and role: `total`,
    `partners` (the ones `user` may see, by name) and `others` (the rest counted together
    without their names, None when there are none)."""
    counts = preview(spec)
    mine = set(db.session.execute(select(Partner.id).where(visible(user, Partner))).scalars())
    table, others = {}, {role: 0 for role in AUDIENCE_ROLES}
    for row in counts["rows"]:
        if row["partner_id"] in mine:
            line = table.setdefault(row["partner_id"], {"name": row["partner_name"],
                                                        **{r: 0 for r in AUDIENCE_ROLES}})
            line[row["role"]] += row["count"]
        else:
            others[row["role"]] += row["count"]
    return {"total": counts["total"], "partners": list(table.values()),
            "others": others if any(others.values()) else None}
