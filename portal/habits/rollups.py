"""Per-person daily roll-ups (`habit_days`), kept in step with every write in the same
transaction: one INSERT … ON CONFLICT DO UPDATE adding the change's deltas, so pages read
a few rows per person instead of scanning visits. `recompute` rebuilds the same counts
from the raw rows, and `differences` compares the two (the check the tests and the
`habits check-rollups` command run)."""
from collections import defaultdict
from datetime import date

from sqlalchemy import case, func, select

from portal.core import rollups as shared
from portal.core.rollups import business_day  # noqa: F401 (part of this API)
from portal.extensions import db
from portal.habits.models import ROLLUP_COUNTS, Customer, FollowUp, HabitDay, Visit


def add(person, day: date, **deltas: int) -> None:
    """Add `deltas` (visits=1, effective=1, …) to `person`'s row for `day`, creating it."""
    shared.add(HabitDay, ROLLUP_COUNTS, person, day, **deltas)


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


def differences(user_ids=None) -> list[str]:
    """Where the stored roll-ups differ from a recomputation (empty when they agree),
    person batch by person batch."""
    return shared.per_batch(lambda ids: shared.differences(
        recompute(ids), shared.stored(HabitDay, ROLLUP_COUNTS, ids), ROLLUP_COUNTS), user_ids)
