"""Computing a month's team health: the raw counts (`figures`), then the scores under
the rule in force that month, all in a few set-based statements inside one transaction,
so a page reads either the old month or the new one, never half of each."""
import time as clock
from datetime import date, datetime

from sqlalchemy import delete, select, update

from portal.core.clock import BUSINESS_TZ, now
from portal.extensions import db
from portal.health import figures, rules
from portal.health.measures import part_scores, weighted
from portal.health.models import PARTS, HealthMonth, HealthRun
from portal.results.months import add_months, first_of


def score_month(month: date) -> None:
    """Store the part scores and the whole score of every row of `month` under the rule
    its rows were computed with."""
    row = db.session.execute(select(HealthMonth.rule_id, HealthMonth.work_days,
                                    HealthMonth.days).where(HealthMonth.month == month)
                             .limit(1)).first()
    if row is None:
        return
    rule = db.session.get(rules.HealthRule, row.rule_id) if row.rule_id else None
    weights = rules.weights_of(rule)
    parts = part_scores(weights, row.work_days, row.days)
    db.session.execute(update(HealthMonth).where(HealthMonth.month == month)
                       .values(**parts).execution_options(synchronize_session=False))
    overall = weighted([(weights["parts"][part], getattr(HealthMonth, part)) for part in PARTS])
    db.session.execute(update(HealthMonth).where(HealthMonth.month == month)
                       .values(overall=overall).execution_options(synchronize_session=False))


def compute_month(month: date, *, at: datetime | None = None, trigger: str = "job") -> HealthRun:
    """Recompute `month` from scratch (its rows replaced) and record the run."""
    at, started = at or now(), clock.perf_counter()
    month = first_of(month)
    w = figures.window(month, at)
    rule = rules.in_force(month)
    rule_id = rule.id if rule else None
    db.session.execute(delete(HealthMonth).where(HealthMonth.month == month)
                       .execution_options(synchronize_session=False))
    if w.through >= month:
        figures.insert_people(w, rule_id)
        figures.insert_groups(w, "team", rule_id)
        figures.insert_groups(w, "partner", rule_id)
        score_month(month)
    count = db.session.execute(select(db.func.count()).select_from(HealthMonth)
                               .where(HealthMonth.month == month)).scalar()
    run = HealthRun(month=month, through=w.through, rule_id=rule_id, rows=count,
                    seconds=round(clock.perf_counter() - started, 3), started_at=at,
                    trigger=trigger)
    db.session.add(run)
    db.session.flush()
    return run


def due_months(at: datetime | None = None) -> list[date]:
    """The months the nightly job recomputes: this one, and last month during the first
    week of a month (late entries for it still arrive)."""
    today = (at or now()).astimezone(BUSINESS_TZ).date()
    current = first_of(today)
    return [add_months(current, -1), current] if today.day <= 7 else [current]


def last_run(month: date) -> HealthRun | None:
    return db.session.execute(select(HealthRun).where(HealthRun.month == month)
                              .order_by(HealthRun.id.desc()).limit(1)).scalar_one_or_none()
