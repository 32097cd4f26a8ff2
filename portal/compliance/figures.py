"""Good-faith facts per partner for scoring, set-based: one grouped query each over a
half-open window of days [start_day, end_day). A partner with nothing that counts is
absent from the answer, never a 0."""
from datetime import date

from sqlalchemy import and_, case, func, select

from portal.compliance.models import Due, Violation
from portal.core.clock import today as clock_today
from portal.extensions import db


def violations_by_partner(start_day: date, end_day: date, partner_ids=None
                          ) -> dict[int, int]:
    """Partner -> verified (not withdrawn) violations that occurred in the window."""
    query = (select(Violation.partner_id, func.count())
             .where(Violation.state == "verified", Violation.occurred_on >= start_day,
                    Violation.occurred_on < end_day)
             .group_by(Violation.partner_id))
    if partner_ids is not None:
        query = query.where(Violation.partner_id.in_(list(partner_ids)))
    return {partner_id: int(count) for partner_id, count in db.session.execute(query)}


def on_time_payments(start_day: date, end_day: date, partner_ids=None,
                     today: date | None = None) -> dict[int, tuple[int, int]]:
    """Partner -> (paid in full on or before the due day, dues) of the dues falling due
    in the window and on or before `today`."""
    day = today or clock_today()
    on_time = and_(Due.paid_on.is_not(None), Due.paid_on <= Due.due_on,
                   Due.paid_fen >= Due.amount_fen)
    query = (select(Due.partner_id, func.sum(case((on_time, 1), else_=0)), func.count())
             .where(Due.due_on >= start_day, Due.due_on < end_day, Due.due_on <= day)
             .group_by(Due.partner_id))
    if partner_ids is not None:
        query = query.where(Due.partner_id.in_(list(partner_ids)))
    return {partner_id: (int(met), int(count))
            for partner_id, met, count in db.session.execute(query)}
