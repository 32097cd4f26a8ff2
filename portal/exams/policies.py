"""Who may see and change exams, their sittings, attempts and certificates.

An exam is the principal's: its admin and auditors see all; a channel manager sees the
exams it wrote and those assigned to anyone of its partners. Partner people see an exam
(and its sittings) only when it is assigned to someone they may see: staff themselves, a
mid-level manager its team, an owner its partner. Attempts, assignments and
certificates follow the person: visible when the person is (`visible(user, User)`).
Only the exam's author or an admin changes an exam, its sittings and overrides."""
from sqlalchemy import exists, false, or_, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.access import change_rule, scope, visible
from portal.exams.models import (Assignment, Attempt, AttemptItem, Certificate, Exam,
                                 Override, Sitting)
from portal.extensions import db
from portal.org.models import Partner

SCHEDULER_ROLES = ("admin", "channel_manager")
REPORT_ROLES = ("admin", "auditor", "channel_manager", "owner", "manager")


def _assigned_to(user):
    """SQL: a sitting has an assignment of someone `user` may see."""
    return exists().where(Assignment.sitting_id == Sitting.id,
                          Assignment.user_id.in_(select(User.id).where(visible(user, User))))


@scope(Exam)
def exam_scope(user):
    if user.role == "channel_manager":
        return or_(Exam.created_by == user.id, Exam.id.in_(
            select(Sitting.exam_id).where(_assigned_to(user))))
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        return false()
    return Exam.id.in_(select(Sitting.exam_id).where(_assigned_to(user)))


@scope(Sitting)
def sitting_scope(user):
    if user.role == "channel_manager":
        return or_(Sitting.exam_id.in_(select(Exam.id).where(Exam.created_by == user.id)),
                   _assigned_to(user))
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        return false()
    return _assigned_to(user)


@scope(Override)
def override_scope(user):
    if user.role != "channel_manager":
        return false()  # partner people never see overrides; admin/auditor see all
    return Override.sitting_id.in_(select(Sitting.id).where(sitting_scope(user)))


def _person(column, user):
    return column.in_(select(User.id).where(visible(user, User)))


@scope(Assignment)
def assignment_scope(user):
    return _person(Assignment.user_id, user)


@scope(Attempt)
def attempt_scope(user):
    return _person(Attempt.user_id, user)


@scope(AttemptItem)
def attempt_item_scope(user):
    return AttemptItem.attempt_id.in_(select(Attempt.id).where(attempt_scope(user)))


@scope(Certificate)
def certificate_scope(user):
    return _person(Certificate.user_id, user)


def _schedules(user, exam) -> bool:
    return user.role == "admin" or (user.role == "channel_manager"
                                    and exam.created_by == user.id)


@change_rule(Exam)
def change_exam(user, exam):
    return _schedules(user, exam)


@change_rule(Sitting)
def change_sitting(user, sitting):
    return _schedules(user, sitting.exam)


@change_rule(Override)
def change_override(user, override):
    return _schedules(user, override.sitting.exam)


def may_schedule(user) -> bool:
    return user.is_authenticated and user.active and user.role in SCHEDULER_ROLES


def may_report(user) -> bool:
    return user.is_authenticated and user.active and user.role in REPORT_ROLES + ("auditor",)


def report_partner_ids(user, exam: Exam | None = None) -> list[int] | None:
    """The partners whose figures `user` may see (for `exam`, when given): None means all
    of them. A channel manager sees every partner for its own exams and its assigned
    partners otherwise; an owner or mid-level manager its own partner (a manager's
    figures are then narrowed to its team by `report_team_id`); others nothing."""
    if user.role in ("admin", "auditor"):
        return None
    if user.role == "channel_manager":
        if exam is not None and exam.created_by == user.id:
            return None
        return list(db.session.execute(select(Partner.id).where(
            Partner.channel_manager_id == user.id).order_by(Partner.id)).scalars())
    if user.role == "manager" and user.team_id is None:
        return []  # a mid-level manager without a team leads nobody
    if user.role in ("owner", "manager") and user.partner_id is not None:
        return [user.partner_id]
    return []


def report_team_id(user) -> int | None:
    """A mid-level manager's figures stop at its own team."""
    return user.team_id if user.role == "manager" else None
