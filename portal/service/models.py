"""Tables of local service (本地化服务): customers' service tickets against a partner and
the published service rule (how fast a first response and a resolution should come).

A ticket keeps the rule version in force when it was opened, so a later rule never
rewrites whether an old ticket was answered in time. Times are the ticket's own
(opened, first response, resolved), entered in the portal, sent by API in idempotent
batches (`client_id`, as visits) or imported from CSV. Satisfaction is one answer on the
scale the ticket was asked on: CSAT 1–5 or NPS 0–10."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

CHANNELS = ("portal", "api", "csv")
SCALES = ("csat", "nps")
SCALE_RANGE = {"csat": (1, 5), "nps": (0, 10)}


class ServiceRule(db.Model):
    """One version of the service targets, in force from `effective_from`."""

    __tablename__ = "service_rules"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    first_response_hours: Mapped[int] = mapped_column(Integer, default=4)
    resolution_hours: Mapped[int] = mapped_column(Integer, default=48)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Ticket(db.Model):
    """A customer's service issue against a partner."""

    __tablename__ = "service_tickets"
    __audited__ = True
    __table_args__ = (UniqueConstraint("partner_id", "client_id"),
                      Index("ix_service_tickets_partner_opened", "partner_id", "opened_at"),
                      Index("ix_service_tickets_opened_partner", "opened_at", "partner_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    # The entry's id from the form, the file or the caller: a retry is the same ticket.
    client_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    town_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(8), default="portal")
    rule_id: Mapped[int] = mapped_column(ForeignKey("service_rules.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    satisfaction_scale: Mapped[str | None] = mapped_column(String(4))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    partner = relationship("Partner")
    customer = relationship("Customer")
    town = relationship("Region")
    rule = relationship("ServiceRule")
    assignee = relationship("User", foreign_keys=[assignee_id])
