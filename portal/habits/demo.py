"""Demo habits: every active partner's customer book and 90 days of visits that read like
real teams, with their follow-ups and daily roll-ups.

Most people keep a steady rhythm (a few visits on working days, Sundays mostly off);
in the first partner a star keeps a long streak, a team lead's team follows up late, a
salesperson who joined last month ramps up, and one person logs a week's visits in a
burst (the burst goes through the real service and is flagged for the manager). The
90 days are written in bulk with the same verdicts the service would give (rule 1, the
distance to the customer's learned place), then the roll-ups are rebuilt from the rows."""
import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import bindparam, insert, select

from portal.auth.models import User
from portal.core import rollups as shared_rollups
from portal.core.clock import BUSINESS_TZ, now
from portal.extensions import db
from portal.habits import rollups, rules, visits
from portal.habits.customers import normalise_name
from portal.habits.models import Customer, CustomerClassChange, FollowUp, HabitDay, Visit
from portal.org.models import Partner, Region, Territory
from portal.org.uscc import make_uscc

DAYS = 90
# Where each demo province's partners work (a city centre; customers spread around it).
CENTRES = {"33": (30.27, 120.16), "32": (32.06, 118.80), "44": (23.13, 113.27)}
SHOP_WORDS = ("鑫盛", "华联", "惠民", "鸿运", "佳美", "兴隆", "永丰", "聚源", "百顺", "金桥",
              "新天地", "好邻居", "万家", "福满", "宏达", "利民", "众诚", "天天", "恒信", "家乐")
SHOP_KINDS = ("超市", "便利店", "五金店", "建材商行", "粮油店", "水果店", "烟酒店", "餐馆",
              "药房", "母婴店", "文具店", "批发部")
NEXT_STEPS = ("送样品", "约老板面谈", "报价", "带新品目录", "签订试用协议", "回访确认库存")
NOTES = ("老板在店，谈得比较顺利", "店员说老板下午在", "对价格比较敏感", "想先少量试一下",
         "竞品刚来过", "仓库在装修，下周再说", "")


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), BUSINESS_TZ).astimezone(timezone.utc)


def _near(centre, rng, metres):
    """A point about `metres` from `centre` in a random direction."""
    angle, dist = rng.random() * 2 * math.pi, metres * (0.3 + 0.7 * rng.random())
    return (centre[0] + dist * math.cos(angle) / 111_000,
            centre[1] + dist * math.sin(angle) / (111_000 * math.cos(math.radians(centre[0]))))


class Persona:
    """How one salesperson works: visits a day, how often the visit is effective, how
    late follow-ups come, days off."""

    def __init__(self, per_day, boss_share, follow_lag=(-2, 0), off_share=0.08,
                 ramp_days=0, fade_days=0, fade=1.0):
        self.per_day, self.boss_share, self.follow_lag = per_day, boss_share, follow_lag
        self.off_share, self.ramp_days = off_share, ramp_days
        # Over the last `fade_days` days the person works at `fade` of its pace, and meets
        # the decision maker that much less often (a team losing heart).
        self.fade_days, self.fade = fade_days, fade


STEADY = Persona((3, 5), 0.7)
STAR = Persona((5, 7), 0.85, follow_lag=(-2, -1), off_share=0.0)
LATE = Persona((3, 4), 0.55, follow_lag=(2, 6))
NEW_HIRE = Persona((3, 5), 0.5, ramp_days=30)
STRONG = Persona((4, 6), 0.8, follow_lag=(-2, -1), off_share=0.03)
WEAK = Persona((1, 3), 0.4, follow_lag=(1, 6), off_share=0.3)
FADING = Persona((3, 5), 0.75, fade_days=50, fade=0.55)
# Whole partners that differ, as real ones do (team health tells them apart): a strong
# tight partner, a large loose one with weak habits, a small one with excellent rates,
# one declining since last quarter and one new (everyone joined seven weeks ago).
PARTNER_PERSONAS = {"宁波甬信商贸有限公司": STRONG, "广州番禺粤盛贸易有限公司": WEAK,
                    "无锡太湖锦程商贸有限公司": STAR, "深圳南山拓维科技有限公司": FADING,
                    "佛山顺德和丰商贸有限公司": NEW_HIRE}
NEW_PARTNER_DAYS = 50


def _towns(partner_id: int) -> list[tuple[str, str]]:
    """(code, short name) of the towns in the partner's territory: 九堡 for 九堡街道."""
    codes = db.session.execute(select(Territory.region_code).where(
        Territory.partner_id == partner_id)).scalars().all()
    towns = []
    for code in codes:
        towns += db.session.execute(select(Region.code, Region.name).where(
            Region.level == "town", Region.code.startswith(code)).order_by(Region.code)).all()
    return [(code, name.removesuffix("街道").removesuffix("镇").removesuffix("乡") or name)
            for code, name in towns]


def _book(partner: Partner, people: list[User], rng, start: datetime) -> list[dict]:
    """Customers of the partner as rows with a home position: per salesperson 12–18 in
    the book before the 90 days (existing or not yet joined) and 25–45 newly added during
    them (每天新增), each on a day after the person joined."""
    towns = _towns(partner.id)
    if not towns:
        return []
    centre = CENTRES.get(partner.province_code or "", CENTRES["33"])
    rows, seen = [], set()
    for person in people:
        since = max(start, person.created_at)
        span = max((now() - since).days, 1)
        added = [(rng.choice(("existing", "prospect")), start - timedelta(
            days=rng.randint(1, 400))) for _ in range(rng.randint(12, 18))]
        added += [("new", since + timedelta(days=rng.randint(0, span - 1),
                                            hours=rng.randint(0, 10)))
                  for _ in range(round(rng.randint(25, 45) * span / DAYS))]
        for klass, created in added:
            town, place = rng.choice(towns)
            name = f"{place}{rng.choice(SHOP_WORDS)}{rng.choice(SHOP_KINDS)}"
            while (name, town) in seen:
                name = f"{name.split('（')[0]}（{rng.randint(2, 99)}店）"
            seen.add((name, town))
            rows.append({"partner_id": partner.id, "name": name, "name_norm": normalise_name(name),
                         "uscc": make_uscc(rng, town[:6]) if rng.random() < 0.3 else None,
                         "town_code": town, "address": f"{rng.randint(1, 399)}号",
                         "contact_name": f"{rng.choice('王李张刘陈杨黄赵')}老板",
                         "contact_phone": f"13{rng.randint(100000000, 999999999)}",
                         "klass": klass, "owner_id": person.id, "created_by": person.id,
                         "created_at": min(created, now()), "active": True,
                         "_home": _near(centre, rng, 6000)})
    return rows


def personas(partner_index: int, partner: Partner, staff: list[User]) -> dict[int, Persona]:
    """Everyone steady (or as its partner's persona says), but in the first partner: its
    first team's first salesperson is a star, its third a new hire ramping up, and its
    second team follows up late."""
    found = {person.id: PARTNER_PERSONAS.get(partner.name, STEADY) for person in staff}
    if partner_index != 0 or not staff:
        return found
    teams = sorted({p.team_id for p in staff if p.team_id is not None})
    first = [p for p in staff if teams and p.team_id == teams[0]]
    if first:
        found[first[0].id] = STAR
    if len(first) > 2:
        found[first[2].id] = NEW_HIRE
    for person in staff:
        if len(teams) > 1 and person.team_id == teams[1]:
            found[person.id] = LATE
    return found


def _plan(person: User, book: list[dict], persona: Persona, rng, first_day: date,
          last_day: date) -> list[dict]:
    """The person's visits over the days (today's up to now), as rows without ids and
    verdicts: the follow-ups due that day first, then one or two customers not visited
    yet (once they are in the book), then calls on customers already known."""
    planned = []
    due = defaultdict(list)  # day -> customers to follow up that day
    visited = set()
    joined = person.created_at.astimezone(BUSINESS_TZ).date()
    fresh = sorted(book, key=lambda c: c["created_at"], reverse=True)
    known = []
    day = max(first_day, joined)
    while day <= last_day:
        off = day.weekday() == 6 and rng.random() < 0.85 or rng.random() < persona.off_share
        if not off:
            share = 1.0 if not persona.ramp_days else min(
                1.0, 0.25 + (day - joined).days / persona.ramp_days)
            fading = persona.fade_days and (last_day - day).days < persona.fade_days
            share *= persona.fade if fading else 1.0
            count = max(1, round(rng.randint(*persona.per_day) * share))
            todays = due.pop(day, [])[:count]
            for _ in range(rng.randint(1, 2)):
                if len(todays) < count and fresh and \
                        fresh[-1]["created_at"].astimezone(BUSINESS_TZ).date() <= day:
                    todays.append(fresh.pop())
            while len(todays) < count and (known or fresh):
                todays.append(rng.choice(known) if known else fresh.pop())
            minute = 9 * 60 + rng.randint(0, 40)
            for customer in todays:
                minute += rng.randint(35, 80)
                at = _local(day, min(minute // 60, 20), minute % 60)
                if at >= now():
                    break
                boss = rng.random() < persona.boss_share * (persona.fade if fading else 1.0)
                step = rng.random() < 0.85
                next_on = day + timedelta(days=rng.randint(1, 5)) if step and \
                    rng.random() < 0.9 else None
                planned.append({"customer": customer, "day": day, "boss": boss, "step": step,
                                "next_on": next_on, "at": at})
                if id(customer) not in visited:
                    visited.add(id(customer))
                    known.append(customer)
                    if step and rng.random() < 0.85:
                        when = (next_on or day + timedelta(days=7)) + timedelta(
                            days=rng.randint(*persona.follow_lag))
                        due[max(when, day + timedelta(days=1))].append(customer)
        day += timedelta(days=1)
    return planned


def _write(partner: Partner, staff: list[User], personas: dict, rng, rule) -> tuple[int, int]:
    start = now() - timedelta(days=DAYS)
    first_day = start.astimezone(BUSINESS_TZ).date() + timedelta(days=1)
    last_day = now().astimezone(BUSINESS_TZ).date()
    book = _book(partner, staff, rng, start)
    if not book:
        return 0, 0
    by_owner = defaultdict(list)
    for row in book:
        by_owner[row["owner_id"]].append(row)
    plans = [(person, n, plan) for person in staff for n, plan in enumerate(
        _plan(person, by_owner[person.id], personas[person.id], rng, first_day, last_day))]
    plans.sort(key=lambda item: item[2]["at"])
    for _person, _n, plan in plans:  # nobody is visited before it is in the book
        customer = plan["customer"]
        if plan["at"] < customer["created_at"]:
            customer["created_at"] = plan["at"] - timedelta(minutes=rng.randint(5, 600))
    homes = [row.pop("_home") for row in book]
    # Plain executemany, then the ids read back by (name, town), unique in this book:
    # RETURNING in parameter order makes SQLite insert one row per statement.
    db.session.execute(insert(Customer.__table__), book)
    found = {(name, town): i for i, name, town in db.session.execute(
        select(Customer.id, Customer.name, Customer.town_code).where(
            Customer.partner_id == partner.id))}
    ids = [found[(row["name"], row["town_code"])] for row in book]
    db.session.execute(insert(CustomerClassChange.__table__), [
        {"customer_id": i, "before": None, "after": row["klass"], "reason": "created",
         "changed_by": row["owner_id"], "changed_at": row["created_at"]}
        for i, row in zip(ids, book)])
    for i, row, home in zip(ids, book, homes):
        row["id"], row["home"], row["located"] = i, home, None
    rows = []
    for person, n, plan in plans:
        customer = plan["customer"]
        where = _near(customer["home"], rng, 120) if rng.random() < 0.9 else None
        distance = None
        if where is not None and customer["located"] is not None:
            distance = visits.distance_m(*where, *customer["located"])
        elif where is not None:
            customer["located"] = where
        next_step = rng.choice(NEXT_STEPS) if plan["step"] else ""
        effective, parts = rules.judge(rule, decision_maker=plan["boss"], next_step=next_step,
                                       next_step_on=plan["next_on"], distance_m=distance)
        kind = "follow_up" if customer.get("seen") else "first"
        customer["seen"] = True
        outcomes = ("interested", "needs_time", "quoted", "order_promised", "not_interested") \
            if plan["boss"] else ("needs_time", "not_met")
        rows.append({"client_id": f"demo-{person.id}-{n:05d}", "partner_id": partner.id,
                     "team_id": person.team_id, "user_id": person.id,
                     "customer_id": customer["id"], "visited_at": plan["at"],
                     "day": plan["day"],
                     "received_at": plan["at"] + timedelta(minutes=rng.randint(0, 30)),
                     "kind": kind, "decision_maker": plan["boss"],
                     "outcome": rng.choice(outcomes), "next_step": next_step,
                     "next_step_on": plan["next_on"], "note": rng.choice(NOTES),
                     "latitude": where and where[0], "longitude": where and where[1],
                     "accuracy_m": where and round(8 + rng.random() * 50, 1),
                     "distance_m": distance, "photo": None, "rule_id": rule.id,
                     "effective": effective, "verdict": {"rule": rule.version, "parts": parts},
                     "flagged": False})
    db.session.execute(insert(Visit.__table__), rows)
    found = {(user, client): i for i, user, client in db.session.execute(
        select(Visit.id, Visit.user_id, Visit.client_id).where(Visit.partner_id == partner.id))}
    visit_ids = [found[(row["user_id"], row["client_id"])] for row in rows]
    _follow_ups(visit_ids, rows)
    table = Customer.__table__
    located = [{"cid": row["id"], "lat": row["located"][0], "lng": row["located"][1]}
               for row in book if row["located"] is not None]
    if located:
        db.session.execute(table.update().where(table.c.id == bindparam("cid")).values(
            latitude=bindparam("lat"), longitude=bindparam("lng")), located)
    return len(book), len(rows)


def _follow_ups(visit_ids, rows) -> None:
    """The follow-ups the first visits asked for, done by the customer's next visit (the
    service's rule, applied to rows in time order)."""
    open_ones, follow_ups = {}, []
    for visit_id, row in zip(visit_ids, rows):
        waiting = open_ones.pop(row["customer_id"], None)
        if waiting is not None:
            waiting.update(done_visit_id=visit_id, done_on=row["day"])
        if row["kind"] == "first" and row["next_step"]:
            follow_up = {"visit_id": visit_id, "customer_id": row["customer_id"],
                         "user_id": row["user_id"], "partner_id": row["partner_id"],
                         "team_id": row["team_id"], "done_visit_id": None, "done_on": None,
                         "due_on": row["next_step_on"] or row["day"] + timedelta(days=7)}
            follow_ups.append(follow_up)
            open_ones[row["customer_id"]] = follow_up
    if follow_ups:
        db.session.execute(insert(FollowUp.__table__), follow_ups)


def _burst(person: User, rng) -> int:
    """Last week's visits typed in one sitting today: back-dated, so flagged."""
    book = db.session.execute(select(Customer).where(Customer.owner_id == person.id)
                              .limit(4)).scalars().all()
    at = now()
    logged = 0
    for n, customer in enumerate(book):
        visits.log_visit(person, {
            "client_id": f"demo-burst-{person.id}-{n}", "customer_id": customer.id,
            "visited_at": at - timedelta(days=2 + n, hours=rng.randint(0, 5)),
            "decision_maker": True, "outcome": "interested", "next_step": "补录",
            "next_step_on": None, "note": "一次补录了上周的拜访"})
        logged += 1
    return logged


def _make_new(partner: Partner) -> None:
    """The new partner: everyone joined `NEW_PARTNER_DAYS` ago, nobody has left."""
    table = User.__table__
    db.session.execute(table.update().where(table.c.partner_id == partner.id).values(
        created_at=now() - timedelta(days=NEW_PARTNER_DAYS), left_at=None))
    db.session.expire_all()


def seed_demo(rng) -> str:
    rule = rules.in_force(now())
    partners = db.session.execute(select(Partner).where(Partner.status == "active")
                                  .order_by(Partner.id)).scalars().all()
    customers = visit_count = 0
    everyone, first_burst = [], None
    for index, partner in enumerate(partners):
        staff = db.session.execute(select(User).where(
            User.partner_id == partner.id, User.active.is_(True), User.role == "staff")
            .order_by(User.team_id, User.id)).scalars().all()
        kinds = personas(index, partner, staff)
        if PARTNER_PERSONAS.get(partner.name) is NEW_HIRE:
            _make_new(partner)
        for person in staff:  # the seed's own change, like the joining dates: not audited
            if kinds[person.id] is NEW_HIRE:
                joined = now() - timedelta(days=NEW_PARTNER_DAYS if index else 35)
                db.session.execute(User.__table__.update().where(
                    User.__table__.c.id == person.id).values(created_at=joined))
                db.session.expire(person, ["created_at"])
        added, logged = _write(partner, staff, kinds, rng, rule)
        customers, visit_count = customers + added, visit_count + logged
        everyone += [p.id for p in staff]
        if first_burst is None and len(staff) > 4:
            first_burst = staff[4]
    db.session.flush()
    shared_rollups.rebuild(HabitDay, rollups.recompute(everyone), everyone)
    burst = _burst(first_burst, rng) if first_burst is not None else 0
    return (f"Habits: {customers} customers, {visit_count + burst} visits over {DAYS} days "
            f"({burst} logged late in one burst, flagged).")
