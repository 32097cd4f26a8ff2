"""Subjects side by side on one metric (partners for the principal, a partner's teams, a
team's people): each one's target, month to date, share of the target and of the pace,
and — so that size is no advantage — the rate per person and working day. One grouped
query per figure over the listed subjects, read from the daily roll-ups."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.auth.models import PARTNER_ROLES, User
from portal.extensions import db
from portal.results import months as cal
from portal.results.models import Target
from portal.results.target_lines import KIND_OF, SOURCE_OF, Subject, recorded_where
from portal.results.targets import Progress


@dataclass
class Row:
    subject: Subject
    people: int
    progress: Progress

    @property
    def per_person_day(self) -> float | None:
        """Month to date ÷ (people × working days gone): comparable whatever the size."""
        actual, gone = self.progress.actual, self.progress.gone
        if actual is None or not self.people or not gone:
            return None
        return actual / (self.people * gone)


def _column(model, level: str):
    return {"partner": model.partner_id, "team": model.team_id, "person": model.user_id}[level]


def _ident(subject: Subject) -> int:
    return {"partner": subject.partner_id, "team": subject.team_id,
            "person": subject.user_id}[subject.level]


def _people(level: str, ids: list[int]) -> dict[int, int]:
    """Active people of each partner or team (a person counts one)."""
    if level == "person":
        return dict.fromkeys(ids, 1)
    column = User.partner_id if level == "partner" else User.team_id
    return dict(db.session.execute(
        select(column, func.count()).where(column.in_(ids), User.active.is_(True),
                                           User.role.in_(PARTNER_ROLES))
        .group_by(column)).all())


def compare(subjects: list[Subject], metric: str, month: date, today: date) -> list[Row]:
    """`subjects` (all of one level) on `metric` in `month` as of `today`, in their order."""
    if not subjects:
        return []
    level = subjects[0].level
    ids = [_ident(s) for s in subjects]
    model = SOURCE_OF[metric]
    end = min(cal.last_of(month), today)
    actual, recorded = {}, set()
    if end >= month:
        inside = model.day.between(month, end)
        column = _column(model, level)
        actual = dict(db.session.execute(
            select(column, func.sum(getattr(model, metric)))
            .where(inside, column.in_(ids)).group_by(column)).all())
        partners = {s.partner_id for s in subjects}
        kept, where = recorded_where(KIND_OF[metric], lambda c: c.in_(partners), month, end)
        recorded = set(db.session.execute(select(kept.partner_id).distinct()
                                          .where(*where)).scalars())
    targets = {row.subject: row for row in db.session.execute(select(Target).where(
        Target.subject.in_([s.key for s in subjects]), Target.month == month,
        Target.metric == metric)).scalars()}
    people = _people(level, ids)
    workdays, gone = cal.in_month(month), cal.gone(month, today)
    rows = []
    for subject, ident in zip(subjects, ids):
        data = subject.partner_id in recorded and subject.since <= end
        value = int(actual.get(ident) or 0) if data else None
        rows.append(Row(subject, people.get(ident, 0),
                        Progress(metric, targets.get(subject.key), value, workdays, gone)))
    return rows
