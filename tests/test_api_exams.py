"""The exams API: a taker lists its sittings, starts or resumes, autosaves and submits
once; bad answers, someone else's attempt and a late answer change nothing; right answers
stay on the server until a review; coverage follows who the caller answers for."""
import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.core import clock
from portal.exams import services, taking
from portal.exams.bank.sync import sync
from portal.exams.models import Attempt, AttemptItem
from portal.extensions import db
from tests.conftest import login
from tests.quizbank import HABITS, SERVICE, write
from tests.test_api import bearer

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)  # a Monday, 09:00 in Shanghai
API = "/api/v1"


@pytest.fixture
def bank(app, tmp_path):
    """Five staff questions, one or more of every kind."""
    write(tmp_path, "staff", "habits.yaml", HABITS)
    write(tmp_path, "staff", "service.yaml", SERVICE)
    sync([tmp_path])
    db.session.commit()
    clock.set_now(T0)


def exam(world, title="周考", *, opens=timedelta(hours=-1), hours=12, partners=("a",),
         **settings):
    """A scheduled staff exam of all five questions for the staff of `partners`."""
    made = services.create_exam(
        world.admin, title=title, track="staff", draw=[{"track": "staff", "tag": "", "count": 5}],
        opens_at=T0 + opens, closes_at=T0 + opens + timedelta(hours=hours),
        audience={"partner_ids": [getattr(world, p).partner.id for p in partners]},
        **{"time_limit_minutes": 30, "attempts_allowed": 2, **settings})
    services.schedule(made)
    db.session.commit()
    return made


@pytest.fixture
def sitting(world, bank):
    return exam(world).sittings[0]


def start(client, user, sitting):
    return client.post(f"{API}/exams/{sitting.id}/attempts", headers=bearer(user))


@pytest.fixture
def attempt(client, world, sitting):
    """staff_a's attempt, as the API started it."""
    r = start(client, world.a.staff, sitting)
    assert r.status_code == 201
    return r.json


def right_answers(attempt_json) -> dict:
    """The correct answer of every item, in the positions the taker was shown."""
    answers = {}
    for item in attempt_json["items"]:
        row = db.session.get(AttemptItem, item["id"])
        version = row.version
        answers[str(item["id"])] = version.answer[0] if version.kind == "fill" \
            else taking.shown(row, version.answer)
    return answers


def saved() -> list:
    return [(row.answer, row.saved_at) for row in db.session.execute(
        select(AttemptItem).order_by(AttemptItem.id)).scalars()]


def put_answers(client, user, attempt_id, body, language=None):
    headers = {**bearer(user), **({"Accept-Language": language} if language else {})}
    return client.put(f"{API}/attempts/{attempt_id}/answers", headers=headers, json=body)


# ---- listing ----

def test_staff_lists_its_open_and_upcoming_sittings_only(client, world, bank):
    open_now = exam(world, "本周考试")
    exam(world, "下周考试", opens=timedelta(days=7))
    exam(world, "已结束", hours=2)
    exam(world, "B的考试", partners=("b",))
    clock.advance(timedelta(hours=3))
    r = client.get(f"{API}/exams", headers=bearer(world.a.staff))
    assert r.status_code == 200
    assert [(i["title"], i["state"]) for i in r.json["items"]] == [
        ("本周考试", "start"), ("下周考试", "upcoming")]
    first = r.json["items"][0]
    assert first == {"sitting_id": open_now.sittings[0].id, "exam_id": open_now.id,
                     "title": "本周考试", "track": "staff",
                     "opens_at": (T0 - timedelta(hours=1)).isoformat(),
                     "closes_at": (T0 + timedelta(hours=11)).isoformat(),
                     "time_limit_minutes": 30, "question_count": 5, "attempts_allowed": 2,
                     "attempts_used": 0, "state": "start", "attempt_id": None}
    running = start(client, world.a.staff, open_now.sittings[0]).json
    again = client.get(f"{API}/exams?per_page=1", headers=bearer(world.a.staff)).json
    assert (again["total"], again["pages"]) == (2, 2)
    assert (again["items"][0]["state"], again["items"][0]["attempt_id"],
            again["items"][0]["attempts_used"]) == ("resume", running["id"], 1)


def test_override_shows_the_later_close_and_keeps_a_closed_window_listed(client, world,
                                                                          bank):
    made = exam(world, hours=2)
    later = T0 + timedelta(hours=5)
    services.add_override(made.sittings[0], world.cm, user=world.a.staff, closes_at=later)
    db.session.commit()
    clock.advance(timedelta(hours=3))
    mine = client.get(f"{API}/exams", headers=bearer(world.a.staff)).json["items"]
    assert [(i["closes_at"], i["state"]) for i in mine] == [(later.isoformat(), "start")]
    assert client.get(f"{API}/exams", headers=bearer(world.a.other_staff)).json["items"] == []


@pytest.mark.parametrize("who", ["admin", "cm", "auditor"])
def test_principal_roles_take_no_exams(client, world, sitting, who):
    r = client.get(f"{API}/exams", headers=bearer(getattr(world, who)))
    assert r.status_code == 200 and r.json["items"] == [] and r.json["total"] == 0


# ---- starting and resuming ----

def test_start_then_resume_gives_the_same_attempt_without_right_answers(client, world,
                                                                         attempt, sitting):
    assert attempt["deadline"] == (T0 + timedelta(minutes=30)).isoformat()
    assert (attempt["seconds_left"], attempt["done"], attempt["result"]) == (1800, False, None)
    assert sorted(i["kind"] for i in attempt["items"]) == [
        "fill", "multiple", "single", "truefalse", "truefalse"]
    for item in attempt["items"]:
        assert set(item) == {"id", "position", "kind", "points", "text", "options", "answer"}
    assert "有效拜访看结果" not in json.dumps(attempt, ensure_ascii=False)  # no explanation
    clock.advance(timedelta(minutes=5))
    again = start(client, world.a.staff, sitting)
    assert again.status_code == 200
    assert again.json["id"] == attempt["id"] and again.json["seconds_left"] == 1500
    assert [i["options"] for i in again.json["items"]] == [i["options"] for i in attempt["items"]]


def test_english_texts_follow_accept_language(client, world, attempt, sitting):
    r = client.post(f"{API}/exams/{sitting.id}/attempts",
                    headers={**bearer(world.a.staff), "Accept-Language": "en"})
    texts = {i["text"] for i in r.json["items"]}
    assert 'Which of these best fits an "effective visit"?' in texts


@pytest.mark.parametrize("opens, later, reason", [
    (timedelta(days=1), timedelta(0), "This exam opens at"),
    (timedelta(hours=-1), timedelta(hours=12), "This exam has closed."),
])
def test_start_outside_the_window_is_a_conflict(client, world, bank, opens, later, reason):
    made = exam(world, opens=opens, hours=12)
    clock.advance(later)
    r = client.post(f"{API}/exams/{made.sittings[0].id}/attempts",
                    headers={**bearer(world.a.staff), "Accept-Language": "en"})
    assert r.status_code == 409 and r.json["details"]["reason"].startswith(reason)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_every_attempt_used_is_a_conflict(client, world, bank):
    made = exam(world, attempts_allowed=1)
    first = start(client, world.a.staff, made.sittings[0]).json
    client.post(f"{API}/attempts/{first['id']}/submit", headers=bearer(world.a.staff))
    r = start(client, world.a.staff, made.sittings[0])
    assert r.status_code == 409 and r.json["error"] == "conflict"


def test_only_assigned_people_start(client, world, sitting):
    # The manager sees its team's sitting but is not assigned to it.
    assert start(client, world.a.manager, sitting).status_code == 403
    assert start(client, world.b.staff, sitting).status_code == 404
    assert start(client, world.admin, sitting).status_code == 403
    assert start(client, world.auditor, sitting).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


@pytest.mark.parametrize("path", ["/exams/{big}/attempts", "/attempts/{big}",
                                  "/attempts/{big}/answers", "/attempts/{big}/submit",
                                  "/exams/{big}/coverage"])
def test_ids_beyond_a_database_integer_are_not_found(client, world, path):
    url = API + path.format(big=2**31)
    method = "put" if path.endswith("answers") else "post" if path.endswith(
        ("attempts", "submit")) else "get"
    r = getattr(client, method)(url, headers=bearer(world.admin), json={"answers": {}})
    assert r.status_code == 404 and r.json["error"] == "not_found"


# ---- autosaving ----

def test_autosave_keeps_answers_in_the_bank_order_and_shows_them_back(client, world,
                                                                      attempt):
    answers = right_answers(attempt)
    r = put_answers(client, world.a.staff, attempt["id"], {"answers": answers})
    assert r.status_code == 200
    assert r.json == {"saved": 5, "deadline": attempt["deadline"], "seconds_left": 1800}
    single = next(i for i in attempt["items"] if i["kind"] == "single")
    assert db.session.get(AttemptItem, single["id"]).answer == 0  # first option in the file
    back = client.get(f"{API}/attempts/{attempt['id']}", headers=bearer(world.a.staff)).json
    assert {str(i["id"]): i["answer"] for i in back["items"]} == answers
    cleared = put_answers(client, world.a.staff, attempt["id"],
                          {"answers": {str(single["id"]): None}})
    assert cleared.status_code == 200 and db.session.get(AttemptItem, single["id"]).answer is None


def bad_bodies(attempt_json) -> list:
    by_kind = {i["kind"]: str(i["id"]) for i in attempt_json["items"]}
    good = {by_kind["single"]: 0}
    return [
        ("answers", {"answers": [0, 1]}),
        ("answers", {"answers": "0"}),
        ("answers", {"answers": None}),
        ("answers", {}),
        ("answers", {"answers": {str(n): 0 for n in range(2001)}}),
        ("colour", {"answers": good, "colour": "red"}),
        (by_kind["single"], {"answers": {by_kind["single"]: "a"}}),
        (by_kind["single"], {"answers": {by_kind["single"]: 9}}),
        (by_kind["single"], {"answers": {by_kind["single"]: True}}),
        (by_kind["multiple"], {"answers": {**good, by_kind["multiple"]: [0, 0]}}),
        (by_kind["multiple"], {"answers": {**good, by_kind["multiple"]: 1}}),
        (by_kind["truefalse"], {"answers": {**good, by_kind["truefalse"]: 1}}),
        (by_kind["fill"], {"answers": {**good, by_kind["fill"]: 5}}),
        (by_kind["fill"], {"answers": {**good, by_kind["fill"]: "保" * 201}}),
        (by_kind["fill"], {"answers": {**good, by_kind["fill"]: "x" * 1_000_000}}),
        (by_kind["fill"], {"answers": {**good, by_kind["fill"]: "a\x00b"}}),
        ("999999", {"answers": {**good, "999999": 0}}),
        ("abc", {"answers": {**good, "abc": 0}}),
    ]


def test_bad_answers_are_refused_by_item_and_nothing_is_saved(client, world, attempt):
    before = saved()
    for field, body in bad_bodies(attempt):
        r = put_answers(client, world.a.staff, attempt["id"], body)
        assert r.status_code == 422, body
        fields = r.json["details"]["fields"]["json"]
        named = fields["answers"] if field not in ("answers", "colour") else fields
        assert list(named) == [field], (body, fields)
        assert saved() == before


@pytest.mark.parametrize("kwargs", [
    {"data": "answers=1", "content_type": "application/x-www-form-urlencoded"},
    {"data": "{not json", "content_type": "application/json"},
    {"data": "", "content_type": "text/plain"},
])
def test_a_body_that_is_not_json_is_refused(client, world, attempt, kwargs):
    before = saved()
    r = client.put(f"{API}/attempts/{attempt['id']}/answers", headers=bearer(world.a.staff),
                   **kwargs)
    assert r.status_code in (400, 422) and r.json["details"]
    assert saved() == before


def test_someone_elses_attempt_is_not_found_or_refused(client, world, attempt):
    body = {"answers": right_answers(attempt)}
    path = f"{API}/attempts/{attempt['id']}"
    for user in (world.b.staff, world.a.other_staff, world.b.owner):
        assert client.get(path, headers=bearer(user)).status_code == 404
        assert put_answers(client, user, attempt["id"], body).status_code == 404
        assert client.post(f"{path}/submit", headers=bearer(user)).status_code == 404
    # Its team manager (and the admin, who may change anything else) reads the attempt
    # but never answers or submits for it.
    for user in (world.a.manager, world.admin):
        assert client.get(path, headers=bearer(user)).status_code == 200
        assert put_answers(client, user, attempt["id"], body).status_code == 403
        assert client.post(f"{path}/submit", headers=bearer(user), json=body).status_code == 403
    assert all(answer is None for answer, _ in saved())
    assert db.session.get(Attempt, attempt["id"]).submitted_at is None


def test_answers_after_the_deadline_are_refused_in_the_callers_language(client, world,
                                                                         attempt):
    clock.advance(timedelta(minutes=30))
    body = {"answers": right_answers(attempt)}
    r = put_answers(client, world.a.staff, attempt["id"], body, language="en")
    assert r.status_code == 409
    assert r.json["message"] == "This conflicts with the current state."
    assert r.json["details"]["reason"].startswith("The time is up")
    default = put_answers(client, world.a.staff, attempt["id"], body)
    with force_locale("zh"):
        chinese = gettext("This conflicts with the current state.")
    assert default.json["message"] == chinese != r.json["message"]
    assert default.headers["Content-Language"] == "zh"
    assert all(answer is None for answer, _ in saved())


# ---- submitting and reading back ----

def test_submit_scores_once_and_a_repeat_changes_nothing(client, world, attempt):
    path = f"{API}/attempts/{attempt['id']}/submit"
    headers = bearer(world.a.staff)
    r = client.post(path, headers=headers, json={"answers": right_answers(attempt)})
    assert r.status_code == 200
    assert r.json == {"attempt_id": attempt["id"], "counted": True,
                      "submitted_at": T0.isoformat(), "submitted_by": "taker",
                      "score": 8.0, "max_score": 8.0, "percent": 100.0, "passed": True}
    clock.advance(timedelta(minutes=1))
    wrong = {str(i["id"]): None for i in attempt["items"]}
    repeat = client.post(path, headers=headers, json={"answers": wrong})
    assert repeat.status_code == 200 and repeat.json == {**r.json, "counted": False}
    assert all(answer is not None for answer, _ in saved())
    late = put_answers(client, world.a.staff, attempt["id"], {"answers": wrong})
    assert late.status_code == 409
    detail = client.get(f"{API}/attempts/{attempt['id']}", headers=headers).json
    assert detail["done"] and detail["review"] and detail["result"]["percent"] == 100.0
    fill = next(i for i in detail["items"] if i["kind"] == "fill")
    assert (fill["correct"], fill["score"]) == (["保护", "保护期"], 1.0)


def test_submit_with_bad_answers_saves_and_submits_nothing(client, world, attempt):
    single = next(str(i["id"]) for i in attempt["items"] if i["kind"] == "single")
    r = client.post(f"{API}/attempts/{attempt['id']}/submit", headers=bearer(world.a.staff),
                    json={"answers": {single: "first"}})
    assert r.status_code == 422 and list(r.json["details"]["fields"]["json"]["answers"]) == [
        single]
    assert db.session.get(Attempt, attempt["id"]).submitted_at is None


def test_attempt_left_open_is_submitted_by_the_deadline_with_what_was_saved(client, world,
                                                                             attempt):
    answers = right_answers(attempt)
    single = next(str(i["id"]) for i in attempt["items"] if i["kind"] == "single")
    put_answers(client, world.a.staff, attempt["id"], {"answers": {single: answers[single]}})
    clock.advance(timedelta(hours=1))
    r = client.get(f"{API}/attempts/{attempt['id']}", headers=bearer(world.a.staff))
    assert r.status_code == 200
    assert (r.json["done"], r.json["seconds_left"]) == (True, 0)
    assert r.json["result"] == {"submitted_at": attempt["deadline"], "submitted_by": "deadline",
                                "score": 2.0, "max_score": 8.0, "percent": 25.0,
                                "passed": False}
    late = client.post(f"{API}/attempts/{attempt['id']}/submit", headers=bearer(world.a.staff),
                       json={"answers": answers})
    assert late.status_code == 200 and late.json["counted"] is False
    assert late.json["score"] == 2.0


def test_the_team_manager_reads_right_answers_only_once_the_window_closed(client, world,
                                                                         attempt):
    """The same rule as the result page (`review.shows_answers`)."""
    path = f"{API}/attempts/{attempt['id']}"
    client.post(f"{path}/submit", headers=bearer(world.a.staff))
    assert client.get(path, headers=bearer(world.a.staff)).json["review"] is True
    while_open = client.get(path, headers=bearer(world.a.manager)).json
    assert while_open["review"] is False
    assert all("correct" not in i for i in while_open["items"])
    clock.advance(timedelta(hours=12))
    assert client.get(path, headers=bearer(world.a.manager)).json["review"] is True


def test_answers_wait_for_the_latest_close_of_anyone_overrides_included(client, world,
                                                                      attempt, sitting):
    """A colleague given until later keeps taking after the sitting's own close: until
    that later close neither the owner nor the manager reads right answers, on the
    result page or through the API."""
    later = sitting.closes_at + timedelta(hours=6)
    services.add_override(sitting, world.cm, user=world.a.other_staff, closes_at=later)
    db.session.commit()
    path = f"{API}/attempts/{attempt['id']}"
    client.post(f"{path}/submit", headers=bearer(world.a.staff))
    clock.set_now(sitting.closes_at + timedelta(minutes=1))
    for reader in (world.a.owner, world.a.manager):
        body = client.get(path, headers=bearer(reader)).json
        assert body["review"] is False and all("correct" not in i for i in body["items"])
        assert all("explanation" not in i for i in body["items"])
    login(client, world.a.owner)
    page = client.get(f"/exams/attempts/{attempt['id']}/result").get_data(as_text=True)
    assert 'id="review"' not in page
    clock.set_now(later)
    assert client.get(path, headers=bearer(world.a.owner)).json["review"] is True
    assert 'id="review"' in client.get(
        f"/exams/attempts/{attempt['id']}/result").get_data(as_text=True)


def test_no_review_when_the_exam_allows_none(client, world, bank):
    made = exam(world, review="never")
    first = start(client, world.a.staff, made.sittings[0]).json
    client.post(f"{API}/attempts/{first['id']}/submit", headers=bearer(world.a.staff))
    detail = client.get(f"{API}/attempts/{first['id']}", headers=bearer(world.a.staff)).json
    assert detail["review"] is False and detail["result"]["passed"] is False
    assert all("correct" not in i and "explanation" not in i for i in detail["items"])


# ---- at the same moment ----

def _together(app, calls) -> list:
    """Run each call (a function of a test client) in its own thread and app context,
    released at the same moment; their responses in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)
    db.session.rollback()  # the test's own session holds no lock while they run

    def run(index, call):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            results[index] = call(client)
    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_simultaneous_submits_count_once(app, world, attempt):
    # Each thread has its own token: both calls are authenticated before the race.
    body = {"answers": right_answers(attempt)}
    calls = [lambda c, h=bearer(world.a.staff): c.post(
        f"{API}/attempts/{attempt['id']}/submit", headers=h, json=body) for _ in range(2)]
    responses = _together(app, calls)
    assert [r.status_code for r in responses] == [200, 200]
    assert sorted(r.json["counted"] for r in responses) == [False, True]
    assert responses[0].json["submitted_at"] == responses[1].json["submitted_at"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.submitted_at.is_not(None))) == 1


def test_two_simultaneous_starts_make_one_attempt(app, world, sitting):
    url = f"{API}/exams/{sitting.id}/attempts"
    calls = [lambda c, h=bearer(world.a.staff): c.post(url, headers=h) for _ in range(2)]
    responses = _together(app, calls)
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert responses[0].json["id"] == responses[1].json["id"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    assert db.session.scalar(select(func.count()).select_from(AttemptItem)) == 5


# ---- coverage ----

@pytest.fixture
def covered(client, world, bank):
    """An exam for both partners' staff (four people): staff_a passes, staff_b fails,
    the other staff never start."""
    made = exam(world, partners=("a", "b"), pass_percent=50)
    for user, right in ((world.a.staff, True), (world.b.staff, False)):
        taken = start(client, user, made.sittings[0]).json
        body = {"answers": right_answers(taken) if right else {}}
        client.post(f"{API}/attempts/{taken['id']}/submit", headers=bearer(user), json=body)
    return made


def coverage_of(client, user, made):
    return client.get(f"{API}/exams/{made.id}/coverage", headers=bearer(user))


def test_coverage_for_the_principal_counts_every_partner(client, world, covered):
    r = coverage_of(client, world.admin, covered)
    assert r.status_code == 200
    body = r.json
    assert (body["assigned"], body["covered"], body["coverage"], body["submitted_attempts"],
            body["pass_rate"], body["average_percent"]) == (4, 2, 0.5, 2, 0.5, 50.0)
    assert (body["partner_ids"], body["team_id"]) == (None, None)
    assert {p["partner_name"]: (p["assigned"], p["covered"]) for p in body["by_partner"]} == {
        "代理商A": (2, 1), "代理商B": (2, 1)}
    assert [(s["sitting_id"], s["coverage"]) for s in body["by_sitting"]] == [
        (covered.sittings[0].id, 0.5)]
    # A channel manager reads its own partner only.
    assert coverage_of(client, world.cm, covered).json["assigned"] == 2


def test_owner_and_manager_see_their_own_part_only(client, world, covered):
    owner = coverage_of(client, world.a.owner, covered).json
    assert (owner["assigned"], owner["covered"], owner["pass_rate"]) == (2, 1, 1.0)
    assert [p["partner_name"] for p in owner["by_partner"]] == ["代理商A"]
    manager = coverage_of(client, world.a.manager, covered).json
    assert (manager["assigned"], manager["covered"], manager["team_id"]) == (
        1, 1, world.a.team.id)


def test_a_manager_without_a_team_sees_nobodys_coverage(client, world, make, covered):
    """Assigned to an exam of A's staff and managers, a mid-level manager who leads no
    team sees the exam but no one's figures, not its whole partner's."""
    loner = make.person("manager", world.a.partner, username="loner")
    made = services.create_exam(
        world.cm, title="人人都考", track="staff", draw=[{"track": "staff", "tag": "",
                                                            "count": 5}],
        opens_at=T0 - timedelta(hours=1), closes_at=T0 + timedelta(hours=11),
        audience={"partner_ids": [world.a.partner.id], "roles": ["staff", "manager"]})
    services.schedule(made)
    db.session.commit()
    assert services.is_assigned(loner, made.sittings[0])
    body = coverage_of(client, loner, made).json
    assert (body["assigned"], body["by_partner"], body["partner_ids"]) == (0, [], [])
    assert coverage_of(client, world.admin, made).json["assigned"] == 4  # 2 staff, 2 leads


def test_staff_see_no_coverage_and_outsiders_no_exam(client, world, covered, bank):
    assert coverage_of(client, world.a.staff, covered).status_code == 403
    only_a = exam(world, "只给A")
    assert coverage_of(client, world.b.owner, only_a).status_code == 404


def test_openapi_documents_the_exam_operations(client):
    paths = client.get(f"{API}/openapi.json").json["paths"]
    assert set(paths[f"{API}/attempts/{{attempt_id}}/answers"]) == {"put", "parameters"}
    started = paths[f"{API}/exams/{{sitting_id}}/attempts"]["post"]
    assert {"200", "201", "403", "404", "409"} <= set(started["responses"])
    assert "sitting" in started["description"]
    assert f"{API}/exams/{{exam_id}}/coverage" in paths
