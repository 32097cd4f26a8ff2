"""Demo targets: for every active partner, this month's and next month's targets at the
partner (set by its channel manager), team (by the owner) and person level (by the team
lead, or the owner for people in no team), each set near its own reference lines —
between the starting line and the peak, or near the forecast where a line is missing —
so the team targets do not add up exactly to the partner's (a cascade gap shows), and a
few deliberately above the peak, confirmed. A metric with no line at all (no history
yet: orders before the results demo has run) gets no target.

The demo's partners and teams are created at seed time while their people joined up to
two years ago; like the organisation's joining dates, they are dated back to their
earliest member's (the seed's own change, not audited), so their months count as
history. Rows go in with one bulk insert, as the other demo data does."""
from datetime import datetime, timezone

from sqlalchemy import func, insert, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.clock import now, today
from portal.extensions import db
from portal.org.models import Partner, Team
from portal.results import months as cal
from portal.results.models import METRICS, MONEY, Target
from portal.results.target_lines import Subject, half_up, outside, reference_lines

ABOVE_PEAK = 0.06  # this share of targets is set above the peak, confirmed


def _backdate() -> None:
    """Partners and teams as old as their earliest member."""
    for model, column in ((Partner, User.partner_id), (Team, User.team_id)):
        earliest = dict(db.session.execute(select(column, func.min(User.created_at)).where(
            column.is_not(None)).group_by(column)).all())
        table = model.__table__
        for row_id, joined in earliest.items():
            db.session.execute(table.update().where(table.c.id == row_id,
                                                    table.c.created_at > joined)
                               .values(created_at=joined))
    db.session.expire_all()


def _value(metric: str, lines: dict, rng) -> tuple[int | None, bool]:
    """A target near the lines (None without any line), and whether it is above the peak."""
    low, high = lines["start"]["value"], lines["peak"]["value"]
    guess = lines["forecast"]["value"]
    if low is not None and high is not None and high >= low:
        if high and rng.random() < ABOVE_PEAK:
            return _rounded(metric, high * rng.uniform(1.1, 1.25)), True
        return _rounded(metric, rng.uniform(low, high)), False
    base = next((v for v in (guess, low, high) if v), None)
    if base is None:
        return None, False
    value = _rounded(metric, base * rng.uniform(0.95, 1.05))
    return value, high is not None and value > high


def _rounded(metric: str, value: float) -> int:
    """As people set targets: money to whole hundreds of yuan, counts to whole numbers."""
    if metric in MONEY:
        return max(0, half_up(value / 10_000)) * 10_000
    return max(0, half_up(value))


def _setter(subject: Subject, partner: Partner, leaders: dict, owners: dict) -> int | None:
    if subject.level == "partner":
        return partner.channel_manager_id
    if subject.level == "person" and subject.team_id in leaders \
            and leaders[subject.team_id] != subject.user_id:
        return leaders[subject.team_id]
    return owners.get(partner.id)


def _subjects(partner: Partner) -> list[Subject]:
    teams = db.session.execute(select(Team).where(Team.partner_id == partner.id,
                                                  Team.active.is_(True))
                               .order_by(Team.id)).scalars().all()
    people = db.session.execute(select(User).where(
        User.partner_id == partner.id, User.active.is_(True), User.role.in_(PARTNER_ROLES),
        User.role != "owner").order_by(User.id)).scalars().all()
    return ([Subject.of("partner", partner)] + [Subject.of("team", t) for t in teams]
            + [Subject.of("person", p) for p in people])


def seed(rng) -> str:
    day = today()
    months = (cal.first_of(day), cal.add_months(cal.first_of(day), 1))
    _backdate()
    leaders = dict(db.session.execute(select(Team.id, Team.leader_id)).all())
    owners = dict(db.session.execute(select(User.partner_id, func.min(User.id)).where(
        User.role == "owner", User.active.is_(True)).group_by(User.partner_id)).all())
    rows, above, stamp = [], 0, now()
    for partner in db.session.execute(select(Partner).where(Partner.status == "active")
                                      .order_by(Partner.id)).scalars():
        for subject in _subjects(partner):
            setter = _setter(subject, partner, leaders, owners)
            for month in months:
                lines = reference_lines(subject, month, day)
                for metric in METRICS:
                    value, high = _value(metric, lines[metric], rng)
                    if value is None:
                        continue
                    above += high
                    confirmed = outside(value, lines[metric]) is not None
                    rows.append({"subject": subject.key, "level": subject.level,
                                 "partner_id": subject.partner_id, "team_id": subject.team_id,
                                 "user_id": subject.user_id, "month": month, "metric": metric,
                                 "value": value, "lines": lines[metric], "confirmed": confirmed,
                                 "set_by": setter, "set_at": min(stamp, month_morning(month))})
    if rows:
        db.session.execute(insert(Target.__table__), rows)
    return (f"targets: {len(rows)} for {months[0]:%Y-%m} and {months[1]:%Y-%m} "
            f"({above} above the peak, confirmed)")


def month_morning(month) -> datetime:
    """Targets of a month were set on its first morning (next month's: today)."""
    return datetime(month.year, month.month, 1, 1, 0, tzinfo=timezone.utc)
