"""Helpers of the exams core tests: a fixed Monday clock, a question bank of one's own
(the real one is the `banks` fixture), a scheduled exam in one call, and answers
written as a taker sends them (shown positions)."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from portal.core import clock
from portal.exams import services, taking
from portal.exams.bank.sync import sync
from portal.exams.models import AttemptItem
from portal.extensions import db

# 09:00 on Monday 23 November 2026 in Shanghai.
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
HABITS = [{"track": "staff", "tag": "sales-habits", "count": 3}]


def freeze(moment=T0):
    clock.set_now(moment)
    return moment


def later(**delta):
    clock.advance(timedelta(**delta))
    return clock.now()


def load_bank(paths) -> None:
    """Load the question banks under `paths` and commit."""
    result = sync(list(paths))
    assert not result["problems"], result["problems"]
    db.session.commit()


def scheduled_exam(author, audience, *, draw=None, hours=12, **settings):
    """A scheduled staff exam with one window from now for `hours`, committed."""
    values = {"title": "周考", "track": "staff", "draw": draw or HABITS,
              "opens_at": clock.now(), "closes_at": clock.now() + timedelta(hours=hours),
              "audience": audience}
    values.update(settings)
    exam = services.create_exam(author, **values)
    services.schedule(exam)
    db.session.commit()
    return exam


def items_of(attempt) -> list[AttemptItem]:
    return list(db.session.execute(select(AttemptItem).where(
        AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)).scalars())


def sent(item, right=True):
    """What a taker sends for `item`: the right answer, or a wrong one, in the positions
    the options were shown in."""
    version = item.version
    if version.kind == "fill":
        return version.answer[0] if right else "不知道"
    if version.kind == "truefalse":
        return version.answer if right else not version.answer
    if right:
        return taking.shown(item, version.answer)
    correct = version.answer if version.kind == "multiple" else [version.answer]
    wrong = next(i for i in range(len(version.options)) if i not in correct)
    return taking.shown(item, [wrong] if version.kind == "multiple" else wrong)


def answer_all(attempt, right=True) -> int:
    """Save an answer to every question of `attempt` and commit."""
    saved = taking.save_answers(attempt, {str(item.id): sent(item, right)
                                          for item in items_of(attempt)})
    db.session.commit()
    return saved


def saved_answers(attempt) -> int:
    """How many questions of `attempt` hold an answer in the database."""
    db.session.expire_all()
    return db.session.execute(select(func.count(AttemptItem.id)).where(
        AttemptItem.attempt_id == attempt.id, AttemptItem.saved_at.is_not(None))).scalar()
