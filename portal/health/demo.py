"""Demo team health: targets for the past full months the demo's results cover (set the
way each partner tends to set them: most near what they then did, a weak partner's well
above, a declining partner's at the level of its better months), then six months of
health computed the way the hourly job does. A month before the demo's history has no
rows (no data, never zero); the first, partial month has results but no targets, so its
performance part says "no data" and the other parts carry the score."""
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, insert, select

from portal.auth.models import User
from portal.core.clock import now, today
from portal.extensions import db
from portal.habits import demo as habits_demo
from portal.health.compute import compute_month
from portal.org.models import Partner
from portal.results.models import ResultDay, Target
from portal.results.months import add_months, first_of
from portal.results.target_demo import month_morning

MONTHS = 6
METRICS = ("orders", "revenue_fen", "payments_fen", "new_customers")
# How far above (or below) what it then did each kind of partner set its targets.
AMBITION = {habits_demo.WEAK: (1.35, 1.7), habits_demo.STRONG: (0.85, 1.0),
            habits_demo.STAR: (0.85, 1.0)}
USUAL = (0.9, 1.2)


def _actuals(first_month) -> dict:
    """(level, key, month) -> metric -> sum, for the partners, teams and people."""
    found = defaultdict(lambda: defaultdict(int))
    rows = db.session.execute(select(ResultDay.user_id, ResultDay.partner_id,
                                     ResultDay.team_id, ResultDay.day,
                                     *[getattr(ResultDay, m) for m in METRICS])
                              .where(ResultDay.day >= first_month))
    for row in rows:
        month = first_of(row.day)
        keys = [("partner", row.partner_id), ("person", row.user_id)]
        if row.team_id is not None:
            keys.append(("team", row.team_id))
        for level, key in keys:
            for metric in METRICS:
                found[(level, key, month)][metric] += getattr(row, metric)
    return found


def _past_targets(rng, months) -> int:
    """Targets for the past full months at every level, near or above what was done."""
    partners = {p.id: p for p in db.session.execute(select(Partner)).scalars()}
    people = dict(db.session.execute(select(User.id, User.partner_id)).all())
    team_partner = dict(db.session.execute(
        select(User.team_id, func.min(User.partner_id)).where(User.team_id.is_not(None))
        .group_by(User.team_id)).all())
    owners = dict(db.session.execute(select(User.partner_id, func.min(User.id)).where(
        User.role == "owner").group_by(User.partner_id)).all())
    actuals = _actuals(months[0])
    have = set(db.session.execute(select(Target.subject, Target.month, Target.metric)).all())
    rows = []
    for (level, key, month), done in actuals.items():
        if month not in months:
            continue
        partner_id = {"partner": key, "team": team_partner.get(key),
                      "person": people.get(key)}[level]
        partner = partners.get(partner_id)
        if partner is None:
            continue
        persona = habits_demo.PARTNER_PERSONAS.get(partner.name)
        first = actuals.get((level, key, months[0]), done)
        for metric in METRICS:
            subject = f"{level}:{key}"
            if (subject, month, metric) in have:
                continue
            if persona is habits_demo.FADING:  # held at the level of its better months
                base = max(first[metric], done[metric]) * rng.uniform(0.95, 1.05)
            else:
                base = done[metric] * rng.uniform(*AMBITION.get(persona, USUAL))
            value = round(base / 10_000) * 10_000 if metric.endswith("_fen") else round(base)
            if value <= 0:
                continue
            rows.append({"subject": subject, "level": level, "partner_id": partner_id,
                         "team_id": key if level == "team" else None,
                         "user_id": key if level == "person" else None, "month": month,
                         "metric": metric, "value": value, "lines": {}, "confirmed": False,
                         "set_by": partner.channel_manager_id if level == "partner"
                         else owners.get(partner_id), "set_at": min(now(), month_morning(month))})
    if rows:
        db.session.execute(insert(Target.__table__), rows)
    return len(rows)


def seed_demo(rng) -> str:
    current = first_of(today())
    history_start = first_of(today() - timedelta(days=habits_demo.DAYS))
    full = [m for m in (add_months(current, -back) for back in range(MONTHS - 1, 0, -1))
            if m > history_start]
    targets = _past_targets(rng, full)
    # Only the months the demo's history reaches: before it the people were there but
    # the portal was not yet in use, which would read as a team that did nothing.
    months = [m for m in (add_months(current, -back) for back in range(MONTHS - 1, -1, -1))
              if m >= history_start]
    runs = [compute_month(month, trigger="demo") for month in months]
    rows = sum(run.rows for run in runs)
    return (f"Team health: {targets} targets for {', '.join(f'{m:%Y-%m}' for m in full)}; "
            f"{len(months)} months computed ({rows} rows).")
