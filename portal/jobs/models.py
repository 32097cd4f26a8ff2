"""What the scheduler remembers: one row per job run, and one per job for its lock."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.database import UTCDateTime
from portal.extensions import db

RUN_STATUSES = ("requested", "running", "succeeded", "failed", "gave_up", "skipped")


class JobRun(db.Model):
    """One run of a job for one scheduled slot. The unique (job, slot) pair is what makes a
    run happen once: whoever inserts the row first does the work."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_name", "scheduled_for"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(80), index=True)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(12), default="scheduled")  # or "manual"
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    runner: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    error: Mapped[str | None] = mapped_column(Text)


class JobLock(db.Model):
    """One row per job: held (row lock on PostgreSQL, a lease on SQLite) while it runs, so
    two schedulers never run the same job at the same time."""

    __tablename__ = "job_locks"
    job_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchedulerBeat(db.Model):
    """Each scheduler process says it is alive, so the jobs page can tell if none is."""

    __tablename__ = "scheduler_beats"
    runner: Mapped[str] = mapped_column(String(80), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
