"""Who may see and change training.

Courses are the principal's content: its admin and auditors see all of them; a channel
manager sees the published ones and the drafts it wrote (a draft is its author's work
until published). A partner person sees a course only once published and only when
enrolled in it; an owner (a team lead) also sees the published courses any of its
partner's (its team's) people take, to follow their progress.
A course and its lessons are changed by the author who wrote it, or an admin. Enrolments
are never loaded by id: the progress pages join them to the people the reader may see."""
from sqlalchemy import and_, exists, false, or_, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.access import change_rule, may, rule, scope, visible
from portal.training.models import Course, Enrollment, Lesson

# Writing courses and lessons.
rule("training.author", "admin", "channel_manager")
# Enrolling by hand: the principal's authors for their partners, owners for their own.
rule("training.enroll", "admin", "channel_manager", "owner")
# The progress report of a course; whose figures it shows is `figures_of`'s answer.
rule("training.reports", "admin", "auditor", "channel_manager", "owner")


@scope(Course)
def course_scope(user):
    if user.role == "channel_manager":
        return or_(Course.published.is_(True), Course.created_by == user.id)
    if user.role not in PARTNER_ROLES or user.partner_id is None:
        return false()
    # The people `user` may see: itself, a team lead's team, an owner's partner.
    followed = Enrollment.user_id.in_(select(User.id).where(visible(user, User)))
    return and_(Course.published.is_(True),
                exists().where(Enrollment.course_id == Course.id, followed).correlate(Course))


@scope(Lesson)
def lesson_scope(user):
    return Lesson.course_id.in_(select(Course.id).where(course_scope(user)))


@change_rule(Course)
def change_course(user, course):
    """A course is changed by the author who wrote it (and admins)."""
    return may(user, "training.author") and course.created_by == user.id


@change_rule(Lesson)
def change_lesson(user, lesson):
    return change_course(user, lesson.course)
