"""Operations of training: authoring courses and lessons, enrolling people (by role, set-
based, and by hand), recording progress and the figures of the progress report.
Nothing here commits; the route or job does."""
from sqlalchemy import and_, case, func, insert, literal, or_, select, update

from portal.auth.models import User
from portal.core.access import figures_of, visible
from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.core.markdown import render_markdown
from portal.extensions import db
from portal.org.models import Partner
from portal.org.tracks import ROLE_TRACK, TRACK_ROLE
from portal.training.models import Course, Enrollment, Lesson, LessonProgress


def create_course(author, *, track: str, title: str, summary: str = "",
                  position: int = 0) -> Course:
    """A new, unpublished course of `track`."""
    course = Course(track=track, title=title, summary=summary or "", position=position,
                    created_by=author.id if author else None, published=False)
    db.session.add(course)
    return course


def save_lesson(course: Course, lesson: Lesson | None = None, **fields) -> Lesson:
    """Create a lesson at the end of `course`, or update `lesson`; the HTML is rendered
    and sanitised once here, not on every read."""
    if lesson is None:
        last = db.session.execute(select(func.max(Lesson.position)).where(
            Lesson.course_id == course.id)).scalar()
        lesson = Lesson(course_id=course.id, position=(last or 0) + 1)
        db.session.add(lesson)
    for name in ("title", "body_md", "minutes"):
        if name in fields:
            setattr(lesson, name, fields[name])
    lesson.body_html = render_markdown(lesson.body_md)
    return lesson


def move_lesson(lesson: Lesson, step: int) -> None:
    """Swap `lesson` with its neighbour above (step -1) or below (step 1); positions are
    renumbered first so gaps and ties from older edits do not block a move."""
    lessons = list(db.session.execute(select(Lesson).where(
        Lesson.course_id == lesson.course_id).order_by(Lesson.position, Lesson.id)).scalars())
    index = lessons.index(lesson)
    other = index + step
    if 0 <= other < len(lessons):
        lessons[index], lessons[other] = lessons[other], lessons[index]
    for number, item in enumerate(lessons, start=1):
        item.position = number


def set_published(course: Course, published: bool) -> int:
    """Publish or withdraw `course`; publishing enrolls everyone of its track. Returns the
    number of people newly enrolled."""
    course.published = published
    db.session.flush()
    return enroll_by_role(course) if published else 0


def _people_of_track(track: str):
    return select(User.id).join(Partner, Partner.id == User.partner_id).where(
        User.active.is_(True), Partner.status == "active", User.role == TRACK_ROLE[track])


def enroll_by_role(course: Course) -> int:
    """Enroll every active partner person whose role learns in the course's track, in one
    INSERT ... SELECT that skips those already enrolled."""
    people = _people_of_track(course.track).where(~select(Enrollment.id).where(
        Enrollment.user_id == User.id, Enrollment.course_id == course.id).exists())
    rows = people.add_columns(literal(course.id), literal("role"), literal(now(), UTCDateTime()))
    result = db.session.execute(insert(Enrollment).from_select(
        ["user_id", "course_id", "source", "enrolled_at"], rows))
    return result.rowcount or 0


def enroll_new_people() -> int:
    """Enroll, in every published course, the people of its track not yet enrolled."""
    courses = db.session.execute(select(Course).where(Course.published.is_(True))).scalars()
    return sum(enroll_by_role(course) for course in courses)


def enrollable_courses(actor):
    """(id, title, track) of the courses `actor` may enroll people in: the published ones
    and those `actor` may see (an author's own drafts), never another author's draft."""
    return db.session.execute(select(Course.id, Course.title, Course.track).where(
        or_(Course.published.is_(True), visible(actor, Course)))
        .order_by(Course.track, Course.position, Course.id)).all()


def find_person(actor, username: str) -> User | None:
    """The active partner person called `username` whom `actor` may enroll, or None."""
    return db.session.execute(select(User).where(
        User.username == username, User.active.is_(True), User.role.in_(ROLE_TRACK),
        visible(actor, User))).scalar()


def enroll(person: User, course: Course, source: str = "manual") -> Enrollment:
    """Enroll `person` in `course`; an existing enrollment is returned unchanged."""
    existing = db.session.execute(select(Enrollment).where(
        Enrollment.user_id == person.id, Enrollment.course_id == course.id)).scalar()
    if existing is not None:
        return existing
    enrollment = Enrollment(user_id=person.id, course_id=course.id, source=source,
                            enrolled_at=now())
    db.session.add(enrollment)
    db.session.flush()
    _refresh_completion(person.id, course.id)
    return enrollment


def enrollment_of(user, course_id: int) -> Enrollment | None:
    return db.session.execute(select(Enrollment).where(
        Enrollment.user_id == user.id, Enrollment.course_id == course_id)).scalar()


def complete_lesson(user, lesson: Lesson) -> bool:
    """Record that `user` finished `lesson` (once); when it was the course's last
    unfinished lesson, the enrollment is completed. True if the course is now complete."""
    if db.session.execute(select(LessonProgress.id).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson.id)
            ).first() is None:
        db.session.add(LessonProgress(user_id=user.id, lesson_id=lesson.id, completed_at=now()))
        db.session.flush()
    return _refresh_completion(user.id, lesson.course_id)


def _refresh_completion(user_id: int, course_id: int) -> bool:
    row = db.session.execute(_counts(user_id).where(Lesson.course_id == course_id)).first()
    total, done = row[1:] if row else (0, 0)
    finished = total > 0 and done >= total
    db.session.execute(update(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.course_id == course_id,
        Enrollment.completed_at.is_(None) if finished else Enrollment.completed_at.isnot(None))
        .values(completed_at=now() if finished else None))
    return finished


def _counts(user_id: int):
    """(course_id, lessons, lessons done by `user_id`) per course."""
    done = LessonProgress.id.isnot(None)
    return select(Lesson.course_id, func.count(Lesson.id),
                  func.count(case((done, 1)))).outerjoin(LessonProgress, and_(
                      LessonProgress.lesson_id == Lesson.id,
                      LessonProgress.user_id == user_id)).group_by(Lesson.course_id)


def my_courses(user, *where) -> list[tuple]:
    """(course, enrollment, lessons, done) for the published courses `user` is enrolled in,
    by track and position; `where` narrows the courses (e.g. to those a viewer sees)."""
    counts = _counts(user.id).subquery()
    rows = db.session.execute(
        select(Course, Enrollment, func.coalesce(counts.c[1], 0), func.coalesce(counts.c[2], 0))
        .join(Enrollment, and_(Enrollment.course_id == Course.id,
                               Enrollment.user_id == user.id))
        .outerjoin(counts, counts.c.course_id == Course.id)
        .where(Course.published.is_(True), *where)
        .order_by(Course.track, Course.position, Course.id)).all()
    return [tuple(row) for row in rows]


def done_lessons(user, course: Course) -> set[int]:
    return set(db.session.execute(select(LessonProgress.lesson_id).join(Lesson).where(
        Lesson.course_id == course.id, LessonProgress.user_id == user.id)).scalars())


def progress_by_partner(viewer, course: Course) -> list[tuple]:
    """(partner id, partner name, enrolled, completed) for the partners whose figures
    `viewer` may read (`figures_of`), one GROUP BY over the enrollments."""
    figures = figures_of(viewer)
    completed = func.count(Enrollment.completed_at)
    return [tuple(row) for row in db.session.execute(
        select(Partner.id, Partner.name, func.count(Enrollment.id), completed)
        .join(User, User.partner_id == Partner.id)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id, figures.condition(Partner.id, User.team_id))
        .group_by(Partner.id, Partner.name, Partner.name_key).order_by(Partner.name_key)).all()]


def courses_by_track(viewer) -> dict[str, list[tuple]]:
    """For authors: every course visible to `viewer` with its lesson and enrollment counts,
    grouped by track."""
    lessons = select(Lesson.course_id, func.count().label("n")).group_by(
        Lesson.course_id).subquery()
    enrolled = select(Enrollment.course_id, func.count().label("n")).group_by(
        Enrollment.course_id).subquery()
    rows = db.session.execute(
        select(Course, func.coalesce(lessons.c.n, 0), func.coalesce(enrolled.c.n, 0))
        .outerjoin(lessons, lessons.c.course_id == Course.id)
        .outerjoin(enrolled, enrolled.c.course_id == Course.id)
        .where(visible(viewer, Course))
        .order_by(Course.track, Course.position, Course.id)).all()
    grouped: dict[str, list[tuple]] = {}
    for course, n_lessons, n_enrolled in rows:
        grouped.setdefault(course.track, []).append((course, n_lessons, n_enrolled))
    return grouped
