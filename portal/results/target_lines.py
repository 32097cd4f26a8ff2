"""Whose figures a target is about (a `Subject`: a partner, a team or a person), their
sums read from the daily roll-ups (`habit_days` for visits, `result_days` for results),
and the three reference lines a target is set against.

The lines for month M come from the full months before M (before the current month,
when M is the next one), each a monthly sum of the subject's roll-ups:
- historical peak 历史峰值: the best of the last 12 months, and which month;
- starting line 起跑线: the average of the last 3 months;
- forecast line 预测线: a least-squares line through the last 6 months' rate per working
  day, extrapolated to M and multiplied by M's working days (never below 0).

A month is *no data*, left out rather than counted as zero, when the subject did not
exist on its first day (the month a team or person was created in is partial) or when its
partner recorded nothing of that kind in it (no visit at all, no order at all, or no
payment at all: the portal was not in use for them yet). A month in which the partner
recorded but the subject did not is a real zero. Each line needs enough months (peak 1, start 3,
forecast 3); with fewer it is "not enough history", not a number. Lines are kept as plain
data (`lines` of a target) and put in words in the reader's language (`target_words`)."""
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from portal.core.rollups import business_day
from portal.extensions import db
from portal.habits.models import HabitDay
from portal.results import months as cal
from portal.results.models import METRICS, ResultDay

# Each metric's roll-up table; a metric is the column of the same name.
SOURCES = {HabitDay: ("visits", "effective"),
           ResultDay: ("new_customers", "orders", "revenue_fen", "payments_fen")}
SOURCE_OF = {metric: model for model, metrics in SOURCES.items() for metric in metrics}
# What a partner recording "anything of the kind" in a month means, per metric: a visit
# (customers added or follow-ups due alone do not say visits were logged here), an
# order, a payment.
RECORDS = {"visits": (HabitDay, HabitDay.visits > 0), "orders": (ResultDay, ResultDay.orders > 0),
           "payments": (ResultDay, ResultDay.payments > 0)}
KIND_OF = {"visits": "visits", "effective": "visits", "new_customers": "orders",
           "orders": "orders", "revenue_fen": "orders", "payments_fen": "payments"}
PEAK_MONTHS, START_MONTHS, FORECAST_MONTHS = 12, 3, 6
NEEDED = {"peak": 1, "start": START_MONTHS, "forecast": 3}
KINDS = ("peak", "start", "forecast")


@dataclass(frozen=True)
class Subject:
    """A partner, a team or a person as a target's subject."""

    level: str
    partner_id: int
    team_id: int | None
    user_id: int | None
    since: date  # the business day it was created
    name: str

    @property
    def key(self) -> str:
        ident = {"partner": self.partner_id, "team": self.team_id,
                 "person": self.user_id}[self.level]
        return f"{self.level}:{ident}"

    def rows(self, model):
        """SQL: the roll-up rows of `model` that are this subject's."""
        if self.level == "person":
            return model.user_id == self.user_id
        if self.level == "team":
            return and_(model.partner_id == self.partner_id, model.team_id == self.team_id)
        return model.partner_id == self.partner_id

    @classmethod
    def of(cls, level: str, thing) -> "Subject":
        """The subject of a Partner, Team or User row."""
        since = business_day(thing.created_at)
        if level == "partner":
            return cls("partner", thing.id, None, None, since, thing.name)
        if level == "team":
            return cls("team", thing.partner_id, thing.id, None, since, thing.name)
        return cls("person", thing.partner_id, thing.team_id, thing.id, since,
                   thing.display_name)


def daily(subject: Subject, first: date, last: date) -> dict[date, dict[str, int]]:
    """The subject's sums per day from `first` to `last` (days with a row only)."""
    found: dict = defaultdict(dict)
    for model, metrics in SOURCES.items():
        query = (select(model.day, *(func.sum(getattr(model, m)) for m in metrics))
                 .where(subject.rows(model), model.day.between(first, last))
                 .group_by(model.day))
        for day, *values in db.session.execute(query):
            found[day].update({m: int(v or 0) for m, v in zip(metrics, values)})
    return found


def recorded_where(kind: str, partners, first: date, last: date):
    """SQL (model, conditions): the roll-up rows showing that one of `partners` (a
    function giving the condition on the partner column) recorded something of `kind`
    from `first` to `last`."""
    model, condition = RECORDS[kind]
    return model, [partners(model.partner_id), model.day.between(first, last), condition]


def recorded(partner_id: int, first: date, last: date) -> dict[str, set[date]]:
    """Per kind (visits, orders, payments), the months (first days) in which the partner
    recorded anything of it."""
    found = {}
    for kind in RECORDS:
        model, where = recorded_where(kind, lambda column: column == partner_id, first, last)
        days = db.session.execute(select(model.day).distinct().where(*where)).scalars()
        found[kind] = {cal.first_of(day) for day in days}
    return found


def monthly(subject: Subject, first: date, last: date, *, until: date | None = None,
            whole: bool = True) -> dict[str, dict[date, int | None]]:
    """Per metric, the subject's sum in each month from `first` to `last` (first days),
    counting days up to `until` (default: all of them); None for a month without data
    (see the module's note). With `whole`, the month a subject was created in is no data
    too (it is partial: the lines use whole months only); without, it counts from then."""
    end = min(cal.last_of(last), until) if until is not None else cal.last_of(last)
    sums: dict = defaultdict(int)
    active = {kind: set() for kind in RECORDS}
    if end >= first:
        for day, values in daily(subject, first, end).items():
            for metric, value in values.items():
                sums[(metric, cal.first_of(day))] += value
        active = recorded(subject.partner_id, first, end)
    found: dict = {metric: {} for metric in METRICS}
    month = first
    while month <= last:
        existed = month >= subject.since if whole else cal.last_of(month) >= subject.since
        for metric in METRICS:
            data = existed and month in active[KIND_OF[metric]]
            found[metric][month] = sums[(metric, month)] if data else None
        month = cal.add_months(month, 1)
    return found


def half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _iso(month: date) -> str:
    return month.strftime("%Y-%m")


def _missing(kind: str, have: int) -> dict:
    return {"value": None, "have": have, "need": NEEDED[kind]}


def peak(data: dict[date, int]) -> dict:
    """The best month (the latest of equals) of `data`."""
    if not data:
        return _missing("peak", 0)
    month, value = max(data.items(), key=lambda item: (item[1], item[0]))
    return {"value": value, "month": _iso(month), "have": len(data), "need": 1}


def start(data: dict[date, int], last_full: date) -> dict:
    """The average of the 3 months up to `last_full`, when all three have data."""
    wanted = [cal.add_months(last_full, -n) for n in range(START_MONTHS - 1, -1, -1)]
    have = [m for m in wanted if m in data]
    if len(have) < START_MONTHS:
        return _missing("start", len(have))
    values = [data[m] for m in wanted]
    return {"value": half_up(sum(values) / len(values)), "months": [_iso(m) for m in wanted],
            "values": values, "have": len(have), "need": START_MONTHS}


def forecast(data: dict[date, int], last_full: date, month: date) -> dict:
    """The least-squares trend of the rate per working day over the 6 months up to
    `last_full`, at `month`, times `month`'s working days."""
    points = []
    for n in range(FORECAST_MONTHS - 1, -1, -1):
        m = cal.add_months(last_full, -n)
        days = cal.in_month(m)
        if m in data and days:
            points.append((_index(m), data[m] / days))
    if len(points) < NEEDED["forecast"]:
        return _missing("forecast", len(points))
    mean_x = sum(x for x, _y in points) / len(points)
    mean_y = sum(y for _x, y in points) / len(points)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in points)
             / sum((x - mean_x) ** 2 for x, _y in points))
    rate = mean_y + slope * (_index(month) - mean_x)
    days = cal.in_month(month)
    return {"value": max(0, half_up(rate * days)), "slope": round(slope, 4),
            "rate": round(rate, 4), "workdays": days, "month": _iso(month),
            "have": len(points), "need": NEEDED["forecast"]}


def last_full_month(month: date, today: date) -> date:
    """The latest full month before `month` (before the current month at most)."""
    return cal.add_months(min(month, cal.first_of(today)), -1)


def reference_lines(subject: Subject, month: date, today: date) -> dict[str, dict]:
    """{metric: {"peak": …, "start": …, "forecast": …}} for a target of `subject` in
    `month`, as of `today`: two queries per roll-up table."""
    last_full = last_full_month(month, today)
    first = cal.add_months(last_full, -(PEAK_MONTHS - 1))
    found = {}
    for metric, sums in monthly(subject, first, last_full).items():
        data = {m: value for m, value in sums.items() if value is not None}
        found[metric] = {"peak": peak(data), "start": start(data, last_full),
                         "forecast": forecast(data, last_full, month)}
    return found


def outside(value: int, lines: dict) -> str | None:
    """"below_start" or "above_peak" when `value` lies outside the lines, else None."""
    low, high = lines["start"]["value"], lines["peak"]["value"]
    if low is not None and value < low:
        return "below_start"
    if high is not None and value > high:
        return "above_peak"
    return None
