"""Helpers of the habits tests: a fixed clock, customers in the world's territories
(A's 上城区 330102, B's 西湖区 330106) and a one-line visit."""
import itertools
from datetime import datetime, timedelta, timezone

from portal.core import clock
from portal.extensions import db
from portal.habits import customers, visits
from tests.broadcasting import freeze as _freeze
from tests.broadcasting import later  # noqa: F401 (the habits tests' clock)

# 10:00 on a Tuesday in Shanghai.
T0 = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
TOWN_A, TOWN_A2, TOWN_B = "330102001", "330102003", "330106002"
# The 清波街道 office and a point 150 m east of it; 杭州东站 about 7 km away.
HERE = (30.2460, 120.1640)
NEAR = (30.2460, 120.1656)
FAR = (30.2910, 120.2130)
_ids = itertools.count(1)


def freeze(moment=T0):
    return _freeze(moment)


def customer(owner, name="西湖鲜果店", town=None, **values):
    found = customers.create_customer(owner, owner.partner_id, {
        "name": name, "town_code": town or (TOWN_A if owner.partner.name.endswith("A")
                                            else TOWN_B),
        "owner_id": owner.id, **values})
    db.session.commit()
    return found


def visit(person, target, *, at=None, where=None, accuracy=20.0, commit=True, **values):
    """Log a visit of `person` to `target` (effective under rule 1 by default: decision
    maker met, next step with a date)."""
    fields = {"client_id": f"test-visit-{next(_ids):06d}", "customer_id": target.id,
              "visited_at": at or clock.now(), "decision_maker": True, "outcome": "interested",
              "next_step": "送样品", "next_step_on": (at or clock.now()).date() + timedelta(days=3)}
    if where is not None:
        fields.update(latitude=where[0], longitude=where[1], accuracy_m=accuracy)
    fields.update(values)
    logged = visits.log_visit(person, fields)
    if commit:
        db.session.commit()
    return logged.visit
