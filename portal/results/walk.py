"""The isolation walk's results (tests only): per partner an order of the staff and one of
the other team's staff, each for the customer its salesperson looks after (built by the
habits walk, which runs first), each half paid; and the targets (`target_walk`)."""
from portal.core.clock import today
from portal.org.walk import tag
from portal.results import entries, target_walk

PEOPLE = ("staff", "other_staff")


def build(world) -> None:
    for side in (world.a, world.b):
        for n, person in enumerate(PEOPLE):
            who, mine = getattr(side, person), side.people[person]
            mine.order = entries.record_order(who, {
                "client_id": f"walk-order-{side.key}-{side.token}-{n}",
                "customer_id": mine.customer.id, "ordered_on": today(), "amount": "1000",
                "product_line": tag(f"产品线{n}", side),
                "note": tag(f"订单备注{n}", side)}).entry
            mine.payment = entries.record_payment(who, {
                "client_id": f"walk-payment-{side.key}-{side.token}-{n}",
                "order_id": mine.order.id, "received_on": today(), "amount": "400",
                "note": tag(f"收款备注{n}", side)}).entry
        side.order, side.payment = side.people["staff"].order, side.people["staff"].payment
    target_walk.build(world)


ARGS = {"order_id": "order", "payment_id": "payment", **target_walk.ARGS}
PERSONAL = {"order_id": "order", "payment_id": "payment",
            **getattr(target_walk, "PERSONAL", {})}


def _own(mine) -> list[str]:
    if getattr(mine, "order", None) is None:
        return []
    return [mine.order.note, mine.order.product_line, mine.payment.note]


def markers(side) -> list[str]:
    return [text for person in PEOPLE for text in _own(side.people[person])] \
        + target_walk.markers(side)


def personal_markers(mine) -> list[str]:
    theirs = getattr(target_walk, "personal_markers", lambda _mine: [])
    return _own(mine) + theirs(mine)
