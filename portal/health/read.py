"""Reading team health: which months are computed, the rows a reader may see, last
month's row beside this month's, and one score taken apart measure by measure (the
stored SQL definitions evaluated again for that row, so the explanation is the score)."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.access import visible
from portal.extensions import db
from portal.health import rules
from portal.health.measures import MEASURES, PART_LABELS, score
from portal.health.models import PARTS, HealthMonth, HealthRun
from portal.results.months import add_months, first_of


NO_EXAM = _l("No exam closed for these people this month.")


def computed_months() -> list[date]:
    """The months with figures, latest first."""
    return db.session.execute(select(HealthRun.month).distinct()
                              .order_by(HealthRun.month.desc())).scalars().all()


def default_month(today: date) -> date:
    """This month once a day of it is counted, else the latest computed month."""
    months = computed_months()
    current = first_of(today)
    if current in months or not months:
        return current
    return months[0]


def month_named(raw: str | None, months: list[date], today: date) -> date:
    """The month a URL names ("YYYY-MM") when it is a computed one, else the default."""
    by_name = {m.strftime("%Y-%m"): m for m in months}
    return by_name.get(raw or "") or default_month(today)


def rows(user, month: date, level: str):
    """SQL: the `level` rows of `month` that `user` may see."""
    return select(HealthMonth).where(HealthMonth.month == month, HealthMonth.level == level,
                                     visible(user, HealthMonth))


def subject_row(user, month: date, subject: str) -> HealthMonth | None:
    """`subject`'s row for `month` when `user` may see it (None: no data, or not yours)."""
    return db.session.execute(select(HealthMonth).where(
        HealthMonth.month == month, HealthMonth.subject == subject,
        visible(user, HealthMonth))).scalar_one_or_none()


def history(user, subject: str, month: date, count: int = 6) -> list[tuple[date, HealthMonth | None]]:
    """(month, row or None) for the `count` months up to `month`, oldest first: a month
    without a row is a gap in the trend, never a zero."""
    first = add_months(month, -(count - 1))
    found = {row.month: row for row in db.session.execute(select(HealthMonth).where(
        HealthMonth.subject == subject, HealthMonth.month >= first,
        HealthMonth.month <= month, visible(user, HealthMonth))).scalars()}
    return [(add_months(first, i), found.get(add_months(first, i))) for i in range(count)]


def change(now_value: float | None, before: float | None) -> float | None:
    """The move since last month in points, None when either side has no data."""
    if now_value is None or before is None:
        return None
    return round(now_value - before, 1)


@dataclass
class Line:
    """One measure of one row: its counts, its score, its weight as published and its
    share of its part after renormalisation over the measures with data."""
    code: str
    part: str
    label: object
    hint: object
    numerator: int | None
    denominator: int | None
    score: float | None
    weight: int
    share: float | None
    why: object = None  # why a measure with counts has no score (no exam this month)


def explain(row: HealthMonth) -> dict:
    """`row` taken apart: per part, its measures (`Line`s), its score and weight."""
    rule = db.session.get(rules.HealthRule, row.rule_id) if row.rule_id else None
    weights = rules.weights_of(rule)
    expressions = [score(m, weights, row.work_days, row.days).label(m.code) for m in MEASURES]
    scored = db.session.execute(select(*expressions).where(HealthMonth.id == row.id)).one()
    parts = {}
    for part in PARTS:
        lines = []
        for measure in (m for m in MEASURES if m.part == part):
            value = getattr(scored, measure.code)
            gated = measure.gate is not None and not getattr(row, measure.gate)
            lines.append(Line(measure.code, part, measure.label, measure.hint,
                              getattr(row, measure.numerator),
                              getattr(row, measure.denominator),
                              None if value is None else float(value),
                              weights["measures"][measure.code], None,
                              NO_EXAM if gated else None))
        counted = sum(line.weight for line in lines if line.score is not None)
        for line in lines:
            if line.score is not None and counted:
                line.share = line.weight / counted
        parts[part] = {"label": PART_LABELS[part], "score": getattr(row, part),
                       "weight": weights["parts"][part], "lines": lines}
    counted = sum(p["weight"] for p in parts.values() if p["score"] is not None)
    for p in parts.values():
        p["share"] = p["weight"] / counted if p["score"] is not None and counted else None
    return {"rule": rule, "weights": weights, "parts": parts, "overall": row.overall}
