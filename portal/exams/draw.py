"""The personal draw of an attempt: each draw rule takes its count at random from its
bank and tag, never a question twice, the least-seen questions first."""
import random

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from portal.core.errors import DomainError
from portal.exams.models import (Attempt, AttemptItem, Exam, Question, QuestionTag,
                                 QuestionVersion, Sitting)
from portal.extensions import db

_rng = random.SystemRandom()


def _candidates(track: str, tag: str) -> list[tuple[int, int]]:
    """(question id, current version id) of the live questions of `track` with `tag`."""
    query = select(Question.id, Question.current_version_id).where(
        Question.track == track, Question.retired_at.is_(None),
        Question.current_version_id.is_not(None))
    if tag:
        query = query.where(exists().where(
            QuestionTag.question_version_id == Question.current_version_id,
            QuestionTag.tag == tag))
    return [tuple(row) for row in db.session.execute(query.order_by(Question.id))]


def times_seen(user_id: int, exam_id: int) -> dict[int, int]:
    """How often `user_id` has been given each question in the sittings of `exam_id`."""
    rows = db.session.execute(
        select(QuestionVersion.question_id, func.count())
        .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Sitting, Sitting.id == Attempt.sitting_id)
        .where(Attempt.user_id == user_id, Sitting.exam_id == exam_id)
        .group_by(QuestionVersion.question_id))
    return dict(rows.all())


def draw(exam: Exam, user_id: int, rng=_rng) -> list[int]:
    """Version ids for one person: each rule draws its count at random from its track
    and tag, never a question twice, the least-seen questions first (ties at random)."""
    return choose(exam.draw, pools_for(exam.draw), times_seen(user_id, exam.id), rng)


def pools_for(rules: list[dict]) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(track, tag) -> the (question id, version id) candidates of each draw rule."""
    return {(rule["track"], rule["tag"]): _candidates(rule["track"], rule["tag"])
            for rule in rules}


def choose(rules: list[dict], pools: dict, seen: dict[int, int], rng=_rng) -> list[int]:
    """The draw itself, without the database: `pools` maps (track, tag) to its
    (question id, version id) candidates, `seen` a question id to how often this person
    was given it. Lets the demo draw for hundreds of people from one read of the bank."""
    chosen: list[int] = []
    taken: set[int] = set()
    for rule in rules:
        pool = [(seen.get(qid, 0), rng.random(), qid, vid)
                for qid, vid in pools[(rule["track"], rule["tag"])] if qid not in taken]
        if len(pool) < rule["count"]:
            raise DomainError("exam", _l("The question bank no longer has enough questions "
                                       "for this exam; tell the channel manager."), 409)
        for _, _, qid, vid in sorted(pool)[:rule["count"]]:
            taken.add(qid)
            chosen.append(vid)
    rng.shuffle(chosen)
    return chosen
