"""A month's raw counts for every partner person, as one set-based INSERT … SELECT
from the roll-ups (`habit_days`, `result_days`) and the few tables that have none yet
(customers, enrolments, exam assignments and attempts, broadcast receipts), then the
teams' and partners' rows as sums of their people's. Nothing here loops over partners
or people in Python.

The month counts through `through` (its last day, or today in the month under way).
A person counts on each working day from the day it joined to the day it left
(`users.left_at`); people deactivated before that date was kept are left out, and so are the people of a
partner that is not active (suspended: its figures are "no data", not zeros)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import (BigInteger, Integer, String, and_, case, cast, exists, func, insert,
                        literal, null, or_, select)

from portal.auth.models import PARTNER_ROLES, User
from portal.broadcasts.models import Broadcast, Receipt
from portal.broadcasts.services import is_current
from portal.core.clock import BUSINESS_TZ
from portal.exams.coverage import assigned_rows
from portal.exams.models import Attempt, Sitting
from portal.exams.services import finished
from portal.extensions import db
from portal.habits.models import Customer, HabitDay, Visit
from portal.health.models import COUNTS, TARGETED, HealthMonth
from portal.org.models import Partner
from portal.results.models import ResultDay, Target
from portal.results.months import in_month, is_working_day, last_of, working_days
from portal.training.models import Enrollment

SALES_ROLES = ("manager", "staff")
FORGOTTEN_DAYS = 30
RAMP_DAYS = 90


def starts(day: date) -> datetime:
    """The first moment of business day `day`."""
    return datetime.combine(day, time(), tzinfo=BUSINESS_TZ)


@dataclass(frozen=True)
class Window:
    month: date
    through: date  # the last day counted
    at: datetime   # the moment of the computation (what "finished" means)

    @property
    def begin(self) -> datetime:
        return starts(self.month)

    @property
    def end(self) -> datetime:
        return starts(self.through + timedelta(days=1))

    @property
    def work_days(self) -> int:
        return working_days(self.month, self.through)

    @property
    def days(self) -> int:
        return (self.through - self.month).days + 1

    @property
    def share(self) -> float:
        """The part of the month's working days counted: a target is prorated by it."""
        total = in_month(self.month)
        return self.work_days / total if total else 1.0

    def working(self) -> list[date]:
        day, found = self.month, []
        while day <= self.through:
            if is_working_day(day):
                found.append(day)
            day += timedelta(days=1)
        return found


def window(month: date, at: datetime) -> Window:
    today = at.astimezone(BUSINESS_TZ).date()
    return Window(month, min(last_of(month), today), at)


def _present(since: datetime, until: datetime):
    """SQL: the person was with its partner for some of [since, until)."""
    return and_(User.created_at < until, or_(User.left_at.is_(None), User.left_at >= since))


def people_of_month(w: Window):
    """SQL: one row per partner person of the month, with who-and-how-long counts."""
    days = w.working()
    person_days = sum((case((_present(starts(d), starts(d + timedelta(days=1))), 1), else_=0)
                       for d in days), literal(0))
    selling = User.role.in_(SALES_ROLES)
    present_end = and_(User.created_at < w.end, or_(User.left_at.is_(None),
                                                    User.left_at >= w.end))
    hired = and_(selling, present_end, User.created_at >= w.end - timedelta(days=RAMP_DAYS))
    return (select(User.id.label("user_id"), User.partner_id, User.team_id,
                   person_days.label("person_days"),
                   case((selling, person_days), else_=0).label("sales_days"),
                   case((present_end, 1), else_=0).label("headcount"),
                   case((_present(w.begin, w.begin), 1),
                        else_=0).label("people_start"),
                   case((and_(User.left_at >= w.begin, User.left_at < w.end), 1),
                        else_=0).label("people_left"),
                   case((User.created_at >= w.begin, 1), else_=0).label("joined"),
                   case((hired, 1), else_=0).label("new_hires"))
            .join(Partner, Partner.id == User.partner_id)
            .where(User.role.in_(PARTNER_ROLES), Partner.status == "active",
                   _present(w.begin, w.end),
                   or_(User.active.is_(True), User.left_at.is_not(None)))
            .subquery())


def _habits(w: Window):
    return (select(HabitDay.user_id, func.sum(HabitDay.visits).label("visits"),
                   func.sum(HabitDay.effective).label("effective"),
                   func.sum(HabitDay.follow_ups_due).label("follow_ups_due"),
                   func.sum(HabitDay.follow_ups_in_time).label("follow_ups_in_time"),
                   func.count(case((HabitDay.visits > 0, 1))).label("logged_days"))
            .where(HabitDay.day >= w.month, HabitDay.day <= w.through)
            .group_by(HabitDay.user_id).subquery())


def _results(w: Window):
    return (select(ResultDay.user_id, func.sum(ResultDay.orders).label("orders"),
                   func.sum(ResultDay.revenue_fen).label("revenue_fen"),
                   func.sum(ResultDay.payments_fen).label("payments_fen"),
                   func.sum(ResultDay.new_customers).label("new_customers"))
            .where(ResultDay.day >= w.month, ResultDay.day <= w.through)
            .group_by(ResultDay.user_id).subquery())


def _customers(w: Window):
    """Per salesperson: the active customers it looks after, and those of them (known
    for 30 days) with no visit in the 30 days up to `through`."""
    since = w.end - timedelta(days=FORGOTTEN_DAYS)
    seen = exists().where(Visit.customer_id == Customer.id, Visit.visited_at >= since,
                          Visit.visited_at < w.end)
    return (select(Customer.owner_id.label("user_id"), func.count().label("customers_kept"),
                   func.count(case((and_(Customer.created_at < since, ~seen), 1)))
                   .label("customers_forgotten"))
            .where(Customer.owner_id.is_not(None), Customer.active.is_(True),
                   Customer.created_at < w.end)
            .group_by(Customer.owner_id).subquery())


def _training(w: Window):
    return (select(Enrollment.user_id, func.count().label("enrol_total"),
                   func.count(case((Enrollment.completed_at < w.end, 1))).label("enrol_done"))
            .where(Enrollment.enrolled_at < w.end).group_by(Enrollment.user_id).subquery())


def _coverage(w: Window):
    rows = assigned_rows(Sitting.closes_at >= w.begin, Sitting.closes_at < w.end,
                         at=w.at).subquery()
    return (select(rows.c.user_id, func.count().label("exam_assigned"),
                   func.sum(rows.c.covered).label("exam_covered"))
            .group_by(rows.c.user_id).subquery())


def _attempts(w: Window):
    when = func.coalesce(Attempt.submitted_at, Attempt.deadline)
    return (select(Attempt.user_id, func.count().label("attempts"),
                   func.count(case((Attempt.passed.is_(True), 1))).label("attempts_passed"))
            .where(finished(w.at), when >= w.begin, when < w.end)
            .group_by(Attempt.user_id).subquery())


def _acks(w: Window):
    on_time = and_(Receipt.acked_at.is_not(None), Receipt.acked_at < w.end,
                   or_(Broadcast.ack_deadline.is_(None),
                       Receipt.acked_at <= Broadcast.ack_deadline))
    return (select(Receipt.user_id, func.count().label("acks_due"),
                   func.count(case((and_(Receipt.acked_at.is_not(None),
                                         Receipt.acked_at < w.end), 1))).label("acks_done"),
                   func.count(case((on_time, 1))).label("acks_on_time"))
            .join(Broadcast, Broadcast.id == Receipt.broadcast_id)
            .where(Broadcast.requires_ack.is_(True), Broadcast.publish_at >= w.begin,
                   Broadcast.publish_at < w.end, Broadcast.publish_at <= w.at,
                   is_current(w.at))
            .group_by(Receipt.user_id).subquery())


def targets_of(w: Window, level: str, key):
    """Per subject of `level`: the month's targets, prorated to the working days counted."""
    columns = [cast(func.round(func.max(case((Target.metric == metric, Target.value))) *
                               w.share), BigInteger).label(column)
               for column, metric in TARGETED.items()]
    return (select(key.label("key"), *columns)
            .where(Target.level == level, Target.month == w.month).group_by(key).subquery())


def _zero(column):
    return func.coalesce(column, 0)


def people_select(w: Window, rule_id, habits=None, results=None):
    """SELECT of every person row of the month (the columns of `PERSON_COLUMNS`), with
    the habits and results counted from the roll-ups unless other subqueries (the same
    columns by user_id) are given — the benchmark's raw-rows comparison."""
    people = people_of_month(w)
    habits = _habits(w) if habits is None else habits
    results = _results(w) if results is None else results
    customers, training, coverage = _customers(w), _training(w), _coverage(w)
    attempts, acks = _attempts(w), _acks(w)
    targets = targets_of(w, "person", Target.user_id)
    sources = {"habits": habits, "results": results, "customers": customers,
               "training": training, "coverage": coverage, "attempts": attempts,
               "acks": acks}
    values = {}
    for name in COUNTS:
        if name in TARGETED:
            values[name] = getattr(targets.c, name)
        elif name in people.c:
            values[name] = getattr(people.c, name)
        elif name == "new_hires_active":
            values[name] = case((and_(people.c.new_hires == 1, _zero(habits.c.effective) > 0),
                                 1), else_=0)
        else:
            table = next(t for t in sources.values() if name in t.c)
            values[name] = _zero(getattr(table.c, name))
    query = select(literal(w.month).label("month"),
                   (literal("person:") + cast(people.c.user_id, String)).label("subject"),
                   literal("person").label("level"), people.c.partner_id, people.c.team_id,
                   people.c.user_id, literal(rule_id, Integer).label("rule_id"),
                   literal(w.work_days).label("work_days"), literal(w.days).label("days"),
                   literal(w.at).label("computed_at"),
                   *[value.label(name) for name, value in values.items()])
    query = query.select_from(people)
    for table in (*sources.values(),):
        query = query.outerjoin(table, table.c.user_id == people.c.user_id)
    return query.outerjoin(targets, targets.c.key == people.c.user_id)


PERSON_COLUMNS = ["month", "subject", "level", "partner_id", "team_id", "user_id", "rule_id",
                  "work_days", "days", "computed_at", *COUNTS]


def insert_people(w: Window, rule_id) -> None:
    db.session.execute(insert(HealthMonth).from_select(PERSON_COLUMNS,
                                                       people_select(w, rule_id)))


def insert_groups(w: Window, level: str, rule_id) -> None:
    """The teams' (or partners') rows: their people's counts summed, their own targets."""
    person = HealthMonth.__table__.alias("person")
    key = person.c.team_id if level == "team" else person.c.partner_id
    target_key = Target.team_id if level == "team" else Target.partner_id
    targets = targets_of(w, level, target_key)
    sums = (select(key.label("key"), func.min(person.c.partner_id).label("partner_id"),
                   *[func.sum(getattr(person.c, n)).label(n) for n in COUNTS
                     if n not in TARGETED])
            .where(person.c.month == w.month, person.c.level == "person", key.is_not(None))
            .group_by(key).subquery())
    team_id = sums.c.key if level == "team" else null()
    counts = [getattr(targets.c, n) if n in TARGETED else getattr(sums.c, n) for n in COUNTS]
    query = (select(literal(w.month), literal(f"{level}:") + cast(sums.c.key, String),
                    literal(level), sums.c.partner_id, team_id, null(),
                    literal(rule_id, Integer), literal(w.work_days), literal(w.days),
                    literal(w.at), *counts)
             .select_from(sums).outerjoin(targets, targets.c.key == sums.c.key))
    db.session.execute(insert(HealthMonth).from_select(PERSON_COLUMNS, query))
