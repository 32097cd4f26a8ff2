"""Tables of sales habits: each partner's customer book, the published effective-visit
rule in its versions, visits with their flags, follow-ups, and the per-person daily
roll-ups every habits page reads.

A customer belongs to one partner; its name is kept normalised beside it (for "did you
mean…?" inside the partner, and later for registration across partners) and with its
pinyin sort key. A visit keeps the rule version that judged it and what the rule saw
(distance, decision maker, next step), so a later rule never rewrites an old verdict.
`habit_days` holds one row per person and business day with the counts the pages show;
each write updates it in its own transaction (`portal.habits.rollups`)."""
from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.collation import KEY_LENGTH, key_default, sort_key_of
from portal.core.database import UTCDateTime
from portal.extensions import db

# 现有客户, 未加入客户, 每天新增的客户
CLASSES = ("existing", "prospect", "new")
KINDS = ("first", "follow_up")
OUTCOMES = ("interested", "needs_time", "quoted", "order_promised", "ordered",
            "not_interested", "not_met")
FLAG_REASONS = ("far_from_customer", "reused_photo", "impossible_travel", "backdated_burst")
FLAG_STATES = ("open", "cleared", "confirmed")


class Customer(db.Model):
    """A customer in a partner's book, looked after by one salesperson."""

    __tablename__ = "customers"
    __audited__ = True
    __audit_ignore__ = ("name_key", "name_norm")  # follow the name
    __table_args__ = (UniqueConstraint("partner_id", "uscc"),
                      Index("ix_customers_partner_town_norm", "partner_id", "town_code",
                            "name_norm"))
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_norm: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default=key_default("name"))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    town_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(64), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    klass: Mapped[str] = mapped_column(String(10), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Learned from the first visit with a location; later visits show their distance.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    located_by_visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", use_alter=True), index=True)
    first_order_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    owner = relationship("User", foreign_keys=[owner_id])
    town = relationship("Region", foreign_keys=[town_code])
    partner = relationship("Partner", foreign_keys=[partner_id])

    def __repr__(self):
        return f"<Customer {self.id} {self.name}>"


sort_key_of(Customer, "name")


class CustomerClassChange(db.Model):
    """One change of a customer's class, by hand or by its first order."""

    __tablename__ = "customer_class_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    before: Mapped[str | None] = mapped_column(String(10))
    after: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(16))  # created, edited, first_order, import
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    customer = relationship("Customer")


class VisitRule(db.Model):
    """One version of the effective-visit rule (有效拜访), in force from `effective_from`
    until the next version's. Published versions never change; a new one takes effect no
    earlier than it is published, so people see it before it judges them."""

    __tablename__ = "visit_rules"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    needs_decision_maker: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_next_step: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_next_step_date: Mapped[bool] = mapped_column(Boolean, default=True)
    # Applied only when both the visit's and the customer's locations are known.
    max_distance_m: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Visit(db.Model):
    """A salesperson's visit to a customer, as logged (possibly offline, sent later)."""

    __tablename__ = "visits"
    __audited__ = True
    __table_args__ = (UniqueConstraint("user_id", "client_id"),
                      Index("ix_visits_customer_time", "customer_id", "visited_at"),
                      Index("ix_visits_user_time", "user_id", "visited_at"),
                      Index("ix_visits_user_received", "user_id", "received_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    # The device's id for the entry: a retry of the same entry is the same visit.
    client_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)  # visited_at's business day
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    kind: Mapped[str] = mapped_column(String(10))
    decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(16))
    next_step: Mapped[str] = mapped_column(String(200), default="")
    next_step_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    photo: Mapped[str | None] = mapped_column(String(64), index=True)  # stored file's hash
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("visit_rules.id"))
    effective: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the rule saw, part by part: {"decision_maker": true, "distance": [42, 300]...}
    verdict: Mapped[dict] = mapped_column(JSON, default=dict)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Logged more than VISIT_BACKDATED_HOURS after it happened (a burst of these is flagged).
    backdated: Mapped[bool] = mapped_column(Boolean, default=False)

    customer = relationship("Customer", foreign_keys=[customer_id])
    user = relationship("User", foreign_keys=[user_id])
    rule = relationship("VisitRule")
    flags = relationship("VisitFlag", back_populates="visit", order_by="VisitFlag.id")


class VisitFlag(db.Model):
    """Why a visit looks wrong; saved with it, cleared or confirmed by a manager."""

    __tablename__ = "visit_flags"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    reason: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="open", index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(String(200), default="")

    visit = relationship("Visit", back_populates="flags")


class FollowUp(db.Model):
    """The second follow-up (二次跟进) a first visit with a next step asks for, due on a
    day; done by the salesperson's next visit to the customer."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_user_due", "user_id", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    due_on: Mapped[date] = mapped_column(Date)
    done_visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    done_on: Mapped[date | None] = mapped_column(Date)

    visit = relationship("Visit", foreign_keys=[visit_id])
    customer = relationship("Customer")


class HabitDay(db.Model):
    """One person's counts for one business day, kept in step with every write.
    Follow-ups count on their due day: `follow_ups_due` are due that day,
    `follow_ups_in_time` of those were done by then."""

    __tablename__ = "habit_days"
    __table_args__ = (UniqueConstraint("user_id", "day"),
                      Index("ix_habit_days_partner_day", "partner_id", "day"),
                      Index("ix_habit_days_team_day", "team_id", "day"),
                      # A month across every partner (the principal's) by partner.
                      Index("ix_habit_days_day_partner", "day", "partner_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    visits: Mapped[int] = mapped_column(Integer, default=0)
    effective: Mapped[int] = mapped_column(Integer, default=0)
    first_visits: Mapped[int] = mapped_column(Integer, default=0)
    follow_ups_due: Mapped[int] = mapped_column(Integer, default=0)
    follow_ups_in_time: Mapped[int] = mapped_column(Integer, default=0)
    customers_added: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)


ROLLUP_COUNTS = ("visits", "effective", "first_visits", "follow_ups_due",
                 "follow_ups_in_time", "customers_added", "flagged")
