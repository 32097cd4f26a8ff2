"""Tables of the reports an auditor can trust: each generated report (what was asked for,
for whom, its progress while a worker makes it, and the SHA-256 of the PDF it produced),
and every download of one.

A report is requested (queued), claimed by exactly one worker (running), and ends done
(its PDF and CSV stored under instance/reports by content hash) or failed (with the
reason). Its verification code is short enough to type; the checksum is what the
verification page compares an uploaded PDF against."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

STATES = ("queued", "running", "done", "failed")
FORMATS = ("pdf", "csv")


class Report(db.Model):
    """One generated (or waiting) report of a kind, for a scope and a period."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_state_requested", "state", "requested_at"),
                      Index("ix_reports_partner_requested", "partner_id", "requested_at"),
                      Index("ix_reports_requester_requested", "requested_by", "requested_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The kind's parameters as the form gave them (partner, month, exam, dates…).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # The one partner the report is about (its owner reads it), or none (principal-wide).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    month: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300), default="")
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    # The portal's address as the requester reached it, for the PDF's verification link
    # when PUBLIC_URL is not set.
    base_url: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0–100
    step: Mapped[str] = mapped_column(String(40), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    # None: asked for by a person; else the monthly pack job that made it.
    pack: Mapped[str | None] = mapped_column(String(20))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the data it reports was read (the cover's "as of").
    as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    pdf_bytes: Mapped[int | None] = mapped_column(Integer)
    pdf_pages: Mapped[int | None] = mapped_column(Integer)
    csv_sha256: Mapped[str | None] = mapped_column(String(64))

    partner = relationship("Partner")
    requester = relationship("User", foreign_keys=[requested_by])


class ReportDownload(db.Model):
    """Someone downloaded a report's PDF or CSV."""

    __tablename__ = "report_downloads"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    format: Mapped[str] = mapped_column(String(3))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user = relationship("User")
