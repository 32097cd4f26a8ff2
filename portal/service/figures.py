"""Local service facts per partner for scoring and the monthly summary, set-based: each
function is one grouped query over the tickets opened in a half-open window
[start, end) of aware UTC datetimes. A partner with no ticket that counts is absent from
the answer (never a 0 that would read as a bad result).

Hours between two times are computed in SQL (`hours_between`), on SQLite and
PostgreSQL alike, so "resolved within its rule's target" never loops over tickets."""
from datetime import datetime
from statistics import median

from sqlalchemy import Float, and_, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.core.clock import now as clock_now
from portal.core.database import UTCDateTime
from portal.extensions import db
from portal.service.models import ServiceRule, Ticket

PROMOTER, DETRACTOR = 9, 6  # NPS: 9–10 promoters, 0–6 detractors


class hours_between(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """SQL: hours from the first time to the second (a float)."""
    type = Float()
    inherit_cache = True
    name = "hours_between"

    def __init__(self, start, end):
        if isinstance(end, datetime):
            end = literal(end, UTCDateTime())
        super().__init__(start, end)


@compiles(hours_between, "sqlite")
def _sqlite_hours(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"((julianday({compiler.process(end, **kw)}) - "
            f"julianday({compiler.process(start, **kw)})) * 24.0)")


@compiles(hours_between)
def _postgres_hours(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
            f"{compiler.process(start, **kw)})) / 3600.0)")


def _window(start: datetime, end: datetime, partner_ids):
    conditions = [Ticket.opened_at >= start, Ticket.opened_at < end]
    if partner_ids is not None:
        conditions.append(Ticket.partner_id.in_(list(partner_ids)))
    return conditions


def median_first_response_hours(start: datetime, end: datetime, partner_ids=None
                                ) -> dict[int, tuple[float | None, int]]:
    """Partner -> (median hours to first response, tickets with a response) of the
    tickets opened in [start, end) that have one."""
    rows = db.session.execute(
        select(Ticket.partner_id, hours_between(Ticket.opened_at, Ticket.first_response_at))
        .where(*_window(start, end, partner_ids), Ticket.first_response_at.is_not(None))
        .order_by(Ticket.partner_id)).all()
    grouped: dict[int, list[float]] = {}
    for partner_id, taken in rows:
        grouped.setdefault(partner_id, []).append(max(0.0, float(taken)))
    return {partner_id: (round(median(values), 4), len(values))
            for partner_id, values in grouped.items()}


def resolution_within_target(start: datetime, end: datetime, partner_ids=None,
                             now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """Partner -> (resolved within the ticket's rule's resolution hours, tickets that
    count) of the tickets opened in [start, end); a ticket counts once it is resolved or
    its target time has passed at `now`."""
    at = now or clock_now()
    resolved = Ticket.resolved_at.is_not(None)
    in_time = and_(resolved, hours_between(Ticket.opened_at, Ticket.resolved_at)
                   <= ServiceRule.resolution_hours)
    due = hours_between(Ticket.opened_at, at) >= ServiceRule.resolution_hours
    rows = db.session.execute(
        select(Ticket.partner_id, func.sum(case((in_time, 1), else_=0)), func.count())
        .join(ServiceRule, ServiceRule.id == Ticket.rule_id)
        .where(*_window(start, end, partner_ids), resolved | due)
        .group_by(Ticket.partner_id)).all()
    return {partner_id: (int(met), int(count)) for partner_id, met, count in rows}


def satisfaction(start: datetime, end: datetime, partner_ids=None) -> dict[int, dict]:
    """Partner -> {"csat": (sum, count), "nps": (promoters, detractors, count)} of the
    tickets opened in [start, end) with an answer."""
    csat = Ticket.satisfaction_scale == "csat"
    nps = Ticket.satisfaction_scale == "nps"
    rows = db.session.execute(
        select(Ticket.partner_id,
               func.sum(case((csat, Ticket.satisfaction), else_=0)),
               func.sum(case((csat, 1), else_=0)),
               func.sum(case((and_(nps, Ticket.satisfaction >= PROMOTER), 1), else_=0)),
               func.sum(case((and_(nps, Ticket.satisfaction <= DETRACTOR), 1), else_=0)),
               func.sum(case((nps, 1), else_=0)))
        .where(*_window(start, end, partner_ids), Ticket.satisfaction.is_not(None),
               Ticket.satisfaction_scale.is_not(None))
        .group_by(Ticket.partner_id)).all()
    return {row[0]: {"csat": (int(row[1]), int(row[2])),
                     "nps": (int(row[3]), int(row[4]), int(row[5]))} for row in rows}


def opened_counts(start: datetime, end: datetime, partner_ids=None) -> dict[int, int]:
    """Partner -> tickets opened in [start, end)."""
    rows = db.session.execute(select(Ticket.partner_id, func.count())
                              .where(*_window(start, end, partner_ids))
                              .group_by(Ticket.partner_id)).all()
    return {partner_id: int(count) for partner_id, count in rows}


def summary(start: datetime, end: datetime, partner_ids=None, now: datetime | None = None
            ) -> dict[int, dict]:
    """Partner -> the month's service in plain numbers: tickets, median first response,
    share resolved within target, CSAT average, NPS (−100 to 100); None where there is
    nothing to say."""
    opened = opened_counts(start, end, partner_ids)
    first = median_first_response_hours(start, end, partner_ids)
    resolution = resolution_within_target(start, end, partner_ids, now)
    answers = satisfaction(start, end, partner_ids)
    found = {}
    for partner_id, count in opened.items():
        met, due = resolution.get(partner_id, (0, 0))
        seen = answers.get(partner_id, {"csat": (0, 0), "nps": (0, 0, 0)})
        csat_sum, csat_count = seen["csat"]
        promoters, detractors, nps_count = seen["nps"]
        found[partner_id] = {
            "tickets": count,
            "median_first_hours": first.get(partner_id, (None, 0))[0],
            "responded": first.get(partner_id, (None, 0))[1],
            "resolved_in_time": met, "resolution_due": due,
            "resolved_share": met / due if due else None,
            "csat": csat_sum / csat_count if csat_count else None, "csat_count": csat_count,
            "nps": round(100 * (promoters - detractors) / nps_count) if nps_count else None,
            "nps_count": nps_count}
    return found
