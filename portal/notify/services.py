"""Operations on notifications: fan-out, the unread count, reading, preferences, webhooks.

Plain functions that add to the session; the caller commits."""
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, Integer, Select, String, Text, and_, any_, delete, exists,
                        func, insert, literal, null, select, true, update)
from sqlalchemy.dialects import postgresql

from portal.auth.models import User
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.database import UTCDateTime
from portal.extensions import db
from portal.notify.channels.webhooks import url_problem
from portal.notify.models import (ALWAYS_IN_APP, CATEGORIES, CHANNEL_DEFAULTS, CHANNELS,
                                  Delivery, Notification, NotificationPreference, Webhook)

# Ids per statement when recipients come as a list on SQLite: well under its limit of
# 32766 bind parameters.
CHUNK = 5000


def is_local_path(link: str | None) -> bool:
    """True for a path on this site ("/exams/3"), never for a URL to elsewhere."""
    if not link or not link.startswith("/") or link.startswith("//") or "\\" in link:
        return False
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc


def email_configured() -> bool:
    """E-mail goes out only when an SMTP server and a sender are set up."""
    return bool(current_app.config.get("SMTP_HOST") and current_app.config.get("MAIL_FROM"))


def wants(channel: str, category: str, user_id=User.id):
    """SQL condition: the person wants `category` on `channel`, by choice or by default."""
    chosen = exists().where(NotificationPreference.user_id == user_id,
                            NotificationPreference.category == category,
                            NotificationPreference.channel == channel,
                            NotificationPreference.enabled == (not CHANNEL_DEFAULTS[channel]))
    return ~chosen if CHANNEL_DEFAULTS[channel] else chosen


def _recipient_filters(recipients) -> list:
    if isinstance(recipients, Select):
        return [User.id.in_(recipients)]
    ids = sorted({int(i) for i in recipients})
    if db.session.get_bind().dialect.name == "postgresql":
        # One array parameter: binding 100,000 separate ones costs seconds.
        return [User.id == any_(literal(ids, postgresql.ARRAY(Integer)))] if ids else []
    return [User.id.in_(ids[i:i + CHUNK]) for i in range(0, len(ids), CHUNK)]


def notify(recipients: Iterable[int] | Select, category: str, title: str, body: str = "",
           link: str | None = None, mandatory: bool = False, group: bool = True) -> int:
    """Put a notification in the inbox of every active recipient who wants it (everyone when
    `mandatory`) and queue its e-mails and, unless `group` is False (news about one person),
    its chat-group messages; returns the inbox rows made."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown notification category {category!r}")
    if link is not None and (not is_local_path(link) or len(link) > 300):
        raise ValueError("a notification links to a path on this site (300 characters)")
    content = {"category": category, "title": title[:200], "body": body or "", "link": link}
    at, event = now(), uuid.uuid4().hex
    in_app = true() if mandatory or category in ALWAYS_IN_APP else wants("in_app", category)
    email = email_configured()
    created, partner_ids = 0, set()
    for chosen in _recipient_filters(recipients):
        people = and_(chosen, User.active.is_(True))
        created += db.session.execute(insert(Notification).from_select(
            ["user_id", "category", "title", "body", "link", "mandatory", "created_at"],
            select(User.id, *_constants(content), literal(mandatory, Boolean),
                   literal(at, UTCDateTime())).where(people, in_app)),
            execution_options={"preserve_rowcount": True}).rowcount
        if email:
            _queue("email", event, content, at, select(User.id, User.email, null()).where(
                people, func.coalesce(User.email, "") != "", wants("email", category)))
        if not group:
            continue
        partner_ids.update(db.session.execute(
            select(User.partner_id).where(people, User.partner_id.is_not(None),
                                          wants("webhook", category)).distinct()).scalars())
    if partner_ids:
        # One group message per subscribed chat group, whoever in the partner it is for.
        _queue("webhook", event, content, at, select(null(), null(), Webhook.id).where(
            Webhook.active.is_(True), Webhook.subscribes(category),
            Webhook.partner_id.in_(sorted(partner_ids))))
    return created


def _constants(content: dict) -> list:
    return [literal(content["category"], String()), literal(content["title"], String()),
            literal(content["body"], Text()), literal(content["link"], String())]


def _queue(channel: str, event: str, content: dict, at: datetime, targets: Select) -> None:
    """Queue one delivery per row of `targets` (user_id, address, webhook_id)."""
    user_id, address, webhook_id = targets.selected_columns
    rows = targets.with_only_columns(
        literal(channel, String()), literal(event, String()), user_id, address, webhook_id,
        *_constants(content), literal("pending", String()), literal(0, Integer()),
        literal(at, UTCDateTime()), literal(at, UTCDateTime()))
    db.session.execute(insert(Delivery).from_select(
        ["channel", "event", "user_id", "address", "webhook_id", "category", "title", "body",
         "link", "status", "attempts", "next_attempt_at", "created_at"], rows))


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread: one COUNT on an index."""
    return db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def mark_read(user, ids: Iterable[int] | str = "all") -> int:
    """Mark `user`'s notifications read, the given ids or "all"; others' rows are never
    touched. Returns how many changed."""
    query = update(Notification).where(Notification.user_id == user.id,
                                       Notification.read_at.is_(None))
    if ids != "all":
        query = query.where(Notification.id.in_([int(i) for i in ids]))
    return db.session.execute(query.values(read_at=now()),
                              execution_options={"synchronize_session": False}).rowcount


def unread_linking(user, link: str) -> bool:
    """Has `user` an unread notification pointing at `link` (a page it is reading)?"""
    return db.session.execute(select(exists().where(
        Notification.user_id == user.id, Notification.read_at.is_(None),
        Notification.link == link))).scalar()


def mark_read_linking(user, link: str) -> int:
    """Reading a page reads the notifications that pointed at it."""
    return db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None),
        Notification.link == link).values(read_at=now()),
        execution_options={"synchronize_session": False}).rowcount


def inbox_query(user, *, unread: bool = False, category: str | None = None) -> Select:
    """`user`'s notifications, newest first, optionally only unread or one category."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if category in CATEGORIES:
        query = query.where(Notification.category == category)
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def preferences(user) -> dict[tuple[str, str], bool]:
    """Every (category, channel) pair with what `user` gets there."""
    rows = db.session.execute(
        select(NotificationPreference.category, NotificationPreference.channel,
               NotificationPreference.enabled)
        .where(NotificationPreference.user_id == user.id))
    chosen = {(category, channel): on for category, channel, on in rows}
    return {(c, ch): (ch == "in_app" and c in ALWAYS_IN_APP)
            or chosen.get((c, ch), CHANNEL_DEFAULTS[ch])
            for c in CATEGORIES for ch in CHANNELS}


def save_preferences(user, enabled: set[tuple[str, str]],
                     channels: Iterable[str] = CHANNELS) -> None:
    """Store `user`'s choices on `channels` (the others stay as they are); only pairs that
    differ from the default get a row."""
    rows = {(p.category, p.channel): p for p in db.session.execute(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    ).scalars()}
    for category in CATEGORIES:
        for channel in channels:
            on = (category, channel) in enabled or (
                channel == "in_app" and category in ALWAYS_IN_APP)
            row = rows.get((category, channel))
            if row is not None:
                row.enabled = on
            elif on != CHANNEL_DEFAULTS[channel]:
                db.session.add(NotificationPreference(user_id=user.id, category=category,
                                                      channel=channel, enabled=on))


def save_webhook(webhook: Webhook | None, partner, actor, *, name: str, kind: str, url: str,
                 categories: Iterable[str], secret: str | None = None,
                 clear_secret: bool = False) -> Webhook:
    """Create or update a partner's webhook; an empty `secret` keeps the stored one.
    Raises DomainError("url") for an address no delivery could use."""
    if url_problem(url):
        raise DomainError("url", _l("Enter an address starting with http:// or https://, "
                                    "with a port from 1 to 65535 if it has one."))
    if webhook is None:
        webhook = Webhook(partner_id=partner.id, created_by=actor.id, active=True)
        db.session.add(webhook)
    webhook.name, webhook.kind, webhook.url = name, kind, url
    webhook.categories = ",".join(c for c in CATEGORIES if c in set(categories))
    if clear_secret:
        webhook.secret = None
    elif secret:
        webhook.secret = secret
    db.session.flush()
    return webhook


def set_webhook_active(webhook: Webhook, active: bool) -> None:
    """Switch a webhook on or off; messages still waiting for it are dropped when off."""
    webhook.active = active
    if not active:
        db.session.execute(
            update(Delivery).where(Delivery.webhook_id == webhook.id,
                                   Delivery.status.in_(("pending", "failed")))
            .values(status="gave_up", last_error="webhook deactivated"),
            execution_options={"synchronize_session": False})


def queue_test_message(webhook: Webhook, title: str, body: str) -> Delivery:
    """A delivery of a test message to `webhook`, due at once."""
    at = now()
    delivery = Delivery(channel="webhook", event=uuid.uuid4().hex, webhook_id=webhook.id,
                        category="system", title=title[:200], body=body, status="pending",
                        attempts=0, next_attempt_at=at, created_at=at)
    db.session.add(delivery)
    db.session.flush()
    return delivery


def prune(keep_days: int) -> tuple[int, int]:
    """Delete read notifications and finished deliveries older than `keep_days`."""
    before = now() - timedelta(days=keep_days)
    notes = db.session.execute(delete(Notification).where(
        Notification.read_at.is_not(None), Notification.created_at < before),
        execution_options={"synchronize_session": False}).rowcount
    sent = db.session.execute(delete(Delivery).where(
        Delivery.status.in_(("sent", "gave_up")), Delivery.created_at < before),
        execution_options={"synchronize_session": False}).rowcount
    return notes, sent
