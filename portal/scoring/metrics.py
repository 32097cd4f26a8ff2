"""The metrics a criterion may read: a registry in code, like the question kinds.

Each metric is a rate (or a median, or an average of answers), never a raw count that
favours size, computed for every partner of a month in a few grouped queries. It gives
each partner a `Figure`: the value with the numerator and denominator it came from. A
partner with nothing to measure (no registrations, no tickets, no dues due) is absent —
"no data", never zero — and its criterion is left out of its score.

Facts come from the domains that keep them (registrations, service, compliance, and the
month's team-health row, which already holds the partner's exam, training,
acknowledgement, habit and result counts per person)."""
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, distinct, func, literal, select

from portal.core.clock import BUSINESS_TZ, now as clock_now
from portal.extensions import db
from portal.health.figures import starts
from portal.org.models import Partner, Region, Territory
from portal.results.months import add_months, first_of, last_of


@dataclass(frozen=True)
class Figure:
    value: float
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Period:
    """A month as the metrics read it: [begin, end) in business time, counted `through`
    its last day or today, whichever is earlier."""
    month: date
    at: datetime

    @property
    def through(self) -> date:
        return min(last_of(self.month), self.at.astimezone(BUSINESS_TZ).date())

    @property
    def begin(self) -> datetime:
        return starts(self.month)

    @property
    def end(self) -> datetime:
        return starts(add_months(self.month, 1))

    @property
    def end_day(self) -> date:
        return add_months(self.month, 1)


def period(month: date, at: datetime | None = None) -> Period:
    return Period(first_of(month), at or clock_now())


@dataclass(frozen=True)
class Metric:
    code: str
    label: object              # lazy translation
    group: str                 # the criteria group it belongs to by default
    direction: str             # "higher" or "lower" is better
    unit: str                  # "%", "h", "per100", "per10", "score", "ratio"
    explain: object            # what the numerator and denominator are (lazy)
    compute: Callable          # (Period, partner_ids | None) -> {partner_id: Figure}
    # Where the rows behind a partner's figure are listed: an endpoint and the URL
    # arguments it takes (partner, month), or None.
    source: str | None = None
    # (low, high) the value can take, for the what-if inputs and the anchors' checks.
    bounds: tuple[float | None, float | None] = (0, None)
    # What the numerator and the denominator count, as the scorecard names them.
    parts: tuple = (None, None)


METRICS: dict[str, Metric] = {}
PARTS = {
    "conflicts_per_100": (_l("conflicts caused"), _l("registrations")),
    "violations_per_10": (_l("violations"), _l("people")),
    "on_time_payments": (_l("paid on time"), _l("dues fallen due")),
    "town_coverage": (_l("towns covered"), _l("towns")),
    "first_response_hours": (None, _l("tickets answered")),
    "resolved_in_target": (_l("resolved in time"), _l("tickets")),
    "csat": (_l("points in all"), _l("answers")),
    "nps": (_l("promoters less detractors"), _l("answers")),
    "exam_coverage": (_l("took the exam"), _l("assigned")),
    "training_completion": (_l("completed"), _l("enrolments")),
    "acknowledgement_rate": (_l("acknowledged on time"), _l("asked")),
    "effective_visits_per_day": (_l("effective visits"), _l("salesperson-days")),
    "follow_up_rate": (_l("followed up in time"), _l("follow-ups due")),
    "revenue_vs_target": (_l("yuan of revenue"), _l("yuan of target")),
}


def metric(code, label, group, direction, unit, explain, *, source=None, bounds=(0, None)):
    def register(fn):
        METRICS[code] = Metric(code, label, group, direction, unit, explain, fn, source,
                               bounds, PARTS.get(code, (None, None)))
        return fn
    return register


def _ratio(pairs: dict, scale: float = 100.0) -> dict[int, Figure]:
    """{partner: (numerator, denominator)} -> Figures; a denominator of 0 is no data."""
    return {pid: Figure(round(num / den * scale, 4), num, den)
            for pid, (num, den) in pairs.items() if den}


def _partners(partner_ids, column):
    return [] if partner_ids is None else [column.in_(list(partner_ids))]


# -- fairness and good faith -----------------------------------------------------------

@metric("conflicts_per_100", _l("Conflicts caused per 100 registrations"), "fairness",
        "lower", "per100",
        _l("Conflict cases decided against the partner this month per 100 registrations "
           "it filed this month."), source="registrations.case_list", bounds=(0, None))
def conflicts_per_100(p: Period, partner_ids=None):
    from portal.registrations.figures import conflicts_caused_by_partner, registrations_by_partner
    filed = registrations_by_partner(p.begin, p.end, partner_ids)
    caused = conflicts_caused_by_partner(p.begin, p.end, partner_ids)
    return _ratio({pid: (caused.get(pid, 0), n) for pid, n in filed.items()})


@metric("violations_per_10", _l("Verified violations per 10 people"), "fairness", "lower",
        "per10",
        _l("Verified pricing, territory and contract violations this month per 10 people "
           "of the partner."), source="compliance.violations_list", bounds=(0, None))
def violations_per_10(p: Period, partner_ids=None):
    from portal.compliance.figures import violations_by_partner
    found = violations_by_partner(p.month, p.end_day, partner_ids)
    people = _health_counts(p, ("headcount",), partner_ids)
    return _ratio({pid: (found.get(pid, 0), row["headcount"]) for pid, row in people.items()},
                  10.0)


@metric("on_time_payments", _l("Payments to the principal on time"), "fairness", "higher",
        "%", _l("Dues falling due this month paid in full by their due date, of the dues "
                "that fell due."), source="compliance.dues_list", bounds=(0, 100))
def on_time_payments(p: Period, partner_ids=None):
    from portal.compliance.figures import on_time_payments as paid
    return _ratio(paid(p.month, p.end_day, partner_ids, today=p.through))


# -- local service ---------------------------------------------------------------------

def towns_of_territories(partner_ids=None):
    """SQL: (partner_id, town code) of every town inside a partner's territories (codes
    nest by prefix)."""
    return (select(Territory.partner_id.label("partner_id"), Region.code.label("town"))
            .join(Region, and_(Region.level == "town",
                               Region.code.like(Territory.region_code + literal("%"))))
            .where(*_partners(partner_ids, Territory.partner_id))
            .distinct())


@metric("town_coverage", _l("Towns covered"), "local_service", "higher", "%",
        _l("Towns of the partner's territory with at least one effective visit this month, "
           "of all the towns of its territory."), source="health.partner",
        bounds=(0, 100))
def town_coverage(p: Period, partner_ids=None):
    from portal.habits.models import Customer, Visit
    towns = towns_of_territories(partner_ids).subquery()
    total = dict(db.session.execute(select(towns.c.partner_id, func.count())
                                    .group_by(towns.c.partner_id)).all())
    visited = (select(Visit.partner_id.label("partner_id"), Customer.town_code.label("town"))
               .join(Customer, Customer.id == Visit.customer_id)
               .where(Visit.effective.is_(True), Visit.day >= p.month, Visit.day < p.end_day,
                      Customer.town_code.is_not(None),
                      *_partners(partner_ids, Visit.partner_id))
               .distinct().subquery())
    covered = dict(db.session.execute(
        select(towns.c.partner_id, func.count(distinct(towns.c.town)))
        .join(visited, and_(visited.c.partner_id == towns.c.partner_id,
                            visited.c.town == towns.c.town))
        .group_by(towns.c.partner_id)).all())
    return _ratio({pid: (covered.get(pid, 0), n) for pid, n in total.items()})


@metric("first_response_hours", _l("Median first response"), "local_service", "lower", "h",
        _l("The median time from a ticket's opening to its first response, over this "
           "month's tickets that have one."), source="service.tickets_list", bounds=(0, None))
def first_response_hours(p: Period, partner_ids=None):
    from portal.service.figures import median_first_response_hours
    return {pid: Figure(round(median, 4), None, count)
            for pid, (median, count) in
            median_first_response_hours(p.begin, p.end, partner_ids).items()
            if median is not None and count}


@metric("resolved_in_target", _l("Tickets resolved within target"), "local_service",
        "higher", "%", _l("This month's tickets resolved within the service rule's "
                          "resolution time, of those whose time is up or that are resolved."),
        source="service.tickets_list", bounds=(0, 100))
def resolved_in_target(p: Period, partner_ids=None):
    from portal.service.figures import resolution_within_target
    return _ratio(resolution_within_target(p.begin, p.end, partner_ids, now=p.at))


@metric("csat", _l("Customer satisfaction (CSAT)"), "local_service", "higher", "score",
        _l("The average answer (1–5) of this month's tickets asked on the CSAT scale."),
        source="service.tickets_list", bounds=(1, 5))
def csat(p: Period, partner_ids=None):
    from portal.service.figures import satisfaction
    found = {}
    for pid, answers in satisfaction(p.begin, p.end, partner_ids).items():
        total, count = answers.get("csat", (0, 0))
        if count:
            found[pid] = Figure(round(total / count, 4), total, count)
    return found


@metric("nps", _l("Net promoter score (NPS)"), "local_service", "higher", "score",
        _l("Promoters (9–10) minus detractors (0–6), per 100 answers on the NPS scale "
           "this month."), source="service.tickets_list", bounds=(-100, 100))
def nps(p: Period, partner_ids=None):
    from portal.service.figures import satisfaction
    found = {}
    for pid, answers in satisfaction(p.begin, p.end, partner_ids).items():
        promoters, detractors, count = answers.get("nps", (0, 0, 0))
        if count:
            found[pid] = Figure(round((promoters - detractors) / count * 100, 4),
                                promoters - detractors, count)
    return found


# -- enablement and results: the month's team-health row of the partner ------------------

def _health_counts(p: Period, columns: tuple[str, ...], partner_ids=None) -> dict[int, dict]:
    from portal.health.models import HealthMonth
    rows = db.session.execute(
        select(HealthMonth.partner_id, *(getattr(HealthMonth, c) for c in columns))
        .where(HealthMonth.month == p.month, HealthMonth.level == "partner",
               *_partners(partner_ids, HealthMonth.partner_id))).all()
    return {row[0]: dict(zip(columns, row[1:])) for row in rows}


def _health_ratio(numerator: str, denominator: str, scale: float = 100.0):
    """A ratio of two counts of the partner's health row (money, kept in fen, shown in
    yuan: the ratio is the same)."""
    unit = 100 if numerator.endswith("_fen") else 1

    def compute(p: Period, partner_ids=None):
        counts = _health_counts(p, (numerator, denominator), partner_ids)
        return _ratio({pid: (row[numerator] / unit, (row[denominator] or 0) / unit)
                       for pid, row in counts.items()}, scale)
    return compute


metric("exam_coverage", _l("Exam coverage"), "enablement", "higher", "%",
       _l("People assigned an exam closing this month who submitted an attempt, of the "
          "people assigned."), source="health.partner", bounds=(0, 100))(
    _health_ratio("exam_covered", "exam_assigned"))
metric("training_completion", _l("Training completion"), "enablement", "higher", "%",
       _l("Course enrolments completed, of the enrolments of the partner's people."),
       source="health.partner", bounds=(0, 100))(_health_ratio("enrol_done", "enrol_total"))
metric("acknowledgement_rate", _l("Policy acknowledgement"), "enablement", "higher", "%",
       _l("Broadcasts acknowledged on time, of those that asked the partner's people for "
          "an acknowledgement this month."), source="health.partner", bounds=(0, 100))(
    _health_ratio("acks_on_time", "acks_due"))
metric("effective_visits_per_day", _l("Effective visits per salesperson-day"), "results",
       "higher", "ratio",
       _l("Effective visits this month per working day of the partner's salespeople."),
       source="health.partner", bounds=(0, None))(
    _health_ratio("effective", "sales_days", 1.0))
metric("follow_up_rate", _l("Follow-ups in time"), "results", "higher", "%",
       _l("First visits followed up in time, of those whose follow-up fell due."),
       source="health.partner", bounds=(0, 100))(
    _health_ratio("follow_ups_in_time", "follow_ups_due"))
metric("revenue_vs_target", _l("Revenue against target"), "results", "higher", "%",
       _l("Revenue this month against the partner's revenue target prorated to the "
          "working days counted."), source="health.partner", bounds=(0, None))(
    _health_ratio("revenue_fen", "target_revenue_fen"))


def compute_all(codes, p: Period, partner_ids=None) -> dict[str, dict[int, Figure]]:
    """Each metric of `codes` once for every partner (or those of `partner_ids`)."""
    return {code: METRICS[code].compute(p, partner_ids) for code in dict.fromkeys(codes)}


def active_partner_ids(partner_ids=None) -> list[int]:
    """The partners scored: active ones (a suspended or terminated partner is not)."""
    return list(db.session.execute(select(Partner.id).where(
        Partner.status == "active", *_partners(partner_ids, Partner.id))
        .order_by(Partner.id)).scalars())


UNIT_SUFFIX = {"%": "%", "h": " h", "per100": "", "per10": "", "score": "", "ratio": ""}
