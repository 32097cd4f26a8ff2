"""The load scenario's zero-lost-answers checker (benchmarks/exam_load/check.py): it
must pass a clean run and catch an answer that did not stick, an attempt left open,
and a submit that was acknowledged but not recorded."""
import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from benchmarks.exam_load import check
from portal.core import clock
from portal.exams import services, taking
from portal.exams.models import Attempt, AttemptItem
from portal.extensions import db

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def answer_for(item: dict, rng: random.Random, avoid=None):
    """A random answer in shown positions, different from `avoid`."""
    while True:
        count = len(item["options"])
        value = {"single": lambda: rng.randrange(count),
                 "multiple": lambda: sorted(rng.sample(range(count), rng.randint(1, count))),
                 "truefalse": lambda: rng.random() < 0.5,
                 "fill": lambda: f"答案{rng.randrange(10**6)}"}[item["kind"]]()
        if value != avoid:
            return value


@pytest.fixture
def sitting(world, banks):
    clock.set_now(T0)
    exam = services.create_exam(
        world.cm, title="压测核对", track="staff",
        draw=[{"track": "staff", "tag": "sales-habits", "count": 4},
              {"track": "staff", "tag": "customer-classes", "count": 4}],
        time_limit_minutes=30, opens_at=T0, closes_at=T0 + timedelta(hours=2),
        audience={"partner_ids": [world.a.partner.id]})
    services.schedule(exam)
    db.session.commit()
    return exam.sittings[0]


def take(user, sitting, *, submit=True, seed=1):
    """What a locust taker does and logs: start, two autosaves (the second changes one
    earlier answer), submit. Returns (attempt, log records)."""
    rng = random.Random(seed)
    attempt = taking.start_or_resume(user, sitting)
    db.session.commit()
    items = taking.questions_for(attempt)
    records = [{"type": "start", "attempt": attempt.id, "ok": True}]
    first = {str(i["id"]): answer_for(i, rng) for i in items[:5]}
    second = {str(i["id"]): answer_for(i, rng) for i in items[5:]}
    second[str(items[0]["id"])] = answer_for(items[0], rng, avoid=first[str(items[0]["id"])])
    for seq, answers in enumerate((first, second), start=1):
        taking.save_answers(attempt, {int(k): v for k, v in answers.items()})
        db.session.commit()
        records.append({"type": "save", "attempt": attempt.id, "seq": seq, "ok": True,
                        "answers": answers})
    if submit:
        taking.submit(attempt)
        db.session.commit()
        db.session.refresh(attempt)
        records.append({"type": "submit", "attempt": attempt.id, "ok": True,
                        "body": {"percent": float(attempt.percent), "counted": True}})
    return attempt, records


def test_clean_run_has_no_lost_answers(world, sitting):
    _, records = take(world.a.staff, sitting)
    _, more = take(world.a.other_staff, sitting, seed=2)
    report = check.check(records + more)
    assert report.ok
    assert report.lost == [] and report.acknowledged == 16
    assert (report.attempts, report.submitted) == (2, 2)


def test_checker_compares_in_original_option_positions(world, sitting):
    """The server stores original positions; the log holds shown ones. A log that
    claims the original position as the shown one does not match what was saved."""
    attempt = taking.start_or_resume(world.a.staff, sitting)
    item = next(i for i in attempt.items if i.version.kind == "single")
    item.option_order = list(reversed(range(len(item.version.options))))
    db.session.commit()
    taking.save_answers(attempt, {item.id: 0})
    taking.submit(attempt)
    db.session.commit()
    last = len(item.option_order) - 1
    assert item.answer == last
    saved = {"type": "save", "attempt": attempt.id, "seq": 1, "ok": True}
    assert check.check([{**saved, "answers": {str(item.id): 0}}]).ok
    report = check.check([{**saved, "answers": {str(item.id): last}}])
    assert [(lost["item"], lost["why"]) for lost in report.lost] == [(item.id, "changed")]


def test_checker_detects_a_planted_lost_answer(world, sitting):
    attempt, records = take(world.a.staff, sitting)
    victim = attempt.items[3]
    db.session.execute(update(AttemptItem).where(AttemptItem.id == victim.id)
                       .values(answer=None))
    db.session.commit()
    report = check.check(records)
    assert not report.ok
    assert [(lost["item"], lost["why"]) for lost in report.lost] == [(victim.id, "changed")]


def test_checker_detects_an_answer_overwritten_by_an_older_one(world, sitting):
    attempt, records = take(world.a.staff, sitting)
    changed = records[2]["answers"]  # the second save changed the first item again
    first_item = next(key for key in changed if key in records[1]["answers"])
    old_shown = records[1]["answers"][first_item]
    item = db.session.get(AttemptItem, int(first_item))
    stale = check.original(item, old_shown)
    if stale == item.answer:
        pytest.skip("the random change happened to pick the same answer")
    item.answer = stale
    db.session.commit()
    report = check.check(records)
    assert [lost["item"] for lost in report.lost] == [int(first_item)]


def test_failed_save_after_acknowledged_one_may_have_been_applied(world, sitting):
    """A save that timed out on the client may still have been written: its value is
    accepted for that item, any other value is not."""
    attempt, records = take(world.a.staff, sitting, submit=False)
    shown = taking.questions_for(attempt)[1]
    late = answer_for(shown, random.Random(5), avoid=shown["answer"])
    records.append({"type": "save", "attempt": attempt.id, "seq": 3, "ok": False,
                    "answers": {str(shown["id"]): late}})
    taking.save_answers(attempt, {shown["id"]: late})
    taking.submit(attempt)
    db.session.commit()
    assert check.check(records).ok
    db.session.execute(update(AttemptItem).where(AttemptItem.id == shown["id"])
                       .values(answer="别的答案"))
    db.session.commit()
    assert [lost["item"] for lost in check.check(records).lost] == [shown["id"]]


def test_answers_of_an_attempt_left_open_count_as_lost(world, sitting):
    attempt, records = take(world.a.staff, sitting, submit=False)
    report = check.check(records)
    assert not report.ok
    assert report.open_attempts == [attempt.id]
    assert len(report.lost) == 8
    assert {lost["why"] for lost in report.lost} == {"attempt not submitted"}


def test_sweep_submits_attempts_past_their_deadline_with_their_answers(world, sitting):
    attempt, records = take(world.a.staff, sitting, submit=False)
    clock.set_now(T0 + timedelta(minutes=31))
    report = check.check(records, sweep=True)
    assert report.ok and report.swept == 1
    db.session.refresh(attempt)
    assert attempt.submitted_by == "deadline"


def test_sweep_leaves_a_running_attempt_open_until_the_close(world, sitting):
    attempt, records = take(world.a.staff, sitting, submit=False)
    clock.set_now(T0 + timedelta(minutes=5))
    assert check.check(records, sweep=True).open_attempts == [attempt.id]
    report = check.check(records, at_close=True)
    assert report.ok and report.swept == 1
    db.session.refresh(attempt)
    assert attempt.submitted_at == attempt.deadline


def test_acknowledged_submit_that_did_not_stick_is_reported(world, sitting):
    attempt, records = take(world.a.staff, sitting)
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id)
                       .values(submitted_at=None, submitted_by=None))
    db.session.commit()
    report = check.check(records)
    assert not report.ok
    assert report.bad_submits == [{"attempt": attempt.id,
                                   "why": "acknowledged submit but not submitted"}]


def test_reported_score_that_differs_from_the_stored_one_is_reported(world, sitting):
    attempt, records = take(world.a.staff, sitting)
    records[-1]["body"]["percent"] = float(attempt.percent) + 1
    report = check.check(records)
    assert [bad["attempt"] for bad in report.bad_submits] == [attempt.id]


def test_command_exits_non_zero_and_lists_the_lost_answer(app, world, sitting, tmp_path,
                                                          capsys):
    attempt, records = take(world.a.staff, sitting)
    log = tmp_path / "acks-1.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in records))
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()  # the command opens its own connection; hold no lock meanwhile
    assert check.main(["--db", uri, str(log)]) == 0
    assert "lost answers: 0" in capsys.readouterr().out
    db.session.execute(update(AttemptItem).where(AttemptItem.id == attempt.items[0].id)
                       .values(answer="丢失"))
    db.session.commit()
    assert check.main(["--db", uri, str(log)]) == 1
    out = capsys.readouterr().out
    assert "lost answers: 1" in out and f"'item': {attempt.items[0].id}" in out
