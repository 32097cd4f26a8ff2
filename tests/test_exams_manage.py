"""The channel manager's exam pages: scheduling through the form (one window, weekly),
field-level errors, scheduling and cancelling, editing until it opens, overrides that move
running attempts, and who may see and change what."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.exams import services, taking
from portal.exams.models import Assignment, Exam, Override, Sitting
from portal.extensions import db
from tests.conftest import login

# 10:00 on Monday 2 March 2026 in Shanghai.
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def bank(app, banks):
    clock.set_now(T0)
    db.session.commit()


def _as(client, user):
    assert login(client, user).status_code == 302
    return client


def _count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def _form(world, **change):
    data = {"title": "三月销售习惯考试", "track": "staff", "description": "请按时参加",
            "draw-0-track": "staff", "draw-0-tag": "sales-habits", "draw-0-count": "3",
            "draw-1-track": "staff", "draw-1-tag": "", "draw-1-count": "2",
            "shuffle_options": "y", "time_limit_minutes": "20", "pass_percent": "60",
            "attempts_allowed": "2", "grading": "highest", "review": "after_submit",
            "repeat": "once", "opens_at": "2026-03-03T09:00", "closes_at": "2026-03-03T21:00",
            "partner_ids": [str(world.a.partner.id)]}
    data.update(change)
    return {key: value for key, value in data.items() if value is not None}


def _weekly(world, **change):
    return _form(world, **{"repeat": "weekly", "opens_at": None, "closes_at": None,
                           "weekdays": ["0"], "open_time": "09:00", "close_time": "21:00",
                           "first_day": "2026-03-09", "last_day": "2026-06-29", **change})


def _exam(author, audience_partner, *, opens=T0 + timedelta(days=1), hours=12, **values):
    exam = services.create_exam(
        author, title=values.pop("title", "周考"), track="staff",
        draw=[{"track": "staff", "tag": "sales-habits", "count": 2}], opens_at=opens,
        closes_at=opens + timedelta(hours=hours),
        audience={"partner_ids": [audience_partner.id]}, **values)
    db.session.commit()
    return exam


def _schedule(client, exam):
    """Press the detail page's button, which names (and confirms) the count."""
    page = client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    code = re.search(r'name="confirm" value="([0-9:]*)"', page)
    return client.post(f"/exams/manage/{exam.id}/schedule",
                       data={"confirm": code.group(1) if code else ""})


def _scheduled(author, audience_partner, **values):
    exam = _exam(author, audience_partner, **values)
    services.schedule(exam)
    db.session.commit()
    return exam


# --- creating ---------------------------------------------------------------------------
def test_channel_manager_creates_a_one_off_exam_as_a_draft(client, world):
    _as(client, world.cm)
    page = client.get("/exams/manage/new")
    assert page.status_code == 200 and 'value="sales-habits"' in page.get_data(as_text=True)
    # Tags read by name, the slug stays the value sent.
    shown = page.get_data(as_text=True).split('value="sales-habits"')[1].split("</option>")[0]
    assert "销售习惯" in shown and "sales-habits" not in shown
    response = client.post("/exams/manage/new", data=_form(world))
    assert response.status_code == 302
    exam = db.session.execute(select(Exam)).scalar_one()
    assert exam.status == "draft" and exam.created_by == world.cm.id
    assert exam.draw == [{"track": "staff", "tag": "sales-habits", "count": 3},
                         {"track": "staff", "tag": "", "count": 2}]
    assert exam.time_limit_minutes == 20 and exam.attempts_allowed == 2
    assert exam.opens_at == datetime(2026, 3, 3, 1, 0, tzinfo=timezone.utc)
    assert exam.recurrence is None and exam.audience["partner_ids"] == [world.a.partner.id]
    assert exam.audience["roles"] == ["staff"]  # the track's role when none is chosen
    assert _count(Sitting) == 0  # a draft plans nothing
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026-03-03 09:00–21:00" in detail and 'id="schedule-exam"' in detail


def test_channel_manager_creates_a_weekly_exam_shown_as_every_monday(client, world):
    _as(client, world.cm)
    response = client.post("/exams/manage/new", data=_weekly(world))
    assert response.status_code == 302
    exam = db.session.execute(select(Exam)).scalar_one()
    assert exam.recurrence == {"weekdays": [0], "open": "09:00", "close": "21:00",
                               "until": "2026-06-29"}
    assert exam.opens_at == datetime(2026, 3, 8, 16, 0, tzinfo=timezone.utc)  # 9 March, 00:00
    listing = client.get("/exams/manage/").get_data(as_text=True)
    assert "每周一 09:00–21:00" in listing and "至 2026-06-29" in listing


def test_the_form_keeps_more_draw_rows_than_it_first_shows(client, world):
    _as(client, world.cm)
    rows = {f"draw-{i}-{k}": v for i, tag in enumerate(
        ["sales-habits", "customer-classes", "local-service", "fair-dealing", ""])
        for k, v in (("track", "staff"), ("tag", tag), ("count", "1"))}
    form = {k: v for k, v in _form(world).items() if not k.startswith("draw-")}
    assert client.post("/exams/manage/new", data={**form, **rows}).status_code == 302
    assert len(db.session.execute(select(Exam)).scalar_one().draw) == 5


@pytest.mark.parametrize("change, field", [
    ({"draw-0-count": "40"}, "draw"),          # the tag has fewer questions
    ({"draw-0-tag": "no-such-tag"}, "draw"),
    ({"draw-0-count": "0"}, "draw-0-count"),
    ({"draw-0-count": "", "draw-0-tag": "", "draw-1-count": ""}, "draw"),  # no rule at all
    ({"draw-0-count": ""}, "draw-0-count"),  # a tag without a number
    ({"closes_at": "2026-03-03T08:00"}, "closes_at"),    # closes before it opens
    ({"opens_at": ""}, "opens_at"),
    ({"opens_at": "2026-02-30T09:00"}, "opens_at"),
    ({"title": ""}, "title"),
    ({"pass_percent": "150"}, "pass_percent"),
    ({"pass_percent": "NaN"}, "pass_percent"),
    ({"attempts_allowed": "0"}, "attempts_allowed"),
    ({"time_limit_minutes": "9999"}, "time_limit_minutes"),
    ({"partner_ids": ["abc"]}, "partner_ids"),
    ({"tiers": ["A"]}, "audience"),  # nobody in tier A: refused like a broadcast
    ({"opens_at": "2026-02-27T09:00", "closes_at": "2026-02-27T18:00"}, "closes_at"),  # past
])
def test_bad_input_gets_a_field_message_and_stores_nothing(client, world, change, field):
    _as(client, world.cm)
    response = client.post("/exams/manage/new", data=_form(world, **change))
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert f'data-field="{field}"' in page
    assert "三月销售习惯考试" in page or field == "title"  # the values are kept
    assert _count(Exam) == 0


def test_draw_asking_for_more_than_a_tag_has_names_the_shortfall(client, world):
    _as(client, world.cm)
    page = client.post("/exams/manage/new", data=_form(world, **{"draw-0-count": "40"})
                       ).get_data(as_text=True)
    shown = page.split('data-field="draw"')[1][:200]
    assert "sales-habits" in shown and "staff" in shown


@pytest.mark.parametrize("change, field", [
    ({"open_time": "9点"}, "open_time"),
    ({"close_time": "25:00"}, "close_time"),
    ({"weekdays": None}, "weekdays"),
    ({"weekdays": ["9"]}, "weekdays"),
    ({"first_day": ""}, "first_day"),
    ({"open_time": "21:00", "close_time": "09:00"}, "recurrence"),
    ({"last_day": "2026-03-01"}, "recurrence"),  # before the first day
])
def test_bad_weekly_rule_gets_a_field_message_and_stores_nothing(client, world, change, field):
    _as(client, world.cm)
    response = client.post("/exams/manage/new", data=_weekly(world, **change))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert _count(Exam) == 0


def test_field_messages_are_chinese_by_default_and_english_on_request(client, world):
    _as(client, world.cm)
    page = client.post("/exams/manage/new", data=_weekly(world, open_time="9点")
                       ).get_data(as_text=True)
    assert "时间请按 HH:MM 填写" in page and "Times are written" not in page
    assert "新建考试" in page
    client.post("/lang/en", data={"next": "/"})
    page = client.post("/exams/manage/new", data=_weekly(world, open_time="9点")
                       ).get_data(as_text=True)
    assert "Times are written as HH:MM." in page


# --- scheduling, cancelling, editing ----------------------------------------------------
def test_scheduling_creates_the_sitting_and_assigns_the_audience(client, world):
    exam = _exam(world.cm, world.a.partner)
    _as(client, world.cm)
    page = client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    assert "为 1 个代理商的 2 人安排考试" in page
    response = client.post(f"/exams/manage/{exam.id}/schedule")  # without the count
    assert response.status_code == 409 and _count(Sitting) == 0
    response = _schedule(client, exam)
    assert response.status_code == 302
    db.session.refresh(exam)
    assert exam.status == "scheduled" and len(exam.sittings) == 1
    assigned = set(db.session.execute(select(Assignment.user_id)).scalars())
    assert assigned == {world.a.staff.id, world.a.other_staff.id}
    page = client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    row = page.split(f'data-sitting="{exam.sittings[0].id}"')[1].split("</tr>")[0]
    assert ">2<" in row.replace(" ", "")
    assert client.post(f"/exams/manage/{exam.id}/schedule").status_code == 409


def test_scheduling_a_weekly_exam_plans_the_coming_week(client, world):
    exam = services.create_exam(
        world.cm, title="每周一考", track="staff", opens_at=T0 - timedelta(hours=10),
        draw=[{"track": "staff", "tag": "", "count": 3}],
        recurrence={"weekdays": [0, 2], "open": "09:00", "close": "21:00"},
        audience={"partner_ids": [world.a.partner.id]})
    db.session.commit()
    _as(client, world.cm)
    assert _schedule(client, exam).status_code == 302
    opens = sorted(db.session.execute(select(Sitting.opens_at)).scalars())
    # Monday 2 March is under way (opened at 09:00); Wednesday 4 and Monday 9 follow.
    assert [o.astimezone(clock.BUSINESS_TZ).strftime("%m-%d %H:%M") for o in opens] == [
        "03-02 09:00", "03-04 09:00", "03-09 09:00"]


def test_a_draft_whose_window_has_passed_is_not_scheduled(client, world):
    exam = _exam(world.cm, world.a.partner, opens=T0 + timedelta(hours=1))
    clock.advance(timedelta(days=2))
    _as(client, world.cm)
    response = _schedule(client, exam)
    assert response.status_code == 409 and "先修改" in response.get_data(as_text=True)
    db.session.refresh(exam)
    assert exam.status == "draft" and _count(Sitting) == 0


def test_cancelling_needs_the_confirmation_box(client, world):
    exam = _scheduled(world.cm, world.a.partner)
    _as(client, world.cm)
    response = client.post(f"/exams/manage/{exam.id}/cancel")
    assert response.status_code == 400 and 'data-field="confirm"' in response.get_data(
        as_text=True)
    db.session.refresh(exam)
    assert exam.status == "scheduled" and _count(Sitting) == 1
    assert client.post(f"/exams/manage/{exam.id}/cancel", data={"confirm": "y"}
                       ).status_code == 302
    db.session.refresh(exam)
    assert exam.status == "cancelled" and _count(Sitting) == 0  # it had not opened
    assert client.post(f"/exams/manage/{exam.id}/cancel", data={"confirm": "y"}
                       ).status_code == 409


def test_editing_a_scheduled_exam_before_it_opens_plans_it_again(client, world):
    exam = _scheduled(world.cm, world.a.partner)
    _as(client, world.cm)
    page = client.get(f"/exams/manage/{exam.id}/edit").get_data(as_text=True)
    assert 'value="周考"' in page and 'value="2026-03-03T10:00"' in page
    response = client.post(f"/exams/manage/{exam.id}/edit", data=_form(
        world, title="周考（改）", opens_at="2026-03-05T09:00", closes_at="2026-03-05T12:00"))
    assert response.status_code == 302
    sitting = db.session.execute(select(Sitting)).scalar_one()
    assert sitting.opens_at == datetime(2026, 3, 5, 1, 0, tzinfo=timezone.utc)
    assert sitting.assigned_count == 2


def test_editing_is_refused_once_the_exam_has_opened(client, world):
    exam = _scheduled(world.cm, world.a.partner)
    clock.set_now(T0 + timedelta(days=1, hours=1))  # its window opened an hour ago
    _as(client, world.cm)
    for response in (client.get(f"/exams/manage/{exam.id}/edit"),
                     client.post(f"/exams/manage/{exam.id}/edit",
                                 data=_form(world, title="改不了"))):
        assert response.status_code == 409
        assert "考试已开放" in response.get_data(as_text=True)
    db.session.refresh(exam)
    assert exam.title == "周考"
    assert 'id="edit-exam"' not in client.get(f"/exams/manage/{exam.id}").get_data(
        as_text=True)


# --- overrides --------------------------------------------------------------------------
def _running_attempt(world, **values):
    exam = _scheduled(world.cm, world.a.partner, opens=T0 - timedelta(hours=1), hours=10,
                      time_limit_minutes=30, **values)
    sitting = exam.sittings[0]
    attempt = taking.start_or_resume(world.a.staff, sitting)
    db.session.commit()
    return sitting, attempt


def test_an_override_for_a_person_extends_the_running_attempt(client, world):
    sitting, attempt = _running_attempt(world)
    assert attempt.deadline == T0 + timedelta(minutes=30)
    _as(client, world.cm)
    page = client.get(f"/exams/manage/sittings/{sitting.id}/overrides").get_data(as_text=True)
    assert world.a.staff.username in page
    response = client.post(f"/exams/manage/sittings/{sitting.id}/overrides", data={
        "user_id": str(world.a.staff.id), "extra_minutes": "15", "reason": "网络故障"})
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.deadline == T0 + timedelta(minutes=45)
    override = db.session.execute(select(Override)).scalar_one()
    assert override.created_by == world.cm.id and override.reason == "网络故障"
    page = client.get(f"/exams/manage/sittings/{sitting.id}/overrides").get_data(as_text=True)
    assert "网络故障" in page and f'data-override="{override.id}"' in page
    assert client.post(f"/exams/manage/overrides/{override.id}/delete").status_code == 302
    db.session.refresh(attempt)
    assert attempt.deadline == T0 + timedelta(minutes=30) and _count(Override) == 0


def test_a_partner_override_with_a_later_close_moves_the_window_deadline(client, world):
    sitting, attempt = _running_attempt(world, title="无时限")
    sitting.exam.time_limit_minutes = None
    attempt.deadline = sitting.closes_at
    db.session.commit()
    _as(client, world.admin)
    response = client.post(f"/exams/manage/sittings/{sitting.id}/overrides", data={
        "partner_id": str(world.a.partner.id), "closes_at": "2026-03-02T23:30"})
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.deadline == datetime(2026, 3, 2, 15, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("data, field", [
    ({"extra_minutes": "10"}, "who"),                      # nobody chosen
    ({"user_id": "STAFF", "partner_id": "A", "extra_minutes": "10"}, "who"),  # both
    ({"user_id": "STAFF"}, "extra_minutes"),               # nothing given
    ({"user_id": "STAFF", "closes_at": "2026-03-02T08:00"}, "closes_at"),  # earlier
    ({"user_id": "STAFF", "extra_minutes": "-5"}, "extra_minutes"),
    ({"user_id": "OTHER", "extra_minutes": "5"}, "user_id"),  # B's staff: not a choice
])
def test_bad_override_gets_a_field_message_and_changes_nothing(client, world, data, field):
    sitting, attempt = _running_attempt(world)
    ids = {"STAFF": str(world.a.staff.id), "OTHER": str(world.b.staff.id),
           "A": str(world.a.partner.id)}
    data = {k: ids.get(v, v) for k, v in data.items()}
    _as(client, world.cm)
    response = client.post(f"/exams/manage/sittings/{sitting.id}/overrides", data=data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    db.session.refresh(attempt)
    assert _count(Override) == 0 and attempt.deadline == T0 + timedelta(minutes=30)


def test_many_assigned_people_are_named_by_username(client, world, monkeypatch):
    from portal.exams import manage_services
    monkeypatch.setattr(manage_services, "PICK_LIMIT", 1)
    sitting, attempt = _running_attempt(world)
    _as(client, world.cm)
    page = client.get(f"/exams/manage/sittings/{sitting.id}/overrides").get_data(as_text=True)
    assert 'name="username"' in page and 'name="user_id"' not in page
    url = f"/exams/manage/sittings/{sitting.id}/overrides"
    response = client.post(url, data={"username": world.b.staff.username, "extra_minutes": "5"})
    assert response.status_code == 400 and 'data-field="username"' in response.get_data(
        as_text=True)
    assert client.post(url, data={"username": world.a.staff.username, "extra_minutes": "5"}
                       ).status_code == 302
    db.session.refresh(attempt)
    assert attempt.deadline == T0 + timedelta(minutes=35)


# --- who may see and change -------------------------------------------------------------
def test_channel_manager_cannot_change_an_exam_it_did_not_write(client, world):
    foreign = _scheduled(world.admin, world.b.partner, title="B的考试")
    # Written by the admin for A's partner: the channel manager sees it, may not change it.
    shared = _scheduled(world.admin, world.a.partner, title="A的考试")
    _as(client, world.cm)
    listing = client.get("/exams/manage/").get_data(as_text=True)
    assert "A的考试" in listing and "B的考试" not in listing
    assert client.get(f"/exams/manage/{foreign.id}").status_code == 404
    assert client.get(f"/exams/manage/{foreign.id}/edit").status_code == 404
    assert client.post(f"/exams/manage/{foreign.id}/cancel", data={"confirm": "y"}
                       ).status_code == 404
    page = client.get(f"/exams/manage/{shared.id}").get_data(as_text=True)
    assert "A的考试" in page and 'id="cancel-exam"' not in page
    assert client.get(f"/exams/manage/{shared.id}/edit").status_code == 403
    assert client.post(f"/exams/manage/{shared.id}/cancel", data={"confirm": "y"}
                       ).status_code == 403
    sitting = shared.sittings[0]
    assert client.post(f"/exams/manage/sittings/{sitting.id}/overrides", data={
        "user_id": str(world.a.staff.id), "extra_minutes": "5"}).status_code == 403
    db.session.refresh(shared)
    assert shared.status == "scheduled" and _count(Override) == 0


def test_auditor_reads_the_pages_and_cannot_post(client, world):
    exam = _scheduled(world.cm, world.a.partner)
    sitting = exam.sittings[0]
    override = services.add_override(sitting, world.cm, user=world.a.staff, extra_minutes=5)
    db.session.commit()
    _as(client, world.auditor)
    listing = client.get("/exams/manage/").get_data(as_text=True)
    assert "周考" in listing and 'id="new-exam"' not in listing
    page = client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    assert 'id="cancel-exam"' not in page and 'id="edit-exam"' not in page
    page = client.get(f"/exams/manage/sittings/{sitting.id}/overrides").get_data(as_text=True)
    assert 'id="add-override"' not in page and "删除" not in page
    assert client.get("/exams/manage/new").status_code == 403
    for url, data in (("/exams/manage/new", _form(world)),
                      (f"/exams/manage/{exam.id}/cancel", {"confirm": "y"}),
                      (f"/exams/manage/sittings/{sitting.id}/overrides",
                       {"user_id": str(world.a.staff.id), "extra_minutes": "5"}),
                      (f"/exams/manage/overrides/{override.id}/delete", {})):
        assert client.post(url, data=data).status_code == 403
    assert _count(Exam) == 1 and _count(Override) == 1


def test_a_channel_manager_reads_but_does_not_change_the_admins_exam(client, world):
    """The admin's exam reaches the channel manager's partner: it reads the exam and its
    overrides, and may neither add nor remove one, nor cancel or edit the exam."""
    exam = _scheduled(world.admin, world.a.partner)
    sitting = exam.sittings[0]
    override = services.add_override(sitting, world.admin, user=world.a.staff,
                                     extra_minutes=5)
    db.session.commit()
    _as(client, world.cm)
    page = client.get(f"/exams/manage/sittings/{sitting.id}/overrides")
    assert page.status_code == 200 and 'id="add-override"' not in page.get_data(as_text=True)
    for url, data in ((f"/exams/manage/overrides/{override.id}/delete", {}),
                      (f"/exams/manage/sittings/{sitting.id}/overrides",
                       {"user_id": str(world.a.other_staff.id), "extra_minutes": "5"}),
                      (f"/exams/manage/{exam.id}/cancel", {"confirm": "y"}),
                      (f"/exams/manage/{exam.id}/edit", _form(world))):
        assert client.post(url, data=data).status_code == 403, url
    assert _count(Override) == 1
    db.session.refresh(exam)
    assert exam.status == "scheduled"


@pytest.mark.parametrize("who", ["owner", "manager", "staff"])
def test_partner_people_get_403_on_the_manage_pages(client, world, who):
    exam = _scheduled(world.cm, world.a.partner)
    _as(client, getattr(world.a, who))
    sitting = exam.sittings[0]
    for url in ("/exams/manage/", "/exams/manage/new", f"/exams/manage/{exam.id}",
                f"/exams/manage/{exam.id}/edit",
                f"/exams/manage/sittings/{sitting.id}/overrides"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/exams/manage/{exam.id}/cancel", data={"confirm": "y"}
                       ).status_code in (403, 404)
    db.session.refresh(exam)
    assert exam.status == "scheduled"


# --- the list ---------------------------------------------------------------------------
def test_list_filters_by_status_track_and_title(client, world):
    _scheduled(world.cm, world.a.partner, title="三月周考")
    _exam(world.cm, world.a.partner, title="四月草稿")
    _as(client, world.cm)

    def titles(query):
        page = client.get("/exams/manage/" + query).get_data(as_text=True)
        return [t for t in ("三月周考", "四月草稿") if t in page]
    assert titles("") == ["三月周考", "四月草稿"]
    assert titles("?status=draft") == ["四月草稿"]
    assert titles("?q=三月") == ["三月周考"]
    assert titles("?track=boss") == []
    assert "没有符合筛选条件的考试" in client.get("/exams/manage/?track=boss").get_data(
        as_text=True)


def test_empty_list_invites_the_first_exam_and_the_menu_leads_to_it(client, world):
    _as(client, world.cm)
    home = client.get("/partners").get_data(as_text=True)
    assert 'id="nav-exams-manage" href="/exams/manage/"' in home
    page = client.get("/exams/manage/").get_data(as_text=True)
    assert "还没有考试" in page and 'href="/exams/manage/new"' in page


def test_channel_manager_sees_names_and_figures_of_its_own_partners_only(client, world):
    exam = services.create_exam(
        world.admin, title="两家合考", track="staff", opens_at=T0 + timedelta(days=1),
        closes_at=T0 + timedelta(days=2), draw=[{"track": "staff", "tag": "", "count": 2}],
        audience={"partner_ids": [world.a.partner.id, world.b.partner.id]})
    services.schedule(exam)
    sitting = exam.sittings[0]
    services.add_override(sitting, world.admin, user=world.b.staff, extra_minutes=5)
    db.session.commit()
    assert sitting.assigned_count == 4
    _as(client, world.cm)
    page = client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    assert "代理商A" in page and "代理商B" not in page and "另有 1 家代理商" in page
    row = page.split(f'data-sitting="{sitting.id}"')[1].split("</tr>")[0]
    assert ">2<" in row.replace(" ", "") and ">4<" not in row.replace(" ", "")
    page = client.get(f"/exams/manage/sittings/{sitting.id}/overrides").get_data(as_text=True)
    assert world.b.staff.username not in page and "代理商B" not in page
    assert "您负责的代理商以外的人员" in page
    client.post("/logout")
    _as(client, world.admin)
    page = client.get(f"/exams/manage/{exam.id}").get_data(as_text=True)
    assert "代理商A" in page and "代理商B" in page


def test_editing_a_weekly_exam_shows_its_rule(client, world):
    exam = services.create_exam(
        world.cm, title="每周考", track="staff", opens_at=datetime(2026, 3, 8, 16, 0,
                                                                  tzinfo=timezone.utc),
        draw=[{"track": "staff", "tag": "sales-habits", "count": 2}],
        recurrence={"weekdays": [0, 3], "open": "09:00", "close": "21:00",
                    "until": "2026-05-31"})
    db.session.commit()
    _as(client, world.cm)
    page = client.get(f"/exams/manage/{exam.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="weekly"', page)
    for snippet in ('value="09:00"', 'value="21:00"', 'value="2026-03-09"', 'value="2026-05-31"'):
        assert snippet in page
    weekdays = page.split('id="weekdays-group"')[1].split("</fieldset>")[0]
    assert weekdays.count("checked") == 2
