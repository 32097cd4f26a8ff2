"""The isolation walk's habits (tests only): per partner two customers (the staff's and
the other team's staff's), a visit of each, and on the staff's customer a second visit
far from the first, flagged for the manager's review."""
from datetime import timedelta

from portal.core.clock import now
from portal.extensions import db
from portal.habits import customers, visits
from portal.org.walk import tag

TOWNS = {"a": "330102001", "b": "330106002"}  # inside each side's territory
HERE, FAR = (30.2460, 120.1640), (30.2910, 120.2130)


def _visit(person, customer, side, n, where, at):
    return visits.log_visit(person, {
        "client_id": f"walk-{side.key}-{side.token}-{n}", "customer_id": customer.id,
        "visited_at": at, "decision_maker": True, "outcome": "interested",
        "next_step": tag("下一步", side) + str(n), "next_step_on": at.date() + timedelta(days=2),
        "note": tag("拜访记录", side) + str(n), "latitude": where[0], "longitude": where[1],
        "accuracy_m": 15}).visit


def build(world) -> None:
    at = now() - timedelta(hours=6)
    for side in (world.a, world.b):
        for n, person in enumerate(("staff", "other_staff")):
            who = getattr(side, person)
            customer = customers.create_customer(who, side.partner.id, {
                "name": tag(f"客户{n}", side), "town_code": TOWNS[side.key],
                "address": tag(f"地址{n}", side), "owner_id": who.id})
            db.session.flush()
            side.people[person].customer = customer
            side.people[person].visit = _visit(who, customer, side, n, HERE, at)
        side.customer = side.people["staff"].customer
        side.visit = _visit(side.staff, side.customer, side, 2, FAR, at + timedelta(hours=3))
        side.flag = side.visit.flags[0]
        db.session.flush()


ARGS = {"customer_id": "customer", "visit_id": "visit", "flag_id": "flag"}
# The effective-visit rule is the principal's, read by everyone: no partner's object.
NEUTRAL = {"version": 1}
PERSONAL = {"customer_id": "customer", "visit_id": "visit"}


def markers(side) -> list[str]:
    return [side.people[p].customer.name for p in ("staff", "other_staff")] + [
        side.people[p].visit.note for p in ("staff", "other_staff")] + [side.visit.note]


def personal_markers(mine) -> list[str]:
    found = []
    if getattr(mine, "customer", None) is not None:
        found += [mine.customer.name, mine.customer.address]
    if getattr(mine, "visit", None) is not None:
        found.append(mine.visit.note)
    return found
