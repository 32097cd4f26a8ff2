"""The plan's defaults, observed in the data (set-based: one query per figure).

- Customers per class: the active customers of the partner (of every partner whose
  figures the user reads, for the whole market) whose town lies in the region (town
  codes start with the region's code).
- Visits per person-day (人效): the visits of those partners' people over the last three
  full months ÷ the person-days with at least one visit (days off do not dilute it).
- Deal cycle (周期): the median of the days from a customer's first visit to its first
  order, over those partners' customers whose first order fell in the last 12 months.
- People serving the region: the active people who look after at least one active
  customer there, and of them those who joined within the ramp-up (still ramping)."""
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.auth.models import User
from portal.core.access import figures_of
from portal.core.clock import BUSINESS_TZ
from portal.extensions import db
from portal.habits.models import CLASSES, Customer, HabitDay, Visit
from portal.results import months
from portal.results.models import Order


@dataclass(frozen=True)
class Observed:
    customers: dict  # class -> count
    visits_per_day: float | None  # None: no visits logged
    visit_days: int  # person-days it was observed over
    since: date
    until: date
    deal_cycle: int | None  # median days, None: no first orders
    deals: int
    serving: int
    ramping: int


def partners_of(user, partner_id: int | None, column):
    """SQL over `column`: the one partner, or every partner whose figures `user` reads."""
    return column == partner_id if partner_id is not None else figures_of(user).condition(column)


def _in_region(region_code: str):
    return Customer.town_code.startswith(region_code, autoescape=True)


def customers(user, partner_id, region_code) -> dict:
    rows = db.session.execute(
        select(Customer.klass, func.count()).where(
            partners_of(user, partner_id, Customer.partner_id), Customer.active.is_(True),
            _in_region(region_code)).group_by(Customer.klass)).all()
    counts = dict.fromkeys(CLASSES, 0)
    counts.update({klass: count for klass, count in rows if klass in counts})
    return counts


def visits_per_day(user, partner_id, today: date):
    """(visits ÷ person-days with a visit, person-days, first day, last day) over the
    last three full months."""
    until = months.first_of(today) - timedelta(days=1)
    since = months.add_months(months.first_of(today), -3)
    visits, days = db.session.execute(
        select(func.coalesce(func.sum(HabitDay.visits), 0), func.count()).where(
            partners_of(user, partner_id, HabitDay.partner_id), HabitDay.visits > 0,
            HabitDay.day.between(since, until))).one()
    return (round(visits / days, 1) if days else None), days, since, until


def deal_cycle(user, partner_id, today: date):
    """(median days from first visit to first order, how many customers) over first
    orders of the last 12 months."""
    first_order = (select(Order.customer_id, func.min(Order.ordered_on).label("on"))
                   .where(partners_of(user, partner_id, Order.partner_id))
                   .group_by(Order.customer_id).subquery())
    first_visit = (select(Visit.customer_id, func.min(Visit.day).label("on"))
                   .where(partners_of(user, partner_id, Visit.partner_id))
                   .group_by(Visit.customer_id).subquery())
    rows = db.session.execute(
        select(first_visit.c.on, first_order.c.on)
        .join(first_order, first_order.c.customer_id == first_visit.c.customer_id)
        .where(first_order.c.on > today - timedelta(days=365),
               first_order.c.on >= first_visit.c.on)).all()
    # One row per customer; SQLite has no median, so the middle is taken here.
    days = [(ordered - visited).days for visited, ordered in rows]
    return (round(statistics.median(days)) if days else None), len(days)


def serving(user, partner_id, region_code, today: date, ramp_days: int):
    """(people looking after an active customer in the region, of them joined within
    the ramp-up)."""
    joined = datetime.combine(today - timedelta(days=round(ramp_days * 7 / 5)), time(),
                              BUSINESS_TZ)
    people = (select(Customer.owner_id).where(
        partners_of(user, partner_id, Customer.partner_id), Customer.active.is_(True),
        _in_region(region_code)))
    total, ramping = db.session.execute(
        select(func.count(), func.count().filter(User.created_at >= joined)).where(
            User.id.in_(people), User.active.is_(True))).one()
    return total, ramping


def observe(user, partner_id, region_code: str, today: date, ramp_days: int) -> Observed:
    """Every default of a plan for `region_code` (one partner's, or the whole market's)."""
    per_day, days, since, until = visits_per_day(user, partner_id, today)
    cycle, deals = deal_cycle(user, partner_id, today)
    total, ramping = serving(user, partner_id, region_code, today, ramp_days)
    return Observed(customers(user, partner_id, region_code), per_day, days, since, until,
                    cycle, deals, total, ramping)
