"""The contests domain's tables: a contest (日常短期激励 / PK) set up by a channel manager
between its partners or by an owner between its teams or its people, who takes part,
and the final standings frozen when it ends (so history never changes afterwards).

While a contest runs its standings are computed from the roll-ups whenever they are
shown (`portal.contests.standings`); only the final ones are stored."""
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

# What a contest ranks on: each a rate (see `portal.contests.standings`).
METRICS = ("effective_per_day", "follow_up_rate", "new_customers_per_person",
           "revenue_vs_target", "exam_pass_rate")
# Who takes part: a channel manager's partners, an owner's teams or people.
LEVELS = ("partner", "team", "person")
# What a participant sees: its own standing and the thresholds, or everyone's rank.
BOARDS = ("own", "full")
# A participant's place in the standings.
RANKED, TOO_SMALL, NO_DATA = "ranked", "too_small", "no_data"
STATUSES = (RANKED, TOO_SMALL, NO_DATA)
MAX_DAYS = 92
MIN_PEOPLE_MAX = 1000


class Contest(db.Model):
    """One contest: its name, metric, days (business-calendar dates, both included), who
    takes part and what the board shows."""

    __tablename__ = "contests"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    metric: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(8))
    # The organiser's partner when an owner organises (its teams or people), else None.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    min_people: Mapped[int | None] = mapped_column(Integer)
    board: Mapped[str] = mapped_column(String(8), default="own")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once by the end job, with the frozen standings and the announcement.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser = relationship("User", foreign_keys=[organiser_id])
    partner = relationship("Partner")
    entries = relationship("ContestEntry", back_populates="contest",
                           cascade="all, delete-orphan", order_by="ContestEntry.id")

    def state(self, today: date) -> str:
        """"cancelled", "upcoming", "running" or "ended" on business day `today`."""
        if self.cancelled_at is not None:
            return "cancelled"
        if today < self.starts_on:
            return "upcoming"
        return "running" if today <= self.ends_on else "ended"


class ContestEntry(db.Model):
    """One participant of a contest: a partner, a team or a person (the partner is
    always kept, so scopes and notifications need no join)."""

    __tablename__ = "contest_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    contest = relationship("Contest", back_populates="entries")
    partner = relationship("Partner")
    team = relationship("Team")
    user = relationship("User")


class ContestStanding(db.Model):
    """A participant's final standing, frozen when the contest ended: the participant's
    name as it then was, the rate's numerator and denominator, its people, rate, rank."""

    __tablename__ = "contest_standings"
    __table_args__ = (UniqueConstraint("contest_id", "entry_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"),
                                            index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id",
                                                     ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    numerator: Mapped[float] = mapped_column(Float, default=0)
    denominator: Mapped[float] = mapped_column(Float, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    rate: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(Integer)  # the order the board lists it in
