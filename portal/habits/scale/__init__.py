"""A year (or any number of days) of synthetic history for `seed-scale --history-days`:
for every active salesperson of the given partners their customers, visits, follow-ups,
flags, orders and payments, and the daily roll-ups (`habit_days`, `result_days`) counted
in Python as the rows are made, so `habits check-rollups` and `results check-rollups`
agree without a recomputation over millions of rows.

One partner is made at a time and its rows buffered until a chunk is full, then written
(`bulk`: executemany on SQLite, COPY on PostgreSQL) and committed, so memory stays flat
whatever the scale. Each run's client ids carry its run number."""
import random
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from functools import cache
from itertools import product

from flask import current_app
from sqlalchemy import select

from portal.auth.models import User
from portal.core.clock import BUSINESS_TZ, now
from portal.core.collation import sort_key
from portal.extensions import db
from portal.habits.customers import normalise_name
from portal.habits.demo import SHOP_KINDS, SHOP_WORDS, _towns
from portal.habits.models import ROLLUP_COUNTS, VisitRule
from portal.habits.scale.bulk import Bulk
from portal.habits.scale.sales import orders
from portal.habits.scale.visits import Rules, Year
from portal.org.models import Team
from portal.results.models import RESULT_COUNTS

PLACES = ("城东", "城西", "城南", "城北", "新华路", "解放路", "人民路", "中山路", "建设路",
          "和平街", "东风路", "滨江", "湖畔", "江北", "南门", "北门", "西关", "东关", "老街",
          "开发区", "高新区", "火车站", "汽车站", "菜市场", "学府路", "文化路", "工业园",
          "商贸城", "步行街", "新村")
NAMES = [f"{place}{word}{kind}" for place, word, kind in product(PLACES, SHOP_WORDS,
                                                                 SHOP_KINDS)]
STRIDE = 2_377  # coprime to len(NAMES): a partner's names spread over the whole list
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"

TABLES = {
    "customers": ("id", "partner_id", "name", "name_norm", "name_key", "town_code",
                  "address", "contact_name", "contact_phone", "klass", "owner_id",
                  "first_order_on", "active", "created_by", "created_at"),
    "customer_class_changes": ("customer_id", "before", "after", "reason", "changed_by",
                               "changed_at"),
    "visits": ("id", "client_id", "partner_id", "team_id", "user_id", "customer_id",
               "visited_at", "day", "received_at", "kind", "decision_maker", "outcome",
               "next_step", "next_step_on", "note", "rule_id", "effective", "verdict",
               "flagged", "backdated"),
    "visit_flags": ("visit_id", "partner_id", "team_id", "reason", "detail", "state",
                    "decided_by", "decided_at", "decision_note"),
    "follow_ups": ("visit_id", "customer_id", "user_id", "partner_id", "team_id", "due_on",
                   "done_visit_id", "done_on"),
    "orders": ("id", "client_id", "partner_id", "team_id", "salesperson_id", "customer_id",
               "ordered_on", "amount_fen", "product_line", "note", "paid_fen", "developed",
               "recorded_by", "recorded_at"),
    "payments": ("client_id", "partner_id", "team_id", "salesperson_id", "customer_id",
                 "order_id", "received_on", "amount_fen", "note", "recorded_by",
                 "recorded_at"),
    "habit_days": ("user_id", "day", "partner_id", "team_id", *ROLLUP_COUNTS),
    "result_days": ("user_id", "day", "partner_id", "team_id", *RESULT_COUNTS),
}
NUMBERED = ("customers", "visits", "orders")


@cache
def _name(index: int) -> tuple[str, str, str]:
    """The index-th customer name of a partner with its normalised form and sort key."""
    base = NAMES[index * STRIDE % len(NAMES)]
    name = base if index < len(NAMES) else f"{base}{index // len(NAMES) + 1}店"
    return name, normalise_name(name), sort_key(name)


class History:
    """The shared state of one run: clock, calendar, rules, buffers and totals."""

    def __init__(self, run: int, days: int, rng: random.Random, chunk: int):
        self.run, self.rng, self.chunk = run, rng, chunk
        self.moment = now()
        self.today = self.moment.astimezone(BUSINESS_TZ).date()
        self.days = [self.today - timedelta(days=back) for back in range(days - 1, -1, -1)]
        self.working_days = [day for day in self.days if day.weekday() < 5] or self.days
        self.start = datetime.combine(self.days[0], time(0), BUSINESS_TZ).astimezone(
            timezone.utc)
        # Each day's 09:00 in the business time zone, as UTC; a few days on for payments.
        self.morning = {day: datetime.combine(day, time(9), BUSINESS_TZ).astimezone(
            timezone.utc) for day in self.days}
        self.follow_up_days = current_app.config["FOLLOW_UP_DAYS"]
        self.rules = Rules(db.session.execute(select(VisitRule)).scalars().all())
        self.bulk = Bulk(TABLES, NUMBERED)
        self.leaders: dict[int, int] = {}
        self.payments = 0

    def day_of(self, at: datetime):
        return at.astimezone(BUSINESS_TZ).date()

    def partner(self, partner_id: int, staff: list) -> None:
        """Every salesperson's year in `partner_id`, then their customers and roll-ups."""
        rng = self.rng
        towns = [code for code, _short in _towns(partner_id)] or [None]
        first_customer = self.bulk.ids["customers"]
        for person in staff:
            year = Year(self, person)
            year.visits()
            results = orders(year)
            for customer in year.book:
                name, norm, key = _name(customer.id - first_customer - 1)
                self.bulk.add("customers", (
                    customer.id, partner_id, name, norm, key, rng.choice(towns),
                    f"{rng.randint(1, 399)}号", f"{rng.choice(SURNAMES)}老板",
                    f"13{rng.randint(100000000, 999999999)}", customer.klass, person.id,
                    customer.first_order_on, True, person.id, customer.created_at))
                self.bulk.add("customer_class_changes", (
                    customer.id, None, customer.before, "created", person.id,
                    customer.created_at))
            place = (person.partner_id, person.team_id)
            for day, counts in year.habit.items():
                self.bulk.add("habit_days", (person.id, day, *place, *counts))
            for day, counts in results.items():
                self.bulk.add("result_days", (person.id, day, *place, *counts))
        if self.bulk.pending() >= self.chunk:
            self.write()

    def write(self) -> None:
        self.bulk.flush()
        db.session.commit()


def grow(run: int, partner_ids: list[int], days: int, *, seed: int, chunk: int,
         bar) -> dict[str, int]:
    """Make `days` of history for the active staff of `partner_ids`, committing chunk by
    chunk; the rows written per table."""
    history = History(run, days, random.Random(seed), chunk)
    history.leaders = dict(db.session.execute(select(Team.id, Team.leader_id).where(
        Team.partner_id.in_(partner_ids))).all())
    staff = defaultdict(list)
    for person in db.session.execute(select(User.id, User.partner_id, User.team_id).where(
            User.partner_id.in_(partner_ids), User.role == "staff", User.active.is_(True))
            .order_by(User.partner_id, User.id)):
        staff[person.partner_id].append(person)
    for partner_id in partner_ids:
        history.partner(partner_id, staff[partner_id])
        bar.update(len(staff[partner_id]))
    history.bulk.finish()
    db.session.commit()
    return dict(history.bulk.written)
