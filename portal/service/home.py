"""The service part of a partner owner's or team lead's home page, shown only when
tickets are waiting: open tickets, and how many of them are past a target."""
from datetime import datetime

from sqlalchemy import func, select

from portal.core.access import may, visible
from portal.core.domains import Panel
from portal.extensions import db
from portal.service import tickets
from portal.service.models import ServiceRule, Ticket


def panels(user, at: datetime) -> list[Panel]:
    if user.partner_id is None or not may(user, "service.enter"):
        return []
    waiting = (select(func.count()).select_from(Ticket)
               .join(ServiceRule, ServiceRule.id == Ticket.rule_id)
               .where(visible(user, Ticket), Ticket.resolved_at.is_(None)))
    open_count = db.session.scalar(waiting)
    if not open_count:
        return []
    late = db.session.scalar(waiting.where(tickets.over_target(at)))
    return [Panel(18, "service/home.html", {"open_count": open_count, "late": late})]
