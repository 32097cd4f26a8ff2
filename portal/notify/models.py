"""Tables of notifications: the in-app inbox, channel preferences, partner webhooks and the
delivery log of everything sent outside the portal."""
from datetime import datetime

from sqlalchemy import (Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        literal)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db



def _categories() -> tuple[str, ...]:
    from portal.domains import notification_categories
    return tuple(notification_categories())


# Every domain names the categories it notifies in (its manifest's `notifications`).
CATEGORIES = _categories()
CHANNELS = ("in_app", "email", "webhook")
# What a person gets when they never touched their preferences.
CHANNEL_DEFAULTS = {"in_app": True, "email": False, "webhook": True}
# Policy reaches everyone in the portal, whatever they chose.
ALWAYS_IN_APP = ("policy",)
WEBHOOK_KINDS = ("dingtalk", "wecom", "generic")
DELIVERY_CHANNELS = ("email", "webhook")
# pending: waiting for its first attempt; failed: the last attempt failed, another is due
# at next_attempt_at; sending: claimed by a process right now; sent and gave_up are final.
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "gave_up")


class Notification(db.Model):
    """One message in one person's inbox. Written in bulk by `notify`, never audited."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(db.Model):
    """A person's choice for one category on one channel; absent means the default."""

    __tablename__ = "notification_preferences"
    __audited__ = True
    __table_args__ = (UniqueConstraint("user_id", "category", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    enabled: Mapped[bool] = mapped_column(Boolean)


class Webhook(db.Model):
    """A chat-group robot (DingTalk, WeCom) or a JSON endpoint of one partner."""

    __tablename__ = "webhooks"
    __audited__ = True
    # The URL of a WeCom robot carries its key, a DingTalk one its access token.
    __audit_exclude__ = ("url", "secret")
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))
    # Comma-separated category codes, so a subscription can be matched in SQL.
    categories: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    partner = relationship("Partner")

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]

    @classmethod
    def subscribes(cls, category: str):
        """SQL condition: the webhook receives `category`."""
        return (literal(",") + cls.categories + literal(",")).contains(f",{category},")

    def __repr__(self):
        return f"<Webhook {self.id} {self.kind} partner={self.partner_id}>"


class Delivery(db.Model):
    """One message to send outside the portal (an e-mail to a person, or a group message to
    a webhook) and what happened when we tried."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    # Which call of notify() this came from; receivers can use it to drop duplicates.
    event: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                index=True)
    address: Mapped[str | None] = mapped_column(String(120))
    webhook_id: Mapped[int | None] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"),
                                                   index=True)
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    response_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    webhook = relationship("Webhook")
    user = relationship("User")

    @property
    def target(self) -> str:
        return self.address if self.channel == "email" else f"#{self.webhook_id}"
