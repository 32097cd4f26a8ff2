"""The scoring endpoints: the month's scorecards in the caller's reach, one partner's
scorecard explained (404 outside reach, 422 for a bad or future period), the appeals,
and an owner filing one (201; 409 when one is open; 422 for bad input, nothing stored).

March as in test_scoring_pages: A 77 points, tier B, 8 points short of A."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.scoring.models import Appeal
from tests.test_api import bearer
from tests.test_scoring_pages import scored  # noqa: F401


def appeals_count():
    return db.session.scalar(select(func.count()).select_from(Appeal))


def test_the_list_holds_the_scorecards_in_reach(client, scored):
    r = client.get("/api/v1/scorecards?period=2026-03", headers=bearer(scored.admin))
    assert r.status_code == 200
    assert [c["partner_name"] for c in r.json["items"]] == ["代理商B", "代理商A"]
    assert r.json["total"] == 2
    mine = client.get("/api/v1/scorecards", headers=bearer(scored.cm)).json
    assert [c["partner_id"] for c in mine["items"]] == [scored.a.partner.id]
    assert mine["items"][0]["month"] == "2026-03" and mine["items"][0]["total"] == 77
    own = client.get("/api/v1/scorecards", headers=bearer(scored.b.owner)).json
    assert [c["partner_id"] for c in own["items"]] == [scored.b.partner.id]


def test_staff_read_no_scorecards(client, scored):
    headers = bearer(scored.a.staff)
    assert client.get("/api/v1/scorecards", headers=headers).status_code == 403
    assert client.get(f"/api/v1/partners/{scored.a.partner.id}/scorecard",
                      headers=headers).status_code == 403


def test_one_scorecard_is_explained_line_by_line(client, scored):
    r = client.get(f"/api/v1/partners/{scored.a.partner.id}/scorecard?period=2026-03",
                   headers=bearer(scored.a.owner))
    assert r.status_code == 200
    body = r.json
    assert (body["total"], body["earned_tier"], body["criteria_version"]) == (77, "B", 1)
    exams = next(line for line in body["lines"] if line["criterion"] == "exams")
    assert (exams["numerator"], exams["denominator"], exams["value"]) == (6, 8, 75)
    assert exams["share"] == pytest.approx(.6) and exams["contribution"] == 45
    assert body["gap"]["tier"] == "A" and body["gap"]["points"] == 8
    closer = next(c for c in body["gap"]["closers"] if c["criterion"] == "exams")
    assert closer["to_value"] == pytest.approx(88.3333, abs=1e-3)
    assert body["failing"] == {"A": ["total"]}
    assert body["history"][-1] == {"month": "2026-03", "total": 77, "earned_tier": "B"}


def test_another_partner_s_scorecard_is_a_404(client, scored):
    url = f"/api/v1/partners/{scored.b.partner.id}/scorecard?period=2026-03"
    assert client.get(url, headers=bearer(scored.a.owner)).status_code == 404
    assert client.get(url, headers=bearer(scored.cm)).status_code == 404
    assert client.get("/api/v1/partners/2000000000/scorecard",
                      headers=bearer(scored.admin)).status_code == 404


@pytest.mark.parametrize("period", ["2026-13", "March", "2026-3", "2026-05"])
def test_a_bad_or_future_period_is_a_422(client, scored, period):
    headers = bearer(scored.admin)
    for url in (f"/api/v1/scorecards?period={period}",
                f"/api/v1/partners/{scored.a.partner.id}/scorecard?period={period}"):
        r = client.get(url, headers=headers)
        assert r.status_code == 422, url
        assert "period" in r.json["details"]["fields"]["query"]


def appeal_body(partner, **kw):
    return {"partner_id": partner.id, "period": "2026-03", "criterion": "exams",
            "reason": "签到表显示8人全部参加", "claimed_value": 95, **kw}


def test_an_owner_files_an_appeal_and_reads_it(client, scored):
    headers = bearer(scored.a.owner)
    r = client.post("/api/v1/appeals", json=appeal_body(scored.a.partner), headers=headers)
    assert r.status_code == 201
    assert (r.json["state"], r.json["appealed_value"], r.json["claimed_value"]) == \
        ("open", 75, 95)
    again = client.post("/api/v1/appeals", json=appeal_body(scored.a.partner),
                        headers=headers)
    assert again.status_code == 409
    assert appeals_count() == 1
    listed = client.get("/api/v1/appeals", headers=bearer(scored.cm)).json
    assert [a["id"] for a in listed["items"]] == [r.json["id"]]
    assert client.get("/api/v1/appeals", headers=bearer(scored.b.owner)).json["items"] == []
    assert client.get(f"/api/v1/appeals/{r.json['id']}",
                      headers=bearer(scored.b.owner)).status_code == 404
    detail = client.get(f"/api/v1/appeals/{r.json['id']}", headers=bearer(scored.auditor))
    assert detail.status_code == 200 and detail.json["reason"] == "签到表显示8人全部参加"


@pytest.mark.parametrize("change, field", [
    ({"reason": ""}, "reason"), ({"claimed_value": 150}, "claimed_value"),
    ({"claimed_value": "95"}, "claimed_value"), ({"criterion": "nothing"}, "criterion"),
    ({"period": "2026-05"}, "period"), ({"period": "2026-3"}, "period"),
])
def test_a_bad_appeal_is_a_422_on_its_field(client, scored, change, field):
    r = client.post("/api/v1/appeals", json=appeal_body(scored.a.partner, **change),
                    headers=bearer(scored.a.owner))
    assert r.status_code == 422
    assert field in r.json["details"]["fields"]["json"]
    assert appeals_count() == 0


def test_no_appeal_on_another_partner_s_scorecard_nor_by_the_principal(client, scored):
    r = client.post("/api/v1/appeals", json=appeal_body(scored.b.partner),
                    headers=bearer(scored.a.owner))
    assert r.status_code == 404
    for user in (scored.cm, scored.auditor, scored.a.manager):
        r = client.post("/api/v1/appeals", json=appeal_body(scored.a.partner),
                        headers=bearer(user))
        assert r.status_code == 403
    assert appeals_count() == 0
