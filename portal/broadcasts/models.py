"""Tables of broadcasts: versions, their audience, attachments, comprehension checks and
one receipt per recipient.

Visibility is derived from the clock: a broadcast is visible to its recipients from
`publish_at` on, whether or not any job has run. Receipts are written when the broadcast
is published (scheduled), in one INSERT ... SELECT over the resolved audience."""
from datetime import datetime

from sqlalchemy import (JSON, Boolean, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

CATEGORIES = ("policy", "notice", "training")


class Broadcast(db.Model):
    """One version of a broadcast. A new version (`supersedes_id`) shares the `series_id`
    of the first; the old one stays readable in the history."""

    __tablename__ = "broadcasts"
    __audited__ = True
    __audit_ignore__ = ("body_html", "notified_at")
    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # sanitised rendering of body_md
    category: Mapped[str] = mapped_column(String(12))
    # {"provinces": [...], "cities": [...], "tiers": [...], "structures": [...],
    #  "partner_ids": [...], "roles": [...]}; an empty list means "any".
    audience: Mapped[dict] = mapped_column(JSON)
    requires_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    ack_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # None: draft
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author = relationship("User", foreign_keys=[created_by])
    attachments = relationship("Attachment", back_populates="broadcast",
                               order_by="Attachment.id", cascade="all, delete-orphan")
    questions = relationship("CheckQuestion", back_populates="broadcast",
                             order_by="CheckQuestion.position", cascade="all, delete-orphan")

    @property
    def is_published(self) -> bool:
        return self.publish_at is not None and self.publish_at <= now()


class Attachment(db.Model):
    """A file under instance/, served only to recipients, always as a download."""

    __tablename__ = "broadcast_attachments"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"),
                                              index=True)
    filename: Mapped[str] = mapped_column(String(200))     # as uploaded, for display
    stored_name: Mapped[str] = mapped_column(String(80))   # content hash on disk
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)

    broadcast = relationship("Broadcast", back_populates="attachments")


class CheckQuestion(db.Model):
    """A comprehension question: the acknowledgement counts once all are answered right."""

    __tablename__ = "broadcast_questions"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"),
                                              index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(String(500))
    options: Mapped[list] = mapped_column(JSON)   # ["...", "...", ...]
    correct: Mapped[int] = mapped_column(Integer)  # index into options

    broadcast = relationship("Broadcast", back_populates="questions")


class Receipt(db.Model):
    """One recipient of one broadcast version. Partner, team and role are copied at
    publication so reach is aggregated without joins and keeps its history."""

    __tablename__ = "broadcast_receipts"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "user_id"),
        Index("ix_broadcast_receipts_user", "user_id", "broadcast_id"),
        Index("ix_broadcast_receipts_reach", "broadcast_id", "partner_id", "role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    role: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_failures: Mapped[int] = mapped_column(Integer, default=0)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
