"""The isolation walk's notifications (tests only): one notification for each person of
each partner, and one webhook per partner."""
from portal.extensions import db
from portal.notify.models import Notification, Webhook
from portal.org.walk import PEOPLE, tag


def build(world) -> None:
    for side in (world.a, world.b):
        for person in PEOPLE:
            mine = side.people[person]
            mine.notification = Notification(
                user_id=getattr(side, person).id, category="notice",
                title=tag(f"通知{person}", side), body=tag(f"通知正文{person}", side))
            db.session.add(mine.notification)
        side.notification = side.people["staff"].notification
        # Port 9 on loopback: the private-address guard refuses it without any traffic.
        side.webhook = Webhook(partner_id=side.partner.id, name=tag("群", side), kind="wecom",
                               url="http://127.0.0.1:9/hook", categories="notice")
        db.session.add(side.webhook)
    db.session.flush()


ARGS = {"notification_id": "notification", "webhook_id": "webhook"}
PERSONAL = {"notification_id": "notification"}


def markers(side) -> list[str]:
    texts = [side.webhook.name]
    for person in PEOPLE:
        texts += personal_markers(side.people[person])
    return texts


def personal_markers(mine) -> list[str]:
    return [mine.notification.title, mine.notification.body]
