"""The isolation walk's good-faith records (tests only): per partner one verified
violation with an evidence file, entered by the admin, and one due."""
from datetime import timedelta

from portal.compliance import dues, violations
from portal.core.clock import today
from portal.org.walk import tag


def build(world) -> None:
    day = today()
    for side in (world.a, world.b):
        side.violation = violations.enter_violation(world.admin, {
            "partner_id": side.partner.id, "kind": "pricing",
            "occurred_on": day - timedelta(days=3),
            "description": tag("低价窜货", side)},
            [(f"{tag('证据', side)}.txt", "价目表照片说明".encode())])
        side.violation_file = side.violation.files[0]
        side.due = dues.add_due(world.admin, {
            "partner_id": side.partner.id, "reference": tag("INV", side),
            "amount": "1000", "due_on": day + timedelta(days=10)})


ARGS = {"violation_id": "violation", "file_id": "violation_file", "due_id": "due"}


def markers(side) -> list[str]:
    return [side.violation.description, side.violation_file.filename, side.due.reference]
