"""Exam coverage (考试覆盖率): per exam, overall, by partner, sitting and team; pass rate
and average score; who has not taken a sitting.

Coverage is counted per assignment, that is per (sitting, person): an assigned person is
covered when one of their attempts in that sitting is finished (`services.finished`:
submitted, or its deadline passed). Pass rate and average use the attempt that counts
for each (sitting, person) under the exam's grading (highest or last), among scored
attempts. Every figure is one aggregate query; `partner_ids` (None = all) and `team_id`
narrow it to what the reader may see (`core.access.figures_of`). Coverage and frequency
over time and by group are in `breakdowns`, item analysis in `item_analysis`."""
from datetime import datetime

from sqlalchemy import case, exists, func, or_, select

from portal.auth.models import User
from portal.core.access import visible
from portal.core.clock import now
from portal.exams.models import Assignment, Attempt, Exam, Sitting
from portal.exams.services import finished, people_without_attempt
from portal.extensions import db
from portal.org.models import Partner, Team, Territory


def ratio(part, whole) -> float | None:
    """part ÷ whole as a float, None when there is nothing to divide by."""
    return float(part) / float(whole) if whole else None


def _num(value) -> float | None:
    """SQL numbers as floats: PostgreSQL returns Decimal, SQLite float or int."""
    return None if value is None else float(value)


def _narrow(query, partner_column, team_column, partner_ids, team_id):
    if partner_ids is not None:
        query = query.where(partner_column.in_(list(partner_ids)))
    if team_id is not None:
        query = query.where(team_column == team_id)
    return query


def region_partners(prefix: str):
    """SQL: ids of partners whose province, or one of whose territories, lies in the
    region `prefix` (a province "33", a city "3301", a district "330102")."""
    in_territory = exists().where(Territory.partner_id == Partner.id,
                                  Territory.region_code.like(prefix + "%"))
    if len(prefix) == 2:  # a province: the partner's home province counts too
        return select(Partner.id).where(or_(Partner.province_code == prefix, in_territory))
    return select(Partner.id).where(in_territory)


def assigned_rows(*where, partner_ids=None, team_id=None, at: datetime | None = None):
    """SQL: one row per assignment (sitting, person) matching `where` (conditions on
    Sitting, Exam or Assignment), with `covered` 1 when the person has a finished
    attempt in that sitting, else 0. Sittings that have not opened by `at` are left out:
    nobody could have taken them yet, so they would only drag coverage down."""
    at = at or now()
    done = exists().where(Attempt.sitting_id == Assignment.sitting_id,
                          Attempt.user_id == Assignment.user_id, finished(at))
    query = (select(Assignment.sitting_id, Assignment.user_id, Assignment.partner_id,
                    Assignment.team_id, Sitting.exam_id, Sitting.opens_at, Sitting.closes_at,
                    Exam.track, case((done, 1), else_=0).label("covered"))
             .join(Sitting, Sitting.id == Assignment.sitting_id)
             .join(Exam, Exam.id == Sitting.exam_id).where(Sitting.opens_at <= at, *where))
    return _narrow(query, Assignment.partner_id, Assignment.team_id, partner_ids, team_id)


def counted_attempts(exam: Exam, partner_ids=None, team_id=None):
    """SQL: the attempt that counts per (sitting, person) of `exam` under its grading,
    among scored attempts, with its percent and pass mark (column `rank` = 1)."""
    order = ((Attempt.number.desc(),) if exam.grading == "last"
             else (Attempt.percent.desc(), Attempt.number.asc()))
    query = (select(Attempt.id, Attempt.sitting_id, Attempt.user_id, Attempt.partner_id,
                    Attempt.team_id, Attempt.percent, Attempt.passed,
                    func.row_number().over(partition_by=(Attempt.sitting_id, Attempt.user_id),
                                           order_by=order).label("rank"))
             .join(Sitting, Sitting.id == Attempt.sitting_id)
             .where(Sitting.exam_id == exam.id, Attempt.submitted_at.is_not(None),
                    Attempt.percent.is_not(None)))
    return _narrow(query, Attempt.partner_id, Attempt.team_id, partner_ids, team_id)


def _coverage_row(assigned, covered) -> dict:
    assigned, covered = int(assigned or 0), int(covered or 0)
    return {"assigned": assigned, "covered": covered, "coverage": ratio(covered, assigned)}


def exam_coverage(exam: Exam, partner_ids=None, team_id=None, at: datetime | None = None
                  ) -> dict:
    """Coverage, submitted attempts, pass rate and average of `exam`, overall, by partner
    and by sitting, narrowed to `partner_ids` (None = all) and `team_id`."""
    at = at or now()
    rows = assigned_rows(Sitting.exam_id == exam.id, partner_ids=partner_ids,
                         team_id=team_id, at=at).subquery()
    total = db.session.execute(select(func.count(), func.sum(rows.c.covered))).one()
    attempts = db.session.execute(_narrow(
        select(func.count(Attempt.id)).join(Sitting, Sitting.id == Attempt.sitting_id)
        .where(Sitting.exam_id == exam.id, finished(at)),
        Attempt.partner_id, Attempt.team_id, partner_ids, team_id)).scalar()
    counted = counted_attempts(exam, partner_ids, team_id).subquery()
    graded = db.session.execute(
        select(func.count(), func.sum(case((counted.c.passed.is_(True), 1), else_=0)),
               func.sum(counted.c.percent)).where(counted.c.rank == 1)).one()
    by_partner = db.session.execute(
        select(rows.c.partner_id, Partner.name, func.count(), func.sum(rows.c.covered))
        .join(Partner, Partner.id == rows.c.partner_id)
        .group_by(rows.c.partner_id, Partner.name, Partner.name_key)
        .order_by(Partner.name_key)).all()
    by_sitting = db.session.execute(
        select(rows.c.sitting_id, rows.c.opens_at, rows.c.closes_at, func.count(),
               func.sum(rows.c.covered))
        .group_by(rows.c.sitting_id, rows.c.opens_at, rows.c.closes_at)
        .order_by(rows.c.opens_at)).all()
    average = ratio(_num(graded[2]), graded[0])
    return {
        "exam_id": exam.id,
        **_coverage_row(total[0], total[1]),
        "submitted_attempts": int(attempts or 0),
        "pass_rate": ratio(int(graded[1] or 0), graded[0]),
        "average_percent": None if average is None else round(average, 2),
        "by_partner": [{"partner_id": pid, "partner_name": name,
                        **_coverage_row(assigned, covered)}
                       for pid, name, assigned, covered in by_partner],
        "by_sitting": [{"sitting_id": sid, "opens_at": opens, "closes_at": closes,
                        **_coverage_row(assigned, covered)}
                       for sid, opens, closes, assigned, covered in by_sitting],
    }


def coverage_by_team(exam: Exam, partner_ids=None, team_id=None,
                     at: datetime | None = None) -> list[dict]:
    """Coverage of `exam` per (partner, team); people without a team form one row."""
    rows = assigned_rows(Sitting.exam_id == exam.id, partner_ids=partner_ids,
                         team_id=team_id, at=at).subquery()
    found = db.session.execute(
        select(rows.c.partner_id, Partner.name, rows.c.team_id, Team.name, func.count(),
               func.sum(rows.c.covered))
        .join(Partner, Partner.id == rows.c.partner_id)
        .outerjoin(Team, Team.id == rows.c.team_id)
        .group_by(rows.c.partner_id, Partner.name, Partner.name_key, rows.c.team_id, Team.name,
                  Team.name_key)
        .order_by(Partner.name_key, Team.name_key)).all()
    return [{"partner_id": pid, "partner_name": pname, "team_id": tid, "team_name": tname,
             **_coverage_row(assigned, covered)}
            for pid, pname, tid, tname, assigned, covered in found]


def coverage_by_exam(exam_ids, partner_ids=None, team_id=None,
                     at: datetime | None = None) -> dict[int, dict]:
    """Coverage of several exams at once: {exam id: {assigned, covered, coverage}}."""
    rows = assigned_rows(Sitting.exam_id.in_(list(exam_ids)), partner_ids=partner_ids,
                         team_id=team_id, at=at).subquery()
    found = db.session.execute(select(rows.c.exam_id, func.count(), func.sum(rows.c.covered))
                               .group_by(rows.c.exam_id)).all()
    return {exam_id: _coverage_row(assigned, covered) for exam_id, assigned, covered in found}


# --- who has not taken it -------------------------------------------------------------------
def reported_exams(user):
    """SQL: the exams `user` may see that are no longer drafts, newest first."""
    return (select(Exam).where(visible(user, Exam), Exam.status != "draft")
            .order_by(Exam.created_at.desc(), Exam.id.desc()))


def not_taken(sitting: Sitting, partner_ids=None, team_id=None, at: datetime | None = None):
    """SQL: the people assigned to `sitting` without a finished attempt, with partner and
    team names, ordered by partner, team and name."""
    at = at or now()
    query = (select(User.id, User.display_name, User.username, Partner.name.label("partner"),
                    Team.name.label("team"))
             .select_from(Assignment)
             .join(User, User.id == Assignment.user_id)
             .join(Partner, Partner.id == Assignment.partner_id)
             .outerjoin(Team, Team.id == Assignment.team_id)
             .where(Assignment.sitting_id == sitting.id,
                    Assignment.user_id.in_(people_without_attempt(sitting, at)))
             .order_by(Partner.name_key, Team.name_key, User.name_key, User.id))
    return _narrow(query, Assignment.partner_id, Assignment.team_id, partner_ids, team_id)


def latest_sitting(exam: Exam, partner_ids=None, team_id=None,
                   at: datetime | None = None) -> Sitting | None:
    """The sitting of `exam` that opened last (else the first to come) among those with
    someone in view assigned."""
    at = at or now()
    mine = _narrow(select(Assignment.sitting_id), Assignment.partner_id, Assignment.team_id,
                   partner_ids, team_id)
    base = select(Sitting).where(Sitting.exam_id == exam.id, Sitting.id.in_(mine))
    return (db.session.execute(base.where(Sitting.opens_at <= at)
                               .order_by(Sitting.opens_at.desc())).scalars().first()
            or db.session.execute(base.order_by(Sitting.opens_at)).scalars().first())
