"""Authoring training courses: forms, Markdown sanitising, lesson order, publishing."""
from sqlalchemy import select

from portal.extensions import db
from portal.training.models import Course, Lesson
from tests.conftest import login


def _as(user):
    """A fresh browser signed in as `user` (a signed-in browser cannot switch accounts)."""
    from flask import current_app
    client = current_app.test_client()
    assert login(client, user).status_code == 302
    return client


def _course(client, **data):
    fields = {"track": "staff", "title": "客户分类", "summary": "", "position": 1, **data}
    return client.post("/training/courses/new", data=fields)


def test_channel_manager_creates_a_draft_course(world, client):
    login(client, world.cm)
    response = _course(client, title="  客户分类与本地服务 ")
    assert response.status_code == 302
    course = db.session.execute(select(Course)).scalar_one()
    assert (course.title, course.published, course.created_by) == (
        "客户分类与本地服务", False, world.cm.id)


def test_course_form_bad_input_is_a_400_with_field_messages(world, client):
    login(client, world.admin)
    response = _course(client, track="ceo", title="", position="abc")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for name in ("track", "title", "position"):
        assert f'data-field="{name}"' in page
    assert db.session.execute(select(Course)).first() is None


def test_lesson_markdown_is_sanitised(world, client):
    login(client, world.admin)
    _course(client)
    course = db.session.execute(select(Course)).scalar_one()
    response = client.post(f"/training/courses/{course.id}/lessons/new", data={
        "title": "有效拜访", "minutes": 5,
        "body_md": "**见到决策人**<script>alert(1)</script> [x](javascript:alert(2))"})
    assert response.status_code == 302
    lesson = db.session.execute(select(Lesson)).scalar_one()
    assert "<strong>见到决策人</strong>" in lesson.body_html
    assert "<script" not in lesson.body_html and "javascript:" not in lesson.body_html
    page = client.get(f"/training/lessons/{lesson.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page


def test_lesson_form_bad_input_changes_nothing(world, client):
    login(client, world.admin)
    _course(client)
    course = db.session.execute(select(Course)).scalar_one()
    response = client.post(f"/training/courses/{course.id}/lessons/new",
                           data={"title": "x" * 201, "body_md": "", "minutes": 0})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for name in ("title", "body_md", "minutes"):
        assert f'data-field="{name}"' in page
    assert db.session.execute(select(Lesson)).first() is None


def test_lessons_are_reordered_up_and_down(world, client):
    login(client, world.admin)
    _course(client)
    course = db.session.execute(select(Course)).scalar_one()
    for title in ("一", "二", "三"):
        client.post(f"/training/courses/{course.id}/lessons/new",
                    data={"title": title, "body_md": title, "minutes": 2})
    third = db.session.execute(select(Lesson).where(Lesson.title == "三")).scalar_one()
    client.post(f"/training/lessons/{third.id}/move", data={"direction": "up"})
    assert client.post(f"/training/lessons/{third.id}/move",
                       data={"direction": "sideways"}).status_code == 400
    titles = db.session.execute(select(Lesson.title).order_by(Lesson.position)).scalars()
    assert list(titles) == ["一", "三", "二"]


def test_withdrawn_course_disappears_for_learners(world, client):
    login(client, world.admin)
    _course(client, title="四个习惯")
    course = db.session.execute(select(Course)).scalar_one()
    client.post(f"/training/courses/{course.id}/lessons/new",
                data={"title": "拜访量", "body_md": "每天拜访", "minutes": 2})
    client.post(f"/training/courses/{course.id}/publish")
    client = _as(world.a.staff)
    assert "四个习惯" in client.get("/training/").get_data(as_text=True)
    client = _as(world.admin)
    client.post(f"/training/courses/{course.id}/unpublish")
    client = _as(world.a.staff)
    assert "四个习惯" not in client.get("/training/").get_data(as_text=True)
    assert client.get(f"/training/courses/{course.id}").status_code == 404


def test_a_course_is_changed_only_by_its_author_or_an_admin(world, client, make):
    """Another channel manager reads a published course but cannot edit, withdraw or add
    lessons to it; the admin can."""
    other = make.person("channel_manager", username="cm_other")
    login(client, world.cm)
    assert _course(client, title="守信经营").status_code == 302
    course = db.session.execute(select(Course)).scalar_one()
    client.post(f"/training/courses/{course.id}/lessons/new",
                data={"title": "第一课", "body_md": "内容", "minutes": 5})
    client.post(f"/training/courses/{course.id}/publish")
    lesson = db.session.execute(select(Lesson)).scalar_one()
    stranger = _as(other)
    assert stranger.get(f"/training/courses/{course.id}").status_code == 200
    assert 'href="/training/courses/%d/edit"' % course.id not in stranger.get(
        f"/training/courses/{course.id}").get_data(as_text=True)
    for path in (f"/training/courses/{course.id}/edit", f"/training/courses/{course.id}/unpublish",
                 f"/training/courses/{course.id}/lessons/new", f"/training/lessons/{lesson.id}/edit"):
        assert stranger.post(path, data={"title": "改了"}).status_code == 403, path
    db.session.refresh(course)
    assert (course.title, course.published) == ("守信经营", True)
    assert _as(world.admin).post(f"/training/courses/{course.id}/unpublish").status_code == 302
    db.session.refresh(course)
    assert course.published is False
