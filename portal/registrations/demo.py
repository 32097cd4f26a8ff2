"""The demo's registrations: each demo partner registers customers of its book (live
countdowns, one ending tomorrow, one extended by visits), a few refused with their
reasons, a few in review, a customer in the open pool, two direct accounts of the
principal, a conflict case decided with its reason and one open."""
from datetime import timedelta

from sqlalchemy import or_, select

from portal.auth.models import User
from portal.core.clock import now
from portal.extensions import db
from portal.habits.customers import normalise_name
from portal.habits.models import Customer
from portal.org.models import Partner, Territory
from portal.org.uscc import make_uscc
from portal.registrations import cases, services
from portal.registrations.keys import Prospect, phone_digits
from portal.registrations.models import DirectAccount

PER_PARTNER = 6
NOTES = ("老板有意向，下周带样品复访", "门店扩张中，需求明确", "竞品合同年底到期",
         "采购负责人已加微信", "")


def _prospect(customer) -> Prospect:
    return Prospect(customer.name, customer.name_norm, customer.uscc,
                    phone_digits(customer.contact_phone), customer.town_code, customer.id)


def seed_demo(rng) -> str:
    at = now()
    partners = db.session.execute(select(Partner).where(Partner.status == "active")
                                  .order_by(Partner.id)).scalars().all()
    made = refused = review = 0
    held = []
    for partner in partners:
        staff = db.session.execute(select(User).where(
            User.partner_id == partner.id, User.role.in_(("staff", "owner")))
            .order_by(User.role.desc(), User.id).limit(4)).scalars().all()
        book = db.session.execute(select(Customer).where(
            Customer.partner_id == partner.id, Customer.town_code.is_not(None),
            Customer.klass != "existing").order_by(Customer.id).limit(PER_PARTNER)
        ).scalars().all()
        # A customer that ordered recently goes to a channel manager's review.
        book += db.session.execute(select(Customer).where(
            Customer.partner_id == partner.id, Customer.town_code.is_not(None),
            Customer.klass == "existing").order_by(Customer.id).limit(1)).scalars().all()
        if not staff or not book:
            continue
        times = sorted((at - timedelta(days=rng.randint(2, 80), hours=rng.randint(0, 9))
                        for _customer in book))
        for n, customer in enumerate(book):
            who = staff[n % len(staff)]
            filed = times[n] if n < PER_PARTNER else at - timedelta(hours=rng.randint(2, 30))
            registration = services.file(who, partner.id, _prospect(customer),
                                         source="book", note=rng.choice(NOTES), at=filed)
            made += 1
            if registration.status == "protected":
                held.append(registration)
                if n == 0:  # ends tomorrow: the warning is due
                    registration.expires_at = at + timedelta(hours=20)
                elif n == 1 and registration.rule.days_per_effective_visit:
                    registration.extended_days = 14
                    registration.expires_at += timedelta(days=14)
            refused += registration.status == "refused"
            review += registration.status == "review"
    db.session.flush()
    # A customer in the open pool: the first partner's protection ran out a week ago.
    pooled = held[2] if len(held) > 2 else None
    if pooled is not None:
        pooled.expires_at = at - timedelta(days=7)
    # The principal's direct accounts, and one partner refused on one of them.
    directs = ["城西银泰城商业管理有限公司", "万达广场商业管理有限公司"]
    towns = [h.town_code for h in held[:2]]
    for name, town in zip(directs, towns):
        db.session.add(DirectAccount(name=name, name_norm=normalise_name(name), town_code=town,
                                     uscc=make_uscc(rng, "330100"), note="厂商直签年度框架合同"))
    db.session.flush()
    for registration in held[:1]:  # a partner tries one of them: refused, with the reason
        services.file(registration.requester, registration.partner_id, Prospect(
            directs[0], normalise_name(directs[0]), None, None, registration.town_code),
            source="new", note="商场物业有采购意向", at=at - timedelta(hours=5))
        refused += 1
    for registration in held[1:2]:  # the same partner twice: refused as its own
        services.file(registration.requester, registration.partner_id, Prospect(
            registration.name, registration.name_norm, registration.uscc, None,
            registration.town_code), source="new", at=at - timedelta(hours=3))
        refused += 1
    cases_made = 0
    # Conflicts: in a county two partners share, a second partner registers a customer the
    # first holds, is refused as protected and contests it.
    pairs = []
    regions = {}
    for partner_id, code in db.session.execute(select(Territory.partner_id,
                                                      Territory.region_code)):
        regions.setdefault(partner_id, []).append(code)
    for partner in partners:
        others = [(o, code) for o in partners if o.id != partner.id
                  for code in regions.get(o.id, ())]
        if not others:
            continue
        customer = db.session.execute(select(Customer).where(
            Customer.partner_id == partner.id, Customer.klass != "existing",
            Customer.id.not_in([r.customer_id for r in held if r.customer_id]),
            or_(*(Customer.town_code.startswith(code) for _o, code in others)))
            .order_by(Customer.id).limit(1)).scalar()
        if customer is None:
            continue
        other = next(o for o, code in others if customer.town_code.startswith(code))
        holder = services.file(customer.owner, partner.id, _prospect(customer), source="book",
                               note="共享区域客户", at=at - timedelta(days=20))
        made += 1
        if holder.status == "protected":
            pairs.append((holder, other))
        if len(pairs) == 2:
            break
    admin = db.session.execute(select(User).where(User.role == "admin").limit(1)).scalar()
    for index, (holder, other) in enumerate(pairs):
        owner = db.session.execute(select(User).where(
            User.partner_id == other.id, User.role == "owner").limit(1)).scalar()
        if owner is None:
            continue
        challenger = services.file(owner, other.id, Prospect(
            holder.name, holder.name_norm, holder.uscc, holder.phone_norm, holder.town_code),
            source="new", note="我司三个月前已拜访并报价", at=at - timedelta(hours=30 - index))
        if challenger.reason != "protected":
            continue
        case = cases.open_case(owner, challenger, "我司业务员8月起多次上门拜访并提交报价单，"
                               "对方报备晚于我方首次拜访。")
        cases_made += 1
        if index == 0 and admin is not None:
            cases.decide(admin, case, "holder", "持有方报备在先且保护期内有多次有效拜访记录，"
                         "挑战方未能提供早于报备的书面证据，维持原报备。")
    db.session.flush()
    return (f"{made} registrations ({refused} refused, {review} in review), "
            f"{len(directs)} direct accounts, {cases_made} conflict cases")
