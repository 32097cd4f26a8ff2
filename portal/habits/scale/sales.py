"""One salesperson's orders and payments in the scale history: about one order a
working week, mostly repeat orders of existing customers, some the first order of a
customer visited before (it develops a new customer: `developed`, the customer becomes
existing with its first order's day); about 80 % paid, in one or two parts, never after
today, `paid_fen` the sum of the parts; the person's daily result counts kept as the
rows are made."""
import math
from collections import defaultdict
from datetime import timedelta

from portal.results.models import RESULT_COUNTS

ORDERS_PER_WEEK = 1.0
DEVELOP_SHARE = 0.25  # of orders, while visited customers are still to be won
PAID_SHARE, TWO_PARTS = 0.8, 0.3
MEDIAN_FEN, SPREAD = 500_000, 0.8  # ¥5,000 median, log-normal
PRODUCT_LINES = ("饮料", "休闲食品", "粮油调味", "日化用品", "酒类", "乳制品")
ORDERS, REVENUE = RESULT_COUNTS.index("orders"), RESULT_COUNTS.index("revenue_fen")
PAYMENTS, PAID = RESULT_COUNTS.index("payments"), RESULT_COUNTS.index("payments_fen")
NEW = RESULT_COUNTS.index("new_customers")


def orders(year) -> dict:
    """Add the person's orders, payments and class changes to the buffers; return the
    daily result counts {day: [count per RESULT_COUNTS]}."""
    h, rng, person = year.h, year.h.rng, year.person
    results = defaultdict(lambda: [0] * len(RESULT_COUNTS))
    existing = [c for c in year.book if c.klass == "existing"]
    to_win = sorted((c for c in year.book if c.klass != "existing" and c.first_visit),
                    key=lambda c: c.first_visit)
    reachable: list = []
    count = round(len(h.working_days) / 5 * ORDERS_PER_WEEK * rng.uniform(0.6, 1.4))
    for day in sorted(rng.choices(h.working_days, k=count)):
        while to_win and to_win[0].first_visit <= day:
            reachable.append(to_win.pop(0))
        recorded = min(h.morning[day] + timedelta(minutes=rng.randint(60, 600)), h.moment)
        if reachable and (rng.random() < DEVELOP_SHARE or not existing):
            customer = reachable.pop(rng.randrange(len(reachable)))
            customer.klass, customer.first_order_on, developed = "existing", day, True
            existing.append(customer)
            h.bulk.add("customer_class_changes", (customer.id, customer.before, "existing",
                                                  "first_order", person.id, recorded))
        elif existing:
            customer, developed = rng.choice(existing), False
        else:
            continue
        amount = max(100, int(round(rng.lognormvariate(math.log(MEDIAN_FEN), SPREAD), -2)))
        order_id = h.bulk.next_id("orders")
        paid = _payments(h, person, customer.id, order_id, day, amount, results)
        h.bulk.add("orders", (order_id, f"scale{h.run}-o{order_id}", person.partner_id,
                              person.team_id, person.id, customer.id, day, amount,
                              rng.choice(PRODUCT_LINES), "", paid, developed, person.id,
                              recorded))
        counts = results[day]
        counts[ORDERS] += 1
        counts[REVENUE] += amount
        counts[NEW] += developed
    return results


def _payments(h, person, customer_id, order_id, day, amount, results) -> int:
    """The order's payments (none, one or two), up to today; the amount paid."""
    rng = h.rng
    if rng.random() >= PAID_SHARE:
        return 0
    parts = [amount]
    if rng.random() < TWO_PARTS and amount >= 200:
        first = min(amount - 100, max(100, int(round(amount * rng.uniform(0.3, 0.7), -2))))
        parts = [first, amount - first]
    paid, on = 0, day + timedelta(days=rng.randint(0, 20))
    for part in parts:
        if on > h.today:
            break
        h.payments += 1
        recorded = min(h.morning[on] + timedelta(minutes=rng.randint(60, 600)), h.moment)
        h.bulk.add("payments", (f"scale{h.run}-p{h.payments}", person.partner_id,
                                person.team_id, person.id, customer_id, order_id, on, part,
                                "", person.id, recorded))
        counts = results[on]
        counts[PAYMENTS] += 1
        counts[PAID] += part
        paid += part
        on += timedelta(days=rng.randint(7, 30))
    return paid
