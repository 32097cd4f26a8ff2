"""Demo broadcasts with a history: a quarterly rebate policy most leaders acknowledged
while the staff of a few partners hardly did (层层衰减 on the fidelity page), a policy
revised to a second version, a Zhejiang-only notice, a staff training, one scheduled for
tomorrow morning and a draft.

Broadcasts are written through the services with the clock set back to their
publication; who opened and acknowledged them is then filled in with a few set-based
UPDATEs (a pseudo-random share of each role, at times spread over the following days)."""
from datetime import datetime, time, timedelta

from sqlalchemy import and_, select, update

from portal.auth.models import User
from portal.broadcasts.models import Broadcast, Receipt
from portal.broadcasts.services import create_broadcast, supersede
from portal.core.clock import BUSINESS_TZ, frozen, now, today
from portal.extensions import db
from portal.org.models import Partner

# Hours after publication at which the six slots of responders opened / acknowledged.
OPEN_AFTER = (0.3, 1, 3, 8, 20, 50)
ACK_AFTER = (0.5, 2, 5, 12, 30, 80)

REBATE_POLICY = """\
自 2026 年第四季度起，渠道返点按以下规则执行：

1. **返点档位**：季度回款达成率 ≥100% 返点 3%，≥120% 返点 4.5%，低于 80% 不返点。
2. **结算时间**：季度结束后次月 15 日前完成核算，以货款形式返还。
3. **计入基数**：只计当季**已回款**订单；逾期未回款的订单不计入返点基数。
4. 已报备且在保护期内的新客户订单，额外返点 0.5%。

请各代理商老板组织主管和一线销售逐条学习，在截止日前于门户内确认已读并完成理解测试。
"""
REBATE_QUESTIONS = [
    {"text": "调整后的季度返点在什么时候结算？",
     "options": ["季度结束后次月 15 日前", "每月月底", "年底统一结算"], "correct": 0},
    {"text": "以下哪类订单不计入返点基数？",
     "options": ["当季已回款的订单", "逾期未回款的订单", "已报备新客户的订单"], "correct": 1},
]
REBATE_TABLE = ("返点档位速查表（2026 年第四季度起）\n"
                "回款达成率 ≥120%：4.5%\n回款达成率 ≥100%：3%\n"
                "回款达成率 80%–100%：1.5%\n回款达成率 <80%：不返点\n").encode()

PROTECTION_V1 = """\
为减少代理商之间的撞单，客户报备保护期由 60 天延长至 **90 天**。

- 保护期自报备提交之日起算；
- 保护期内他方跟进同一客户，以先报备者为准；
- 到期未成交的客户自动释放，可重新报备。
"""
PROTECTION_V2 = """\
客户报备保护期延长至 **90 天**，本版对起算日和续期作出修订：

- 保护期自报备**审核通过**之日起算（原为提交之日）；
- 到期前 7 天系统提醒跟进人；有二次跟进记录的，可申请续期一次，续期 30 天；
- 保护期内他方跟进同一客户，以先通过审核者为准；
- 到期未成交的客户自动释放，可重新报备。

第一版自本版发布起作废，请重新确认。
"""
ZHEJIANG_NOTICE = """\
浙江区域渠道大会定于下月中旬在杭州举行，议程包括：年度政策解读、优秀代理商经验分享、
新品演示。每家代理商请报名 2–3 人（老板和主管优先），报名请联系本区域渠道经理。
"""
TRAINING = """\
本期员工培训聚焦**新客户开发**：

- 首次拜访如何约到决策人；
- 二次跟进的节奏与话术；
- 拜访记录怎么写才算有效拜访。

课程约 40 分钟，学完后可参加本月员工层面考试。
"""
HOLIDAY_POLICY = """\
春节前最后发货日、节后首个发货日及回款截止安排详见正文附表，请各代理商提前备货，
节前回款按时到账的订单计入本季度返点基数。
"""
DRAFT = """\
（草稿，待定稿）2027 年度激励方案拟按"业绩、过程、成长"三项综合评定，
具体权重与奖项设置正在与各区域代理商征求意见。
"""


def _slot_times(published: datetime, after: tuple, stretch: float) -> list[datetime]:
    return [published + timedelta(hours=hours * stretch) for hours in after]


def _respond(broadcast: Broadcast, who, *, acked: int = 0, opened: int = 0,
             stretch: float = 1.0) -> None:
    """Of the receipts of `broadcast` matching `who`, about `acked` % acknowledge and
    about `opened` % (acknowledged ones included) open it; six UPDATEs per step, times
    spread over the days after publication (`stretch` scales the delays)."""
    # A scrambled residue of the user id picks the share; another one the time slot.
    share = (Receipt.user_id * 37 + broadcast.id) % 100
    base = and_(Receipt.broadcast_id == broadcast.id, who)
    opens = _slot_times(broadcast.publish_at, OPEN_AFTER, stretch)
    acks = _slot_times(broadcast.publish_at, ACK_AFTER, stretch)
    for slot in range(len(OPEN_AFTER)):
        in_slot = and_(base, Receipt.user_id % len(OPEN_AFTER) == slot)
        if acked:
            db.session.execute(update(Receipt).where(in_slot, share < acked)
                               .values(opened_at=opens[slot], acked_at=acks[slot]))
        if opened > acked:
            db.session.execute(update(Receipt).where(in_slot, share >= acked, share < opened)
                               .values(opened_at=opens[slot]))


def _by_role(broadcast: Broadcast, shares: dict, *, stretch: float = 1.0, extra=None):
    """`shares`: role -> (acked %, opened %)."""
    for role, (acked, opened) in shares.items():
        who = Receipt.role == role if extra is None else and_(Receipt.role == role, extra)
        _respond(broadcast, who, acked=acked, opened=opened, stretch=stretch)


def _published(author, when: datetime, **fields) -> Broadcast:
    """A broadcast published at `when` (the clock is set back for the services' checks)."""
    with frozen(when):
        broadcast = create_broadcast(author, publish_at=when, **fields)
    broadcast.notified_at = when
    return broadcast


def seed_demo(rng) -> str:
    """Add the demo's broadcasts and who read them; returns a summary line."""
    author = db.session.execute(select(User).where(User.role == "channel_manager",
                                                   User.active.is_(True))
                                .order_by(User.id).limit(1)).scalar_one()
    admin = db.session.execute(select(User).where(User.role == "admin")
                               .order_by(User.id).limit(1)).scalar_one()
    start = now().replace(minute=0, second=0, microsecond=0)
    partners = list(db.session.execute(select(Partner.id).where(Partner.status == "active")
                                       .order_by(Partner.id)).scalars())
    fading = rng.sample(partners, min(3, len(partners)))
    fades, steady = Receipt.partner_id.in_(fading), Receipt.partner_id.not_in(fading)

    rebate = _published(admin, start - timedelta(days=10), title="2026年第四季度返点政策调整",
                        body_md=REBATE_POLICY, category="policy", audience={},
                        requires_ack=True, ack_deadline=start - timedelta(days=3),
                        questions=REBATE_QUESTIONS,
                        attachments=[("返点档位速查表.txt", REBATE_TABLE)])
    # Leaders of the fading partners acknowledge; their staff hardly do.
    _by_role(rebate, {"owner": (92, 100), "manager": (80, 95), "staff": (78, 90)},
             stretch=2, extra=steady)
    _by_role(rebate, {"owner": (100, 100), "manager": (90, 100), "staff": (4, 25)},
             stretch=3, extra=fades)

    protection_v1 = _published(admin, start - timedelta(days=20),
                               title="客户报备保护期延长至90天", body_md=PROTECTION_V1,
                               category="policy", audience={}, requires_ack=True,
                               ack_deadline=start - timedelta(days=13))
    _by_role(protection_v1, {"owner": (88, 100), "manager": (75, 90), "staff": (60, 80)},
             stretch=2)
    with frozen(start - timedelta(days=5)):
        protection_v2 = supersede(protection_v1, admin, body_md=PROTECTION_V2,
                                  ack_deadline=start + timedelta(days=2))
    protection_v2.notified_at = protection_v2.publish_at
    _by_role(protection_v2, {"owner": (75, 90), "manager": (55, 75), "staff": (45, 65)},
             extra=steady)
    _by_role(protection_v2, {"owner": (100, 100), "manager": (70, 90), "staff": (3, 20)},
             extra=fades)

    zhejiang = _published(author, start - timedelta(days=3), title="浙江区域渠道大会参会报名通知",
                          body_md=ZHEJIANG_NOTICE, category="notice",
                          audience={"provinces": ["33"], "roles": ["owner", "manager"]})
    _by_role(zhejiang, {"owner": (0, 85), "manager": (0, 60)})

    training = _published(admin, start - timedelta(days=2), title="员工培训：新客户开发（第3期）",
                          body_md=TRAINING, category="training", audience={"roles": ["staff"]})
    _by_role(training, {"staff": (0, 45)}, stretch=0.5)

    tomorrow = datetime.combine(today() + timedelta(days=1), time(10), tzinfo=BUSINESS_TZ)
    create_broadcast(admin, title="春节前后发货与回款安排", body_md=HOLIDAY_POLICY,
                     category="policy", audience={"roles": ["owner", "manager"]},
                     requires_ack=True, ack_deadline=tomorrow + timedelta(days=5),
                     publish_at=tomorrow)
    create_broadcast(author, title="2027年度渠道激励方案（草稿）", body_md=DRAFT,
                     category="policy", audience={"roles": ["owner"]})
    return (f"Broadcasts: 7 (one superseded, one scheduled for tomorrow 10:00, one draft); "
            f"{rebate.recipient_count} recipients of the rebate policy.")
