"""The isolation walk's broadcasts (tests only): per partner a published broadcast to the
whole partner with a question and an attachment, and one addressed to its owner alone."""
from portal.broadcasts.services import create_broadcast
from portal.core.clock import now
from portal.extensions import db
from portal.org.walk import tag


def build(world) -> None:
    for side in (world.a, world.b):
        side.broadcast = create_broadcast(
            world.admin, title=tag("政策", side), body_md=tag("请阅读", side),
            category="policy", audience={"partner_ids": [side.partner.id]},
            requires_ack=True, publish_at=now(),
            questions=[{"text": tag("问题", side), "options": [tag("甲", side), tag("乙", side)],
                        "correct": 1}],
            attachments=[(tag("附件", side) + ".pdf", b"%PDF-1.4 walk")])
        db.session.flush()
        side.attachment = side.broadcast.attachments[0]
        # Only the owner receives it: its managers and staff may not read it.
        side.people["owner"].broadcast = create_broadcast(
            world.admin, title=tag("老板政策", side), body_md=tag("老板正文", side),
            category="policy", audience={"partner_ids": [side.partner.id], "roles": ["owner"]},
            publish_at=now(), attachments=[(tag("老板附件", side) + ".pdf", b"%PDF-1.4 boss")])
        db.session.flush()
        side.people["owner"].attachment = side.people["owner"].broadcast.attachments[0]


ARGS = {"broadcast_id": "broadcast", "attachment_id": "attachment"}
PERSONAL = ARGS


def _texts(broadcast) -> list[str]:
    texts = [broadcast.title, broadcast.body_md]
    texts += [a.filename for a in broadcast.attachments]
    for question in broadcast.questions:
        texts += [question.text, *question.options]
    return texts


def markers(side) -> list[str]:
    return _texts(side.broadcast) + personal_markers(side.people["owner"])


def personal_markers(mine) -> list[str]:
    return _texts(mine.broadcast) if getattr(mine, "broadcast", None) else []
