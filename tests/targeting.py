"""Helpers of the targets tests: a fixed day (Friday 2026-12-04), partner A's people in
the portal since January 2025, and a year of the staff's visits as monthly roll-up rows
(the hand-computed history of tests/test_results_targets.py)."""
from datetime import date, datetime, timezone

from portal.core import clock
from portal.extensions import db
from portal.habits import rollups as habit_rollups

TODAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
DECEMBER, JANUARY = date(2026, 12, 1), date(2027, 1, 1)
HISTORY = {(2025, 12): 150, (2026, 1): 180, (2026, 2): 160, (2026, 3): 400, (2026, 4): 200,
           (2026, 5): 210, (2026, 6): 220, (2026, 7): 253, (2026, 8): 252, (2026, 9): 286,
           (2026, 10): 308, (2026, 11): 315}
LONG_AGO = datetime(2025, 1, 1, tzinfo=timezone.utc)


def since(*things, at=LONG_AGO):
    """Date partners, teams and people back (the factories create them today)."""
    for thing in things:
        table = type(thing).__table__
        db.session.execute(table.update().where(table.c.id == thing.id).values(created_at=at))
    db.session.commit()
    for thing in things:
        db.session.refresh(thing)


def visits(person, by_month: dict, day: int = 10, metric: str = "visits"):
    """One roll-up row per month holding the month's count (on `day` of each month)."""
    for (year, month), value in by_month.items():
        habit_rollups.add(person, date(year, month, day), **{metric: value})
    db.session.commit()


def with_history(world):
    """`world` at 10:00 on TODAY with A's people in the portal since 2025 and the staff's
    year of visits (HISTORY)."""
    clock.set_now(NOW)
    a = world.a
    since(a.partner, a.team, a.other_team, a.owner, a.manager, a.staff, a.other_staff)
    visits(a.staff, HISTORY)
    return world
