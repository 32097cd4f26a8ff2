"""Tables of training: courses per track, their Markdown lessons, who is enrolled and
which lessons each person has finished.

Enrollment by role is set-based (one INSERT ... SELECT per course); a course's progress
for a person is derived from `lesson_progress`, and `Enrollment.completed_at` records the
moment the last lesson was finished."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.org.tracks import ROLE_TRACK, TRACK_ROLE, TRACKS
from portal.extensions import db

SOURCES = ("role", "manual")

__all__ = ["TRACKS", "ROLE_TRACK", "TRACK_ROLE", "Course", "Lesson", "Enrollment",
           "LessonProgress"]


class Course(db.Model):
    """A course of one track; learners see it only once published."""

    __tablename__ = "courses"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    track: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    lessons = relationship("Lesson", back_populates="course",
                           order_by="(Lesson.position, Lesson.id)")


class Lesson(db.Model):
    """One lesson: Markdown as written and the sanitised HTML readers are shown."""

    __tablename__ = "lessons"
    __audited__ = True
    __audit_ignore__ = ("body_html",)  # derived from body_md
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(Integer, default=5)

    course = relationship("Course", back_populates="lessons")


class Enrollment(db.Model):
    """A person taking a course, by role or by hand; completed when every lesson is."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    source: Mapped[str] = mapped_column(String(8), default="role")
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    course = relationship("Course")


class LessonProgress(db.Model):
    """A lesson a person has marked complete."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
