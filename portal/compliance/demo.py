"""Demo good-faith records: two verified violations — a pricing one at the weak partner
(answered by its owner) and a territory one at the fading partner (withdrawn by the
channel manager after the check showed the customer sat outside the territory line) —
and four months of monthly dues for every active partner: most paid on time, the weak
partner late twice and last month's still open, so overdue."""
from datetime import date, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.compliance import dues, violations
from portal.core.clock import today
from portal.extensions import db
from portal.habits.demo import FADING, PARTNER_PERSONAS, WEAK
from portal.org.models import Partner
from portal.results.months import add_months, first_of

MONTHS = 4
DUE_DAY = 10


def _principal(partner: Partner):
    """Who enters the partner's records: its channel manager, else an admin."""
    if partner.channel_manager_id is not None:
        return db.session.get(User, partner.channel_manager_id)
    return db.session.execute(select(User).where(User.role == "admin", User.active.is_(True))
                              .order_by(User.id).limit(1)).scalar()


def _owner(partner: Partner):
    return db.session.execute(select(User).where(User.partner_id == partner.id,
                                                 User.role == "owner")
                              .order_by(User.id).limit(1)).scalar()


def _paid_on(due_on: date, persona, rng, day: date, last: bool) -> date | None:
    if persona is WEAK and last:
        return None  # last month's: still open, overdue
    if persona is WEAK and rng.random() < 0.6:
        late = due_on + timedelta(days=rng.randint(4, 20))
    elif rng.random() < 0.1:
        late = due_on + timedelta(days=rng.randint(1, 6))
    else:
        late = due_on - timedelta(days=rng.randint(0, 7))
    return late if late <= day else None


def _dues(partner: Partner, actor, rng, day: date) -> int:
    persona = PARTNER_PERSONAS.get(partner.name)
    made = 0
    for back in range(MONTHS - 1, -1, -1):
        month = add_months(first_of(day), -back)
        due_on = month.replace(day=DUE_DAY)
        amount = rng.randint(20, 80) * 1000
        paid_on = _paid_on(due_on, persona, rng, day, last=back == 1) \
            if due_on <= day + timedelta(days=5) else None
        dues.add_due(actor, {
            "partner_id": partner.id, "reference": f"HK{month:%Y%m}-{partner.id:03d}",
            "amount": str(amount), "due_on": due_on,
            "paid": str(amount) if paid_on else "", "paid_on": paid_on,
            "note": f"{month.month}月货款"})
        made += 1
    return made


def _violations(partners: list[Partner], day: date) -> int:
    by_persona = {PARTNER_PERSONAS.get(p.name): p for p in partners}
    made = 0
    weak, fading = by_persona.get(WEAK), by_persona.get(FADING)
    if weak is not None:
        found = violations.enter_violation(_principal(weak), {
            "partner_id": weak.id, "kind": "pricing", "occurred_on": day - timedelta(days=20),
            "description": "核实：在番禺区两家超市以低于指导价12%的价格供货，有进货单和店内价签照片为证。"})
        owner = _owner(weak)
        if owner is not None:
            violations.answer_violation(owner, found, "情况属实，是业务员为冲量擅自降价，"
                                        "已追回差价并对当事人做了处理，今后报价统一由主管审批。")
        made += 1
    if fading is not None:
        found = violations.enter_violation(_principal(fading), {
            "partner_id": fading.id, "kind": "territory",
            "occurred_on": day - timedelta(days=35),
            "description": "疑似跨区销售：在宝安区向一家便利店供货。"})
        violations.withdraw_violation(_principal(fading), found,
                                      "复核后确认该门店在本代理商的南山区授权范围内，撤销。")
        made += 1
    return made


def seed_demo(rng) -> str:
    day = today()
    partners = db.session.execute(select(Partner).where(Partner.status == "active")
                                  .order_by(Partner.id)).scalars().all()
    due_count = sum(_dues(p, _principal(p), rng, day) for p in partners if _principal(p))
    found = _violations(partners, day)
    db.session.flush()
    return f"Compliance: {found} violations, {due_count} dues for {len(partners)} partners"
