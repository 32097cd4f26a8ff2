"""Telling people: the notice of a newly visible broadcast, reminders for overdue
acknowledgements with escalation to the partner owner, and an owner's nudge.

Each is set-based (one `notify` per broadcast or partner, one UPDATE per broadcast) and
safe to run twice: rows done are marked (notified_at, last_reminded_at, escalated_at,
nudged_at) and only rows not yet marked are picked up."""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update

from portal.auth.models import User
from portal.broadcasts.models import Broadcast, Receipt
from portal.broadcasts.services import is_current
from portal.core.access import figures_of
from portal.core.clock import now
from portal.core.urls import path_for
from portal.extensions import db
from portal.notify.nudges import next_nudge
from portal.notify.services import notify

REMIND_EVERY = timedelta(hours=24)
DEFAULT_ESCALATE_AFTER = 2


def _mandatory(broadcast: Broadcast) -> bool:
    return broadcast.category == "policy" and broadcast.requires_ack


def notify_published(at: datetime) -> int:
    """Announce every broadcast that became visible and was not announced yet; returns
    how many broadcasts were announced. A version already replaced is only marked."""
    due = db.session.execute(select(Broadcast).where(
        Broadcast.publish_at <= at, Broadcast.notified_at.is_(None))
        .order_by(Broadcast.publish_at, Broadcast.id)).scalars().all()
    current = set(db.session.execute(select(Broadcast.id).where(
        Broadcast.id.in_([b.id for b in due]), is_current(at))).scalars())
    for broadcast in due:
        if broadcast.id in current:
            title = (_("New version: %(title)s", title=broadcast.title) if broadcast.version > 1
                     else broadcast.title)
            body = (_("Please read and acknowledge it.") if broadcast.requires_ack
                    else _("Please read it."))
            notify(select(Receipt.user_id).where(Receipt.broadcast_id == broadcast.id),
                   broadcast.category, title, body=body,
                   link=path_for("broadcasts.read", broadcast_id=broadcast.id),
                   mandatory=_mandatory(broadcast))
        broadcast.notified_at = at
    return len(current)


def _reminder_due(broadcast_id: int, at: datetime):
    return and_(Receipt.broadcast_id == broadcast_id, Receipt.acked_at.is_(None),
                or_(Receipt.last_reminded_at.is_(None),
                    Receipt.last_reminded_at <= at - REMIND_EVERY))


def remind_overdue(at: datetime) -> int:
    """Remind everyone past the deadline who has not acknowledged (at most once a day),
    then tell partner owners about people reminded often enough; returns the reminders."""
    overdue = db.session.execute(select(Broadcast).where(
        Broadcast.requires_ack.is_(True), Broadcast.ack_deadline <= at,
        Broadcast.publish_at <= at, is_current(at))).scalars().all()
    sent = 0
    for broadcast in overdue:
        due = _reminder_due(broadcast.id, at)
        sent += notify(select(Receipt.user_id).where(due), broadcast.category,
                       _("Reminder: please acknowledge %(title)s", title=broadcast.title),
                       body=_("The deadline has passed."),
                       link=path_for("broadcasts.read", broadcast_id=broadcast.id),
                       mandatory=_mandatory(broadcast))
        db.session.execute(update(Receipt).where(due).values(
            reminders=Receipt.reminders + 1, last_reminded_at=at),
            execution_options={"synchronize_session": False})
        _escalate(broadcast, at)
    return sent


def _escalate(broadcast: Broadcast, at: datetime) -> None:
    """One notice per partner owner about its people reminded `BROADCAST_ESCALATE_AFTER`
    times without acknowledging; each person is escalated once."""
    after = int(current_app.config.get("BROADCAST_ESCALATE_AFTER", DEFAULT_ESCALATE_AFTER))
    pending = and_(Receipt.broadcast_id == broadcast.id, Receipt.acked_at.is_(None),
                   Receipt.reminders >= after, Receipt.escalated_at.is_(None))
    per_partner = db.session.execute(select(Receipt.partner_id, func.count(Receipt.id))
                                     .where(pending).group_by(Receipt.partner_id)).all()
    for partner_id, count in per_partner:
        notify(select(User.id).where(User.partner_id == partner_id, User.role == "owner"),
               broadcast.category,
               _("%(num)d of your people have not acknowledged %(title)s",
                 num=count, title=broadcast.title),
               body=_("They were reminded %(times)d times after the deadline.", times=after),
               link=path_for("broadcasts.reach", broadcast_id=broadcast.id), mandatory=True,
               group=False)
    if per_partner:
        db.session.execute(update(Receipt).where(pending).values(escalated_at=at),
                           execution_options={"synchronize_session": False})


def _whose(sender):
    """SQL: the receipts of the people `sender` reminds — an owner its partner's, a team
    lead its team's (`figures_of`: nobody for anyone else)."""
    return figures_of(sender).condition(Receipt.partner_id, Receipt.team_id)


def last_nudge(broadcast: Broadcast, sender) -> datetime | None:
    """When any of the people `sender` reminds were last nudged about `broadcast` (by
    it, their owner or their team lead: one reminder an hour reaches a person)."""
    return db.session.execute(select(func.max(Receipt.nudged_at)).where(
        Receipt.broadcast_id == broadcast.id, _whose(sender))).scalar()


def next_nudge_at(broadcast: Broadcast, sender) -> datetime | None:
    """When `sender` may nudge again, or None when it may now."""
    return next_nudge(last_nudge(broadcast, sender))


def nudge(sender, broadcast: Broadcast) -> int | None:
    """An owner's reminder to its partner's people (a team lead's to its team's) who
    have not acknowledged yet, before the deadline as after it; None when they were
    nudged less than an hour ago, else how many people were nudged."""
    if next_nudge_at(broadcast, sender) is not None:
        return None
    at = now()
    if not broadcast.requires_ack or not broadcast.is_published:
        return 0
    overdue = and_(Receipt.broadcast_id == broadcast.id, _whose(sender),
                   Receipt.acked_at.is_(None), Receipt.user_id != sender.id)
    late = broadcast.ack_deadline is not None and broadcast.ack_deadline <= at
    notify(select(Receipt.user_id).where(overdue), broadcast.category,
           _("%(owner)s asks you to acknowledge %(title)s", owner=sender.display_name,
             title=broadcast.title),
           body=_("The deadline has passed.") if late or broadcast.ack_deadline is None else
           _("Please acknowledge it by %(time)s.", time=format_datetime(
               broadcast.ack_deadline, "yyyy-MM-dd HH:mm")),
           link=path_for("broadcasts.read", broadcast_id=broadcast.id), mandatory=True,
           group=False)
    return db.session.execute(update(Receipt).where(overdue).values(nudged_at=at),
                              execution_options={"synchronize_session": False}).rowcount
