"""The taker's pages: my exams, starting and resuming, autosave as JSON, submitting once,
results with or without review, certificates as a page and a PDF, and who may do what."""
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.auth import sessions
from portal.core import clock
from portal.exams import services, taking
from portal.exams.models import Attempt, AttemptItem, Certificate
from portal.extensions import db
from tests.conftest import PASSWORD, login

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai
DRAW = [{"track": "staff", "tag": "sales-habits", "count": 3},
        {"track": "staff", "tag": "customer-classes", "count": 2}]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
pytestmark = pytest.mark.usefixtures("banks")


def _sitting(world, **change):
    """A scheduled staff exam for partner A, open since T0; the clock 5 minutes in."""
    clock.set_now(T0 + timedelta(minutes=5))
    values = dict(title="销售习惯周考", track="staff", draw=DRAW, time_limit_minutes=30,
                  opens_at=T0, closes_at=T0 + timedelta(hours=12),
                  audience={"partner_ids": [world.a.partner.id]})
    values.update(change)
    exam = services.create_exam(world.cm, **values)
    services.schedule(exam)
    db.session.commit()
    return exam.sittings[0]


def _as(client, user):
    assert login(client, user).status_code == 302
    return client


def _start(client, sitting) -> Attempt:
    response = client.post(f"/exams/sittings/{sitting.id}/start")
    assert response.status_code == 302
    attempt_id = int(re.search(r"/exams/attempts/(\d+)$", response.headers["Location"])[1])
    return db.session.get(Attempt, attempt_id)


def _first_choices(attempt) -> dict:
    """An answer to every question in shown positions: the first option, true, a word."""
    pick = {"single": 0, "multiple": [0], "truefalse": True, "fill": "拜访"}
    return {str(q["id"]): pick[q["kind"]] for q in taking.questions_for(attempt)}


def _save(client, attempt, answers, **kw):
    return client.post(f"/exams/attempts/{attempt.id}/answers", json={"answers": answers}, **kw)


def _saved(attempt) -> dict:
    db.session.expire_all()
    return {item.id: item.answer for item in db.session.execute(
        select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)).scalars()}


def test_staff_sees_the_open_exam_and_starts_it_from_its_rules_page(client, world):
    sitting = _sitting(world)
    _as(client, world.a.staff)
    page = client.get("/exams/").get_data(as_text=True)
    assert "销售习惯周考" in page and f'href="/exams/sittings/{sitting.id}"' in page
    assert 'id="open-exams"' in page and 'id="no-exams"' not in page
    assert f"/exams/sittings/{sitting.id}/start" not in page  # the clock starts there
    rules = client.get(f"/exams/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="what-counts"' in rules and f"/exams/sittings/{sitting.id}/start" in rules
    attempt = _start(client, sitting)
    assert attempt.user_id == world.a.staff.id and len(attempt.items) == 5


def test_attempt_page_shows_questions_but_never_the_answers(client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    page = client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    for item in attempt.items:
        version = item.version
        assert version.text in page
        assert version.explanation not in page
        for option in version.options:
            assert option["text"] in page
    assert "correct" not in page.lower() and "explanation" not in page.lower()
    assert 'id="countdown" data-seconds-left="1800"' in page


def test_staff_without_an_exam_sees_the_empty_state(client, world):
    page = _as(client, world.a.staff).get("/exams/").get_data(as_text=True)
    assert 'id="no-exams"' in page


def test_autosave_keeps_answers_in_the_banks_positions(client, world):
    sitting = _sitting(world, shuffle_options=True)
    attempt = _start(_as(client, world.a.staff), sitting)
    answers = _first_choices(attempt)
    response = _save(client, attempt, answers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] == 5 and body["seconds_left"] == 30 * 60
    saved = _saved(attempt)
    for item in attempt.items:
        if item.version.kind == "single":
            assert saved[item.id] == item.option_order[0]
        elif item.version.kind == "multiple":
            assert saved[item.id] == [item.option_order[0]]


def test_reload_and_second_device_resume_the_same_attempt(app, client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    item = next(i for i in attempt.items if i.version.kind == "single")
    assert _save(client, attempt, {str(item.id): 2}).status_code == 200

    phone = _as(app.test_client(), world.a.staff)
    assert _start(phone, sitting).id == attempt.id
    page = phone.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    assert re.search(rf'id="a-{item.id}-2" value="2" checked', page)
    assert db.session.execute(select(func.count(Attempt.id))).scalar() == 1


def test_answer_to_a_question_not_in_the_attempt_is_refused_and_nothing_saved(client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    answers = _first_choices(attempt)
    answers["999999"] = 0
    response = _save(client, attempt, answers)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "unprocessable_entity" and "answers.999999" in body["details"]
    assert set(_saved(attempt).values()) == {None}


@pytest.mark.parametrize("payload", [None, [], {"answers": [1, 2]}, {"answers": "x"}, {}])
def test_malformed_autosave_is_a_json_400(client, world, payload):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    if payload is None:
        response = client.post(f"/exams/attempts/{attempt.id}/answers", data="not json",
                               content_type="application/json")
    else:
        response = client.post(f"/exams/attempts/{attempt.id}/answers", json=payload)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error", "message", "details"}


def test_nobody_else_may_save_into_an_attempt(app, client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    answers = _first_choices(attempt)
    for user, status in ((world.a.other_staff, 404), (world.b.staff, 404),
                         (world.a.owner, 403), (world.auditor, 403), (world.admin, 403)):
        other = _as(app.test_client(), user)
        response = _save(other, attempt, answers)
        assert response.status_code == status, user.username
        assert response.get_json()["error"]
        assert other.post(f"/exams/attempts/{attempt.id}/submit").status_code == status
    assert set(_saved(attempt).values()) == {None}
    assert db.session.get(Attempt, attempt.id).submitted_at is None


def test_staff_cannot_save_answers_after_deadline(client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    clock.advance(timedelta(minutes=31))
    response = _save(client, attempt, _first_choices(attempt))
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"
    assert set(_saved(attempt).values()) == {None}
    # Opening the attempt again shows the result, submitted by the deadline.
    response = client.get(f"/exams/attempts/{attempt.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="result-percent">0%' in page
    assert db.session.get(Attempt, attempt.id).submitted_by == "deadline"


def test_submit_form_saves_its_answers_and_a_second_submit_changes_nothing(client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    form = {f"a-{k}": (["0"] if isinstance(v, list) else str(v).lower())
            for k, v in _first_choices(attempt).items()}
    response = client.post(f"/exams/attempts/{attempt.id}/submit", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/exams/attempts/{attempt.id}/result")
    first = db.session.get(Attempt, attempt.id)
    submitted_at, score = first.submitted_at, first.score
    assert submitted_at is not None and first.submitted_by == "taker"
    assert None not in _saved(attempt).values()

    clock.advance(timedelta(minutes=1))
    again = client.post(f"/exams/attempts/{attempt.id}/submit", data={
        f"a-{item.id}": "1" for item in attempt.items})
    assert again.status_code == 302
    db.session.expire_all()
    after = db.session.get(Attempt, attempt.id)
    assert (after.submitted_at, after.score) == (submitted_at, score)
    assert db.session.execute(select(func.count(Attempt.id)).where(
        Attempt.submitted_at.is_not(None))).scalar() == 1


def test_submit_with_a_foreign_question_is_refused_and_not_submitted(client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post("/lang/en", data={"next": "/"})
    response = client.post(f"/exams/attempts/{attempt.id}/submit", data={"a-999999": "0"})
    assert response.status_code == 422
    assert "This question is not part of this attempt." in response.get_data(as_text=True)
    assert db.session.get(Attempt, attempt.id).submitted_at is None


def test_result_shows_score_and_review_with_explanations(client, world):
    sitting = _sitting(world, review="after_submit")
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post(f"/exams/attempts/{attempt.id}/submit", data={})
    page = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert 'id="result-percent">0%' in page and 'id="review"' in page
    for item in attempt.items:
        assert item.version.explanation in page


def test_review_waits_for_the_close_when_the_exam_says_so(client, world):
    sitting = _sitting(world, review="after_close")
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post(f"/exams/attempts/{attempt.id}/submit", data={})
    explanation = attempt.items[0].version.explanation
    page = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert 'id="review-later"' in page and explanation not in page
    clock.set_now(T0 + timedelta(hours=12))
    page = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert 'id="review"' in page and explanation in page


def test_result_never_shows_answers_when_review_is_off(client, world):
    sitting = _sitting(world, review="never")
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post(f"/exams/attempts/{attempt.id}/submit", data={})
    clock.set_now(T0 + timedelta(hours=12, minutes=1))  # closed, and still logged in
    page = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert 'id="review-never"' in page
    assert attempt.items[0].version.explanation not in page


def _csrf_client(app, user):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True))[1]
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


def _start_with_token(client, sitting):
    page = client.get(f"/exams/sittings/{sitting.id}").get_data(as_text=True)
    response = client.post(f"/exams/sittings/{sitting.id}/start",
                           data={"csrf_token": CSRF.search(page)[1]})
    return db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_saving_and_submitting_still_work_three_hours_into_a_long_exam(app, world,
                                                                       monkeypatch):
    sitting = _sitting(world, time_limit_minutes=None)
    client = _csrf_client(app, world.a.staff)
    attempt = _start_with_token(client, sitting)
    page = client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    token = CSRF.search(page)[1]

    # Three hours later by the portal's clock and by the clock that signs the tokens.
    clock.advance(timedelta(hours=3))
    import itsdangerous.timed
    later = int(time.time()) + 3 * 3600
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: later)
    response = _save(client, attempt, _first_choices(attempt), headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    response = client.post(f"/exams/attempts/{attempt.id}/submit", data={"csrf_token": token})
    assert response.status_code == 302
    done = db.session.get(Attempt, attempt.id)
    assert done.submitted_by == "taker" and None not in _saved(attempt).values()


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_autosave_with_a_stale_csrf_token_answers_json_not_a_page(app, world):
    sitting = _sitting(world)
    client = _csrf_client(app, world.a.staff)
    attempt = _start_with_token(client, sitting)
    response = _save(client, attempt, _first_choices(attempt),
                     headers={"X-CSRFToken": "stale"})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
    assert set(_saved(attempt).values()) == {None}


def test_save_after_the_login_ended_elsewhere_is_a_json_401_and_saves_nothing(client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    sessions.end_all_sessions(world.a.staff)  # e.g. the password was changed on a phone
    db.session.commit()
    response = _save(client, attempt, _first_choices(attempt))
    assert response.status_code == 401
    body = response.get_json()
    assert body["error"] == "logged_out"
    assert "重新登录" in body["message"] or "Log in again" in body["message"]
    assert set(_saved(attempt).values()) == {None}
    # Logged in again, the answers kept on the device go through.
    _as(client, world.a.staff)
    assert _save(client, attempt, _first_choices(attempt)).status_code == 200


def test_owner_sees_the_staff_sitting_without_a_start_button(client, world):
    sitting = _sitting(world)
    _as(client, world.a.owner)
    page = client.get(f"/exams/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="not-assigned"' in page and 'id="start-form"' not in page
    response = client.post(f"/exams/sittings/{sitting.id}/start")
    assert response.status_code == 403
    assert db.session.execute(select(func.count(Attempt.id))).scalar() == 0


def test_foreign_sitting_attempt_and_certificate_are_not_found(app, client, world):
    sitting = _sitting(world, is_final=True, pass_percent=0)
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post(f"/exams/attempts/{attempt.id}/submit", data={})
    certificate = db.session.execute(select(Certificate)).scalar_one()
    outsider = _as(app.test_client(), world.b.staff)
    for url in (f"/exams/sittings/{sitting.id}", f"/exams/attempts/{attempt.id}",
                f"/exams/attempts/{attempt.id}/result", f"/exams/certificates/{certificate.id}",
                f"/exams/certificates/{certificate.id}/pdf"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/exams/sittings/{sitting.id}/start").status_code == 404
    assert certificate.serial not in outsider.get("/exams/certificates/").get_data(as_text=True)


def test_starting_a_closed_exam_says_why(client, world):
    sitting = _sitting(world)
    _as(client, world.a.staff)
    client.post("/lang/en", data={"next": "/"})
    clock.set_now(T0 + timedelta(hours=12, minutes=1))
    response = client.post(f"/exams/sittings/{sitting.id}/start")
    assert response.status_code == 409
    assert "This exam has closed." in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Attempt.id))).scalar() == 0


def test_my_exams_lists_upcoming_open_and_past_with_score(client, world):
    past = _sitting(world, title="上周考试", time_limit_minutes=10)
    _as(client, world.a.staff)
    attempt = _start(client, past)
    client.post(f"/exams/attempts/{attempt.id}/submit", data={})
    clock.set_now(T0 + timedelta(days=1))
    services.schedule(services.create_exam(
        world.cm, title="今天的考试", track="staff", draw=DRAW, opens_at=T0 + timedelta(hours=23),
        closes_at=T0 + timedelta(days=1, hours=5), audience={"partner_ids": [world.a.partner.id]}))
    services.schedule(services.create_exam(
        world.cm, title="下周考试", track="staff", draw=DRAW, opens_at=T0 + timedelta(days=7),
        closes_at=T0 + timedelta(days=8), audience={"partner_ids": [world.a.partner.id]}))
    db.session.commit()
    page = _as(client, world.a.staff).get("/exams/").get_data(as_text=True)
    order = ['id="open-exams"', "今天的考试", 'id="upcoming-exams"', "下周考试",
             'id="past-exams"', "上周考试"]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert f"/exams/attempts/{attempt.id}/result" in page


def test_final_exam_certificate_as_page_and_pdf(client, world):
    sitting = _sitting(world, is_final=True, pass_percent=0)
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post(f"/exams/attempts/{attempt.id}/submit", data={})
    certificate = db.session.execute(select(Certificate)).scalar_one()
    result = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert f"/exams/certificates/{certificate.id}" in result

    page = client.get(f"/exams/certificates/{certificate.id}").get_data(as_text=True)
    for text in (world.a.staff.display_name, world.a.partner.name, "销售习惯周考",
                 certificate.serial, "员工培训", "2026-11-23"):
        assert text in page, text
    pdf = client.get(f"/exams/certificates/{certificate.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")

    owner = client.application.test_client()
    _as(owner, world.a.owner)
    listing = owner.get("/exams/certificates/").get_data(as_text=True)
    assert certificate.serial in listing and world.a.staff.display_name in listing
    found = owner.get(f"/exams/certificates/?serial={certificate.serial.lower()}")
    assert certificate.serial in found.get_data(as_text=True)


def test_questions_appear_in_english_after_the_toggle(client, world):
    sitting = _sitting(world)
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post("/lang/en", data={"next": "/"})
    page = client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    version = attempt.items[0].version
    assert str(escape(version.text_en)) in page and "Submit answers" in page


def test_owner_sees_a_staff_result_but_the_answers_only_after_the_close(app, client, world):
    sitting = _sitting(world, review="after_submit")
    attempt = _start(_as(client, world.a.staff), sitting)
    client.post(f"/exams/attempts/{attempt.id}/submit", data={})
    explanation = attempt.items[0].version.explanation
    owner = _as(app.test_client(), world.a.owner)
    response = owner.get(f"/exams/attempts/{attempt.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    page = owner.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert 'id="result-percent"' in page and world.a.staff.display_name in page
    assert explanation not in page
    clock.set_now(T0 + timedelta(hours=12))
    page = owner.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert explanation in page


def test_principal_goes_to_the_schedule_and_sees_a_sitting_as_takers_do(client, world):
    sitting = _sitting(world)
    _as(client, world.cm)
    response = client.get("/exams/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/exams/manage/")
    page = client.get(f"/exams/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="exam-rules"' in page and 'id="start-form"' not in page
    assert f"/exams/manage/{sitting.exam_id}" in page


def test_owner_and_team_lead_get_a_link_to_exam_reports_but_staff_do_not(app, world):
    for user, shown in ((world.a.owner, True), (world.a.manager, True), (world.a.staff, False)):
        page = _as(app.test_client(), user).get("/exams/").get_data(as_text=True)
        assert ('id="exam-reports-link"' in page) is shown, user.username
        assert 'id="nav-exams"' in page
