"""What the drill-down pages (a partner's, a team's, a person's month) read besides
`read`: whose health the user reads, the teams or people beneath a subject with their
month's scores, a person's month day by day, where each measure's data can be looked
at, and the figures as a page shows them."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from portal.auth.models import User
from portal.broadcasts.models import Broadcast, Receipt
from portal.core.access import may, visible
from portal.core.clock import BUSINESS_TZ
from portal.exams.models import Attempt, Exam, Sitting
from portal.exams.services import finished
from portal.extensions import db
from portal.habits.models import HabitDay
from portal.health.figures import starts
from portal.health.measures import BY_CODE
from portal.health.models import HealthMonth
from portal.org.models import Partner, Team
from portal.results.labels import yuan
from portal.results.models import ResultDay
from portal.results.months import is_working_day, last_of
from portal.results.targets import reads

MODELS = {"partner": Partner, "team": Team, "person": User}
SCORES = ("overall", "performance", "process", "growth")
SORTS = ("name",) + SCORES


def subject_of(level: str, thing) -> str:
    """The `HealthMonth.subject` of a partner, team or person."""
    return f"{level}:{thing.id}"


def reads_health(user, level: str, thing) -> bool:
    """May `user` read the health of `thing` (already loaded with `get_or_404`)? A
    partner's and a team's health are their figures (`figures_of`: a team lead reads
    its own team's, staff none); a person's is read by whoever sees the person."""
    if level == "person":
        return thing.partner_id is not None  # the principal's people are not judged
    partner_id = thing.id if level == "partner" else thing.partner_id
    return reads(user, partner_id, thing.id if level == "team" else None,
                 whole=level == "partner")


# --- the teams of a partner, the people of a team ---------------------------------------
@dataclass
class Child:
    """One team or person beneath the subject, its month's row (None: no data) and
    whether the user may open its page."""
    level: str
    id: int
    name: str
    row: HealthMonth | None
    linked: bool = True


def _order(sort: str, name_key):
    if sort == "name":
        return (name_key,)
    return (getattr(HealthMonth, sort).desc().nulls_last(), name_key)


def teams_of(user, partner: Partner, month: date, sort: str) -> list[Child]:
    """The partner's teams the user sees (active ones, and any with a row that month),
    with their rows of `month`."""
    joined = and_(HealthMonth.team_id == Team.id, HealthMonth.level == "team",
                  HealthMonth.month == month, visible(user, HealthMonth))
    found = db.session.execute(
        select(Team, HealthMonth).outerjoin(HealthMonth, joined)
        .where(Team.partner_id == partner.id, visible(user, Team),
               or_(Team.active.is_(True), HealthMonth.id.is_not(None)))
        .order_by(*_order(sort, Team.name_key), Team.id)).all()
    return [Child("team", team.id, team.name, row) for team, row in found]


def people_of(user, team: Team, month: date, sort: str) -> list[Child]:
    """The people who were in `team` in `month` (their person rows), each linked when
    the user may still open the person (a team lead: while the person is in its team)."""
    found = db.session.execute(
        select(HealthMonth, User).join(User, User.id == HealthMonth.user_id)
        .where(HealthMonth.level == "person", HealthMonth.team_id == team.id,
               HealthMonth.month == month, visible(user, HealthMonth))
        .order_by(*_order(sort, User.name_key), User.id)).all()
    ids = [person.id for _row, person in found]
    linked = set(db.session.execute(select(User.id).where(
        User.id.in_(ids), visible(user, User))).scalars()) if ids else set()
    return [Child("person", person.id, person.display_name, row, person.id in linked)
            for row, person in found]


# --- a person's month day by day ------------------------------------------------------
@dataclass
class Day:
    day: date
    working: bool
    visits: int = 0
    effective: int = 0
    follow_ups_due: int = 0
    follow_ups_in_time: int = 0
    orders: int = 0
    revenue_fen: int = 0
    attempts: list = field(default_factory=list)  # (exam title, passed)
    acks: list = field(default_factory=list)      # broadcast titles

    @property
    def empty(self) -> bool:
        return not (self.visits or self.follow_ups_due or self.orders or self.revenue_fen
                    or self.attempts or self.acks)


def _local_day(moment) -> date:
    return moment.astimezone(BUSINESS_TZ).date()


def days_of(viewer, person: User, month: date, through: date, at) -> tuple[list[Day], Day]:
    """`person`'s days of `month` up to `through` (the last day counted), and their
    totals: the habit and result roll-ups, the exam attempts finished and the broadcasts
    acknowledged each day (four queries for the month, none per day)."""
    last = min(last_of(month), through)
    days, day = {}, month
    while day <= last:
        days[day] = Day(day, is_working_day(day))
        day += timedelta(days=1)
    if not days:
        return [], Day(month, False)
    for found in db.session.execute(
            select(HabitDay.day, HabitDay.visits, HabitDay.effective,
                   HabitDay.follow_ups_due, HabitDay.follow_ups_in_time)
            .where(HabitDay.user_id == person.id, HabitDay.day.between(month, last))):
        entry = days[found.day]
        entry.visits, entry.effective = found.visits, found.effective
        entry.follow_ups_due, entry.follow_ups_in_time = (found.follow_ups_due,
                                                          found.follow_ups_in_time)
    for found in db.session.execute(
            select(ResultDay.day, ResultDay.orders, ResultDay.revenue_fen)
            .where(ResultDay.user_id == person.id, ResultDay.day.between(month, last))):
        days[found.day].orders, days[found.day].revenue_fen = found.orders, found.revenue_fen
    begin, end = starts(month), starts(last + timedelta(days=1))
    moment = func.coalesce(Attempt.submitted_at, Attempt.deadline)
    for finished_at, passed, title in db.session.execute(
            select(moment, Attempt.passed, Exam.title)
            .join(Sitting, Sitting.id == Attempt.sitting_id)
            .join(Exam, Exam.id == Sitting.exam_id)
            .where(Attempt.user_id == person.id, finished(at), moment >= begin, moment < end,
                   visible(viewer, Attempt))
            .order_by(moment, Attempt.id)):
        days[_local_day(finished_at)].attempts.append((title, passed))
    for acked_at, title in db.session.execute(
            select(Receipt.acked_at, Broadcast.title)
            .join(Broadcast, Broadcast.id == Receipt.broadcast_id)
            .where(Receipt.user_id == person.id, Receipt.acked_at >= begin,
                   Receipt.acked_at < end).order_by(Receipt.acked_at, Receipt.id)):
        days[_local_day(acked_at)].acks.append(title)
    listed = list(days.values())
    total = Day(month, True)
    for entry in listed:
        for name in ("visits", "effective", "follow_ups_due", "follow_ups_in_time",
                     "orders", "revenue_fen"):
            setattr(total, name, getattr(total, name) + getattr(entry, name))
        total.attempts += entry.attempts
        total.acks += entry.acks
    return listed, total


# --- where each measure's data is -----------------------------------------------------
PERFORMANCE_METRICS = {"orders": "orders", "revenue": "revenue_fen",
                       "payments": "payments_fen", "new_customers": "new_customers"}
TARGET_ENDPOINTS = {"partner": ("results.partner_targets", "partner_id"),
                    "team": ("results.team_targets", "team_id"),
                    "person": ("results.person_targets", "user_id")}
ORG_ENDPOINTS = {"partner": ("org.partner", "partner_id"), "team": ("org.team", "team_id"),
                 "person": ("org.person", "user_id")}
PROCESS = ("effective_per_day", "effective_rate", "follow_up_rate", "logging")
EXAMS = ("exam_coverage", "exam_frequency", "pass_rate")
ACKS = ("ack_rate", "ack_on_time")
LINK_LABELS = {"targets": _l("Results against target"), "days": _l("Day by day"),
               "team_day": _l("The team's day and week"), "customers": _l("Customers"),
               "exams": _l("Exam reports"), "broadcasts": _l("Broadcasts"),
               "record": _l("The person's record"), "people": _l("People")}


def measure_links(user, level: str, thing, month: date) -> dict[str, tuple[str, object]]:
    """{measure code: (address, label)} of the page showing the data behind each measure,
    only where such a page exists and `user` may open it (the same rules as the
    navigation)."""
    links = {}
    keep = {"month": month.strftime("%Y-%m")}
    endpoint, argument = TARGET_ENDPOINTS[level]
    if may(user, "results.targets"):  # the subject's own figures: the health page's rule
        for code, metric in PERFORMANCE_METRICS.items():
            links[code] = (url_for(endpoint, **{argument: thing.id}, metric=metric, **keep),
                           LINK_LABELS["targets"])
    endpoint, argument = ORG_ENDPOINTS[level]
    org_page = url_for(endpoint, **{argument: thing.id})
    if level == "person":
        for code in PROCESS:
            links[code] = ("#days", LINK_LABELS["days"])
        for code in ("training", *EXAMS, *ACKS, "retention", "ramp"):
            links[code] = (org_page, LINK_LABELS["record"])
    else:
        if may(user, "habits.team"):
            partner_id = thing.id if level == "partner" else thing.partner_id
            team_day = url_for("habits.team", partner=partner_id) if user.is_principal \
                else url_for("habits.team")
            for code in PROCESS:
                links[code] = (team_day, LINK_LABELS["team_day"])
        if may(user, "exams.reports"):
            for code in EXAMS:
                links[code] = (url_for("exams.reports"), LINK_LABELS["exams"])
        if may(user, "broadcasts.list"):
            for code in ACKS:
                links[code] = (url_for("broadcasts.index"), LINK_LABELS["broadcasts"])
        for code in ("retention", "ramp"):
            links[code] = (org_page, LINK_LABELS["people"])
    if may(user, "habits.customers"):
        links["remembered"] = (url_for("habits.customers"), LINK_LABELS["customers"])
    return links


# --- figures as shown -----------------------------------------------------------------
def count(column: str, value: int | None) -> str:
    """A raw count as shown: money (fen) as yuan, numbers with separators, "—" unset."""
    if value is None:
        return "—"
    if column.endswith("_fen"):
        return yuan(value)
    return f"{value:,}"


def counts(line) -> tuple[str, str]:
    """A measure's numerator and denominator as shown (money as yuan)."""
    measure = BY_CODE[line.code]
    return (count(measure.numerator, line.numerator),
            count(measure.denominator, line.denominator))


def points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
