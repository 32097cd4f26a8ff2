"""Tables of results and targets.

Money is kept in fen (分, integer hundredths of a yuan): sums are exact on every
database. An order belongs to its salesperson's partner and team as they were when it
was recorded, like a visit; `paid_fen` is the sum of the payments against it, kept with
each payment, so an order's open amount is one subtraction. An order `developed` its
customer when it was the customer's first and the customer was not existing before it
(新客户开发). `result_days` holds one row per person and business day with the counts the
pages read, kept in the same transaction as each write (`portal.results.rollups`).

A target is one figure for one subject (a partner, a team or a person), month and
metric; `lines` keeps the three reference lines as they were shown when it was set."""
from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

# What a target may be set on: counts from habit_days and result_days, money in fen.
METRICS = ("visits", "effective", "new_customers", "orders", "revenue_fen", "payments_fen")
MONEY = ("revenue_fen", "payments_fen")
LEVELS = ("partner", "team", "person")


class Order(db.Model):
    """An order closed (缔结订单) with a customer of the partner by one salesperson."""

    __tablename__ = "orders"
    __audited__ = True
    __table_args__ = (UniqueConstraint("partner_id", "client_id"),
                      Index("ix_orders_partner_day", "partner_id", "ordered_on"),
                      Index("ix_orders_salesperson_day", "salesperson_id", "ordered_on"),
                      Index("ix_orders_customer_day", "customer_id", "ordered_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    # The entry's id from the form, the file or the partner's CRM: a retry is the same order.
    client_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    ordered_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    product_line: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    paid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    developed: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    customer = relationship("Customer")
    salesperson = relationship("User", foreign_keys=[salesperson_id])
    payments = relationship("Payment", back_populates="order", order_by="Payment.id")

    @property
    def open_fen(self) -> int:
        return self.amount_fen - self.paid_fen


class Payment(db.Model):
    """A payment collected (收款) from a customer, against one of its orders or not."""

    __tablename__ = "payments"
    __audited__ = True
    __table_args__ = (UniqueConstraint("partner_id", "client_id"),
                      Index("ix_payments_partner_day", "partner_id", "received_on"),
                      Index("ix_payments_salesperson_day", "salesperson_id", "received_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    customer = relationship("Customer")
    salesperson = relationship("User", foreign_keys=[salesperson_id])
    order = relationship("Order", back_populates="payments")


class ResultDay(db.Model):
    """One person's results for one business day, kept in step with every write."""

    __tablename__ = "result_days"
    __table_args__ = (UniqueConstraint("user_id", "day"),
                      Index("ix_result_days_partner_day", "partner_id", "day"),
                      Index("ix_result_days_team_day", "team_id", "day"),
                      Index("ix_result_days_day_partner", "day", "partner_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    orders: Mapped[int] = mapped_column(Integer, default=0)
    revenue_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    payments: Mapped[int] = mapped_column(Integer, default=0)
    payments_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    new_customers: Mapped[int] = mapped_column(Integer, default=0)


RESULT_COUNTS = ("orders", "revenue_fen", "payments", "payments_fen", "new_customers")


class Target(db.Model):
    """A monthly target (月目标) for a partner, a team or a person on one metric."""

    __tablename__ = "targets"
    __audited__ = True
    __table_args__ = (UniqueConstraint("subject", "month", "metric"),
                      Index("ix_targets_partner_month", "partner_id", "month"))
    id: Mapped[int] = mapped_column(primary_key=True)
    # "partner:<id>", "team:<id>" or "person:<id>": one key whatever the level.
    subject: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    month: Mapped[date] = mapped_column(Date)  # the month's first day
    metric: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger)
    # The reference lines shown when it was set: {"peak": {...}, "start": {...}, ...}.
    lines: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set below the starting line or above the peak, and confirmed as such.
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
