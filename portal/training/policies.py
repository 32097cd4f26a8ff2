"""Who may see and change training.

Courses are the principal's content: its admin and auditors see all of them; a channel
manager sees the published ones and the drafts it wrote (a draft is its author's work
until published). A partner person sees a course only once published and only when
enrolled in it; an owner also sees the published courses any of its people take, to
follow their progress.
Only the principal's authors (admin, channel manager) change courses and lessons."""
from sqlalchemy import and_, exists, false, or_, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.access import change_rule, scope, visible
from portal.org.models import Partner
from portal.training.models import Course, Enrollment, Lesson

AUTHOR_ROLES = ("admin", "channel_manager")
REPORT_ROLES = ("admin", "auditor", "channel_manager", "owner")


@scope(Course)
def course_scope(user):
    if user.role == "channel_manager":
        return or_(Course.published.is_(True), Course.created_by == user.id)
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        return false()
    mine = Enrollment.user_id == user.id
    if user.role == "owner":
        mine = or_(mine, Enrollment.user_id.in_(
            select(User.id).where(User.partner_id == user.partner_id)))
    return and_(Course.published.is_(True),
                exists().where(Enrollment.course_id == Course.id, mine))


@scope(Lesson)
def lesson_scope(user):
    return Lesson.course_id.in_(select(Course.id).where(course_scope(user)))


@scope(Enrollment)
def enrollment_scope(user):
    return Enrollment.user_id.in_(select(User.id).where(visible(user, User)))


@change_rule(Course)
def change_course(user, course):
    return user.role in AUTHOR_ROLES


@change_rule(Lesson)
def change_lesson(user, lesson):
    return user.role in AUTHOR_ROLES


def may_author(user) -> bool:
    return user.is_authenticated and user.active and user.role in AUTHOR_ROLES


def may_enroll(user) -> bool:
    """Enrolling by hand: the principal's authors for their partners, owners for their own."""
    return user.is_authenticated and user.active and user.role in AUTHOR_ROLES + ("owner",)


def report_partners(user):
    """SQL condition on `Partner` for the partners whose progress `user` may see."""
    if user.role not in REPORT_ROLES:
        return false()
    return visible(user, Partner)
