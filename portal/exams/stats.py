"""Exam figures: coverage (考试覆盖率), frequency (考试频度), pass rate and average score,
over time and by partner, team, region and track; who has not taken a sitting.

Coverage is counted per assignment, that is per (sitting, person): an assigned person is
covered when one of their attempts in that sitting is finished (`services.finished`:
submitted, or its deadline passed). Pass rate and average use the attempt that counts
for each (sitting, person) under the exam's grading (highest or last), among scored
attempts. Every figure is one aggregate query; `partner_ids` (None = all) and `team_id`
narrow it to what the reader may see (`policies.report_partner_ids`/`report_team_id`).
Item analysis lives in `item_analysis`."""
from datetime import datetime

from sqlalchemy import case, exists, func, or_, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.clock import BUSINESS_TZ, now
from portal.exams.models import Assignment, Attempt, Exam, Sitting
from portal.exams.services import finished, people_without_attempt
from portal.extensions import db
from portal.org.models import Partner, Region, Team, Territory
from portal.org.tracks import TRACK_ROLE

DIMENSIONS = ("partner", "team", "province", "track")


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
        .group_by(rows.c.partner_id, Partner.name).order_by(Partner.name)).all()
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
        .group_by(rows.c.partner_id, Partner.name, rows.c.team_id, Team.name)
        .order_by(Partner.name, Team.name)).all()
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


# --- groups of people: who is counted in a figure ------------------------------------------
class Scope:
    """Whose figures: `partner_ids` (None = all) and `team_id` are what the reader may
    see; `region` (a region code prefix) and `track` are the reader's filters."""

    def __init__(self, partner_ids=None, team_id=None, region=None, track=None):
        self.partner_ids = None if partner_ids is None else list(partner_ids)
        self.team_id, self.region, self.track = team_id, region or None, track or None

    def assignments(self, query):
        """`query` (over Assignment joined to Sitting and Exam) narrowed to this scope."""
        query = _narrow(query, Assignment.partner_id, Assignment.team_id, self.partner_ids,
                        self.team_id)
        if self.region:
            query = query.where(Assignment.partner_id.in_(region_partners(self.region)))
        if self.track:
            query = query.where(Exam.track == self.track)
        return query

    def people(self, until: datetime):
        """SQL: the active partner people of this scope who existed before `until`, with
        their partner, team, province and role."""
        roles = [TRACK_ROLE[self.track]] if self.track in TRACK_ROLE else list(PARTNER_ROLES)
        query = (select(User.id.label("user_id"), User.partner_id, User.team_id, User.role,
                        Partner.province_code)
                 .join(Partner, Partner.id == User.partner_id)
                 .where(User.active.is_(True), User.role.in_(roles), User.created_at < until))
        query = _narrow(query, User.partner_id, User.team_id, self.partner_ids, self.team_id)
        if self.region:
            query = query.where(User.partner_id.in_(region_partners(self.region)))
        return query


def _group_columns(by: str | None, table) -> tuple[list, list, list]:
    """(key columns, label columns, outer joins) of a breakdown by `by` over `table`, a
    subquery with partner_id, team_id, province_code and track columns."""
    if by == "partner":
        return ([table.c.partner_id], [Partner.name],
                [(Partner, Partner.id == table.c.partner_id)])
    if by == "team":  # team names repeat across partners: the partner is part of the key
        return ([table.c.partner_id, table.c.team_id], [Partner.name, Team.name],
                [(Partner, Partner.id == table.c.partner_id),
                 (Team, Team.id == table.c.team_id)])
    if by == "province":
        return ([table.c.province_code], [Region.name],
                [(Region, Region.code == table.c.province_code)])
    if by == "track":
        return [table.c.track], [table.c.track], []
    return [], [], []


def _grouped(by: str | None, table, *aggregates, extra=()):
    """SELECT key..., label..., extra..., aggregates... FROM table GROUP BY the keys of
    `by` and the `extra` columns."""
    keys, labels, joins = _group_columns(by, table)
    query = select(*keys, *labels, *extra, *aggregates).select_from(table)
    for model, on in joins:
        query = query.outerjoin(model, on)
    if keys or extra:
        query = query.group_by(*keys, *labels, *extra).order_by(*labels, *keys, *extra)
    return query, len(keys)


def _split(row, width: int) -> tuple[str, list, tuple]:
    """A breakdown row as (key text, labels, aggregates)."""
    keys, labels, rest = row[:width], row[width:2 * width], tuple(row[2 * width:])
    return ":".join("" if k is None else str(k) for k in keys) or "all", list(labels), rest


def _frequency_row(attempts, people, days: float) -> dict:
    attempts, people = int(attempts or 0), int(people or 0)
    months = days / 30
    return {"attempts": attempts, "people": people,
            "frequency": round(attempts / people / months, 4) if people and months else None}


def frequency_by(by: str | None, start: datetime, end: datetime, scope: "Scope | None" = None,
                 at: datetime | None = None) -> list[dict]:
    """Frequency (考试频度) per group: finished attempts in [start, end) by the active
    people of the group ÷ those people ÷ (days / 30). `by` is None (one row), "partner",
    "team", "province" or "track"; each row has key, labels, attempts, people, frequency."""
    scope, at = scope or Scope(), at or now()
    # An attempt closed by its deadline is dated by its deadline.
    when = func.coalesce(Attempt.submitted_at, Attempt.deadline)
    per_person = (select(Attempt.user_id, func.count(Attempt.id).label("n"))
                  .where(finished(at), when >= start, when < end)
                  .group_by(Attempt.user_id).subquery())
    people = scope.people(end).subquery()
    track = case(*[(people.c.role == role, name) for name, role in TRACK_ROLE.items()],
                 else_=None)
    table = (select(people, track.label("track"),
                    func.coalesce(per_person.c.n, 0).label("n"))
             .outerjoin(per_person, per_person.c.user_id == people.c.user_id)).subquery()
    query, width = _grouped(by, table, func.count(), func.sum(table.c.n))
    days = (end - start).total_seconds() / 86400
    found = []
    for row in db.session.execute(query):
        key, labels, (count, attempts) = _split(row, width)
        found.append({"key": key, "labels": labels, **_frequency_row(attempts, count, days)})
    return found


def frequency(start: datetime, end: datetime, scope: "Scope | None" = None,
              at: datetime | None = None) -> dict:
    """Frequency (考试频度) of one group of people over [start, end)."""
    rows = frequency_by(None, start, end, scope, at)
    days = (end - start).total_seconds() / 86400
    return rows[0] if rows else {"key": "all", "labels": [], **_frequency_row(0, 0, days)}


def coverage_by(by: str | None, start: datetime, end: datetime, scope: "Scope | None" = None,
                at: datetime | None = None) -> list[dict]:
    """Coverage per group over the sittings that close in [start, end)."""
    scope = scope or Scope()
    rows = scope.assignments(assigned_rows(Sitting.closes_at >= start, Sitting.closes_at < end,
                                           at=at))
    table = (rows.add_columns(Partner.province_code)
             .join(Partner, Partner.id == Assignment.partner_id).subquery())
    query, width = _grouped(by, table, func.count(), func.sum(table.c.covered))
    found = []
    for row in db.session.execute(query):
        key, labels, (assigned, covered) = _split(row, width)
        found.append({"key": key, "labels": labels, **_coverage_row(assigned, covered)})
    return found


def breakdown(by: str, start: datetime, end: datetime, scope: "Scope | None" = None,
              at: datetime | None = None) -> list[dict]:
    """Coverage and frequency side by side per group of `by` over [start, end)."""
    rows: dict[str, dict] = {}
    empty_coverage, empty_frequency = _coverage_row(0, 0), _frequency_row(0, 0, 1)
    for row in coverage_by(by, start, end, scope, at):
        rows[row["key"]] = {**empty_frequency, **row}
    for row in frequency_by(by, start, end, scope, at):
        rows[row["key"]] = {**empty_coverage, **rows.get(row["key"], {}), **row}
    return sorted(rows.values(), key=lambda r: [str(v or "") for v in r["labels"]])


def month_starts(months: int, at: datetime | None = None) -> list[datetime]:
    """The first instants of the last `months` calendar months in the business time zone
    (the current one last), plus the start of the next month: months + 1 boundaries."""
    local = (at or now()).astimezone(BUSINESS_TZ)
    year, month = local.year, local.month
    starts = []
    for back in range(months - 1, -2, -1):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        starts.append(datetime(y, m + 1, 1, tzinfo=BUSINESS_TZ))
    return starts


def _monthly_assignments(bounds: list[datetime], scope: "Scope", at: datetime):
    """SQL: assigned_rows of the sittings closing within `bounds`, with the index of the
    month each closes in (`month`) and the partner's province."""
    month = case(*[(Sitting.closes_at < bound, index)
                   for index, bound in enumerate(bounds[1:])], else_=None)
    query = scope.assignments(assigned_rows(Sitting.closes_at >= bounds[0],
                                            Sitting.closes_at < bounds[-1], at=at))
    return (query.add_columns(month.label("month"), Partner.province_code)
            .join(Partner, Partner.id == Assignment.partner_id).subquery())


def over_time(months: int, scope: "Scope | None" = None, at: datetime | None = None
              ) -> list[dict]:
    """Coverage (sittings closing in the month) and frequency per month of the last
    `months` months, oldest first."""
    scope, at = scope or Scope(), at or now()
    bounds = month_starts(months, at)
    rows = _monthly_assignments(bounds, scope, at)
    covered = {index: (assigned, done) for index, assigned, done in db.session.execute(
        select(rows.c.month, func.count(), func.sum(rows.c.covered)).group_by(rows.c.month))}
    series = []
    for index, (start, end) in enumerate(zip(bounds, bounds[1:])):
        series.append({"month": f"{start:%Y-%m}", "start": start, "end": end,
                       **_coverage_row(*covered.get(index, (0, 0))),
                       **{k: v for k, v in frequency(start, end, scope, at).items()
                          if k not in ("key", "labels")}})
    return series


def coverage_by_month(by: str, months: int, scope: "Scope | None" = None,
                      at: datetime | None = None) -> list[dict]:
    """Coverage per group of `by` and month of the last `months` months: rows of
    {key, labels, cells: [coverage per month, oldest first]}."""
    scope, at = scope or Scope(), at or now()
    bounds = month_starts(months, at)
    table = _monthly_assignments(bounds, scope, at)
    query, width = _grouped(by, table, func.count(), func.sum(table.c.covered),
                            extra=(table.c.month,))
    rows: dict[str, dict] = {}
    for row in db.session.execute(query):
        key, labels, (month, assigned, covered) = _split(row, width)
        entry = rows.setdefault(key, {"key": key, "labels": labels,
                                      "cells": [_coverage_row(0, 0) for _ in bounds[1:]]})
        entry["cells"][month] = _coverage_row(assigned, covered)
    return list(rows.values())

# --- who has not taken it -------------------------------------------------------------------
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
             .order_by(Partner.name, Team.name, User.display_name, User.id))
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
