"""Exam figures over time and by group: coverage and frequency (考试频度) per month and
per partner, team, province or track, for the people a reader may see (`Scope`).
Coverage counts assignments as in `coverage`; frequency counts finished attempts per
active person and 30 days."""
from datetime import datetime

from sqlalchemy import case, func, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.clock import BUSINESS_TZ, now
from portal.exams.coverage import _coverage_row, _narrow, assigned_rows, region_partners
from portal.exams.models import Assignment, Attempt, Exam, Sitting
from portal.exams.services import finished
from portal.extensions import db
from portal.org.models import Partner, Region, Team
from portal.org.tracks import TRACK_ROLE

DIMENSIONS = ("partner", "team", "province", "track")


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


def _group_columns(by: str | None, table) -> tuple[list, list, list, list]:
    """(key columns, label columns, sort columns, outer joins) of a breakdown by `by` over
    `table`, a subquery with partner_id, team_id, province_code and track columns.
    Partners and teams sort by their names' pinyin."""
    if by == "partner":
        return ([table.c.partner_id], [Partner.name], [Partner.name_key],
                [(Partner, Partner.id == table.c.partner_id)])
    if by == "team":  # team names repeat across partners: the partner is part of the key
        return ([table.c.partner_id, table.c.team_id], [Partner.name, Team.name],
                [Partner.name_key, Team.name_key],
                [(Partner, Partner.id == table.c.partner_id),
                 (Team, Team.id == table.c.team_id)])
    if by == "province":
        return ([table.c.province_code], [Region.name], [Region.name],
                [(Region, Region.code == table.c.province_code)])
    if by == "track":
        return [table.c.track], [table.c.track], [table.c.track], []
    return [], [], [], []


def _grouped(by: str | None, table, *aggregates, extra=()):
    """SELECT key..., label..., extra..., aggregates... FROM table GROUP BY the keys of
    `by` and the `extra` columns."""
    keys, labels, sorts, joins = _group_columns(by, table)
    query = select(*keys, *labels, *extra, *aggregates).select_from(table)
    for model, on in joins:
        query = query.outerjoin(model, on)
    if keys or extra:
        query = (query.group_by(*keys, *labels, *sorts, *extra)
                 .order_by(*sorts, *keys, *extra))
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
