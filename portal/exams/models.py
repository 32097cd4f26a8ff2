"""Tables of the question bank: a stable question identity and its immutable versions.

A question is matched by the `id` written in its file (`key` here). Every change to what a
taker sees creates a new `QuestionVersion`; attempts point at the version they were given,
so an edit never rewrites an answered question. `QuestionTag` repeats a version's tags as
rows so exams can draw questions by tag in SQL."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, ForeignKey, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db
from portal.org.tracks import TRACKS  # noqa: F401 (the column choices)

KINDS = ("single", "multiple", "truefalse", "fill")
SCORINGS = ("all_or_nothing", "partial")


class Question(db.Model):
    """One question of a bank, as long as its id lives; retired when it leaves the files."""

    __tablename__ = "questions"
    __audited__ = True
    __audit_ignore__ = ("source_line",)  # moves whenever lines above it change
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    track: Mapped[str] = mapped_column(String(8), index=True)
    # Set right after the first version is inserted; the two tables refer to each other.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source_file: Mapped[str] = mapped_column(String(300))
    source_line: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    current_version = relationship("QuestionVersion", foreign_keys=[current_version_id],
                                   post_update=True)
    versions = relationship("QuestionVersion", foreign_keys="QuestionVersion.question_id",
                            back_populates="question", order_by="QuestionVersion.number")


class QuestionVersion(db.Model):
    """What a taker saw: never updated once written (its tags excepted, see `sync`)."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    scoring: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)  # [{"text": ..., "text_en": ...}, ...]
    # single: index; multiple: sorted indices; truefalse: bool; fill: accepted strings.
    answer: Mapped[object] = mapped_column(JSON)
    explanation: Mapped[str | None] = mapped_column(Text)
    explanation_en: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    question = relationship("Question", foreign_keys=[question_id], back_populates="versions")


class QuestionTag(db.Model):
    """One tag of one version, for drawing by tag with a join instead of JSON functions."""

    __tablename__ = "question_tags"
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("question_versions.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


# ---------------------------------------------------------------------------------------
# Exams: a scheduled exam, its sittings (windows), who is assigned, overrides, attempts.
# ---------------------------------------------------------------------------------------
EXAM_STATUSES = ("draft", "scheduled", "cancelled")
GRADINGS = ("highest", "last")
REVIEWS = ("never", "after_submit", "after_close")
SUBMITTERS = ("taker", "deadline")


class Exam(db.Model):
    """What a channel manager schedules: the draw (questions per track and tag), the rules
    of taking it, its audience and when it opens, once or on a weekly rhythm.

    `draw` is `[{"track": "staff", "tag": "habits", "count": 3}, ...]` (an empty tag means
    any question of the track); `audience` is a broadcast-style spec (provinces, cities,
    tiers, structures, partner_ids, roles); `recurrence` is None for one window
    (`opens_at`..`closes_at`) or `{"weekdays": [0..6], "open": "09:00", "close": "21:00",
    "until": "2027-03-31" | None}` in the portal's time zone, Monday being 0."""

    __tablename__ = "exams"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    track: Mapped[str] = mapped_column(String(8), index=True)
    draw: Mapped[list] = mapped_column(JSON)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    pass_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("60"))
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    grading: Mapped[str] = mapped_column(String(8), default="highest")
    review: Mapped[str] = mapped_column(String(12), default="after_submit")
    audience: Mapped[dict] = mapped_column(JSON)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recurrence: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author = relationship("User", foreign_keys=[created_by])
    sittings = relationship("Sitting", back_populates="exam", order_by="Sitting.opens_at")

    @property
    def question_count(self) -> int:
        return sum(int(rule.get("count", 0)) for rule in self.draw or [])


class Sitting(db.Model):
    """One window of an exam. Its assignments are written when it is created (and topped
    up while it is open), so coverage keeps the audience as it was."""

    __tablename__ = "exam_sittings"
    __table_args__ = (UniqueConstraint("exam_id", "opens_at"),)
    __audited__ = True
    __audit_ignore__ = ("assigned_count", "announced_at", "reminded_at")
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    assigned_count: Mapped[int] = mapped_column(Integer, default=0)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    exam = relationship("Exam", back_populates="sittings")


class Assignment(db.Model):
    """A person expected to sit a sitting, with their partner and team at the time."""

    __tablename__ = "exam_assignments"
    __table_args__ = (UniqueConstraint("sitting_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("exam_sittings.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))


class ExamNudge(db.Model):
    """An owner's or team lead's one-tap reminder about an open sitting to its people who
    had not taken it: whose people (the partner, and the team for a lead), who sent it,
    when and to how many. The last one per scope sets when the next may go."""

    __tablename__ = "exam_nudges"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("exam_sittings.id", ondelete="CASCADE"),
                                            index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    people: Mapped[int] = mapped_column(Integer, default=0)


class Override(db.Model):
    """A later close and/or extra minutes for one person or a whole partner in a sitting;
    a person's override wins over its partner's."""

    __tablename__ = "exam_overrides"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("exam_sittings.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    sitting = relationship("Sitting")
    user = relationship("User", foreign_keys=[user_id])
    partner = relationship("Partner", foreign_keys=[partner_id])


class Attempt(db.Model):
    """One try at a sitting. `deadline` is kept by the server; an attempt still open at its
    deadline counts as submitted with what was saved (the `exams.submit_expired` job writes
    that down). `submitted_at` is set by one conditional UPDATE, so a second submit
    changes nothing; `(sitting, user, number)` is unique, so two starts cannot both
    create an attempt."""

    __tablename__ = "exam_attempts"
    __table_args__ = (UniqueConstraint("sitting_id", "user_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("exam_sittings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    submitted_by: Mapped[str | None] = mapped_column(String(8))
    score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    max_score: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("0"))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool | None] = mapped_column(Boolean)

    sitting = relationship("Sitting")
    user = relationship("User", foreign_keys=[user_id])
    items = relationship("AttemptItem", back_populates="attempt",
                         order_by="AttemptItem.position")

    def is_done(self, at: datetime | None = None) -> bool:
        return self.submitted_at is not None or self.deadline <= (at or now())

    def seconds_left(self, at: datetime | None = None) -> int:
        """Whole seconds until the deadline; 0 once the attempt is done."""
        at = at or now()
        return 0 if self.is_done(at) else int((self.deadline - at).total_seconds())


class AttemptItem(db.Model):
    """One question of an attempt: the version given, the order its options were shown in
    (`option_order[shown] = original index`), the saved answer (in original indices) and,
    after submission, its score."""

    __tablename__ = "exam_attempt_items"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position", name="uq_exam_attempt_items_position"),
        UniqueConstraint("attempt_id", "question_version_id",
                         name="uq_exam_attempt_items_version"))
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"),
                                                     index=True)
    option_order: Mapped[list | None] = mapped_column(JSON)
    answer: Mapped[object | None] = mapped_column(JSON)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    attempt = relationship("Attempt", back_populates="items")
    version = relationship("QuestionVersion")


class Certificate(db.Model):
    """Proof of passing a track's final exam: one per person and exam, with a serial an
    auditor can look up."""

    __tablename__ = "exam_certificates"
    __table_args__ = (UniqueConstraint("user_id", "exam_id"),)
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id"), unique=True)
    track: Mapped[str] = mapped_column(String(8))
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user = relationship("User", foreign_keys=[user_id])
    exam = relationship("Exam")
