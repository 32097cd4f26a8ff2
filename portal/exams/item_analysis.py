"""Item analysis per question of an exam, as Moodle's quiz statistics compute it.

Only each person's first finished (scored) attempt per sitting counts, as Moodle's
default "first attempt" setting does: later tries of a person who learnt the questions
would flatter them. For a question version taken in `s` of those attempts, with item
score x (out of `points`) and r = the attempt's score on the rest of the questions:

- facility index = mean(x) ÷ points × 100: higher is easier;
- SD = sample standard deviation of x ÷ points × 100;
- discrimination index = 100 × Pearson correlation of x and r (Moodle uses the rest of
  the attempt, not the total, so an item is not correlated with itself);
- discriminative efficiency = 100 × cov(x, r) ÷ the largest covariance x and r could
  have (both sorted ascending and paired), i.e. how much of its possible discrimination
  the item reaches.

Sums, sums of squares and cross products come from the database (GROUP BY question
version); only the final formula, one per question, runs in Python. A question is
flagged for review when its facility is under 30 or it discriminates negatively."""
import math

from sqlalchemy import cast, func, null, select, union_all

from portal.exams.models import Attempt, AttemptItem, Exam, Question, QuestionVersion, Sitting
from portal.extensions import db

MIN_ATTEMPTS = 2
LOW_FACILITY = 30
_EPSILON = 1e-9  # float sums of equal values leave dust; below this a spread is zero


def first_attempts(exam: Exam, partner_ids=None, team_id=None):
    """SQL: the first scored attempt of each person in each sitting of `exam` (id, score)."""
    query = (select(Attempt.id, Attempt.score, func.row_number().over(
                 partition_by=(Attempt.sitting_id, Attempt.user_id),
                 order_by=Attempt.number).label("rank"))
             .join(Sitting, Sitting.id == Attempt.sitting_id)
             .where(Sitting.exam_id == exam.id, Attempt.submitted_at.is_not(None),
                    Attempt.score.is_not(None)))
    if partner_ids is not None:
        query = query.where(Attempt.partner_id.in_(list(partner_ids)))
    if team_id is not None:
        query = query.where(Attempt.team_id == team_id)
    ranked = query.subquery()
    return select(ranked.c.id, ranked.c.score).where(ranked.c.rank == 1).subquery()


def _sorted_products(items):
    """SQL: per question version v, Σ x₍ᵢ₎r₍ᵢ₎ with x and r each sorted ascending.

    The i-th x and the i-th r are brought together by grouping on (v, i) over both
    rankings stacked in one table, not by joining the two rankings: neither ranking has
    an index, and SQLite joined them by scanning one for every row of the other (1.5 s
    for the demo's weekly quiz)."""
    ranked = union_all(
        select(items.c.v, func.row_number().over(partition_by=items.c.v,
                                                 order_by=items.c.x).label("i"),
               items.c.x.label("x"), cast(null(), items.c.r.type).label("r")),
        select(items.c.v, func.row_number().over(partition_by=items.c.v,
                                                 order_by=items.c.r).label("i"),
               cast(null(), items.c.x.type).label("x"), items.c.r.label("r"))).subquery()
    pairs = (select(ranked.c.v, (func.max(ranked.c.x) * func.max(ranked.c.r)).label("xr"))
             .group_by(ranked.c.v, ranked.c.i)).subquery()
    return (select(pairs.c.v, func.sum(pairs.c.xr).label("sorted_xr"))
            .group_by(pairs.c.v)).subquery()


def _sums(exam: Exam, partner_ids, team_id):
    """Per question version: s, Σx, Σx², Σr, Σr², Σxr and Σ x₍ᵢ₎r₍ᵢ₎ (both sorted)."""
    firsts = first_attempts(exam, partner_ids, team_id)
    items = (select(AttemptItem.question_version_id.label("v"), AttemptItem.score.label("x"),
                    (firsts.c.score - AttemptItem.score).label("r"))
             .join(firsts, firsts.c.id == AttemptItem.attempt_id)
             .where(AttemptItem.score.is_not(None))).subquery()
    plain = (select(items.c.v, func.count().label("s"), func.sum(items.c.x).label("sx"),
                    func.sum(items.c.x * items.c.x).label("sxx"),
                    func.sum(items.c.r).label("sr"),
                    func.sum(items.c.r * items.c.r).label("srr"),
                    func.sum(items.c.x * items.c.r).label("sxr"))
             .group_by(items.c.v)).subquery()
    paired = _sorted_products(items)
    query = (select(Question.key, QuestionVersion.id, QuestionVersion.number,
                    QuestionVersion.kind, QuestionVersion.points, QuestionVersion.text,
                    QuestionVersion.text_en, plain.c.s, plain.c.sx, plain.c.sxx, plain.c.sr,
                    plain.c.srr, plain.c.sxr, paired.c.sorted_xr)
             .join(QuestionVersion, QuestionVersion.id == plain.c.v)
             .join(Question, Question.id == QuestionVersion.question_id)
             .join(paired, paired.c.v == plain.c.v)
             .order_by(Question.key, QuestionVersion.number))
    return db.session.execute(query).all(), db.session.execute(
        select(func.count()).select_from(firsts)).scalar()


def _f(value) -> float:
    return float(value or 0)


def statistics(s: int, sx, sxx, sr, srr, sxr, sorted_xr, points) -> dict:
    """Moodle's per-question figures from the sums of one question (None where they are
    undefined: fewer than two attempts, no spread, or a question worth nothing)."""
    s, points = int(s), _f(points)
    mx, mr = _f(sx) / s, _f(sr) / s
    spread_x = max(_f(sxx) - s * mx * mx, 0.0)
    spread_r = max(_f(srr) - s * mr * mr, 0.0)
    together = _f(sxr) - s * mx * mr
    most = _f(sorted_xr) - s * mx * mr
    enough = s >= MIN_ATTEMPTS
    figures = {
        "attempts": s,
        "facility": 100 * mx / points if points else None,
        "sd": 100 * math.sqrt(spread_x / (s - 1)) / points if enough and points else None,
        "discrimination": (100 * together / math.sqrt(spread_x * spread_r)
                           if enough and spread_x * spread_r > _EPSILON else None),
        "efficiency": 100 * together / most if enough and most > _EPSILON else None,
    }
    figures = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in figures.items()}
    figures["review"] = enough and (
        (figures["facility"] is not None and figures["facility"] < LOW_FACILITY)
        or (figures["discrimination"] is not None and figures["discrimination"] < 0))
    return figures


def item_analysis(exam: Exam, partner_ids=None, team_id=None) -> dict:
    """Per question version of `exam`: key, version, kind, text and Moodle's figures,
    over each person's first finished attempt per sitting. `enough` is False below two
    attempts, and then no figures are given."""
    rows, attempts = _sums(exam, partner_ids, team_id)
    if attempts < MIN_ATTEMPTS:
        return {"attempts": attempts, "enough": False, "questions": []}
    questions = []
    for (key, version_id, number, kind, points, text, text_en,
         s, sx, sxx, sr, srr, sxr, sorted_xr) in rows:
        questions.append({"key": key, "version_id": version_id, "version": number,
                          "kind": kind, "points": _f(points), "text": text,
                          "text_en": text_en,
                          **statistics(s, sx, sxx, sr, srr, sxr, sorted_xr, points)})
    return {"attempts": attempts, "enough": True, "questions": questions}
