"""Taking an exam: the personal draw, the server's deadline and overrides, resuming,
attempts and grading, double submission, bad answers, and scoring of every kind."""
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.exams import draw, review, services, taking
from portal.core.errors import DomainError
from portal.exams.models import Attempt, AttemptItem, QuestionVersion
from portal.extensions import db
from tests.examining import (T0, answer_all, freeze, items_of, later, saved_answers, scheduled_exam, sent)

MIXED = [{"track": "staff", "tag": "sales-habits", "count": 3},
         {"track": "staff", "tag": "customer-classes", "count": 2},
         {"track": "staff", "tag": "local-service", "count": 2}]


@pytest.fixture
def bank(world, banks):
    freeze()
    return world


@pytest.fixture
def exam(bank):
    return scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]}, draw=MIXED,
                          time_limit_minutes=30, attempts_allowed=2)


def started(person, exam_or_sitting):
    sitting = getattr(exam_or_sitting, "sittings", [exam_or_sitting])[0]
    attempt = taking.start_or_resume(person, sitting)
    db.session.commit()
    return attempt


def question_ids(attempt) -> list[int]:
    return [item.version.question_id for item in items_of(attempt)]


# --- the draw ------------------------------------------------------------------------------
class InRuleOrder(random.Random):
    """Draws at random but keeps the rules' order, so each question names its rule."""

    def shuffle(self, x):
        pass


def test_each_rule_draws_its_count_from_its_own_tag_without_repeats(bank, exam):
    versions = draw.draw(exam, bank.a.staff.id, InRuleOrder(5))
    assert len(versions) == 7 and len(set(versions)) == 7
    tags = [db.session.get(QuestionVersion, v).tags for v in versions]
    wanted = [rule["tag"] for rule in MIXED for _ in range(rule["count"])]
    assert all(tag in have for tag, have in zip(wanted, tags))
    questions = {db.session.get(QuestionVersion, v).question_id for v in versions}
    assert len(questions) == 7


def test_people_get_different_draws(bank, exam, make):
    people = [bank.a.staff, bank.a.other_staff] + [
        make.person("staff", bank.a.partner, bank.a.team) for _ in range(8)]
    services.plan_all()
    draws = {frozenset(question_ids(started(person, exam))) for person in people}
    assert len(draws) > 1
    assert all(len(draw) == 7 for draw in draws)


def test_recurring_sittings_give_the_least_seen_questions_first(bank):
    pool = services.available("staff", "sales-habits")
    assert pool >= 10
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]},
                          draw=[{"track": "staff", "tag": "sales-habits", "count": 5}],
                          recurrence={"weekdays": [0], "open": "09:00", "close": "21:00"})
    first = started(bank.a.staff, exam)
    taking.submit(first)
    later(days=7)
    services.plan_all()
    db.session.commit()
    second = started(bank.a.staff, exam.sittings[1])
    assert not set(question_ids(first)) & set(question_ids(second))
    taking.submit(second)
    later(days=7)
    services.plan_all()
    db.session.commit()
    third = question_ids(started(bank.a.staff, exam.sittings[2]))
    never_seen = pool - 10
    assert len(set(third) - set(question_ids(first)) - set(question_ids(second))) == \
        min(never_seen, 5)


def test_options_are_shuffled_per_person_and_map_back_to_the_bank(bank, exam):
    attempt = started(bank.a.staff, exam)
    items = items_of(attempt)
    shuffled = [item for item in items if item.option_order]
    assert shuffled and any(item.option_order != sorted(item.option_order)
                            for item in shuffled)
    for shown_item in taking.questions_for(attempt):
        item = next(i for i in items if i.id == shown_item["id"])
        if item.option_order:
            assert shown_item["options"] == [item.version.options[o]["text"]
                                             for o in item.option_order]
        assert "correct" not in shown_item and "explanation" not in shown_item
    answer_all(attempt)
    assert taking.submit(attempt)
    db.session.commit()
    assert attempt.score == attempt.max_score and attempt.percent == Decimal("100.00")
    review = taking.questions_for(attempt, review=True)
    assert all(entry["answer"] == entry["correct"] for entry in review
               if entry["kind"] != "fill")


def test_the_answer_is_stored_in_the_banks_positions(bank, exam):
    attempt = started(bank.a.staff, exam)
    item = next(i for i in items_of(attempt) if i.version.kind == "single")
    taking.save_answers(attempt, {str(item.id): 0})
    db.session.commit()
    assert db.session.get(AttemptItem, item.id).answer == item.option_order[0]
    assert taking.questions_for(attempt)[item.position - 1]["answer"] == 0


# --- the deadline --------------------------------------------------------------------------
def test_deadline_is_the_time_limit_or_the_close_whichever_comes_first(bank, exam):
    assert started(bank.a.staff, exam).deadline == T0 + timedelta(minutes=30)
    later(hours=11, minutes=50)
    assert started(bank.a.other_staff, exam).deadline == T0 + timedelta(hours=12)


def test_an_override_extends_an_attempt_already_running(bank, exam):
    later(hours=11, minutes=50)
    attempt = started(bank.a.staff, exam)
    services.add_override(exam.sittings[0], bank.cm, user=bank.a.staff,
                          closes_at=T0 + timedelta(hours=13), extra_minutes=15)
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).deadline == T0 + timedelta(hours=12, minutes=35)
    later(minutes=20)  # past the sitting's close, within the override
    item = items_of(attempt)[0]
    assert taking.save_answers(attempt, {str(item.id): sent(item)}) == 1


def test_a_later_close_lets_a_person_start_after_everyone_else_closed(bank, exam):
    services.add_override(exam.sittings[0], bank.cm, user=bank.a.staff,
                          closes_at=T0 + timedelta(hours=14))
    db.session.commit()
    later(hours=13)
    assert taking.state(bank.a.staff, exam.sittings[0])["status"] == "start"
    assert taking.state(bank.a.other_staff, exam.sittings[0])["status"] == "closed"
    assert started(bank.a.staff, exam).deadline == T0 + timedelta(hours=13, minutes=30)


def test_a_persons_override_beats_its_partners(bank, exam):
    sitting = exam.sittings[0]
    services.add_override(sitting, bank.cm, partner=bank.a.partner, extra_minutes=60)
    services.add_override(sitting, bank.cm, user=bank.a.staff, extra_minutes=5)
    db.session.commit()
    assert started(bank.a.staff, exam).deadline == T0 + timedelta(minutes=35)
    assert started(bank.a.other_staff, exam).deadline == T0 + timedelta(minutes=90)


def test_removing_an_override_shortens_running_attempts_again(bank, exam):
    override = services.add_override(exam.sittings[0], bank.cm, user=bank.a.staff,
                                      extra_minutes=20)
    attempt = started(bank.a.staff, exam)
    assert attempt.deadline == T0 + timedelta(minutes=50)
    services.remove_override(override)
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).deadline == T0 + timedelta(minutes=30)


def test_taking_back_a_later_close_after_the_close_ends_the_attempt_now(bank, exam):
    override = services.add_override(exam.sittings[0], bank.cm, user=bank.a.staff,
                                      closes_at=T0 + timedelta(hours=14))
    db.session.commit()
    later(hours=12, minutes=5)  # after everyone else's close
    attempt = started(bank.a.staff, exam)
    answer_all(attempt)
    later(minutes=5)
    services.remove_override(override)
    db.session.commit()
    assert db.session.get(Attempt, attempt.id).deadline == T0 + timedelta(hours=12, minutes=10)
    taking.submit_expired()
    db.session.commit()
    assert attempt.submitted_by == "deadline" and attempt.percent == Decimal("100.00")


@pytest.mark.parametrize("who, field", [("nobody", "who"), ("outsider", "who"),
                                        ("no_change", "extra_minutes"),
                                        ("earlier", "closes_at"), ("too_long", "extra_minutes")])
def test_bad_overrides_are_refused(bank, exam, who, field):
    sitting = exam.sittings[0]
    kwargs = {"nobody": {"extra_minutes": 5},
              "outsider": {"user": bank.b.staff, "extra_minutes": 5},
              "no_change": {"user": bank.a.staff},
              "earlier": {"user": bank.a.staff, "closes_at": T0 + timedelta(hours=1)},
              "too_long": {"user": bank.a.staff, "extra_minutes": 10_000}}[who]
    with pytest.raises(DomainError) as caught:
        services.add_override(sitting, bank.cm, **kwargs)
    assert caught.value.field == field


def test_staff_cannot_save_answers_after_the_deadline(bank, exam):
    attempt = started(bank.a.staff, exam)
    first, second = items_of(attempt)[:2]
    taking.save_answers(attempt, {str(first.id): sent(first)})
    db.session.commit()
    later(minutes=30)
    with pytest.raises(DomainError) as caught:
        taking.save_answers(attempt, {str(second.id): sent(second)})
    assert caught.value.status == 409
    db.session.rollback()
    assert saved_answers(attempt) == 1


def test_an_attempt_open_at_its_deadline_counts_as_submitted(bank, exam):
    attempt = started(bank.a.staff, exam)
    sitting = exam.sittings[0]
    waiting = set(db.session.execute(services.people_without_attempt(sitting)).scalars())
    assert bank.a.staff.id in waiting
    later(minutes=30)
    finished = db.session.execute(select(Attempt.id).where(
        services.finished(later(seconds=0)))).scalars().all()
    assert finished == [attempt.id]
    waiting = set(db.session.execute(services.people_without_attempt(sitting)).scalars())
    assert waiting == {bank.a.other_staff.id}
    assert taking.state(bank.a.staff, sitting)["status"] == "start"  # a second try is left


def test_a_late_submit_is_recorded_at_the_deadline_as_the_deadlines(bank, exam):
    attempt = started(bank.a.staff, exam)
    answer_all(attempt)
    later(hours=2)
    assert taking.submit(attempt)
    db.session.commit()
    assert attempt.submitted_at == T0 + timedelta(minutes=30)
    assert attempt.submitted_by == "deadline" and attempt.percent == Decimal("100.00")


# --- resume, attempts, grading -------------------------------------------------------------
def test_starting_twice_resumes_the_same_attempt(bank, exam):
    attempt = started(bank.a.staff, exam)
    answer_all(attempt)
    later(minutes=5)
    again = started(bank.a.staff, exam)
    assert again.id == attempt.id and again.deadline == attempt.deadline
    assert all(entry["answer"] is not None for entry in taking.questions_for(again))


def test_after_submitting_a_second_attempt_is_number_two_and_a_third_is_refused(bank, exam):
    first = started(bank.a.staff, exam)
    taking.submit(first)
    db.session.commit()
    second = started(bank.a.staff, exam)
    assert second.number == 2 and second.id != first.id
    taking.submit(second)
    db.session.commit()
    assert taking.state(bank.a.staff, exam.sittings[0])["status"] == "done"
    with pytest.raises(DomainError) as caught:
        taking.start_or_resume(bank.a.staff, exam.sittings[0])
    assert caught.value.status == 409


def test_starting_an_exam_one_is_not_assigned_to_is_forbidden(bank, exam):
    with pytest.raises(DomainError) as caught:
        taking.start_or_resume(bank.b.staff, exam.sittings[0])
    assert caught.value.status == 403


def test_starting_before_the_window_opens_is_refused(bank):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]},
                          opens_at=T0 + timedelta(days=1), closes_at=T0 + timedelta(days=2))
    with pytest.raises(DomainError) as caught:
        taking.start_or_resume(bank.a.staff, exam.sittings[0])
    assert caught.value.status == 409
    assert taking.state(bank.a.staff, exam.sittings[0])["status"] == "upcoming"


@pytest.mark.parametrize("grading, counts", [("highest", 1), ("last", 2)])
def test_the_counting_attempt_follows_the_exams_grading(bank, grading, counts):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]}, attempts_allowed=2,
                          grading=grading)
    first = started(bank.a.staff, exam)
    answer_all(first, right=True)
    taking.submit(first)
    second = started(bank.a.staff, exam)
    answer_all(second, right=False)
    taking.submit(second)
    db.session.commit()
    attempts = taking.attempts_of(bank.a.staff, exam.sittings[0])
    assert review.counting_attempt(attempts, exam.grading).number == counts


# --- submitting once -----------------------------------------------------------------------
def test_submitting_twice_counts_once(bank, exam):
    attempt = started(bank.a.staff, exam)
    answer_all(attempt)
    assert taking.submit(attempt) is True
    db.session.commit()
    result = (attempt.submitted_at, attempt.score, attempt.submitted_by)
    later(minutes=1)
    assert taking.submit(attempt) is False
    db.session.commit()
    db.session.expire_all()
    assert (attempt.submitted_at, attempt.score, attempt.submitted_by) == result
    with pytest.raises(DomainError) as caught:
        taking.save_answers(attempt, {})
    assert caught.value.status == 409


# --- bad answers ---------------------------------------------------------------------------
def _item(attempt, kind):
    return next(i for i in items_of(attempt) if i.version.kind == kind)


@pytest.mark.parametrize("kind, value", [
    ("single", "1"), ("single", True), ("single", 99), ("single", -1), ("single", [0]),
    ("multiple", [0, 0]), ("multiple", "0"), ("multiple", [0, 99]), ("multiple", [True]),
    ("truefalse", "true"), ("truefalse", 1),
    ("fill", 5), ("fill", "答" * 201), ("fill", "a\x00b"),
])
def test_a_malformed_answer_is_refused_with_its_question_and_nothing_is_saved(
        bank, kind, value):
    exam = scheduled_exam(bank.cm, {"partner_ids": [bank.a.partner.id]},
                          draw=[{"track": "staff", "tag": "", "count": 35}])
    attempt = started(bank.a.staff, exam)
    bad = _item(attempt, kind)
    good = next(i for i in items_of(attempt) if i.id != bad.id)
    with pytest.raises(DomainError) as caught:
        taking.save_answers(attempt, {str(good.id): sent(good), str(bad.id): value})
    assert caught.value.status == 422
    assert set(caught.value.details) == {f"answers.{bad.id}"}
    db.session.rollback()
    assert saved_answers(attempt) == 0


@pytest.mark.parametrize("key", ["999999", "abc", "", "1.5"])
def test_an_answer_to_a_question_not_in_the_attempt_is_refused(bank, exam, key):
    attempt = started(bank.a.staff, exam)
    other = started(bank.a.other_staff, exam)
    good = items_of(attempt)[0]
    key = str(items_of(other)[0].id) if key == "999999" else key
    with pytest.raises(DomainError) as caught:
        taking.save_answers(attempt, {str(good.id): sent(good), key: 0})
    assert caught.value.status == 422 and f"answers.{key}" in caught.value.details
    db.session.rollback()
    assert saved_answers(attempt) == 0 and saved_answers(other) == 0


def test_answers_must_be_a_mapping(bank, exam):
    attempt = started(bank.a.staff, exam)
    with pytest.raises(DomainError) as caught:
        taking.save_answers(attempt, [1, 2])
    assert caught.value.field == "answers"


def test_null_clears_a_saved_answer(bank, exam):
    attempt = started(bank.a.staff, exam)
    item = items_of(attempt)[0]
    taking.save_answers(attempt, {str(item.id): sent(item)})
    taking.save_answers(attempt, {str(item.id): None})
    db.session.commit()
    assert db.session.get(AttemptItem, item.id).answer is None
    # Stored as SQL NULL, so reports can count unanswered questions with `IS NULL`.
    assert db.session.execute(select(AttemptItem.id).where(
        AttemptItem.attempt_id == attempt.id, AttemptItem.answer.is_(None))).scalars().all() \
        == [i.id for i in items_of(attempt)]
