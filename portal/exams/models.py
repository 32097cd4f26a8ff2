"""Tables of the question bank: a stable question identity and its immutable versions.

A question is matched by the `id` written in its file (`key` here). Every change to what a
taker sees creates a new `QuestionVersion`; attempts point at the version they were given,
so an edit never rewrites an answered question. `QuestionTag` repeats a version's tags as
rows so exams can draw questions by tag in SQL."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

TRACKS = ("boss", "mid", "staff")
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
