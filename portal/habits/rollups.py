"""Per-person daily roll-ups (`habit_days`), kept in step with every write in the same
transaction: one INSERT … ON CONFLICT DO UPDATE adding the change's deltas, so pages read
a few rows per person instead of scanning visits. `recompute` rebuilds the same counts
from the raw rows, and `differences` compares the two (the check the tests and the
`habits check-rollups` command run)."""
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.core.clock import BUSINESS_TZ
from portal.extensions import db
from portal.habits.models import ROLLUP_COUNTS, Customer, FollowUp, HabitDay, Visit


def business_day(at: datetime) -> date:
    """The calendar day of `at` in the portal's business time zone."""
    return at.astimezone(BUSINESS_TZ).date()


def add(person, day: date, **deltas: int) -> None:
    """Add `deltas` (visits=1, effective=1, …) to `person`'s row for `day`, creating it."""
    deltas = {key: value for key, value in deltas.items() if value}
    if not deltas:
        return
    unknown = set(deltas) - set(ROLLUP_COUNTS)
    if unknown:
        raise ValueError(f"unknown roll-up counts {unknown}")
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    table = HabitDay.__table__
    statement = insert(table).values(
        user_id=person.id, day=day, partner_id=person.partner_id, team_id=person.team_id,
        **{key: deltas.get(key, 0) for key in ROLLUP_COUNTS})
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.day],
        set_={key: table.c[key] + statement.excluded[key] for key in deltas})
    db.session.execute(statement)


def recompute(user_ids=None) -> dict[tuple[int, date], dict]:
    """The roll-up counts rebuilt from visits, follow-ups, flags and customers:
    {(user id, day): {count: value}} for days with anything to count."""
    counts: dict = defaultdict(lambda: dict.fromkeys(ROLLUP_COUNTS, 0))

    def narrow(query, column):
        return query if user_ids is None else query.where(column.in_(list(user_ids)))

    visits = narrow(select(Visit.user_id, Visit.day, func.count(),
                           func.sum(case((Visit.effective.is_(True), 1), else_=0)),
                           func.sum(case((Visit.kind == "first", 1), else_=0)),
                           func.sum(case((Visit.flagged.is_(True), 1), else_=0)))
                    .group_by(Visit.user_id, Visit.day), Visit.user_id)
    for user_id, day, total, effective, first, flagged in db.session.execute(visits):
        row = counts[(user_id, day)]
        row.update(visits=total, effective=int(effective or 0), first_visits=int(first or 0),
                   flagged=int(flagged or 0))
    in_time = case((FollowUp.done_on.is_not(None) & (FollowUp.done_on <= FollowUp.due_on), 1),
                   else_=0)
    follow_ups = narrow(select(FollowUp.user_id, FollowUp.due_on, func.count(),
                               func.sum(in_time)).group_by(FollowUp.user_id, FollowUp.due_on),
                        FollowUp.user_id)
    for user_id, day, due, done in db.session.execute(follow_ups):
        counts[(user_id, day)].update(follow_ups_due=due, follow_ups_in_time=int(done or 0))
    added = narrow(select(Customer.owner_id, Customer.created_at)
                   .where(Customer.owner_id.is_not(None)), Customer.owner_id)
    for user_id, created_at in db.session.execute(added):
        counts[(user_id, business_day(created_at))]["customers_added"] += 1
    return dict(counts)


def stored(user_ids=None) -> dict[tuple[int, date], dict]:
    query = select(HabitDay)
    if user_ids is not None:
        query = query.where(HabitDay.user_id.in_(list(user_ids)))
    return {(row.user_id, row.day): {key: getattr(row, key) for key in ROLLUP_COUNTS}
            for row in db.session.execute(query).scalars()}


def differences(user_ids=None) -> list[str]:
    """Where the stored roll-ups differ from a recomputation (empty when they agree);
    rows of zeros and missing rows are the same."""
    rebuilt, kept = recompute(user_ids), stored(user_ids)
    zero = dict.fromkeys(ROLLUP_COUNTS, 0)
    found = []
    for key in sorted(set(rebuilt) | set(kept)):
        want, have = rebuilt.get(key, zero), kept.get(key, zero)
        if want != have:
            found.append(f"user {key[0]} on {key[1]}: stored {have}, raw rows give {want}")
    return found
