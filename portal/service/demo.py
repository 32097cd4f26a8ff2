"""Demo service tickets: three months of customers' issues for every active partner, as
fast or as slow as the partner's habits persona (`portal.habits.demo`): a strong partner
answers within the hour and resolves the same day, a weak one takes most of a day to
answer and often misses the 48-hour target. Most customers answer a satisfaction
question (CSAT, some NPS); the last few days' tickets are still open. Written in bulk
(the seed's own rows, like the visits), judged by rule version 1."""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from portal.core.clock import BUSINESS_TZ, now
from portal.extensions import db
from portal.habits.demo import FADING, NEW_HIRE, PARTNER_PERSONAS, STAR, STEADY, STRONG, WEAK
from portal.habits.models import Customer
from portal.org.models import Partner
from portal.service import rules
from portal.service.models import Ticket

DAYS = 90
# Persona -> (tickets a week, hours to first response (low, high), hours to resolve after
# it (low, high), satisfaction on CSAT (low, high)).
SPEED = {id(STRONG): (3, (0.2, 1.5), (2, 20), (4, 5)),
         id(STAR): (2, (0.3, 2.0), (3, 24), (4, 5)),
         id(STEADY): (2, (1.0, 5.0), (6, 40), (3, 5)),
         id(FADING): (2, (2.0, 9.0), (12, 60), (3, 4)),
         id(NEW_HIRE): (1, (1.5, 6.0), (8, 50), (3, 5)),
         id(WEAK): (3, (6.0, 30.0), (24, 90), (1, 4))}
SUBJECTS = ("冷柜不制冷", "送货延迟", "包装破损", "发票开错", "价格与报价不符", "缺货要求补货",
            "促销物料没到", "产品过期投诉", "要求上门培训", "退换货申请", "对账单有误",
            "陈列架损坏")
DETAILS = ("老板电话反映，希望尽快处理", "店员在群里说的，已拍照", "第二次反映同一问题",
           "客户态度比较急", "")


def _when(day, rng) -> datetime:
    local = datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59)), BUSINESS_TZ)
    return local.astimezone(timezone.utc)


def _tickets(partner, customers, speed, rng, rule_id, at) -> list[dict]:
    per_week, first_range, resolve_range, csat_range = speed
    rows, start = [], (at.astimezone(BUSINESS_TZ) - timedelta(days=DAYS)).date()
    for offset in range(DAYS):
        day = start + timedelta(days=offset)
        if rng.random() > per_week / 7:
            continue
        customer = rng.choice(customers) if customers and rng.random() < 0.85 else None
        opened = _when(day, rng)
        first = opened + timedelta(hours=rng.uniform(*first_range))
        resolved = first + timedelta(hours=rng.uniform(*resolve_range))
        if first > at:
            first = resolved = None
        elif resolved > at or (at - opened).days < 3 and rng.random() < 0.5:
            resolved = None
        scale = score = None
        if resolved is not None and rng.random() < 0.75:
            if rng.random() < 0.3:
                scale, score = "nps", min(10, max(0, 2 * rng.randint(*csat_range) + rng.randint(-1, 0)))
            else:
                scale, score = "csat", rng.randint(*csat_range)
        rows.append({"client_id": f"demo-{partner.id}-{len(rows) + 1:04d}",
                     "partner_id": partner.id, "customer_id": customer.id if customer else None,
                     "town_code": customer.town_code if customer else None,
                     "subject": rng.choice(SUBJECTS), "detail": rng.choice(DETAILS),
                     "channel": rng.choice(("portal", "portal", "api", "csv")),
                     "rule_id": rule_id, "opened_at": opened, "first_response_at": first,
                     "resolved_at": resolved, "satisfaction": score,
                     "satisfaction_scale": scale, "recorded_at": min(at, opened + timedelta(
                         hours=1))})
    return rows


def seed_demo(rng) -> str:
    at = now()
    rule = rules.in_force(at)
    partners = db.session.execute(select(Partner).where(Partner.status == "active")
                                  .order_by(Partner.id)).scalars().all()
    rows = []
    for partner in partners:
        customers = db.session.execute(select(Customer).where(
            Customer.partner_id == partner.id, Customer.active.is_(True))
            .order_by(Customer.id).limit(60)).scalars().all()
        persona = PARTNER_PERSONAS.get(partner.name, STEADY)
        rows += _tickets(partner, customers, SPEED.get(id(persona), SPEED[id(STEADY)]), rng,
                         rule.id, at)
    if rows:
        db.session.execute(insert(Ticket), rows)
    open_now = sum(1 for row in rows if row["resolved_at"] is None)
    return f"Service: {len(rows)} tickets for {len(partners)} partners, {open_now} open"
