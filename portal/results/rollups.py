"""Per-person daily result roll-ups (`result_days`): orders, revenue, payments and new
customers developed, kept in step with every write in the same transaction
(`portal.core.rollups.add`). `recompute` rebuilds them from the raw orders and payments,
and `differences` compares the two, with each order's paid amount against the sum of
its payments (what `flask results check-rollups` and the tests run)."""
from collections import defaultdict
from datetime import date

from sqlalchemy import case, func, select

from portal.core import rollups as shared
from portal.extensions import db
from portal.results.models import RESULT_COUNTS, Order, Payment, ResultDay


def add(person, day: date, **deltas: int) -> None:
    """Add `deltas` (orders=1, revenue_fen=…) to `person`'s row for `day`."""
    shared.add(ResultDay, RESULT_COUNTS, person, day, **deltas)


def recompute(user_ids=None) -> dict[tuple[int, date], dict]:
    """The result counts rebuilt from orders and payments: {(user id, day): {count: n}}."""
    counts: dict = defaultdict(lambda: dict.fromkeys(RESULT_COUNTS, 0))

    def narrow(query, column):
        return query if user_ids is None else query.where(column.in_(list(user_ids)))

    orders = narrow(select(Order.salesperson_id, Order.ordered_on, func.count(),
                           func.sum(Order.amount_fen),
                           func.sum(case((Order.developed.is_(True), 1), else_=0)))
                    .group_by(Order.salesperson_id, Order.ordered_on), Order.salesperson_id)
    for user_id, day, number, revenue, developed in db.session.execute(orders):
        counts[(user_id, day)].update(orders=number, revenue_fen=int(revenue or 0),
                                      new_customers=int(developed or 0))
    payments = narrow(select(Payment.salesperson_id, Payment.received_on, func.count(),
                             func.sum(Payment.amount_fen))
                      .group_by(Payment.salesperson_id, Payment.received_on),
                      Payment.salesperson_id)
    for user_id, day, number, total in db.session.execute(payments):
        counts[(user_id, day)].update(payments=number, payments_fen=int(total or 0))
    return dict(counts)


def _paid_differences(user_ids=None) -> list[str]:
    paid = (select(Payment.order_id, func.sum(Payment.amount_fen).label("total"))
            .where(Payment.order_id.is_not(None)).group_by(Payment.order_id).subquery())
    query = (select(Order.id, Order.paid_fen, func.coalesce(paid.c.total, 0))
             .outerjoin(paid, paid.c.order_id == Order.id)
             .where(Order.paid_fen != func.coalesce(paid.c.total, 0)))
    if user_ids is not None:
        query = query.where(Order.salesperson_id.in_(list(user_ids)))
    return [f"order {order_id}: paid {have} stored, payments give {want}"
            for order_id, have, want in db.session.execute(query)]


def differences(user_ids=None) -> list[str]:
    """Where the stored roll-ups (and orders' paid amounts) differ from the raw rows."""
    return shared.per_batch(lambda ids: shared.differences(
        recompute(ids), shared.stored(ResultDay, RESULT_COUNTS, ids), RESULT_COUNTS)
        + _paid_differences(ids), user_ids)
