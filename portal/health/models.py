"""The health domain's tables: the published rule (versions with an effective month) and
the monthly figures (one row per partner, team and person and month, its raw counts and
the scores the rule in force that month gives them).

A `HealthMonth` row keeps numerators and denominators, never rates: a team's row is the
sum of its people's, a partner's the sum of all its people's, so every rate above a
person is per person by construction and a big partner weighs no more than a small one.
A denominator of 0 is "no data" for the measures that use it."""
from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Date, Float, ForeignKey, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

LEVELS = ("partner", "team", "person")
PARTS = ("performance", "process", "growth")

# The raw counts of a month, in the order the figures are computed (`figures.py`).
COUNTS = (
    # who and for how long: working person-days present, of them salespeople's
    "person_days", "sales_days", "headcount", "people_start", "people_left", "joined",
    "new_hires", "new_hires_active",
    # results and the month's targets (prorated to the working days gone this month)
    "orders", "revenue_fen", "payments_fen", "new_customers",
    "target_orders", "target_revenue_fen", "target_payments_fen", "target_new_customers",
    # habits
    "visits", "effective", "follow_ups_due", "follow_ups_in_time", "logged_days",
    "customers_kept", "customers_forgotten",
    # growth: training, exams, acknowledgements
    "enrol_total", "enrol_done", "exam_assigned", "exam_covered", "attempts",
    "attempts_passed", "acks_due", "acks_done", "acks_on_time",
)
TARGETED = {"target_orders": "orders", "target_revenue_fen": "revenue_fen",
            "target_payments_fen": "payments_fen", "target_new_customers": "new_customers"}


class HealthRule(db.Model):
    """One version of the team-health rule: the parts' weights, each measure's weight
    inside its part, and the norms that turn a per-person figure into a score. It judges
    the months from `effective_month` on, until a later version."""

    __tablename__ = "health_rules"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_month: Mapped[date] = mapped_column(Date, index=True)  # a month's first day
    # {"parts": {part: weight}, "measures": {code: weight}, "norms": {code: number}}
    weights: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(2000), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class HealthMonth(db.Model):
    """A partner's, team's or person's health for one month, as last computed."""

    __tablename__ = "health_months"
    __table_args__ = (UniqueConstraint("month", "subject"),
                      Index("ix_health_months_month_level_partner", "month", "level",
                            "partner_id"),
                      Index("ix_health_months_month_level_overall", "month", "level",
                            "overall"),
                      Index("ix_health_months_partner_month", "partner_id", "month"))
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    # "partner:<id>", "team:<id>" or "person:<id>", as targets name their subjects.
    subject: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("health_rules.id"))
    # The month's working days counted (up to yesterday in the month under way) and its
    # calendar days counted: the same for every row of a month.
    work_days: Mapped[int] = mapped_column(Integer, default=0)
    days: Mapped[int] = mapped_column(Integer, default=0)
    performance: Mapped[float | None] = mapped_column(Float)
    process: Mapped[float | None] = mapped_column(Float)
    growth: Mapped[float | None] = mapped_column(Float)
    overall: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    rule = relationship("HealthRule")
    partner = relationship("Partner")
    team = relationship("Team")
    person = relationship("User")


for _name in COUNTS:  # the raw counts, all integers (money in fen)
    setattr(HealthMonth, _name, mapped_column(
        _name, BigInteger if _name.endswith("_fen") else Integer, nullable=True
        if _name in TARGETED else False, default=None if _name in TARGETED else 0))


class HealthRun(db.Model):
    """One computation of a month: when, through which day, by which rule, how many rows
    and how long it took — what the pages say about the figures' freshness."""

    __tablename__ = "health_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    through: Mapped[date] = mapped_column(Date)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("health_rules.id"))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    trigger: Mapped[str] = mapped_column(String(16), default="job")

    rule = relationship("HealthRule")


NUDGE_KINDS = ("logging", "follow_ups", "forgotten")


class HealthNudge(db.Model):
    """An owner's or team lead's one-tap reminder to one of its people about a habit on
    its home page's to-dos: no visit logged this week, follow-ups overdue, customers
    forgotten. The last one per person and kind sets when the next may go."""

    __tablename__ = "health_nudges"
    __audited__ = True
    __table_args__ = (Index("ix_health_nudges_user_kind", "user_id", "kind", "sent_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    count: Mapped[int] = mapped_column(Integer, default=0)  # what the to-do counted


class AssessmentWeights(db.Model):
    """A partner owner's weights for assessing its people (results, ability, attitude),
    inside the limits of the health rule in force; without a row the rule's defaults."""

    __tablename__ = "assessment_weights"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), unique=True)
    results: Mapped[int] = mapped_column(Integer)
    ability: Mapped[int] = mapped_column(Integer)
    attitude: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
