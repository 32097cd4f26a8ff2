"""Per-person daily roll-ups shared by the domains that count things (habits, results):
one INSERT … ON CONFLICT DO UPDATE adding a change's deltas to a person's row for a day,
in the caller's transaction, and the comparison of stored rows with a recomputation
from raw rows that every roll-up's check runs."""
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.core.clock import BUSINESS_TZ
from portal.extensions import db


def business_day(at: datetime) -> date:
    """The calendar day of `at` in the portal's business time zone."""
    return at.astimezone(BUSINESS_TZ).date()


def add(model, counts: tuple[str, ...], person, day: date, **deltas: int) -> None:
    """Add `deltas` to `person`'s row of `model` (a table keyed by user and day with the
    columns `counts`) for `day`, creating the row."""
    deltas = {key: value for key, value in deltas.items() if value}
    if not deltas:
        return
    unknown = set(deltas) - set(counts)
    if unknown:
        raise ValueError(f"unknown roll-up counts {unknown}")
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    table = model.__table__
    statement = insert(table).values(
        user_id=person.id, day=day, partner_id=person.partner_id, team_id=person.team_id,
        **{key: deltas.get(key, 0) for key in counts})
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.day],
        set_={key: table.c[key] + statement.excluded[key] for key in deltas})
    db.session.execute(statement)


def stored(model, counts: tuple[str, ...], user_ids=None) -> dict[tuple[int, date], dict]:
    query = select(model)
    if user_ids is not None:
        query = query.where(model.user_id.in_(list(user_ids)))
    return {(row.user_id, row.day): {key: getattr(row, key) for key in counts}
            for row in db.session.execute(query).scalars()}


def differences(rebuilt: dict, kept: dict, counts: tuple[str, ...]) -> list[str]:
    """Where the stored roll-ups `kept` differ from the recomputation `rebuilt` (both
    {(user id, day): {count: value}}); rows of zeros and missing rows are the same."""
    zero = dict.fromkeys(counts, 0)
    found = []
    for key in sorted(set(rebuilt) | set(kept)):
        want, have = rebuilt.get(key, zero), kept.get(key, zero)
        if want != have:
            found.append(f"user {key[0]} on {key[1]}: stored {have}, raw rows give {want}")
    return found


def report(found: list[str], shown: int = 20) -> None:
    """What a `check-rollups` command prints: the first `shown` differences, then exit 1
    when there are any."""
    import click
    for line in found[:shown]:
        click.echo(line)
    if found:
        raise click.ClickException(f"{len(found)} roll-up rows differ from the raw rows.")
    click.echo("The roll-ups agree with the raw rows.")


def rebuild(model, rebuilt: dict, user_ids) -> int:
    """Replace the rows of `model` of `user_ids` with the recomputation `rebuilt`
    ({(user id, day): {count: value}}), in bulk (the demo's and seeds' way to fill a
    roll-up after inserting raw rows directly); the number of rows written."""
    from portal.auth.models import User
    ids = list(user_ids)
    people = dict(db.session.execute(select(User.id, User).where(User.id.in_(ids))).all())
    rows = [{"user_id": uid, "day": day, "partner_id": people[uid].partner_id,
             "team_id": people[uid].team_id, **values}
            for (uid, day), values in rebuilt.items()]
    db.session.execute(model.__table__.delete().where(model.__table__.c.user_id.in_(ids)))
    if rows:
        db.session.execute(model.__table__.insert(), rows)
    return len(rows)


CHECK_BATCH = 2000  # people per recomputation: memory stays flat on a year of 100,000


def per_batch(check, user_ids=None) -> list[str]:
    """`check(ids)` (a list of differences) for `user_ids`, or for every person in
    batches of CHECK_BATCH when None, so a check at scale never holds every person-day
    in memory at once."""
    from portal.auth.models import User
    if user_ids is not None:
        return check(list(user_ids))
    found, after = [], 0
    while True:
        ids = db.session.execute(select(User.id).where(User.id > after).order_by(User.id)
                                 .limit(CHECK_BATCH)).scalars().all()
        if not ids:
            return found
        found += check(ids)
        after = ids[-1]
