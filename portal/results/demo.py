"""Demo orders and payments: 90 days of results that follow the habits demo's visits.

An order is closed on a visit (the decision maker met and the visit went well: a price
quoted, an order promised), so the star of the first partner, who visits most and
meets the boss most, sells most; the new hire ramps up over its first month; the team
that follows up late converts a little less. A customer's first order develops it when
it was not existing (新客户开发) and makes it existing, as the service does. Most orders
are paid in one or two payments some days to weeks later, some in part, some not yet;
a few existing customers pay on account. Amounts run from a few hundred yuan for a
shop's trial order to tens of thousands for a regular's restock.

Everything goes in with bulk inserts (the service would take minutes for the tens of
thousands of rows); the daily roll-ups are then written from `rollups.recompute`, so
`rollups.differences()` is empty, as after entries made one by one."""
import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import bindparam, insert, select

from portal.auth.models import User
from portal.core import rollups as shared_rollups
from portal.core.clock import BUSINESS_TZ, now, today
from portal.extensions import db
from portal.habits import demo as habits_demo
from portal.habits.models import Customer, CustomerClassChange, Visit
from portal.org.models import Partner
from portal.results import rollups, target_demo
from portal.results.models import Order, Payment, ResultDay

DAYS = habits_demo.DAYS
# Product lines with a typical order in yuan; shop kinds that lean to one of them.
LINES = {"饮料": 2500, "休闲食品": 1800, "乳制品": 2200, "粮油": 3500, "调味品": 1200,
         "酒水": 5000}
LEANING = {"粮油店": "粮油", "烟酒店": "酒水", "母婴店": "乳制品", "餐馆": "调味品",
           "水果店": "饮料", "超市": None, "便利店": "休闲食品"}
# How likely a visit with the decision maker ends in an order, by its outcome.
CLOSING = {"order_promised": 0.8, "quoted": 0.4, "interested": 0.2, "needs_time": 0.04}
# A shop that never ordered closes far less readily than a regular (a trial order
# is a decision; a restock is a habit).
PROSPECT_SHARE = 0.12
NOTES = ("", "", "", "首单试销", "节前备货", "补货", "搭赠一箱", "月结客户", "新品铺货")
PAYMENT_NOTES = ("", "", "微信转账", "现金", "对公转账", "支付宝")


def _closing_factor(persona, joined: date, day: date) -> float:
    """How well the person closes compared with a steady one (a new hire ramps up)."""
    if persona is habits_demo.STAR:
        return 1.25
    if persona is habits_demo.LATE:
        return 0.8
    if persona is habits_demo.WEAK:
        return 0.7
    if persona is habits_demo.STRONG:
        return 1.1
    if persona.fade_days and (today() - day).days < persona.fade_days:
        return persona.fade
    if persona.ramp_days:  # fewer visits at first too (the habits demo's ramp)
        return min(1.0, 0.5 + (day - joined).days / persona.ramp_days)
    return 1.0


def _line(name: str, rng) -> str:
    leaning = next((line for kind, line in LEANING.items() if name.endswith(kind)), None)
    if leaning and rng.random() < 0.6:
        return leaning
    return rng.choice(list(LINES))


def _amount(line: str, first: bool, persona, rng) -> int:
    """An order's amount in fen: around the line's typical order, smaller for a first
    (trial) order, rounded as people quote them."""
    median = LINES[line] * (0.5 if first else 1.2) * (1.2 if persona is habits_demo.STAR
                                                      else 1.0)
    yuan = min(60_000, max(300, rng.lognormvariate(math.log(median), 0.6)))
    step = 50 if yuan < 2000 else 100
    return int(round(yuan / step) * step * 100) + (50 if rng.random() < 0.1 else 0)


def _at(day: date, rng, start=10, end=18) -> datetime:
    moment = datetime.combine(day, time(rng.randint(start, end - 1), rng.randint(0, 59)),
                              BUSINESS_TZ).astimezone(timezone.utc)
    return min(moment, now())


def _orders(partner, staff, personas, rng, customers) -> list[dict]:
    """The partner's orders, closed on its people's visits, in time order."""
    people = {p.id: p for p in staff}
    visits = db.session.execute(select(
        Visit.user_id, Visit.customer_id, Visit.day, Visit.visited_at, Visit.outcome)
        .where(Visit.partner_id == partner.id, Visit.decision_maker.is_(True),
               Visit.user_id.in_(list(people)))
        .order_by(Visit.visited_at, Visit.id)).all()
    rows, closed, numbers = [], set(), defaultdict(int)
    for user_id, customer_id, day, visited_at, outcome in visits:
        person, persona = people[user_id], personas[user_id]
        joined = person.created_at.astimezone(BUSINESS_TZ).date()
        shop = customers[customer_id]
        chance = CLOSING.get(outcome, 0) * _closing_factor(persona, joined, day)
        if shop["first_order_on"] is None and shop["klass"] != "existing":
            chance *= PROSPECT_SHARE
        if (customer_id, day) in closed or rng.random() >= chance:
            continue
        closed.add((customer_id, day))
        line = _line(shop["name"], rng)
        numbers[user_id] += 1
        rows.append({
            "client_id": f"demo-o-{user_id}-{numbers[user_id]:05d}",
            "partner_id": partner.id, "team_id": person.team_id, "salesperson_id": user_id,
            "customer_id": customer_id, "ordered_on": day,
            "amount_fen": _amount(line, shop["first_order_on"] is None, persona, rng),
            "product_line": line, "note": rng.choice(NOTES), "paid_fen": 0,
            "developed": False, "recorded_by": user_id,
            "recorded_at": min(visited_at + timedelta(minutes=rng.randint(5, 90)), now())})
        if shop["first_order_on"] is None:
            shop["first_order_on"] = day
            rows[-1]["developed"] = shop["klass"] != "existing"
    return rows


def _instalments(amount: int, rng) -> list[tuple[int, int]]:
    """(days after the order, fen) of an order's payments: most in full, once or twice;
    some in part; some not yet."""
    kind = rng.random()
    if kind < 0.55:
        return [(0 if rng.random() < 0.3 else rng.randint(1, 30), amount)]
    if kind < 0.75:
        first = _part(amount, rng.uniform(0.3, 0.6))
        lag = rng.randint(0, 7)
        return [(lag, first), (lag + rng.randint(7, 30), amount - first)]
    if kind < 0.88:
        return [(rng.randint(3, 20), _part(amount, rng.uniform(0.2, 0.6)))]
    return []


def _part(amount: int, share: float) -> int:
    """A round share of an amount in fen: whole hundreds of yuan, tens for small ones."""
    step = 100_00 if amount >= 1000_00 else 10_00
    return int(amount * share) // step * step


def _payments(orders: list[dict], ids: list[int], rng, last: date) -> list[dict]:
    rows, numbers = [], defaultdict(int)
    for order, order_id in zip(orders, ids):
        for lag, amount in _instalments(order["amount_fen"], rng):
            day = order["ordered_on"] + timedelta(days=lag)
            if day > last or amount <= 0:
                break
            order["paid_fen"] += amount
            rows.append(_payment(order["salesperson_id"], order["team_id"], order,
                                 order_id, day, amount, rng, numbers))
    return rows


def _payment(user_id, team_id, entry, order_id, day, amount, rng, numbers) -> dict:
    numbers[user_id] += 1
    return {"client_id": f"demo-p-{user_id}-{numbers[user_id]:05d}",
            "partner_id": entry["partner_id"], "team_id": team_id, "salesperson_id": user_id,
            "customer_id": entry["customer_id"], "order_id": order_id, "received_on": day,
            "amount_fen": amount, "note": rng.choice(PAYMENT_NOTES), "recorded_by": user_id,
            "recorded_at": _at(day, rng)}


def _on_account(partner, staff, customers, rng, first: date, last: date) -> list[dict]:
    """A few existing customers pay ahead (预付款), against no order."""
    people = {p.id: p for p in staff}
    rows, numbers = [], defaultdict(int)
    for customer_id, shop in sorted(customers.items()):
        if shop["klass"] != "existing" or shop["owner_id"] not in people or \
                rng.random() >= 0.06:
            continue
        person = people[shop["owner_id"]]
        since = max(first, person.created_at.astimezone(BUSINESS_TZ).date())
        for _ in range(rng.randint(1, 2)):
            day = since + timedelta(days=rng.randint(0, max(0, (last - since).days)))
            entry = {"partner_id": partner.id, "customer_id": customer_id}
            rows.append(_payment(person.id, person.team_id, entry, None, day,
                                 rng.randint(10, 200) * 100 * 100, rng, numbers))
    for row in rows:  # numbered apart from the payments against orders
        row["client_id"] = row["client_id"].replace("demo-p-", "demo-a-")
    return rows


def _insert_orders(partner, rows: list[dict]) -> list[int]:
    """Plain executemany, then the ids read back by client id (see the habits demo)."""
    if not rows:
        return []
    db.session.execute(insert(Order.__table__), rows)
    found = {(user, client): i for i, user, client in db.session.execute(select(
        Order.id, Order.salesperson_id, Order.client_id).where(Order.partner_id == partner.id))}
    return [found[(row["salesperson_id"], row["client_id"])] for row in rows]


def _develop(customers: dict, orders: list[dict]) -> None:
    """What a first order does to its customer: existing from that day, with the class
    change when it was not existing before."""
    firsts = {o["customer_id"]: o for o in orders if o["ordered_on"] ==
              customers[o["customer_id"]]["first_order_on"]}
    if not firsts:
        return
    table = Customer.__table__
    db.session.execute(table.update().where(table.c.id == bindparam("cid")).values(
        first_order_on=bindparam("first"), klass="existing"),
        [{"cid": cid, "first": o["ordered_on"]} for cid, o in firsts.items()])
    changes = [{"customer_id": cid, "before": customers[cid]["klass"], "after": "existing",
                "reason": "first_order", "changed_by": o["recorded_by"],
                "changed_at": o["recorded_at"]}
               for cid, o in firsts.items() if o["developed"]]
    if changes:
        db.session.execute(insert(CustomerClassChange.__table__), changes)


def seed_demo(rng) -> str:
    last = today()
    first = last - timedelta(days=DAYS - 1)
    partners = db.session.execute(select(Partner).where(Partner.status == "active")
                                  .order_by(Partner.id)).scalars().all()
    counts = defaultdict(int)
    everyone = []
    for index, partner in enumerate(partners):
        staff = db.session.execute(select(User).where(
            User.partner_id == partner.id, User.active.is_(True), User.role == "staff")
            .order_by(User.team_id, User.id)).scalars().all()
        if not staff:
            continue
        # The habits demo's personas (the star, the new hire, the late team, whole partners
        # strong, weak or fading), so the
        # people who visit best also sell best.
        personas = habits_demo.personas(index, partner, staff)
        customers = {cid: {"name": name, "klass": klass, "owner_id": owner,
                           "first_order_on": first_on}
                     for cid, name, klass, owner, first_on in db.session.execute(select(
                         Customer.id, Customer.name, Customer.klass, Customer.owner_id,
                         Customer.first_order_on).where(Customer.partner_id == partner.id))}
        orders = _orders(partner, staff, personas, rng, customers)
        ids = _insert_orders(partner, orders)
        payments = _payments(orders, ids, rng, last)
        loose = _on_account(partner, staff, customers, rng, first, last)
        if payments or loose:
            db.session.execute(insert(Payment.__table__), payments + loose)
        paid = [{"oid": i, "paid": o["paid_fen"]} for o, i in zip(orders, ids) if o["paid_fen"]]
        if paid:
            table = Order.__table__
            db.session.execute(table.update().where(table.c.id == bindparam("oid")).values(
                paid_fen=bindparam("paid")), paid)
        _develop(customers, orders)
        everyone += [p.id for p in staff]
        counts["orders"] += len(orders)
        counts["developed"] += sum(o["developed"] for o in orders)
        counts["payments"] += len(payments) + len(loose)
        counts["on_account"] += len(loose)
        counts["open"] += sum(o["paid_fen"] < o["amount_fen"] for o in orders)
    db.session.flush()
    shared_rollups.rebuild(ResultDay, rollups.recompute(everyone), everyone)
    return (f"Results: {counts['orders']} orders ({counts['developed']} new customers "
            f"developed, {counts['open']} not fully paid), {counts['payments']} payments "
            f"({counts['on_account']} on account) over {DAYS} days; {target_demo.seed(rng)}")
