"""The broadcasts part of a person's record: the current broadcasts that reached the
person and that the viewer may see, newest first, with when the person read and
acknowledged each one; overdue acknowledgements stand out."""
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from portal.broadcasts import services
from portal.broadcasts.models import Broadcast, Receipt
from portal.core.access import visible
from portal.core.domains import Panel
from portal.extensions import db

SHOWN = 12


def panels(viewer, person, at: datetime) -> list[Panel]:
    # The person's own receipts, aliased: the broadcast scope has its own on receipts.
    receipt = aliased(Receipt)
    reached = (receipt.user_id == person.id, Broadcast.publish_at <= at,
               services.is_current(at), visible(viewer, Broadcast))
    rows = db.session.execute(
        select(Broadcast, receipt).join(receipt, receipt.broadcast_id == Broadcast.id)
        .where(*reached).order_by(Broadcast.publish_at.desc(), Broadcast.id.desc())
        .limit(SHOWN + 1)).all()
    asked = Broadcast.requires_ack.is_(True)
    overdue = asked & receipt.acked_at.is_(None) & (Broadcast.ack_deadline <= at)
    total, to_ack, acked, late = db.session.execute(
        select(func.count(receipt.id), func.count(case((asked, 1))),
               func.count(case((asked & receipt.acked_at.is_not(None), 1))),
               func.count(case((overdue, 1))))
        .select_from(Broadcast).join(receipt, receipt.broadcast_id == Broadcast.id)
        .where(*reached)).one()
    return [Panel(30, "broadcasts/person.html", {
        "rows": rows[:SHOWN], "more": len(rows) > SHOWN, "at": at,
        "summary": {"total": total, "to_ack": to_ack, "acked": acked, "overdue": late}})]
