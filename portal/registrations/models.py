"""Tables of customer registration (客户报备) and protection (保护期).

A registration is one partner's claim on a prospect, judged by the registration rule in
force when it was filed (kept as `rule_id`, so a later rule never rewrites an old
verdict). It carries the prospect's de-duplication keys — credit code, phone digits and
the normalised name in its town — with an index on each, so a look-up against every
partner's registrations reads a handful of rows however many there are.

Protection ends at `expires_at`: derived from the clock, never flipped by a job. A live
registration is `status == "protected"` and `expires_at > now`; an expired one's
customer is back in the open pool (公海) unless someone holds it again. Effective visits
to the customer push `expires_at` out by the rule's days, up to its maximum.

A conflict between two partners on one customer is a case with both sides' evidence,
decided by a channel manager with a reason; the side the decision goes against is the
one that `caused` it (conflicts caused per 100 registrations is a fairness measure)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

# review: waiting for a person; protected: held (live until expires_at); refused: never
# held; released: given up by its partner or lost in a case before it expired.
STATUSES = ("review", "protected", "refused", "released")
SOURCES = ("book", "new", "pool")
# Why a registration was refused or sent to review, in the rule's published order.
REASONS = ("direct_account", "outside_territory", "protected", "under_review", "cooldown",
           "live_cap", "daily_cap", "recent_orders", "refused_in_review")
OUTSIDE_TERRITORY = ("refuse", "review", "allow")
CASE_STATES = ("open", "decided")
CASE_DECISIONS = ("holder", "challenger")


class RegistrationRule(db.Model):
    """One version of the registration rule, in force from `effective_from` until the next
    version's. Published versions never change; a new one takes effect no earlier than
    it is published."""

    __tablename__ = "registration_rules"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    protection_days: Mapped[int] = mapped_column(Integer, default=90)
    days_per_effective_visit: Mapped[int] = mapped_column(Integer, default=7)
    max_extension_days: Mapped[int] = mapped_column(Integer, default=60)
    live_cap: Mapped[int] = mapped_column(Integer, default=100)
    daily_cap: Mapped[int] = mapped_column(Integer, default=10)
    cooldown_days: Mapped[int] = mapped_column(Integer, default=30)
    warn_days: Mapped[int] = mapped_column(Integer, default=3)
    outside_territory: Mapped[str] = mapped_column(String(8), default="refuse")
    # A customer with an order (to any partner) this recently goes to manual review.
    review_recent_order_days: Mapped[int | None] = mapped_column(Integer, default=90)
    # Hours a channel manager has to decide a review or a conflict case.
    decision_hours: Mapped[int] = mapped_column(Integer, default=72)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class DirectAccount(db.Model):
    """A customer under contract with the principal itself: no partner may register it."""

    __tablename__ = "direct_accounts"
    __audited__ = True
    __audit_ignore__ = ("name_norm",)  # follows the name
    __table_args__ = (Index("ix_direct_accounts_town_norm", "town_code", "name_norm"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_norm: Mapped[str] = mapped_column(String(120))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    town_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Registration(db.Model):
    """One partner's registration of a prospect."""

    __tablename__ = "registrations"
    __audited__ = True
    __audit_ignore__ = ("name_norm", "phone_norm")  # follow the name and the phone
    __table_args__ = (Index("ix_registrations_uscc_status", "uscc", "status"),
                      Index("ix_registrations_phone_status", "phone_norm", "status"),
                      Index("ix_registrations_town_norm_status", "town_code", "name_norm",
                            "status"),
                      Index("ix_registrations_partner_status_expiry", "partner_id", "status",
                            "expires_at"),
                      Index("ix_registrations_partner_requested", "partner_id",
                            "requested_at"),
                      Index("ix_registrations_status_expiry", "status", "expires_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    source: Mapped[str] = mapped_column(String(8), default="book")
    name: Mapped[str] = mapped_column(String(120))
    name_norm: Mapped[str] = mapped_column(String(120))
    uscc: Mapped[str | None] = mapped_column(String(18))
    phone_norm: Mapped[str | None] = mapped_column(String(20))
    town_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    note: Mapped[str] = mapped_column(String(500), default="")
    rule_id: Mapped[int] = mapped_column(ForeignKey("registration_rules.id"))
    status: Mapped[str] = mapped_column(String(10))
    # Why it was refused or sent to review (REASONS), and what the rule saw.
    reason: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    protected_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended_days: Mapped[int] = mapped_column(Integer, default=0)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A review's deadline and outcome.
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner = relationship("Partner")
    customer = relationship("Customer")
    rule = relationship("RegistrationRule")
    town = relationship("Region")
    requester = relationship("User", foreign_keys=[requested_by])


class ConflictCase(db.Model):
    """Two partners on one customer: the holder's registration against the challenger's."""

    __tablename__ = "conflict_cases"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    challenger_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    holder_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    challenger_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    state: Mapped[str] = mapped_column(String(8), default="open", index=True)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(10))
    # The partner the decision went against: the one that caused the conflict.
    caused_by_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"),
                                                             index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    holder = relationship("Registration", foreign_keys=[holder_id])
    challenger = relationship("Registration", foreign_keys=[challenger_id])
    evidence = relationship("CaseEvidence", back_populates="case",
                            order_by="CaseEvidence.id")


class CaseEvidence(db.Model):
    """One side's piece of evidence in a case: a statement and optionally a file."""

    __tablename__ = "case_evidence"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("conflict_cases.id", ondelete="CASCADE"),
                                         index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    file_hash: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(120))
    file_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    case = relationship("ConflictCase", back_populates="evidence")
    author = relationship("User")


def live(at: datetime):
    """SQL: the registrations that hold their customer at `at`."""
    return (Registration.status == "protected") & (Registration.expires_at > at)


def pending():
    """SQL: the registrations waiting for a review."""
    return Registration.status == "review"


