"""Comments on the criteria catalogue: partners' comments on a published version (or one
criterion of it) and the principal's replies, while the version has not begun.

Every comment sits in a partner's thread (a note from the admin with no partner is for
every partner); who reads which thread is `policies`' scope. As in `criteria`, every
operation checks before it writes, raises `DomainError` on the field at fault and does
not commit."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.access import assigned_partner_ids, may, visible
from portal.core.errors import DomainError
from portal.extensions import db
from portal.scoring.criteria import is_frozen
from portal.scoring.models import CriteriaComment, CriteriaSet

MAX_COMMENT = 2000


def visible_to(user, cset: CriteriaSet) -> list[CriteriaComment]:
    """The comments on `cset` that `user` may read, the oldest first."""
    return list(db.session.execute(
        select(CriteriaComment).where(CriteriaComment.set_id == cset.id,
                                      visible(user, CriteriaComment))
        .order_by(CriteriaComment.id)).scalars())


def _comment_open(cset: CriteriaSet) -> None:
    if cset.state != "published":
        raise DomainError("body", _l("Comments open when a version is published."), 409)
    if is_frozen(cset):
        raise DomainError("body", _l("This version already applies: comments are closed."),
                          409)


def _body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise DomainError("body", _l("Write a comment."))
    if len(text) > MAX_COMMENT:
        raise DomainError("body", _l("At most %(num)d characters.", num=MAX_COMMENT))
    return text


def add_comment(actor, cset: CriteriaSet, body: str, criterion_code: str | None = None,
                partner_id: int | None = None) -> CriteriaComment:
    """A comment on `cset` (or one criterion of it) in a partner's thread: a partner
    person's own partner, the partner a channel manager names among its partners; an
    admin's comment without a partner is a note for every partner."""
    _comment_open(cset)
    text = _body(body)
    code = criterion_code or None
    if code is not None and code not in {c.code for c in cset.criteria}:
        raise DomainError("criterion_code", _l("Choose a criterion of this version."))
    if actor.role in ("owner", "manager"):
        partner_id = actor.partner_id
    elif actor.role == "channel_manager":
        if partner_id not in assigned_partner_ids(actor):
            raise DomainError("partner_id", _l("Choose one of your partners."))
    elif actor.role != "admin":
        raise DomainError("body", _l("You may not comment."), 403)
    comment = CriteriaComment(set_id=cset.id, partner_id=partner_id, user_id=actor.id,
                              criterion_code=code, body=text)
    db.session.add(comment)
    db.session.flush()
    return comment


def reply(actor, comment: CriteriaComment, body: str) -> CriteriaComment:
    """The principal's answer in the thread of the partner that `comment` belongs to
    (under a note for every partner, only an admin answers: it reaches them all)."""
    _comment_open(comment.criteria_set)
    if comment.partner_id is None and not may(actor, "scoring.criteria"):
        raise DomainError("body", _l("Only an admin answers a note for every partner."), 403)
    answer = CriteriaComment(set_id=comment.set_id, partner_id=comment.partner_id,
                             user_id=actor.id, criterion_code=comment.criterion_code,
                             body=_body(body))
    db.session.add(answer)
    db.session.flush()
    return answer
