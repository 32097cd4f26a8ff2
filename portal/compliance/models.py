"""Tables of good faith (守信): verified violations a channel manager enters against a
partner, with evidence and the partner's answer, and the partner's payments due to the
principal (契约: paid on time or not).

A violation is entered as verified, with its evidence; the partner sees it and may
answer once; a channel manager may withdraw it with a reason (then it no longer counts).
A due is one amount the partner owes the principal by a date; it is paid on time when
`paid_on` is on or before `due_on` and the whole amount is paid."""
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

VIOLATION_KINDS = ("pricing", "territory", "contract")
VIOLATION_STATES = ("verified", "withdrawn")


class Violation(db.Model):
    """A verified violation by a partner."""

    __tablename__ = "violations"
    __audited__ = True
    __table_args__ = (Index("ix_violations_partner_day", "partner_id", "occurred_on"),
                      Index("ix_violations_day_partner", "occurred_on", "partner_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    kind: Mapped[str] = mapped_column(String(10))
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="verified")
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(String(500), default="")

    partner = relationship("Partner")
    files = relationship("ViolationFile", back_populates="violation",
                         order_by="ViolationFile.id", cascade="all, delete-orphan")


class ViolationFile(db.Model):
    """A file of evidence for a violation (stored by content hash, `portal.core.files`)."""

    __tablename__ = "violation_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id", ondelete="CASCADE"),
                                              index=True)
    # Evidence from the principal's side, or attached to the partner's answer.
    side: Mapped[str] = mapped_column(String(8), default="evidence")
    stored_name: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    violation = relationship("Violation", back_populates="files")


class Due(db.Model):
    """An amount a partner owes the principal by a date, and when it was paid."""

    __tablename__ = "principal_dues"
    __audited__ = True
    __table_args__ = (UniqueConstraint("partner_id", "reference"),
                      Index("ix_principal_dues_partner_due", "partner_id", "due_on"),
                      Index("ix_principal_dues_due_partner", "due_on", "partner_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    # The invoice or contract reference: one due per reference and partner (imports are
    # idempotent on it).
    reference: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    partner = relationship("Partner")
