"""The good-faith endpoints: violations and dues, each caller seeing its own."""
from datetime import date, datetime, timezone

import pytest

from portal.compliance import dues, violations
from portal.core import clock
from portal.extensions import db
from tests.test_api import bearer


@pytest.fixture
def records(app, world):
    clock.set_now(datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc))
    for key, by in (("a", world.cm), ("b", world.admin)):
        partner = getattr(world, key).partner
        violations.enter_violation(by, {"partner_id": partner.id, "kind": "pricing",
                                        "occurred_on": date(2026, 3, 3),
                                        "description": f"核实{key}"})
        dues.add_due(by, {"partner_id": partner.id, "reference": f"INV-{key}",
                          "amount": "1000", "due_on": date(2026, 3, 5)})
    db.session.commit()
    return world


@pytest.mark.parametrize("who, expected", [
    ("owner_a", {"核实a"}), ("manager_a", {"核实a"}), ("cm", {"核实a"}),
    ("auditor", {"核实a", "核实b"}), ("owner_b", {"核实b"})])
def test_violations_are_listed_to_their_readers(client, records, who, expected):
    user = {"owner_a": records.a.owner, "manager_a": records.a.manager, "cm": records.cm,
            "auditor": records.auditor, "owner_b": records.b.owner}[who]
    found = client.get("/api/v1/violations", headers=bearer(user)).json
    assert {v["description"] for v in found["items"]} == expected


def test_dues_are_listed_with_their_standing_and_staff_are_refused(client, records):
    found = client.get("/api/v1/dues?standing=overdue", headers=bearer(records.a.owner)).json
    assert [(d["reference"], d["standing"], d["amount_fen"]) for d in found["items"]] == [
        ("INV-a", "overdue", 100_000)]
    assert client.get("/api/v1/dues?standing=paid_on_time",
                      headers=bearer(records.a.owner)).json["total"] == 0
    assert client.get("/api/v1/dues", headers=bearer(records.a.staff)).status_code == 403
    assert client.get("/api/v1/dues?standing=late",
                      headers=bearer(records.a.owner)).status_code == 422
