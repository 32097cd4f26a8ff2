"""The good-faith part of a partner owner's or team lead's home page, shown only when
there is something to do: violations waiting for the owner's answer and dues overdue."""
from datetime import datetime

from sqlalchemy import func, select

from portal.compliance import dues
from portal.compliance.models import Due, Violation
from portal.core.access import may, visible
from portal.core.clock import BUSINESS_TZ
from portal.core.domains import Panel
from portal.extensions import db


def panels(user, at: datetime) -> list[Panel]:
    if user.partner_id is None or not may(user, "compliance.read"):
        return []
    day = at.astimezone(BUSINESS_TZ).date()
    to_answer = db.session.scalar(select(func.count()).select_from(Violation).where(
        visible(user, Violation), Violation.state == "verified",
        Violation.answered_at.is_(None)))
    overdue = db.session.scalar(select(func.count()).select_from(Due).where(
        visible(user, Due), dues.in_standing("overdue", day)))
    if not to_answer and not overdue:
        return []
    return [Panel(12, "compliance/home.html", {"to_answer": to_answer, "overdue": overdue,
                                               "answers": user.role == "owner"})]
