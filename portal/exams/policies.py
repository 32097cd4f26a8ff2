"""Who may see and change exams, their sittings, attempts and certificates.

An exam is the principal's: its admin and auditors see all; a channel manager sees the
exams it wrote and those assigned to anyone of its partners. Partner people see an exam
(and its sittings) only when it is assigned to someone they may see: staff themselves, a
mid-level manager its team, an owner its partner. Attempts and certificates follow the
person: visible when the person is (`visible(user, User)`). Assignments and attempt
items are never loaded by id; the queries that read them join what is checked above.
Only the exam's author or an admin changes an exam, its sittings and overrides; only the
taker works on (saves answers to, submits) its own attempt.

Named rules: who schedules exams, who opens the principal's exam pages, who reads exam
reports, who has "My exams" and who reminds its people of an open sitting. Whose
figures a report shows is `figures_of`."""
from sqlalchemy import exists, false, or_, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.access import change_rule, get_or_404, rule, scope, visible
from portal.exams.models import Assignment, Attempt, Certificate, Exam, Override, Sitting

rule("exams.schedule", "admin", "channel_manager")
# The principal's exam pages: the list, an exam's detail and its overrides.
rule("exams.manage", "admin", "channel_manager", "auditor")
rule("exams.reports", "admin", "auditor", "channel_manager", "owner", "manager")
# The people with "My exams": those exams are assigned to.
rule("exams.take", *PARTNER_ROLES)
# A leader's one-tap reminder to its own people who have not taken an open sitting.
rule("exams.nudge", "owner", "manager")


def _assigned_to(user):
    """SQL: a sitting has an assignment of someone `user` may see (correlated to the
    sitting only, so it holds in queries that join assignments themselves)."""
    return exists().where(Assignment.sitting_id == Sitting.id,
                          Assignment.user_id.in_(select(User.id).where(visible(user, User)))
                          ).correlate(Sitting)


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


@scope(Attempt)
def attempt_scope(user):
    return _person(Attempt.user_id, user)


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


@change_rule(Attempt, admins=False)
def change_attempt(user, attempt):
    """Only the taker saves answers to and submits its attempt; a manager or owner who
    may read it never answers for it."""
    return attempt.user_id == user.id


def attempt_to_change(user, attempt_id: int) -> Attempt:
    """The attempt `user` saves answers to or submits: a foreign one is a 404, a visible
    one of someone else a 403 (`get_or_404` with the change rule above, which holds for
    admins too)."""
    return get_or_404(user, Attempt, attempt_id, change=True)
