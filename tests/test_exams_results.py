"""Results of an attempt: every kind of question scored through a real attempt, the
attempt's score, percent and pass, certificates for a track's final exam, and review."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.exams import review, services, taking
from portal.exams.models import AttemptItem, Certificate
from portal.extensions import db
from tests.examining import (answer_all, freeze, items_of, later, load_bank, scheduled_exam,
                             sent)

# One question of every kind, 9 points in all; options in the order they are written.
KINDS = """\
track: staff
questions:
  - id: kinds-single
    kind: single
    points: 2
    tags: [kinds]
    text: 有效拜访的标准是什么？
    options:
      - text: 停留十分钟
      - text: 见到决策人并约定下一步
        correct: true
      - text: 拍门头照片
  - id: kinds-all
    kind: multiple
    points: 2
    tags: [kinds]
    text: 哪些是每天记录的指标？
    options:
      - {text: 拜访量, correct: true}
      - {text: 有效拜访, correct: true}
      - {text: 点赞数}
  - id: kinds-partial
    kind: multiple
    scoring: partial
    points: 3
    tags: [kinds]
    text: 哪些属于客户分类？
    options:
      - {text: 现有客户, correct: true}
      - {text: 未加入客户, correct: true}
      - {text: 竞争对手}
      - {text: 供应商}
  - id: kinds-truefalse
    kind: truefalse
    tags: [kinds]
    text: 二次跟进只针对已成交的客户。
    answer: false
  - id: kinds-fill
    kind: fill
    tags: [kinds]
    text: 客户报备后享有客户____期。
    answers: [保护, Protection]
"""


@pytest.fixture
def kinds(world, tmp_path):
    folder = tmp_path / "banks" / "staff"
    folder.mkdir(parents=True)
    (folder / "kinds.yaml").write_text(KINDS, encoding="utf-8")
    freeze()
    load_bank([tmp_path / "banks"])
    return world


def kinds_exam(world, **settings):
    return scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]},
                          draw=[{"track": "staff", "tag": "kinds", "count": 5}], **settings)


def by_key(attempt) -> dict:
    return {item.version.question.key: item for item in items_of(attempt)}


def in_shown(item, *originals):
    """Original option positions as the taker saw them."""
    return sorted(item.option_order.index(o) for o in originals)


def test_each_kind_scores_through_an_attempt_into_score_percent_and_pass(kinds):
    exam = kinds_exam(kinds, pass_percent=70)
    attempt = taking.start_or_resume(kinds.a.staff, exam.sittings[0])
    items = by_key(attempt)
    taking.save_answers(attempt, {
        str(items["kinds-single"].id): in_shown(items["kinds-single"], 1)[0],     # 2 of 2
        str(items["kinds-all"].id): in_shown(items["kinds-all"], 0, 1),          # 2 of 2
        str(items["kinds-partial"].id): in_shown(items["kinds-partial"], 0),     # 1.5 of 3
        str(items["kinds-truefalse"].id): True,                                  # 0 of 1
        str(items["kinds-fill"].id): "  PROTECTION ",                            # 1 of 1
    })
    assert taking.submit(attempt)
    db.session.commit()
    scores = {key: item.score for key, item in by_key(attempt).items()}
    assert scores == {"kinds-single": Decimal("2.00"), "kinds-all": Decimal("2.00"),
                      "kinds-partial": Decimal("1.50"), "kinds-truefalse": Decimal("0.00"),
                      "kinds-fill": Decimal("1.00")}
    assert (attempt.score, attempt.max_score) == (Decimal("6.50"), Decimal("9.00"))
    assert attempt.percent == Decimal("72.22") and attempt.passed is True


def test_all_or_nothing_gives_nothing_for_half_and_partial_takes_back_a_wrong_choice(kinds):
    exam = kinds_exam(kinds, pass_percent=50)
    attempt = taking.start_or_resume(kinds.a.staff, exam.sittings[0])
    items = by_key(attempt)
    taking.save_answers(attempt, {
        str(items["kinds-all"].id): in_shown(items["kinds-all"], 0),
        str(items["kinds-partial"].id): in_shown(items["kinds-partial"], 0, 1, 2),
        str(items["kinds-single"].id): in_shown(items["kinds-single"], 0)[0],
        str(items["kinds-fill"].id): "保护期以外",
    })
    taking.submit(attempt)
    db.session.commit()
    scores = {key: item.score for key, item in by_key(attempt).items()}
    assert scores["kinds-all"] == 0 and scores["kinds-partial"] == Decimal("1.50")
    assert attempt.score == Decimal("1.50") and attempt.percent == Decimal("16.67")
    assert attempt.passed is False


def test_an_empty_attempt_scores_zero_and_fails(kinds):
    exam = kinds_exam(kinds)
    attempt = taking.start_or_resume(kinds.a.staff, exam.sittings[0])
    taking.submit(attempt)
    db.session.commit()
    assert (attempt.score, attempt.percent, attempt.passed) == (0, 0, False)


# --- certificates --------------------------------------------------------------------------
@pytest.fixture
def final(world, banks):
    freeze()
    return scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]}, is_final=True,
                          pass_percent=60, attempts_allowed=2)


def certificates(user):
    return db.session.execute(select(Certificate).where(
        Certificate.user_id == user.id)).scalars().all()


def test_passing_a_final_exam_issues_one_certificate_however_often_one_passes(world, final):
    for _ in range(2):
        attempt = taking.start_or_resume(world.a.staff, final.sittings[0])
        answer_all(attempt, right=True)
        taking.submit(attempt)
        db.session.commit()
    issued = certificates(world.a.staff)
    assert len(issued) == 1
    first = taking.attempts_of(world.a.staff, final.sittings[0])[0]
    assert issued[0].attempt_id == first.id and issued[0].track == "staff"
    assert issued[0].percent == Decimal("100.00") and issued[0].serial.startswith("STAFF-")


def test_failing_a_final_exam_issues_no_certificate(world, final):
    attempt = taking.start_or_resume(world.a.other_staff, final.sittings[0])
    answer_all(attempt, right=False)
    taking.submit(attempt)
    db.session.commit()
    assert attempt.passed is False and certificates(world.a.other_staff) == []


def test_passing_an_ordinary_exam_issues_no_certificate(world, banks):
    freeze()
    exam = scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]}, pass_percent=0)
    taking.submit(taking.start_or_resume(world.a.staff, exam.sittings[0]))
    db.session.commit()
    assert db.session.execute(select(func.count(Certificate.id))).scalar() == 0


# --- review ---------------------------------------------------------------------------------
def test_right_answers_are_shown_only_once_the_attempt_is_done(world, final):
    attempt = taking.start_or_resume(world.a.staff, final.sittings[0])
    assert not review.may_review(attempt)
    taking.submit(attempt)
    db.session.commit()
    assert review.may_review(attempt)
    entries = taking.questions_for(attempt, review=True)
    item = db.session.get(AttemptItem, entries[0]["id"])
    assert entries[0]["correct"] == taking.shown(item, item.version.answer) or \
        item.version.kind == "fill"
    assert entries[0]["explanation"]


def test_review_after_close_waits_for_the_latest_override(world, banks):
    freeze()
    exam = scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]},
                          review="after_close", hours=2)
    sitting = exam.sittings[0]
    services.add_override(sitting, world.cm, user=world.a.other_staff,
                          closes_at=sitting.closes_at + timedelta(hours=3))
    attempt = taking.start_or_resume(world.a.staff, sitting)
    taking.submit(attempt)
    db.session.commit()
    later(hours=2)
    # The sitting closed, but a colleague may still be taking it with a later close.
    assert taking.state(world.a.other_staff, sitting)["status"] == "start"
    assert not review.may_review(attempt)
    later(hours=3)
    assert review.may_review(attempt)


def test_review_never_shows_nothing_even_after_close(world, banks):
    freeze()
    exam = scheduled_exam(world.cm, {"partner_ids": [world.a.partner.id]}, review="never")
    attempt = taking.start_or_resume(world.a.staff, exam.sittings[0])
    item = items_of(attempt)[0]
    taking.save_answers(attempt, {str(item.id): sent(item)})
    taking.submit(attempt)
    later(days=2)
    assert not review.may_review(attempt)
