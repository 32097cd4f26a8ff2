"""GET /api/v1/capacity: a region's observed defaults and the headcount they need, for
the people who plan (a partner or region outside their reach is a 404)."""
from tests.habiting import customer, freeze
from tests.test_api import bearer

API = "/api/v1/capacity"


def test_an_owner_reads_its_regions_capacity(client, world):
    freeze()
    a = world.a
    for n in range(3):
        customer(a.staff, name=f"上城小店{n}")
    r = client.get(f"{API}?partner={a.partner.id}&region=330102", headers=bearer(a.owner))
    assert r.status_code == 200, r.json
    body = r.json
    assert body["region_code"] == "330102" and body["partner_id"] == a.partner.id
    assert sum(body["observed"]["customers"].values()) == 3
    result, inputs = body["result"], body["inputs"]
    workload = (inputs["existing"] * inputs["visits_existing"] + inputs["prospect"]
                * inputs["visits_prospect"] + inputs["new"] * inputs["visits_new"])
    assert result["workload"] == workload
    assert result["headcount"] >= 1 and result["formula"]


def test_capacity_stays_inside_ones_reach(client, world):
    a, b = world.a, world.b
    # Another partner, a region outside the territory, and the whole market for an owner.
    for query in (f"partner={b.partner.id}&region=330106", f"partner={a.partner.id}&region=330106",
                  "partner=market&region=3301"):
        assert client.get(f"{API}?{query}", headers=bearer(a.owner)).status_code == 404
    assert client.get(f"{API}?partner={b.partner.id}&region=330106",
                      headers=bearer(world.cm)).status_code == 404  # not its partner
    assert client.get(f"{API}?partner={a.partner.id}&region=330102",
                      headers=bearer(a.staff)).status_code == 403
    assert client.get(f"{API}?partner={a.partner.id}&region=",
                      headers=bearer(a.owner)).status_code == 422
    assert client.get(f"{API}?region=330102", headers=bearer(a.owner)).status_code == 422
