"""The isolation walk's training (tests only): per partner a course with a lesson, its
staff enrolled (B's course stays a draft: no one on A's side may see it, not even A's
channel manager)."""
from portal.extensions import db
from portal.org.walk import tag
from portal.training import services as training


def build(world) -> None:
    for side in (world.a, world.b):
        side.course = training.create_course(world.admin, track="staff",
                                              title=tag("课程", side), summary=tag("简介", side))
        db.session.flush()
        side.lesson = training.save_lesson(side.course, title=tag("课", side),
                                           body_md=tag("学习", side), minutes=3)
        side.course.published = side.key == "a"
        db.session.flush()
        for person in ("staff", "other_staff"):
            side.people[person].enrollment = training.enroll(getattr(side, person), side.course)


ARGS = {"course_id": "course", "lesson_id": "lesson"}


def markers(side) -> list[str]:
    return [side.course.title, side.course.summary, side.lesson.title, side.lesson.body_md]

