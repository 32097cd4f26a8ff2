"""After an attempt: whether right answers and explanations are shown, and which of a
person's attempts counts."""
from datetime import datetime

from sqlalchemy import func, select

from portal.core.access import may
from portal.core.clock import now
from portal.exams.models import Attempt, Override, Sitting
from portal.extensions import db


def may_review(attempt: Attempt, at: datetime | None = None) -> bool:
    """May the taker see right answers and explanations of a submitted attempt?"""
    at = at or now()
    review = attempt.sitting.exam.review
    if not attempt.is_done(at) or review == "never":
        return False
    return review == "after_submit" or at >= last_close(attempt.sitting)


def last_close(sitting: Sitting) -> datetime:
    """When the last person's window closes, overrides included: answers shown "after
    the close" must not reach someone whose later close still lets them take it."""
    latest = db.session.execute(select(func.max(Override.closes_at)).where(
        Override.sitting_id == sitting.id)).scalar()
    return max(sitting.closes_at, latest) if latest is not None else sitting.closes_at


def shows_answers(user, attempt: Attempt, at: datetime | None = None) -> bool:
    """Does `user` see the right answers of `attempt`, on its result page and in the API?
    Its taker and the principal's exam readers when the exam allows a review; an owner
    or team lead only once the last window closed (overrides included), so they cannot
    pass them to people of theirs still taking it."""
    at = at or now()
    return may_review(attempt, at) and (
        attempt.user_id == user.id or may(user, "exams.manage")
        or at >= last_close(attempt.sitting))


def counting_attempt(attempts: list[Attempt], grading: str, at: datetime | None = None):
    """The attempt that counts among one person's finished attempts: the highest score
    (earliest on ties) or the last one."""
    done = [a for a in attempts if a.submitted_at is not None]
    if not done:
        return None
    if grading == "last":
        return max(done, key=lambda a: a.number)
    return max(done, key=lambda a: (a.percent or 0, -a.number))
