"""Operations on broadcasts: write, publish, supersede, read and acknowledge.

Plain functions that add to the session; the caller commits once. Everything is checked
before anything is written, so a refused broadcast leaves no row and no file behind.
Receipts are written in one INSERT ... SELECT over the resolved audience, never one ORM
object per person."""
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (Integer, Select, case, delete, exists, func, insert, literal, select,
                        update)
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.broadcasts import attachments as files
from portal.broadcasts.models import (CATEGORIES, Attachment, Broadcast, CheckQuestion,
                                      Receipt)
from portal.core.access import visible
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.forms import storable_text
from portal.core.markdown import render_markdown
from portal.extensions import db
from portal.org.audience import addressed_by, audience_query, normalise_spec, reaches_anyone
from portal.org.models import Partner

__all__ = ["create_broadcast", "check_named_partners", "update_broadcast",
           "publish", "supersede", "check", "inbox_query", "inbox_counts", "open_broadcast",
           "acknowledge", "is_current", "receipt_for", "current_version", "acked_version",
           "history", "list_query"]

TITLE_MAX, BODY_MAX, QUESTION_MAX, OPTION_MAX = 200, 50_000, 500, 200
MAX_QUESTIONS, MIN_OPTIONS, MAX_OPTIONS = 3, 2, 6
# A publish time this far back still counts as "now" (the form took a while to fill in).
PAST_GRACE = timedelta(seconds=60)


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise DomainError(field, _l("This field is required."))
    if not storable_text(text):
        raise DomainError(field, _l("Contains a character that is not allowed."))
    if len(text) > limit:
        raise DomainError(field, _l("At most %(num)d characters.", num=limit))
    return text


def _questions(questions) -> list[dict]:
    questions = list(questions or ())
    if len(questions) > MAX_QUESTIONS:
        raise DomainError("questions", _l("At most %(num)d questions.", num=MAX_QUESTIONS))
    checked = []
    for question in questions:
        if not isinstance(question, dict):
            raise DomainError("questions", _l("A question needs a text and options."))
        text = _text(question.get("text"), "questions", QUESTION_MAX)
        options = [_text(o, "questions", OPTION_MAX) for o in question.get("options") or []]
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise DomainError("questions", _l(
                "Each question needs %(min)d to %(max)d options.", min=MIN_OPTIONS,
                max=MAX_OPTIONS))
        correct = question.get("correct")
        if isinstance(correct, bool) or not isinstance(correct, int) \
                or not 0 <= correct < len(options):
            raise DomainError("questions", _l("Mark which option is right."))
        checked.append({"text": text, "options": options, "correct": correct})
    return checked


def _validate(by, *, title, body_md, category, audience, requires_ack, ack_deadline,
              publish_at, questions, attachments, kept: int = 0,
              previous: dict | None = None) -> dict:
    """Every rule of a broadcast, checked before anything is written; the audience is
    bounded by who saves it (`by`, see `org.audience.addressed_by`)."""
    values = {"title": _text(title, "title", TITLE_MAX),
              "body_md": _text(body_md, "body_md", BODY_MAX, required=False)}
    if category not in CATEGORIES:
        raise DomainError("category", _l("Choose a category."))
    spec = addressed_by(by, normalise_spec(audience), previous)
    if not reaches_anyone(spec):
        raise DomainError("audience", _l("This audience reaches none of your partners.")
                          if spec.get("within") is not None else
                          _l("This audience reaches nobody."))
    at = now()
    for field, moment in (("publish_at", publish_at), ("ack_deadline", ack_deadline)):
        if moment is not None and (not isinstance(moment, datetime) or moment.tzinfo is None):
            raise DomainError(field, _l("Not a valid date and time."))
    if publish_at is not None and publish_at < at - PAST_GRACE:
        raise DomainError("publish_at", _l("The publication time is in the past."))
    requires_ack = bool(requires_ack)
    if requires_ack and ack_deadline is not None and ack_deadline <= (publish_at or at):
        raise DomainError("ack_deadline", _l("The deadline must come after publication."))
    checked = files.check_files(attachments)
    if kept + len(checked) > files.MAX_FILES:
        raise DomainError("attachments", _l("At most %(num)d files.", num=files.MAX_FILES))
    return {**values, "category": category, "audience": spec, "requires_ack": requires_ack,
            "ack_deadline": ack_deadline if requires_ack else None,
            "questions": _questions(questions), "files": checked}


def _apply(broadcast: Broadcast, values: dict, keep: list[Attachment]) -> None:
    """Set the validated fields, questions and files of `broadcast` (files written now)."""
    for key in ("title", "body_md", "category", "audience", "requires_ack", "ack_deadline"):
        setattr(broadcast, key, values[key])
    broadcast.body_html = render_markdown(values["body_md"])
    broadcast.questions = [CheckQuestion(position=i, text=q["text"], options=q["options"],
                                         correct=q["correct"])
                           for i, q in enumerate(values["questions"], 1)]
    broadcast.attachments = keep + [
        Attachment(filename=name, stored_name=files.store(data), content_type=kind,
                   size=len(data)) for name, data, kind in values["files"]]


def create_broadcast(author, *, title, body_md, category, audience, requires_ack=False,
                     ack_deadline=None, publish_at=None, questions=(),
                     attachments=()) -> Broadcast:
    """Validate and add a first version; publish it when `publish_at` is given, else keep
    it as a draft. `questions` are dicts (text, options, correct index from 0),
    `attachments` (filename, bytes) pairs. Raises DomainError with nothing stored."""
    values = _validate(author, title=title, body_md=body_md, category=category,
                       audience=audience,
                       requires_ack=requires_ack, ack_deadline=ack_deadline,
                       publish_at=publish_at, questions=questions, attachments=attachments)
    return _add_version(author, values, publish_at)


def check_named_partners(user, audience: dict) -> None:
    """Only partners `user` sees can be named in an audience, so a refusal never tells
    whether some other partner exists; raises DomainError("audience")."""
    named = set(audience.get("partner_ids") or ())
    if named and len(named) != db.session.scalar(select(func.count(Partner.id)).where(
            Partner.id.in_(named), visible(user, Partner))):
        raise DomainError("audience", _l("Unknown partner."))


def _add_version(author, values: dict, publish_at, *, previous: Broadcast | None = None,
                 keep: list[Attachment] = ()) -> Broadcast:
    broadcast = Broadcast(created_by=author.id, recipient_count=0,
                          version=previous.version + 1 if previous else 1,
                          series_id=previous.series_id if previous else None,
                          supersedes_id=previous.id if previous else None)
    _apply(broadcast, values, list(keep))
    db.session.add(broadcast)
    db.session.flush()
    if previous is None:
        broadcast.series_id = broadcast.id
    else:
        previous.superseded_by_id = broadcast.id
    if publish_at is not None:
        publish(broadcast, publish_at)
    return broadcast


def update_broadcast(broadcast: Broadcast, editor=None, *, keep_attachments=None,
                     **fields) -> Broadcast:
    """Change a draft or a scheduled broadcast not yet visible; its receipts are written
    again for the (maybe changed) audience. `keep_attachments`: ids to keep (default all);
    `editor` (default its author) bounds the audience."""
    if broadcast.is_published:
        raise DomainError("publish_at", _l("A published broadcast cannot be changed; "
                                              "supersede it with a new version."))
    keep = _kept(broadcast, keep_attachments)
    editor = editor or db.session.get(User, broadcast.created_by)
    values = _validate(editor, **_with_defaults(broadcast, fields), kept=len(keep),
                       previous=broadcast.audience)
    _apply(broadcast, values, keep)
    db.session.execute(delete(Receipt).where(Receipt.broadcast_id == broadcast.id),
                       execution_options={"synchronize_session": False})
    broadcast.publish_at, broadcast.recipient_count = None, 0
    if fields.get("publish_at") is not None:
        publish(broadcast, fields["publish_at"])
    return broadcast


def _kept(broadcast: Broadcast, keep_ids) -> list[Attachment]:
    if keep_ids is None:
        return list(broadcast.attachments)
    wanted = {int(i) for i in keep_ids}
    return [a for a in broadcast.attachments if a.id in wanted]


def _with_defaults(broadcast: Broadcast, fields: dict) -> dict:
    """The fields of a new or changed version: what is given, else what `broadcast` has."""
    base = {"title": broadcast.title, "body_md": broadcast.body_md,
            "category": broadcast.category, "audience": broadcast.audience,
            "requires_ack": broadcast.requires_ack, "ack_deadline": broadcast.ack_deadline,
            "publish_at": None, "attachments": (),
            "questions": [{"text": q.text, "options": list(q.options), "correct": q.correct}
                          for q in broadcast.questions]}
    unknown = set(fields) - set(base)
    if unknown:
        raise TypeError(f"unknown broadcast fields: {sorted(unknown)}")
    return {**base, **fields}


def check(by, fields: dict, *, source: Broadcast | None = None, keep_attachments=None,
          superseding: bool = False) -> dict:
    """Validate what `create_broadcast` (no `source`), `update_broadcast` or `supersede`
    would be given, writing nothing; the checked values (bounded audience included)."""
    if source is None:
        return _validate(by, **fields)
    values = _with_defaults(source, fields)
    if superseding and values["publish_at"] is None:
        values["publish_at"] = now()
    return _validate(by, **values, kept=len(_kept(source, keep_attachments)),
                     previous=source.audience)


def publish(broadcast: Broadcast, publish_at: datetime) -> int:
    """Set the publication time and write one receipt per recipient in a single
    INSERT ... SELECT (partner, team and role copied); returns the recipient count."""
    broadcast.publish_at = publish_at
    db.session.flush()
    people = audience_query(broadcast.audience).subquery()
    rows = select(literal(broadcast.id, Integer), people.c.id, people.c.partner_id,
                  people.c.team_id, people.c.role, literal(0, Integer), literal(0, Integer))
    count = db.session.execute(
        insert(Receipt).from_select(["broadcast_id", "user_id", "partner_id", "team_id", "role",
                                     "check_failures", "reminders"], rows),
        execution_options={"preserve_rowcount": True}).rowcount
    broadcast.recipient_count = count
    return count


def supersede(old: Broadcast, author, *, keep_attachments=None, **fields) -> Broadcast:
    """Publish a new version of `old` (same series, version + 1); fields not given are
    taken from `old`, publication defaults to now. Everyone acknowledges again; the old
    version stays readable in the history."""
    if old.publish_at is None:
        raise DomainError("broadcast", _l("Only a published broadcast can be superseded."))
    if old.superseded_by_id is not None:
        raise DomainError("broadcast", _l("A newer version exists; supersede that one."))
    values = _with_defaults(old, fields)
    if values["publish_at"] is None:
        values["publish_at"] = now()
    keep = _kept(old, keep_attachments)
    checked = check(author, fields, source=old, keep_attachments=keep_attachments,
                    superseding=True)
    copies = [Attachment(filename=a.filename, stored_name=a.stored_name,
                         content_type=a.content_type, size=a.size) for a in keep]
    return _add_version(author, checked, values["publish_at"], previous=old, keep=copies)


def is_current(at: datetime | None = None):
    """SQL condition: the broadcast has no successor that readers can already see."""
    successor = aliased(Broadcast)
    return ~exists().where(successor.id == Broadcast.superseded_by_id,
                           successor.publish_at <= (at or now()))


def _inbox(user, at: datetime, *columns) -> Select:
    return (select(*(columns or (Broadcast, Receipt))).select_from(Broadcast)
            .join(Receipt, Receipt.broadcast_id == Broadcast.id)
            .where(Receipt.user_id == user.id, Broadcast.publish_at <= at, is_current(at)))


def inbox_query(user, *, unread: bool = False, unacked: bool = False,
                category: str | None = None) -> Select:
    """`select(Broadcast, Receipt)` of `user`'s broadcasts visible now (by the clock, not
    by any job), current versions only, newest first."""
    query = _inbox(user, now())
    if unread:
        query = query.where(Receipt.opened_at.is_(None))
    if unacked:
        query = query.where(Broadcast.requires_ack.is_(True), Receipt.acked_at.is_(None))
    if category in CATEGORIES:
        query = query.where(Broadcast.category == category)
    return query.order_by(Broadcast.publish_at.desc(), Broadcast.id.desc())


def inbox_counts(user) -> tuple[int, int]:
    """(unread, still to acknowledge) among `user`'s visible broadcasts: one query."""
    to_ack = Broadcast.requires_ack.is_(True) & Receipt.acked_at.is_(None)
    query = _inbox(user, now(), func.count(case((Receipt.opened_at.is_(None), 1))),
                   func.count(case((to_ack, 1))))
    unread, unacked = db.session.execute(query).one()
    return unread, unacked


def list_query(user, *, text: str = "", category: str | None = None,
               status: str | None = None) -> Select:
    """The principal's list: broadcasts `user` may see whose title contains `text`, of
    `category` and in `status` (draft, scheduled, published, superseded), newest first."""
    query = select(Broadcast).where(visible(user, Broadcast))
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Broadcast.title.ilike(pattern, escape="\\"))
    if category:
        query = query.where(Broadcast.category == category)
    at = now()
    if status == "draft":
        query = query.where(Broadcast.publish_at.is_(None))
    elif status == "scheduled":
        query = query.where(Broadcast.publish_at > at)
    elif status == "published":
        query = query.where(Broadcast.publish_at <= at, is_current(at))
    elif status == "superseded":
        query = query.where(Broadcast.publish_at <= at, ~is_current(at))
    return query.order_by(func.coalesce(Broadcast.publish_at, Broadcast.created_at).desc(),
                          Broadcast.id.desc())


def receipt_for(user, broadcast: Broadcast) -> Receipt | None:
    """`user`'s receipt of `broadcast`, if they are a recipient."""
    return db.session.execute(select(Receipt).where(
        Receipt.broadcast_id == broadcast.id, Receipt.user_id == user.id)).scalar_one_or_none()


def open_broadcast(user, broadcast: Broadcast) -> Receipt | None:
    """Record that `user` opened `broadcast` (the first time is kept)."""
    if not broadcast.is_published:
        return None
    db.session.execute(update(Receipt).where(
        Receipt.broadcast_id == broadcast.id, Receipt.user_id == user.id,
        Receipt.opened_at.is_(None)).values(opened_at=now()),
        execution_options={"synchronize_session": False})
    receipt = receipt_for(user, broadcast)
    if receipt is not None:
        db.session.refresh(receipt)
    return receipt


def acknowledge(user, broadcast: Broadcast, answers: list[int] | None = None,
                at: datetime | None = None) -> Receipt:
    """Acknowledge `broadcast` for `user` (idempotent: the first time is kept). With a
    comprehension check every answer must be right, else DomainError("answers") is
    raised and only `check_failures` grows; the caller commits either way."""
    receipt = receipt_for(user, broadcast) if broadcast.is_published else None
    if receipt is None:
        raise DomainError("broadcast", _l("This broadcast is not addressed to you."))
    if receipt.acked_at is not None:
        return receipt
    if not db.session.execute(select(Broadcast.id).where(
            Broadcast.id == broadcast.id, is_current())).first():
        raise DomainError("broadcast", _l(
            "A newer version replaced this one; acknowledge the newer version."))
    given = list(answers or [])
    if broadcast.questions and (len(given) < len(broadcast.questions) or any(
            a is None for a in given[:len(broadcast.questions)])):
        # A question left out is not a wrong answer: nothing is counted against anyone.
        raise DomainError("answers", _l("Answer every question, then acknowledge."))
    if broadcast.questions and not _all_right(broadcast.questions, answers):
        db.session.execute(update(Receipt).where(Receipt.id == receipt.id).values(
            check_failures=Receipt.check_failures + 1),
            execution_options={"synchronize_session": False})
        db.session.refresh(receipt)
        raise DomainError("answers", _l(
            "Not every answer is right. Read the text again and try once more."))
    at = at or now()
    db.session.execute(update(Receipt).where(Receipt.id == receipt.id,
                                             Receipt.acked_at.is_(None)).values(
        acked_at=at, opened_at=func.coalesce(Receipt.opened_at, at)),
        execution_options={"synchronize_session": False})
    db.session.refresh(receipt)
    return receipt


def _all_right(questions, answers) -> bool:
    answers = list(answers or [])
    return len(answers) == len(questions) and all(
        isinstance(given, int) and not isinstance(given, bool) and given == q.correct
        for given, q in zip(answers, questions))


def current_version(broadcast: Broadcast) -> Broadcast:
    """The newest version of `broadcast`'s series that readers can see now."""
    latest = db.session.execute(select(Broadcast).where(
        Broadcast.series_id == broadcast.series_id, Broadcast.publish_at <= now())
        .order_by(Broadcast.version.desc()).limit(1)).scalar_one_or_none()
    return latest or broadcast


def history(user, broadcast: Broadcast) -> tuple[list[Broadcast], dict[int, Receipt]]:
    """The versions of `broadcast`'s series that `user` may see, newest first, and
    `user`'s receipts of them by broadcast id."""
    versions = db.session.execute(select(Broadcast).where(
        Broadcast.series_id == broadcast.series_id, visible(user, Broadcast))
        .order_by(Broadcast.version.desc())).scalars().all()
    receipts = {r.broadcast_id: r for r in db.session.execute(select(Receipt).where(
        Receipt.user_id == user.id,
        Receipt.broadcast_id.in_([v.id for v in versions]))).scalars()}
    return versions, receipts


def acked_version(user, broadcast: Broadcast) -> int | None:
    """The latest earlier version of the series that `user` acknowledged, if any."""
    return db.session.execute(
        select(func.max(Broadcast.version)).join(Receipt, Receipt.broadcast_id == Broadcast.id)
        .where(Broadcast.series_id == broadcast.series_id,
               Broadcast.version < broadcast.version, Receipt.user_id == user.id,
               Receipt.acked_at.is_not(None))).scalar()
