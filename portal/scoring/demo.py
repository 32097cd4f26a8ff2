"""Demo scoring: the criteria version in force (published before its first month), next
month's version published and open for comment with partners' comments and the
principal's reply, the last two months' scorecards closed (frozen, tier changes made),
this month's open, and appeals: one accepted (the card rescored), one rejected, one
waiting for the channel manager."""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.core import clock
from portal.core.clock import BUSINESS_TZ, now, today
from portal.extensions import db
from portal.org.models import Partner
from portal.results.months import add_months, first_of
from portal.scoring import appeals, mapping
from portal.scoring.compute import compute_month
from portal.scoring.models import Appeal, CriteriaComment, CriteriaSet, Criterion, Scorecard

TIERS = [{"tier": "A", "min_total": 85.0, "min_each": 1.0},
         {"tier": "B", "min_total": 65.0, "min_each": 0.0},
         {"tier": "C", "min_total": 0.0, "min_each": 0.0}]

# code, name, group, metric, direction, mapping, anchors, weight
CRITERIA = [
    ("conflicts", "报备冲突率", "fairness", "conflicts_per_100", "lower", "linear",
     {"zero": 10, "full": 0}, 10),
    ("violations", "违规记录", "fairness", "violations_per_10", "lower", "thresholds",
     {"steps": [[1, 40], [0.5, 70], [0, 100]]}, 10),
    ("payments", "按期回款", "fairness", "on_time_payments", "higher", "linear",
     {"zero": 60, "full": 100}, 10),
    ("towns", "乡镇覆盖", "local_service", "town_coverage", "higher", "linear",
     {"zero": 0, "full": 60}, 10),
    ("response", "首次响应时长", "local_service", "first_response_hours", "lower", "thresholds",
     {"steps": [[24, 30], [8, 70], [4, 100]]}, 10),
    ("resolution", "按时解决率", "local_service", "resolved_in_target", "higher", "linear",
     {"zero": 50, "full": 95}, 5),
    ("csat", "客户满意度", "local_service", "csat", "higher", "thresholds",
     {"steps": [[3.5, 40], [4.0, 70], [4.5, 100]]}, 5),
    ("exams", "考试覆盖率", "enablement", "exam_coverage", "higher", "linear",
     {"zero": 40, "full": 100}, 10),
    ("acks", "政策确认率", "enablement", "acknowledgement_rate", "higher", "linear",
     {"zero": 50, "full": 100}, 10),
    ("training", "培训完成率", "enablement", "training_completion", "higher", "linear",
     {"zero": 0, "full": 90}, 5),
    ("revenue", "业绩达成", "results", "revenue_vs_target", "higher", "linear",
     {"zero": 50, "full": 110}, 10),
    ("visits", "人均有效拜访", "results", "effective_visits_per_day", "higher", "linear",
     {"zero": 0, "full": 4}, 5),
]
# Next month's version: local service weighs more, revenue less; NPS joins CSAT.
NEXT_WEIGHTS = {"towns": 15, "revenue": 5}
NEXT_NOTE = ("根据上季度代理商反馈:提高乡镇覆盖权重(10→15),降低业绩达成权重(10→5),"
             "让本地化服务更突出。请各代理商在生效前提出意见。")
COMMENTS = [
    (1, "towns", "山区乡镇多、路程远,覆盖率按有效拜访算是否可以放宽到每季度一次?"),
    (2, None, "支持提高本地化服务权重。建议同时公布各乡镇的计算口径。"),
]
REPLY = "感谢意见。乡镇口径为报备辖区内的全部乡镇/街道,详见每条指标的说明;季度口径将在下一版评估。"


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BUSINESS_TZ)


def make_set(version: int, month, published, weights: dict, note: str, admin) -> CriteriaSet:
    cset = CriteriaSet(version=version, effective_month=month, state="published",
                       tiers=TIERS, note=note, created_by=admin.id, created_at=published,
                       published_by=admin.id, published_at=published)
    for position, (code, name, group, metric, direction, kind, anchors, weight) in \
            enumerate(CRITERIA):
        mapping.check_anchors(direction, kind, anchors)
        cset.criteria.append(Criterion(position=position, code=code, name=name, group=group,
                                       metric=metric, direction=direction, mapping=kind,
                                       anchors=anchors, weight=weights.get(code, weight)))
    mapping.check_weights([c.weight for c in cset.criteria])
    db.session.add(cset)
    db.session.flush()
    return cset


def _appeal(owner, card: Scorecard, code: str, reason: str, claimed, filed) -> Appeal:
    line = next(ln for ln in card.lines if ln.criterion.code == code)
    with clock.frozen(filed):
        return appeals.file_appeal(owner, card, line.criterion_id,
                                   {"reason": reason, "claimed_value": claimed})


def seed_demo(rng) -> str:
    admin = db.session.execute(select(User).where(User.role == "admin")
                               .order_by(User.id).limit(1)).scalar()
    if admin is None:
        return "Scoring: no admin, no criteria"
    day = today()
    month = first_of(day)
    first, last = add_months(month, -2), add_months(month, -1)
    make_set(1, first, _at(add_months(first, -1), 10), {},
              "首个评分版本:公平守信、本地化服务、赋能与业绩四组指标。", admin)
    upcoming = make_set(2, add_months(month, 1), now() - timedelta(days=6), NEXT_WEIGHTS,
                         NEXT_NOTE, admin)
    partners = db.session.execute(select(Partner).where(Partner.status == "active")
                                  .order_by(Partner.id)).scalars().all()
    owners = {u.partner_id: u for u in db.session.execute(
        select(User).where(User.role == "owner").order_by(User.id)).scalars()}
    for index, code, body in COMMENTS:
        if index < len(partners) and partners[index].id in owners:
            owner = owners[partners[index].id]
            db.session.add(CriteriaComment(set_id=upcoming.id, partner_id=owner.partner_id,
                                           user_id=owner.id, criterion_code=code, body=body,
                                           created_at=now() - timedelta(days=4 - index)))
    db.session.add(CriteriaComment(set_id=upcoming.id, partner_id=None, user_id=admin.id,
                                   body=REPLY, created_at=now() - timedelta(days=1)))
    closed = 0
    for past in (first, last):
        run = compute_month(past, at=_at(add_months(past, 1) + timedelta(days=2), 3),
                            trigger="demo", close=True)
        closed += run.rows if run else 0
    compute_month(month, trigger="demo")
    made = _appeals(partners, owners, last)
    db.session.flush()
    return (f"Scoring: criteria v1 in force, v2 open for comment; {closed} scorecards "
            f"closed over two months, this month's open; {made}")


def _appeals(partners, owners, month) -> str:
    cards = {c.partner_id: c for c in db.session.execute(
        select(Scorecard).where(Scorecard.month == month)).scalars()}
    chosen = [p for p in partners if p.id in cards and p.id in owners
              and p.channel_manager_id is not None][:3]
    if len(chosen) < 3:
        return "no appeals (too few partners)"
    base = now() - timedelta(days=3)
    accepted = _appeal(owners[chosen[0].id], cards[chosen[0].id], "exams",
                       "月考当天有三名员工在外地参加厂家产品培训,已按通知补考并通过,请计入覆盖。",
                       None, base)
    manager = db.session.get(User, chosen[0].channel_manager_id)
    line = next(ln for ln in cards[chosen[0].id].lines if ln.criterion.code == "exams")
    corrected = round(min(100.0, (line.value or 0) + 12.0), 2)
    with clock.frozen(base + timedelta(days=1)):
        appeals.add_message(manager, accepted, {"body": "已核对培训签到表和补考记录,三人情况属实。"})
        appeals.decide(manager, accepted, {"decision": "accepted", "corrected_value": corrected,
                                           "reason": "厂家培训由我方安排,补考已通过,按覆盖计入。"})
    rejected = _appeal(owners[chosen[1].id], cards[chosen[1].id], "response",
                       "春节前后客户集中报修,首次响应慢是临时情况,请不计入。", 6, base)
    manager = db.session.get(User, chosen[1].channel_manager_id)
    with clock.frozen(base + timedelta(days=2)):
        appeals.decide(manager, rejected, {
            "decision": "rejected",
            "reason": "响应时长目标对所有代理商一致,集中报修期间其他代理商也按时响应,维持原值。"})
    _appeal(owners[chosen[2].id], cards[chosen[2].id], "payments",
            "第二笔回款于到期日当天转账,银行次日到账,应算按期。", 100.0, now() - timedelta(hours=20))
    return "appeals: 1 accepted, 1 rejected, 1 open"
