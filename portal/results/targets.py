"""Monthly targets (定目标) and progress against them (追过程), for a partner, a team and a
person: setting them against the three reference lines (`target_lines`), the cascade of
team targets under a partner's and of people's under a team's, month to date against
the target and against the pace, a person's day by day, and what *My day* shows.

Pace: the target × the working days gone (those before today) ÷ the month's working
days. A person's daily target is what is left of the month's target ÷ the working days
left, today included, rounded up. Every figure is read from the daily roll-ups."""
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.access import figures_of
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits.team import people_of
from portal.results import months as cal
from portal.results.models import METRICS, Target
from portal.results.target_lines import Subject, daily, monthly, outside
from portal.results.target_words import outside_message

CHART_MONTHS = 6


def reads(user, partner_id: int, team_id: int | None = None, *, whole: bool) -> bool:
    """May `user` read the figures of a partner (`whole`) or of one of its teams or
    people (`team_id`)? `figures_of` decides: a team lead reads its team's only."""
    whose = figures_of(user)
    if whose.nothing or (whose.partner_ids is not None and partner_id not in whose.partner_ids):
        return False
    return whose.team_id is None or (not whole and team_id == whose.team_id)


def settable(month: date, today: date) -> bool:
    """Targets are set for the current month and the next; earlier ones are history."""
    current = cal.first_of(today)
    return current <= month <= cal.add_months(current, 1)


def of_subject(subject: Subject, first: date, last: date | None = None) -> dict:
    """The subject's targets {(month, metric): Target} from `first` to `last` (months)."""
    rows = db.session.execute(select(Target).where(
        Target.subject == subject.key, Target.month.between(first, last or first))).scalars()
    return {(row.month, row.metric): row for row in rows}


def needs_confirming(values: dict, confirmed: set, lines: dict, current: dict) -> dict:
    """{metric: message} for the changed values below the starting line or above the peak
    that are not confirmed."""
    found = {}
    for metric, value in values.items():
        row = current.get(metric)
        if value is None or (row is not None and row.value == value):
            continue
        where = outside(value, lines[metric])
        if where and metric not in confirmed:
            found[metric] = outside_message(metric, where, lines[metric])
    return found


def set_targets(actor, subject: Subject, month: date, values: dict, confirmed: set,
                lines: dict, today: date) -> int:
    """Set, change or clear (`None`) the subject's targets for `month` ({metric: value},
    money in fen; metrics not given stay as they are) with the lines shown; returns how
    many changed. Values outside the lines must be in `confirmed`. No commit."""
    if not settable(month, today):
        raise DomainError("month", _("Targets can be set for this month and the next only."))
    unknown = set(values) - set(METRICS)
    if unknown:
        raise DomainError(sorted(unknown)[0], _("Not a target metric."))
    current = {metric: row for (_m, metric), row in of_subject(subject, month).items()}
    refused = needs_confirming(values, confirmed, lines, current)
    if refused:
        error = DomainError(*next(iter(refused.items())))
        error.details = refused
        raise error
    changed, actor_id, at = 0, actor.id, now()
    for metric, value in values.items():
        row = current.get(metric)
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed += 1
            continue
        if row is not None and row.value == value:
            continue
        fields = {"value": value, "lines": lines[metric], "set_by": actor_id, "set_at": at,
                  "confirmed": outside(value, lines[metric]) is not None}
        if row is None:
            db.session.add(Target(subject=subject.key, level=subject.level, month=month,
                                  metric=metric, partner_id=subject.partner_id,
                                  team_id=subject.team_id, user_id=subject.user_id, **fields))
        else:
            for name, data in fields.items():
                setattr(row, name, data)
        changed += 1
    db.session.flush()
    return changed


@dataclass
class Progress:
    """One metric of one subject in one month: month to date against target and pace."""

    metric: str
    target: Target | None
    actual: int | None  # None: no data
    workdays: int
    gone: int

    @property
    def value(self) -> int | None:
        return self.target.value if self.target is not None else None

    @property
    def expected(self) -> float | None:
        """Where the pace stands: the target's share of the working days gone."""
        if self.value is None or not self.workdays:
            return None
        return self.value * self.gone / self.workdays

    @property
    def of_target(self) -> float | None:
        return self.actual / self.value if self.value and self.actual is not None else None

    @property
    def of_pace(self) -> float | None:
        return self.actual / self.expected if self.expected and self.actual is not None \
            else None


def progress(subject: Subject, month: date, today: date,
             targets: dict | None = None) -> dict[str, Progress]:
    """Every metric's progress of `subject` in `month` as of `today`."""
    targets = of_subject(subject, month) if targets is None else targets
    sums = monthly(subject, month, month, until=today, whole=False)
    workdays, gone = cal.in_month(month), cal.gone(month, today)
    return {metric: Progress(metric, targets.get((month, metric)), sums[metric][month],
                             workdays, gone) for metric in METRICS}


def six_months(subject: Subject, month: date, today: date) -> dict[str, list[tuple]]:
    """Per metric, (month, actual or None, target value or None) for the six months up to
    `month` (its actual so far)."""
    first = cal.add_months(month, -(CHART_MONTHS - 1))
    sums = monthly(subject, first, month, until=today, whole=False)
    targets = of_subject(subject, first, month)
    found = {}
    for metric in METRICS:
        found[metric] = [(m, value, getattr(targets.get((m, metric)), "value", None))
                         for m, value in sums[metric].items()]
    return found


@dataclass
class Cascade:
    """The children's targets (teams under a partner, people under a team) summed
    against the subject's own."""

    parent: int | None
    total: int
    with_target: int
    children: int

    @property
    def gap(self) -> int | None:
        """Over (> 0) or under (< 0) the subject's target."""
        return None if self.parent is None else self.total - self.parent


def children_of(subject: Subject):
    """SQL: the ids of the subject's active teams (a partner) or people (a team)."""
    from portal.auth.models import User
    from portal.org.models import Team
    if subject.level == "partner":
        return select(Team.id).where(Team.partner_id == subject.partner_id,
                                     Team.active.is_(True))
    return select(User.id).where(people_of(subject.partner_id, subject.team_id))


def cascade(subject: Subject, month: date, targets: dict) -> dict[str, Cascade] | None:
    """Per metric, the sum of the children's targets for `month` against the subject's
    (`targets` from `of_subject`); None for a person, who has no children."""
    if subject.level == "person":
        return None
    children = children_of(subject)
    column, level = ((Target.team_id, "team") if subject.level == "partner"
                     else (Target.user_id, "person"))
    count = db.session.execute(select(func.count()).select_from(children.subquery())).scalar()
    sums = {metric: (int(total or 0), number) for metric, total, number in db.session.execute(
        select(Target.metric, func.sum(Target.value), func.count())
        .where(Target.level == level, Target.partner_id == subject.partner_id,
               Target.month == month, column.in_(children)).group_by(Target.metric))}
    return {metric: Cascade(getattr(targets.get((month, metric)), "value", None),
                            *sums.get(metric, (0, 0)), count) for metric in METRICS}


def _still_to_do(target: int, done: int, days_left: int) -> int | None:
    if days_left <= 0:
        return None
    return math.ceil(max(target - done, 0) / days_left)


@dataclass
class Day:
    """One day of a person's month: per metric the actual (None: not yet) and the day's
    target (None on a day off)."""

    day: date
    working: bool
    actual: dict = field(default_factory=dict)
    target: dict = field(default_factory=dict)


def day_by_day(subject: Subject, month: date, today: date, targets: dict) -> list[Day]:
    """Every day of `month`: what was done (days up to today) and the daily target as it
    stood that morning (what was left ÷ working days left); later days show the daily
    target as it stands after today."""
    last = cal.last_of(month)
    per_day = daily(subject, month, min(last, today))
    values = {m: targets[(month, m)].value for m in METRICS if (month, m) in targets}
    done = dict.fromkeys(METRICS, 0)
    days, day = [], month
    while day <= last:
        row = Day(day, cal.is_working_day(day))
        future = day > today
        for metric in METRICS:
            if not future:
                row.actual[metric] = per_day.get(day, {}).get(metric, 0)
            if metric in values and row.working:
                start = today + timedelta(days=1) if future else day
                row.target[metric] = _still_to_do(values[metric], done[metric],
                                                  cal.working_days(start, last))
            if not future:
                done[metric] += row.actual[metric]
        days.append(row)
        day += timedelta(days=1)
    return days


@dataclass
class TodayRow:
    metric: str
    target: int  # the month's
    month_actual: int
    done_today: int
    today_target: int | None  # None: not a working day
    progress: Progress


@dataclass
class TodayTargets:
    day: date
    month: date
    rows: list[TodayRow]

    @property
    def helpers(self) -> dict:
        """What `results/targets/_today.html` needs beside this, wherever it is included."""
        from portal.results.target_words import helpers
        return helpers()


def today_for(person, day: date) -> TodayTargets | None:
    """What *My day* shows of `person`'s targets on `day`: per metric with a target,
    today's target, done today, the month's target and progress; None without targets."""
    subject = Subject.of("person", person)
    month = cal.first_of(day)
    targets = of_subject(subject, month)
    if not targets:
        return None
    mine = progress(subject, month, day, targets)
    today = daily(subject, day, day).get(day, {})
    days_left = cal.left(month, day) if cal.is_working_day(day) else 0
    rows = []
    for metric in METRICS:
        target = targets.get((month, metric))
        if target is None:
            continue
        actual = mine[metric].actual or 0
        done = today.get(metric, 0)
        rows.append(TodayRow(metric, target.value, actual, done,
                             _still_to_do(target.value, actual - done, days_left),
                             mine[metric]))
    return TodayTargets(day, month, rows)
