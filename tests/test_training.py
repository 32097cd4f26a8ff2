"""Training: enrollment by role and by hand, progress and completion, and who sees what."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.jobs import JOBS
from portal.training import services
from portal.training.models import Enrollment
from tests.conftest import login


def _as(user):
    """A fresh browser signed in as `user` (a signed-in browser cannot switch accounts)."""
    from flask import current_app
    client = current_app.test_client()
    assert login(client, user).status_code == 302
    return client


@pytest.fixture
def course_of(world):
    """Builds a course of `track` with `lessons` lessons, published or not (without
    enrolling anyone, so each test decides who is enrolled)."""
    def build(track="staff", lessons=2, published=True, title="四个销售习惯"):
        course = services.create_course(world.admin, track=track, title=title)
        db.session.flush()
        for n in range(lessons):
            services.save_lesson(course, title=f"第{n + 1}课", body_md=f"内容 **{n + 1}**",
                                 minutes=5)
        course.published = published
        db.session.commit()
        return course
    return build


def _enrolled(course):
    return set(db.session.execute(select(Enrollment.user_id).where(
        Enrollment.course_id == course.id)).scalars())


def test_publishing_enrolls_everyone_of_the_track_by_role(world, course_of, client):
    boss = course_of("boss", published=False)
    login(client, world.admin)
    assert client.post(f"/training/courses/{boss.id}/publish").status_code == 302
    assert _enrolled(boss) == {world.a.owner.id, world.b.owner.id}
    staff = course_of("staff", published=False)
    client.post(f"/training/courses/{staff.id}/publish")
    assert _enrolled(staff) == {world.a.staff.id, world.a.other_staff.id, world.b.staff.id,
                                world.b.other_staff.id}


def test_daily_job_enrolls_people_added_later_once(world, course_of, make):
    course = course_of("mid")
    services.enroll_by_role(course)
    db.session.commit()
    newcomer = make.person("manager", world.b.partner, world.b.other_team)
    JOBS["training.enroll_new_people"].func(None)
    JOBS["training.enroll_new_people"].func(None)
    db.session.commit()
    assert _enrolled(course) == {world.a.manager.id, world.b.manager.id, newcomer.id}
    assert db.session.execute(select(func.count()).select_from(Enrollment)).scalar() == 3


def test_inactive_people_are_not_enrolled_by_role(world, course_of):
    world.b.owner.active = False
    db.session.commit()
    course = course_of("boss")
    services.enroll_by_role(course)
    assert _enrolled(course) == {world.a.owner.id}


def test_channel_manager_enrolls_a_person_of_its_partner_by_hand(world, course_of, client):
    course = course_of("boss")
    login(client, world.cm)
    response = client.post("/training/enroll", data={"course_id": course.id,
                                                     "username": "staff_a"})
    assert response.status_code == 302
    assert _enrolled(course) == {world.a.staff.id}
    assert db.session.execute(select(Enrollment.source)).scalar() == "manual"


def test_channel_manager_cannot_enroll_another_partners_person(world, course_of, client):
    course = course_of("boss")
    login(client, world.cm)
    response = client.post("/training/enroll", data={"course_id": course.id,
                                                     "username": "staff_b"})
    assert response.status_code == 400
    assert "没有您可为其报名的此用户名人员。" in response.get_data(as_text=True)  # Chinese by default
    assert _enrolled(course) == set()


def test_owner_enrolls_its_own_people_only(world, course_of, client):
    course = course_of("mid")
    login(client, world.a.owner)
    assert client.post("/training/enroll", data={"course_id": course.id,
                                                 "username": "staff2_a"}).status_code == 302
    assert client.post("/training/enroll", data={"course_id": course.id,
                                                 "username": "manager_b"}).status_code == 400
    assert _enrolled(course) == {world.a.other_staff.id}


def test_staff_may_not_enroll_anyone(world, course_of, client):
    course = course_of()
    login(client, world.a.staff)
    assert client.post("/training/enroll", data={"course_id": course.id,
                                                 "username": "staff2_a"}).status_code == 403


@pytest.mark.config(BABEL_DEFAULT_LOCALE="en")  # asserts English wording
def test_completing_every_lesson_completes_the_course(world, course_of, client):
    course = course_of(lessons=2)
    services.enroll(world.a.staff, course)
    db.session.commit()
    first, second = course.lessons
    login(client, world.a.staff)
    assert "0 of 2 lessons" in client.get("/training/").get_data(as_text=True)
    response = client.post(f"/training/lessons/{first.id}/complete")
    assert response.headers["Location"].endswith(f"/training/lessons/{second.id}")
    assert services.enrollment_of(world.a.staff, course.id).completed_at is None
    page = client.get("/training/").get_data(as_text=True)
    assert "1 of 2 lessons" in page and 'data-width="50"' in page
    client.post(f"/training/lessons/{second.id}/complete")
    client.post(f"/training/lessons/{second.id}/complete")  # twice counts once
    assert services.enrollment_of(world.a.staff, course.id).completed_at is not None
    assert "2 of 2 lessons" in client.get("/training/").get_data(as_text=True)


def test_unpublished_course_is_invisible_to_enrolled_learners(world, course_of, client):
    course = course_of(published=False, title="尚未发布的课程")
    services.enroll(world.a.staff, course)
    db.session.commit()
    login(client, world.a.staff)
    assert "尚未发布的课程" not in client.get("/training/").get_data(as_text=True)
    assert client.get(f"/training/courses/{course.id}").status_code == 404
    assert client.get(f"/training/lessons/{course.lessons[0].id}").status_code == 404


def test_course_and_lesson_of_another_enrollment_are_not_found(world, course_of, client):
    course = course_of()
    services.enroll(world.b.staff, course)
    db.session.commit()
    login(client, world.a.staff)
    assert client.get(f"/training/courses/{course.id}").status_code == 404
    assert client.get(f"/training/lessons/{course.lessons[0].id}").status_code == 404
    assert client.post(f"/training/lessons/{course.lessons[0].id}/complete").status_code == 404
    client = _as(world.a.owner)
    assert client.get(f"/training/courses/{course.id}/progress").status_code == 404


@pytest.mark.config(BABEL_DEFAULT_LOCALE="en")  # asserts English wording
def test_owner_sees_progress_of_its_own_partner_only(world, course_of, client):
    course = course_of(lessons=1)
    for person in (world.a.staff, world.a.other_staff, world.b.staff):
        services.enroll(person, course)
    services.complete_lesson(world.a.staff, course.lessons[0])
    services.complete_lesson(world.b.staff, course.lessons[0])
    db.session.commit()
    login(client, world.a.owner)
    page = client.get(f"/training/courses/{course.id}/progress").get_data(as_text=True)
    assert "代理商A" in page and "代理商B" not in page
    assert "2 enrolled, 1 completed" in page and "50%" in page
    client = _as(world.admin)
    page = client.get(f"/training/courses/{course.id}/progress").get_data(as_text=True)
    assert "代理商B" in page and "3 enrolled, 2 completed" in page


def test_learners_cannot_author_courses(world, course_of, client):
    course = course_of()
    services.enroll(world.a.owner, course)
    db.session.commit()
    login(client, world.a.owner)
    assert client.get("/training/courses/new").status_code == 403
    assert client.post(f"/training/courses/{course.id}/unpublish").status_code == 403
    assert client.post(f"/training/courses/{course.id}/lessons/new",
                       data={"title": "x", "body_md": "y", "minutes": 3}).status_code == 403


def test_channel_manager_sees_published_courses_and_only_its_own_drafts(world, course_of,
                                                                        client):
    published = course_of(title="已发布课程")
    draft = course_of(published=False, title="管理员草稿")
    login(client, world.cm)
    page = client.get("/training/").get_data(as_text=True)
    assert "已发布课程" in page and "管理员草稿" not in page
    assert client.get(f"/training/courses/{draft.id}").status_code == 404
    assert client.get(f"/training/courses/{published.id}").status_code == 200


def test_enrolment_page_hides_and_refuses_another_authors_draft(world, course_of, client):
    """The course list of the enrolment page goes through the same scope as the course
    page: another author's draft is neither listed nor accepted (it was both, once)."""
    course_of(title="已发布课程")
    draft = course_of(published=False, title="管理员草稿")
    login(client, world.cm)
    own = client.post("/training/courses/new", data={
        "track": "staff", "title": "我的草稿", "summary": "", "position": 0})
    assert own.status_code == 302
    page = client.get("/training/enroll").get_data(as_text=True)
    assert "已发布课程" in page and "我的草稿" in page
    assert "管理员草稿" not in page
    response = client.post("/training/enroll", data={"course_id": draft.id,
                                                     "username": "staff_a"})
    assert response.status_code == 400
    assert _enrolled(draft) == set()
