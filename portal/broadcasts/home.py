"""The broadcasts part of a partner person's home page: what it must acknowledge, and for
an owner or a team lead who of its people has not acknowledged what (with the owner's
one-tap reminder)."""
from datetime import datetime

from sqlalchemy import func, select

from portal.auth.models import User
from portal.broadcasts import services
from portal.broadcasts.models import Broadcast, Receipt
from portal.core.access import figures_of, may
from portal.core.domains import Panel
from portal.extensions import db

SHOWN = 5          # broadcasts per list
NAMES = 5          # names shown per broadcast, the rest counted
PENDING_ROWS = 500  # pending receipts read for the names, at most


def panels(user, at: datetime) -> list[Panel]:
    rows = db.session.execute(services.inbox_query(user, unacked=True).limit(SHOWN)).all()
    found = [Panel(10, "broadcasts/home_todo.html",
                   {"rows": rows, "to_ack": services.inbox_counts(user)[1], "at": at})]
    if may(user, "org.team_state"):
        found.append(Panel(30, "broadcasts/home_team.html",
                           {"pending": team_pending(user, at), "at": at}))
    return found


def team_pending(user, at: datetime) -> list[dict]:
    """Current broadcasts to acknowledge that reached `user`'s people (its partner, or a
    team lead's team), those still pending first by deadline: counts and the first
    names of who has not acknowledged."""
    figures = figures_of(user)
    scope = figures.condition(Receipt.partner_id, Receipt.team_id)
    acked = func.count(Receipt.acked_at)
    rows = db.session.execute(
        select(Broadcast, func.count(Receipt.id), acked)
        .join(Receipt, Receipt.broadcast_id == Broadcast.id)
        .where(Broadcast.requires_ack.is_(True), Broadcast.publish_at <= at,
               services.is_current(at), scope, Receipt.user_id != user.id)
        .group_by(Broadcast.id)
        .having(func.count(Receipt.id) > acked)
        .order_by(Broadcast.ack_deadline.is_(None), Broadcast.ack_deadline,
                  Broadcast.publish_at.desc())
        .limit(SHOWN)).all()
    names: dict[int, list[str]] = {}
    if rows:
        for broadcast_id, name in db.session.execute(
                select(Receipt.broadcast_id, User.display_name)
                .join(User, User.id == Receipt.user_id)
                .where(Receipt.broadcast_id.in_([b.id for b, _t, _a in rows]), scope,
                       Receipt.acked_at.is_(None), Receipt.user_id != user.id)
                .order_by(User.name_key).limit(PENDING_ROWS)):
            names.setdefault(broadcast_id, []).append(name)
    return [{"broadcast": b, "total": total, "pending": total - done,
             "names": names.get(b.id, [])[:NAMES],
             "overdue": b.ack_deadline is not None and b.ack_deadline <= at}
            for b, total, done in rows]
