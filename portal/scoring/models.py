"""Tables of partner scoring: the criteria catalogue in its versions, the scorecards each
period, the appeals against them, and the tier changes they lead to.

A `CriteriaSet` is one version of the criteria: drafted by the principal's admin,
published to partners before the first month it judges (`effective_month`), open for
their comments until that month begins, frozen from then on. It judges every month from
its effective month until the next published version's. Each `Criterion` reads one
metric (a registry in code, `portal.scoring.metrics`), maps the metric to 0–100 points
(linear between two anchors, or thresholds) and weighs them; the set's `tiers` say which
total (and which floor on every criterion) each tier needs.

A `Scorecard` is one partner's month under one set, as last computed: open while the
month runs, frozen when the period closes. Each `ScoreLine` keeps the metric's value
with its numerator and denominator, the points, the weight renormalised over the
criteria with data, and where the figure came from. An accepted appeal leaves a
`ManualValue`, which every later computation of that month uses instead of the metric."""
from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

GROUPS = ("fairness", "local_service", "enablement", "results")
DIRECTIONS = ("higher", "lower")
MAPPINGS = ("linear", "thresholds")
SET_STATES = ("draft", "published")
APPEAL_STATES = ("open", "accepted", "rejected")
TIER_CHANGE_STATES = ("applied", "pending", "confirmed", "kept")


class CriteriaSet(db.Model):
    """One version of the scoring criteria."""

    __tablename__ = "criteria_sets"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_month: Mapped[date] = mapped_column(Date, index=True)  # a month's first day
    state: Mapped[str] = mapped_column(String(10), default="draft")
    note: Mapped[str] = mapped_column(Text, default="")
    # Best tier first: [{"tier": "A", "min_total": 85, "min_each": 1}, ...]
    tiers: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    criteria = relationship("Criterion", back_populates="criteria_set",
                            order_by="Criterion.position", cascade="all, delete-orphan")
    comments = relationship("CriteriaComment", back_populates="criteria_set",
                            order_by="CriteriaComment.id", cascade="all, delete-orphan")


class Criterion(db.Model):
    """One criterion of a set: the metric it reads, how the metric becomes points, and
    its weight (a set's weights add up to 100)."""

    __tablename__ = "criteria"
    __audited__ = True
    __table_args__ = (UniqueConstraint("set_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id", ondelete="CASCADE"),
                                        index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    group: Mapped[str] = mapped_column(String(16))
    metric: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(6))
    mapping: Mapped[str] = mapped_column(String(10), default="linear")
    # linear: {"zero": value worth 0 points, "full": value worth 100};
    # thresholds: {"steps": [[value, points], ...]} from the worst value to the best.
    anchors: Mapped[dict] = mapped_column(JSON, default=dict)
    weight: Mapped[int] = mapped_column(Integer)

    criteria_set = relationship("CriteriaSet", back_populates="criteria")


class CriteriaComment(db.Model):
    """A partner's comment on a published version before it applies, or the principal's
    reply (no partner)."""

    __tablename__ = "criteria_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id", ondelete="CASCADE"),
                                        index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    criterion_code: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    criteria_set = relationship("CriteriaSet", back_populates="comments")
    author = relationship("User")
    partner = relationship("Partner")


class Scorecard(db.Model):
    """A partner's score for one month under one criteria version."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("partner_id", "month"),
                      Index("ix_scorecards_month_tier_total", "month", "tier", "total"))
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    month: Mapped[date] = mapped_column(Date)
    set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"))
    # The partner's tier when computed: ranks and percentiles are among this tier.
    tier: Mapped[str] = mapped_column(String(1))
    total: Mapped[float | None] = mapped_column(Float)
    # The best tier whose gates the score passes.
    earned_tier: Mapped[str | None] = mapped_column(String(1))
    rank: Mapped[int | None] = mapped_column(Integer)
    ranked: Mapped[int | None] = mapped_column(Integer)  # partners of the tier with a total
    percentile: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner = relationship("Partner")
    criteria_set = relationship("CriteriaSet")
    lines = relationship("ScoreLine", back_populates="scorecard", order_by="ScoreLine.position",
                         cascade="all, delete-orphan")


class ScoreLine(db.Model):
    """One criterion on a scorecard."""

    __tablename__ = "score_lines"
    __table_args__ = (UniqueConstraint("scorecard_id", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)  # None: no data
    points: Mapped[float | None] = mapped_column(Float)
    share: Mapped[float | None] = mapped_column(Float)  # weight renormalised, 0–1
    contribution: Mapped[float | None] = mapped_column(Float)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)

    scorecard = relationship("Scorecard", back_populates="lines")
    criterion = relationship("Criterion")


class ManualValue(db.Model):
    """A corrected metric value for one partner, month and criterion, from an accepted
    appeal: every computation of that month uses it instead of the metric."""

    __tablename__ = "score_manual_values"
    __audited__ = True
    __table_args__ = (UniqueConstraint("partner_id", "month", "criterion_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    month: Mapped[date] = mapped_column(Date, index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    value: Mapped[float] = mapped_column(Float)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id"))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Appeal(db.Model):
    """An owner's appeal against one criterion's value on its scorecard."""

    __tablename__ = "appeals"
    __audited__ = True
    __table_args__ = (Index("ix_appeals_state_due", "state", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    month: Mapped[date] = mapped_column(Date)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    # The value on the scorecard when the appeal was filed, and the one the owner claims.
    appealed_value: Mapped[float | None] = mapped_column(Float)
    claimed_value: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="open")
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrected_value: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    partner = relationship("Partner")
    scorecard = relationship("Scorecard")
    criterion = relationship("Criterion")
    filer = relationship("User", foreign_keys=[filed_by])
    messages = relationship("AppealMessage", back_populates="appeal",
                            order_by="AppealMessage.id", cascade="all, delete-orphan")


class AppealMessage(db.Model):
    """One message in an appeal's thread, with evidence (text and optionally a file)."""

    __tablename__ = "appeal_messages"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    file_hash: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(120))
    file_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    appeal = relationship("Appeal", back_populates="messages")
    author = relationship("User")


class TierChange(db.Model):
    """A tier change a month's score leads to: a promotion is applied at once, a demotion
    waits for a person's review (confirmed, or the tier is kept) with a reason."""

    __tablename__ = "tier_changes"
    __audited__ = True
    __table_args__ = (UniqueConstraint("partner_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    month: Mapped[date] = mapped_column(Date)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    from_tier: Mapped[str] = mapped_column(String(1))
    to_tier: Mapped[str] = mapped_column(String(1))
    state: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    partner = relationship("Partner")


class ScoringRun(db.Model):
    """One computation of a month's scorecards: all partners (a close or the job) or one."""

    __tablename__ = "scoring_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    trigger: Mapped[str] = mapped_column(String(16), default="job")
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
