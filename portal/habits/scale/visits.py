"""One salesperson's year in the scale history: the customer book they start with,
customers they add, visits (about 0.4 a working day, effective about 60 %, first visits
about 30 %), the follow-ups first visits ask for (done by the customer's next visit, as
the service does), a small share flagged, and the person's daily habit counts kept as
the rows are made (never recomputed from them).

The rules are the service's: a visit is "first" when the customer had none before; the
rule version in force at the visit judges it (its verdict kept as the service keeps it);
a flagged visit is one logged late whose flag is still open or was confirmed."""
import bisect
import json
from collections import defaultdict
from datetime import date, datetime, timedelta

from portal.core.clock import today
from portal.habits.demo import NEXT_STEPS, NOTES
from portal.habits.models import ROLLUP_COUNTS
from portal.habits.rules import judge

VISITS_PER_WORKING_DAY = 0.41
BOOK_PER_STAFF = 10
BOOK_CLASSES = ("existing",) * 5 + ("prospect",) * 4 + ("new",)
FIRST_SHARE = 0.376  # of the planned visits; the follow-up visits dilute it to ~30 %
FOLLOW_UP_DONE = 0.75  # first visits with a next step whose follow-up visit happens
FOLLOW_UP_LAG = (-2, -1, 0, 0, 0, 0, 1, 2, 4)  # days after the due day it happens
FLAGGED_SHARE = 0.012
REVIEWED_AFTER = timedelta(days=14)  # older flags were decided by the team lead
OUTCOMES_MET = ("interested", "needs_time", "quoted", "order_promised", "not_interested")
OUTCOMES_NOT_MET = ("needs_time", "not_met")
# Later visits per first: base visits repeat known customers, follow-ups add to them.
BASE_RATE = VISITS_PER_WORKING_DAY / (1 + FIRST_SHARE * 0.9 * FOLLOW_UP_DONE)
VISIT = ROLLUP_COUNTS.index("visits"), ROLLUP_COUNTS.index("effective")
FIRST, DUE = ROLLUP_COUNTS.index("first_visits"), ROLLUP_COUNTS.index("follow_ups_due")
IN_TIME = ROLLUP_COUNTS.index("follow_ups_in_time")
ADDED, FLAGGED = ROLLUP_COUNTS.index("customers_added"), ROLLUP_COUNTS.index("flagged")


class Customer:
    __slots__ = ("id", "klass", "before", "created_at", "first_order_on", "first_visit",
                 "follow_up")

    def __init__(self, ident, klass, created_at, first_order_on=None):
        self.id, self.klass, self.before = ident, klass, klass
        self.created_at, self.first_order_on = created_at, first_order_on
        self.first_visit: date | None = None
        self.follow_up: list | None = None  # the open follow-up row of its first visit


class Rules:
    """The rule versions as (start, id, version, verdicts by what the visit had)."""

    def __init__(self, versions):
        ordered = sorted(versions, key=lambda rule: rule.effective_from)
        self.starts = [rule.effective_from for rule in ordered]
        self.judged = []
        for rule in ordered:
            verdicts = {}
            for boss in (False, True):
                for step, dated in ((False, False), (True, False), (True, True)):
                    effective, parts = judge(rule, decision_maker=boss,
                                             next_step="x" if step else "",
                                             next_step_on=today() if dated else None,
                                             distance_m=None)
                    verdicts[boss, step, dated] = (effective, json.dumps(
                        {"rule": rule.version, "parts": parts}, ensure_ascii=False))
            self.judged.append((rule.id, verdicts))

    def at(self, when: datetime, boss: bool, step: bool, dated: bool):
        """(rule id, effective, verdict JSON) for a visit at `when`; no rule: none."""
        index = bisect.bisect_right(self.starts, when) - 1
        if index < 0:
            return None, False, json.dumps({"rule": None, "parts": [
                {"part": "rule", "ok": False, "why": "no_rule"}]})
        rule_id, verdicts = self.judged[index]
        return (rule_id, *verdicts[boss, step, dated])


def _next_working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class Year:
    """Makes one person's customers, visits and follow-ups into `history`'s buffers."""

    def __init__(self, history, person):
        self.h, self.person = history, person
        self.habit = defaultdict(lambda: [0] * len(ROLLUP_COUNTS))
        self.book: list[Customer] = []
        self.follow_ups: list[list] = []

    def customer(self, klass: str, created_at: datetime, first_order_on=None) -> Customer:
        made = Customer(self.h.bulk.next_id("customers"), klass, created_at, first_order_on)
        self.book.append(made)
        self.habit[self.h.day_of(created_at)][ADDED] += 1
        return made

    def starting_book(self) -> list[Customer]:
        rng, start = self.h.rng, self.h.start
        for _ in range(rng.randint(BOOK_PER_STAFF - 3, BOOK_PER_STAFF + 3)):
            created = start - timedelta(days=rng.randint(30, 700), minutes=rng.randint(0, 600))
            klass = rng.choice(BOOK_CLASSES)
            ordered = self.h.day_of(created) + timedelta(days=rng.randint(0, 25)) \
                if klass == "existing" else None
            self.customer(klass, created, ordered)
        return list(self.book)

    def visits(self) -> None:
        """Day by day: the follow-up visits planned for the day, then the day's other
        visits, each to a customer not visited yet (or a new one) or to a known one."""
        h, rng = self.h, self.h.rng
        unvisited = self.starting_book()
        rng.shuffle(unvisited)
        known: list[Customer] = []
        planned = defaultdict(list)
        for day in rng.choices(h.working_days, k=round(
                len(h.working_days) * BASE_RATE * rng.uniform(0.6, 1.4))):
            planned[day].append(None)
        for day in h.days:
            todays = planned.pop(day, None)
            if not todays:
                continue
            times = sorted(h.morning[day] + timedelta(minutes=rng.randint(0, 540))
                           for _ in todays)
            for at, customer in zip(times, todays):
                if at > h.moment:
                    break
                if customer is None:
                    if rng.random() < FIRST_SHARE or not known:
                        customer = unvisited.pop() if unvisited else self.customer(
                            "new", at - timedelta(minutes=rng.randint(5, 240)))
                    else:
                        customer = rng.choice(known)
                if customer.first_visit is None:
                    known.append(customer)
                self.visit(customer, day, at, planned)
        for row in self.follow_ups:
            h.bulk.add("follow_ups", tuple(row))

    def visit(self, customer: Customer, day: date, at: datetime, planned) -> None:
        h, rng, person = self.h, self.h.rng, self.person
        boss, step = rng.random() < 0.72, rng.random() < 0.9
        dated = step and rng.random() < 0.92
        next_on = day + timedelta(days=rng.randint(1, 7)) if dated else None
        rule_id, effective, verdict = h.rules.at(at, boss, step, dated)
        first = customer.first_visit is None
        visit_id = h.bulk.next_id("visits")
        received, backdated, flagged = at + timedelta(minutes=rng.randint(0, 30)), False, False
        if rng.random() < FLAGGED_SHARE:
            late = at + timedelta(hours=rng.randint(26, 72))
            if late <= h.moment:
                received, backdated = late, True
                flagged = self.flag(visit_id, at, late)
        received = min(received, h.moment)
        open_one = customer.follow_up
        if open_one is not None:  # its first visit's follow-up, done now
            open_one[6], open_one[7] = visit_id, day
            if day <= open_one[5]:
                self.habit[open_one[5]][IN_TIME] += 1
            customer.follow_up = None
        h.bulk.add("visits", (
            visit_id, f"scale{h.run}-v{visit_id}", person.partner_id, person.team_id,
            person.id, customer.id, at, day, received, "first" if first else "follow_up",
            boss, rng.choice(OUTCOMES_MET if boss else OUTCOMES_NOT_MET),
            rng.choice(NEXT_STEPS) if step else "", next_on, rng.choice(NOTES), rule_id,
            effective, verdict, flagged, backdated))
        counts = self.habit[day]
        counts[VISIT[0]] += 1
        counts[VISIT[1]] += effective
        counts[FLAGGED] += flagged
        if first:
            customer.first_visit = day
            counts[FIRST] += 1
            if step:
                due = next_on or day + timedelta(days=h.follow_up_days)
                customer.follow_up = [visit_id, customer.id, person.id, person.partner_id,
                                      person.team_id, due, None, None]
                self.follow_ups.append(customer.follow_up)
                self.habit[due][DUE] += 1
                if rng.random() < FOLLOW_UP_DONE:
                    when = _next_working_day(max(due + timedelta(days=rng.choice(
                        FOLLOW_UP_LAG)), day + timedelta(days=1)))
                    if when <= h.today:
                        planned[when].append(customer)

    def flag(self, visit_id: int, at: datetime, received: datetime) -> bool:
        """The late-logging flag of a visit; True while it is open or confirmed."""
        h, person = self.h, self.person
        state, decided_by, decided_at = "open", None, None
        if received < h.moment - REVIEWED_AFTER:
            state = "cleared" if h.rng.random() < 0.7 else "confirmed"
            decided_by, decided_at = h.leaders.get(person.team_id), received + timedelta(days=1)
        detail = json.dumps({"count": 3, "hours_late": round(
            (received - at).total_seconds() / 3600)})
        h.bulk.add("visit_flags", (visit_id, person.partner_id, person.team_id,
                                   "backdated_burst", detail, state, decided_by, decided_at,
                                   ""))
        return state != "cleared"
