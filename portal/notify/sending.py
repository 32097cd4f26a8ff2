"""Sending queued deliveries: claim, send, record, retry with back-off.

A delivery is claimed with a conditional UPDATE (pending/failed -> sending) that only one
process can win, and the claim is committed before the network is touched, so no lock is
held while a slow server answers (on SQLite a held write lock would stall every page).
That is why these functions commit, unlike the other services: call them outside any
other unit of work. A process that dies mid-send leaves the row "sending" with a lease in
`next_attempt_at`; once the lease is over the row counts as a failed attempt."""
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, select, update

from portal.auth.models import User
from portal.core.urls import path_for, public_link
from portal.extensions import db
from portal.notify.channels import Message, SendError
from portal.notify.channels import email, webhooks
from portal.notify.labels import CATEGORY_LABELS
from portal.notify.models import Delivery, Webhook
from portal.notify.services import email_configured

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=10)
BATCH = 1000
# Wall-clock budget of one run, so a slow endpoint cannot hold up the next run for long.
RUN_SECONDS = 45
RETRYABLE = ("pending", "failed")


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 1, 5, 25, 125 minutes."""
    return timedelta(minutes=5 ** (attempts - 1))


@dataclass(frozen=True)
class _Work:
    channel: str
    attempts: int
    message: Message
    address: str | None = None
    person_active: bool = True
    kind: str | None = None
    url: str | None = None
    secret: str | None = None
    webhook_active: bool = True


def deliver_due(now: datetime, limit: int = BATCH) -> dict[str, int]:
    """Send every delivery due at `now` (up to `limit`); returns counts by outcome."""
    _release_stuck(now)
    ids = db.session.execute(
        select(Delivery.id).where(Delivery.status.in_(RETRYABLE), Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)).scalars().all()
    db.session.commit()
    outcomes: dict[str, int] = {}
    deadline = time.monotonic() + RUN_SECONDS
    for delivery_id in ids:
        if time.monotonic() > deadline:
            break  # the rest stay due for the next run
        status = attempt(delivery_id, now)
        if status:
            outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


def _release_stuck(now: datetime) -> None:
    db.session.execute(
        update(Delivery).where(Delivery.status == "sending", Delivery.next_attempt_at <= now)
        .values(status=case((Delivery.attempts >= MAX_ATTEMPTS, "gave_up"), else_="failed"),
                last_error="interrupted while sending"),
        execution_options={"synchronize_session": False})
    db.session.commit()


def attempt(delivery_id: int, now: datetime, *, retry: bool = True) -> str | None:
    """Claim one due delivery and send it; returns its new status, or None when it is not
    due or another process has it. With retry=False a failure is final."""
    claimed = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status.in_(RETRYABLE),
                               Delivery.next_attempt_at <= now)
        .values(status="sending", attempts=Delivery.attempts + 1, next_attempt_at=now + LEASE),
        execution_options={"synchronize_session": False}).rowcount
    if not claimed:
        db.session.rollback()
        return None
    work = _load(delivery_id, now)
    db.session.commit()  # the claim is everyone's knowledge before the network is touched
    try:
        code = _send(work)
    except SendError as error:
        final = error.permanent or not retry or work.attempts >= MAX_ATTEMPTS
        values = {"status": "gave_up" if final else "failed", "response_code": error.code,
                  "last_error": str(error)[:500],
                  "next_attempt_at": now + backoff(work.attempts)}
    except Exception as error:  # noqa: BLE001 - one bad delivery fails alone, for good
        current_app.logger.exception("delivery %s failed unexpectedly", delivery_id)
        db.session.rollback()
        values = {"status": "gave_up", "response_code": None,
                  "last_error": f"{type(error).__name__}: {error}"[:500],
                  "next_attempt_at": now + backoff(work.attempts)}
    else:
        values = {"status": "sent", "sent_at": now, "response_code": code, "last_error": None}
    db.session.execute(update(Delivery).where(Delivery.id == delivery_id,
                                              Delivery.status == "sending").values(**values),
                       execution_options={"synchronize_session": False})
    db.session.commit()
    return values["status"]


def _load(delivery_id: int, now: datetime) -> _Work:
    """Everything the send needs, as plain values: nothing is read once the claim is
    committed, so no transaction stays open over the network."""
    row = db.session.execute(
        select(Delivery, Webhook, User.active)
        .outerjoin(Webhook, Webhook.id == Delivery.webhook_id)
        .outerjoin(User, User.id == Delivery.user_id)
        .where(Delivery.id == delivery_id)).one()
    delivery, webhook, person_active = row
    message = Message(delivery.event, delivery.category, delivery.title, delivery.body,
                      public_link(delivery.link), now)
    if webhook is None:
        return _Work(delivery.channel, delivery.attempts, message, address=delivery.address,
                     person_active=bool(person_active))
    return _Work(delivery.channel, delivery.attempts, message, kind=webhook.kind,
                 url=webhook.url, secret=webhook.secret, webhook_active=webhook.active)


def _send(work: _Work) -> int:
    config = current_app.config
    if work.channel == "email":
        if not work.person_active:
            raise SendError("the recipient's account is deactivated", permanent=True)
        if not email_configured():
            raise SendError("e-mail is not set up (SMTP_HOST, MAIL_FROM)")
        mail = email.compose(work.message, config["MAIL_FROM"], work.address,
                             _email_text(work.message))
        return email.send(config, mail)
    if not work.webhook_active:
        raise SendError("the webhook is deactivated", permanent=True)
    webhooks.check_destination(work.url, bool(config.get("WEBHOOK_ALLOW_PRIVATE")))
    url, body, headers = webhooks.build(work.kind, work.url, work.secret, work.message)
    return webhooks.post(work.kind, url, body, headers)


def _email_text(message: Message) -> str:
    parts = [message.body.strip()] if message.body.strip() else []
    if message.link:
        parts.append(_("Open in the portal: %(link)s", link=message.link))
    category = CATEGORY_LABELS.get(message.category, message.category)
    note = _("You get this e-mail because you chose e-mail for \"%(category)s\" in your "
             "notification preferences.", category=category)
    preferences = public_link(path_for("notify.preferences"))
    if preferences:
        note += " " + preferences
    parts.append("-- \n" + note)
    return "\n\n".join(parts)
