"""Demo inboxes: a welcome note for everyone, a policy notice and a training notice for the
partners' people (some already read), chat-group robots for a few partners, and some
people who asked for e-mail about exams."""
from datetime import timedelta

from sqlalchemy import select, update

from portal.auth.models import PARTNER_ROLES, User
from portal.core.clock import now
from portal.extensions import db
from portal.notify.models import Notification, NotificationPreference, Webhook
from portal.notify.services import notify
from portal.org.models import Partner

# (kind, robot name); the URLs are placeholders until the partner pastes its own token.
ROBOTS = [("dingtalk", "钉钉销售群机器人"), ("wecom", "企业微信团队群机器人")]


def seed_demo(rng) -> str:
    """Add the demo's notifications, preferences and webhooks; returns a summary line."""
    everyone = select(User.id).where(User.active.is_(True))
    partner_people = select(User.id).where(User.role.in_(PARTNER_ROLES))
    staff = select(User.id).where(User.role == "staff")
    made = notify(everyone, "system", "欢迎使用渠道赋能门户",
                  body="在这里查看政策通知、参加培训和考试、记录拜访。右上角可切换中英文。",
                  link="/")
    made += notify(partner_people, "policy", "2026 年第四季度渠道政策更新",
                   body="返点规则和客户报备保护期有调整，请各代理商老板组织团队学习。",
                   mandatory=True, link="/")
    made += notify(staff, "training", "员工产品知识培训已开放",
                   body="新一期员工培训课程已上线，完成后可参加月度考试。", link="/")
    # About two thirds of the older notes have been read, some days ago.
    read_at = now() - timedelta(days=2)
    db.session.execute(update(Notification).where(Notification.id % 3 != 0,
                                                  Notification.category != "training")
                       .values(read_at=read_at))
    partners = db.session.execute(select(Partner).order_by(Partner.id)).scalars().all()
    for partner in partners[:4]:
        kind, name = ROBOTS[partner.id % 2]
        url = ("https://oapi.dingtalk.com/robot/send?access_token=填写贵司机器人令牌"
               if kind == "dingtalk" else
               "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=填写贵司机器人密钥")
        # Inactive: the intranet demo has no chat service to reach.
        db.session.add(Webhook(partner_id=partner.id, name=name, kind=kind, url=url,
                               categories="policy,notice,exam", active=False))
    chosen = db.session.execute(staff.limit(300)).scalars().all()
    for user_id in rng.sample(chosen, min(15, len(chosen))):
        db.session.add(NotificationPreference(user_id=user_id, category="exam",
                                              channel="email", enabled=True))
    return f"Notifications: {made} in inboxes, 4 partner chat robots (inactive), 15 e-mail choices."
