"""A person's page holds its record: training progress, exam history with the attempt
that counts and certificates, and what reached it with when it was read and
acknowledged, each holding only what the viewer may see."""
from datetime import timedelta

import pytest

from portal.broadcasts import services as broadcasts
from portal.exams import taking
from portal.extensions import db
from portal.training import services as training
from tests.broadcasting import T0, freeze, publish
from tests.conftest import login
from tests.examining import HABITS, answer_all, later, scheduled_exam


@pytest.fixture
def record(app, world, banks):
    freeze()
    policy = publish(world.admin, requires_ack=True, title="保护期政策",
                     ack_deadline=T0 + timedelta(days=1))
    staff_only = publish(world.admin, title="员工须知", audience={"roles": ["staff"]})
    broadcasts.acknowledge(world.a.staff, policy)
    exam = scheduled_exam(world.admin, {"partner_ids": [world.a.partner.id]}, draw=HABITS,
                          title="本周小测")
    attempt = taking.start_or_resume(world.a.staff, exam.sittings[0])
    answer_all(attempt, right=True)
    taking.submit(attempt)
    course = training.create_course(world.admin, track="staff", title="拜访基本功")
    first = training.save_lesson(course, title="第一课", body_md="内容")
    training.save_lesson(course, title="第二课", body_md="内容")
    training.set_published(course, True)
    training.complete_lesson(world.a.staff, first)
    db.session.commit()
    return policy, staff_only, exam, course


def _record(client, viewer, person):
    login(client, viewer)
    response = client.get(f"/people/{person.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _part(page, anchor):
    return page.split(f'id="{anchor}"')[1].split("</section>")[0]


def test_an_owner_reads_its_staff_members_record(client, world, record):
    policy, staff_only, exam, course = record
    page = _record(client, world.a.owner, world.a.staff)
    training_part = _part(page, "person-training")
    assert "拜访基本功" in training_part and "已学 1 / 2 课" in training_part
    assert "完成 0/1 门课程" in training_part
    exams = _part(page, "person-exams")
    assert "本周小测" in exams and "100%" in exams and "已通过" in exams
    assert "参加 1/1，通过 1" in exams
    reached = _part(page, "person-broadcasts")
    assert "保护期政策" in reached and "已确认" in reached and "员工须知" in reached
    assert "已确认 1/1" in reached


def test_an_overdue_acknowledgement_and_an_untaken_exam_stand_out(client, world, record):
    later(days=2)
    page = _record(client, world.a.owner, world.a.other_staff)
    reached = _part(page, "person-broadcasts")
    assert "1 条逾期" in reached and "已确认 0/1" in reached
    exams = _part(page, "person-exams")
    assert "未参加" in exams and "参加 0/1，通过 0" in exams


def test_the_record_shows_only_what_the_viewer_may_see(app, client, world, record):
    lead_view = _record(client, world.a.manager, world.a.staff)
    assert "拜访基本功" in _part(lead_view, "person-training")  # its team's course
    reached = _part(lead_view, "person-broadcasts")
    assert "保护期政策" in reached
    assert "员工须知" not in reached  # addressed to staff only: not the team lead's to read
    cm_view = _record(app.test_client(), world.cm, world.a.staff)
    assert "员工须知" in cm_view  # it reached a partner of the channel manager's


def test_another_partners_person_is_not_shown_and_empty_states_say_so(
        app, client, world, record):
    login(client, world.a.owner)
    assert client.get(f"/people/{world.b.staff.id}").status_code == 404
    page = _record(app.test_client(), world.b.owner, world.b.staff)
    assert 'id="person-no-exams"' in page and 'id="person-no-courses"' not in page
    assert "本周小测" not in page and "保护期政策" in page


def test_the_record_reads_in_english(client, world, record):
    login(client, world.a.owner)
    client.post("/lang/en")
    page = client.get(f"/people/{world.a.staff.id}").get_data(as_text=True)
    assert "Broadcasts and acknowledgements" in page and "took 1 of 1, passed 1" in page
    assert "0 of 1 courses completed" in page

