"""The JSON API: bearer tokens only, the access policy on every list and object, validated
query arguments with field messages, and an OpenAPI document that covers every route."""
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.auth.models import ApiToken
from portal.auth.sessions import issue_token
from portal.core import clock
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.conftest import login


def bearer(user, name="test") -> dict:
    token = issue_token(user, name)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def names(response) -> set[str]:
    return {p["name"] for p in response.json["items"]}


def test_token_authenticates_and_me_describes_the_caller(client, world):
    r = client.get("/api/v1/me", headers=bearer(world.a.manager))
    assert r.status_code == 200
    assert r.json == {"id": world.a.manager.id, "username": "manager_a",
                      "display_name": world.a.manager.display_name, "role": "manager",
                      "partner_id": world.a.partner.id, "team_id": world.a.team.id,
                      "locale": None}


def test_cookie_session_does_not_authenticate_api(client, world):
    assert login(client, world.admin).status_code == 302
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json["error"] == "unauthorized"
    assert r.json["details"] == {"reason": "missing_token"}
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer ptk_not-a-real-token", "Basic YWRtaW46eA==",
                                    "Bearer", ""])
def test_malformed_or_unknown_token_is_refused(client, world, header):
    r = client.get("/api/v1/partners", headers={"Authorization": header})
    assert r.status_code == 401
    assert set(r.json) == {"error", "message", "details"}


def test_revoked_token_is_refused(client, world):
    headers = bearer(world.admin)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.execute(ApiToken.__table__.update().values(revoked_at=clock.now()))
    db.session.commit()
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401
    assert r.json["details"] == {"reason": "invalid_token"}


def test_token_of_deactivated_user_is_refused(client, world):
    headers = bearer(world.a.staff)
    world.a.staff.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_use_is_stamped_at_most_once_a_minute(client, world):
    headers = bearer(world.admin)
    start = clock.now()
    clock.set_now(start)
    client.get("/api/v1/me", headers=headers)
    token = db.session.execute(select(ApiToken)).scalar_one()
    assert token.last_used_at == start
    clock.set_now(start + timedelta(seconds=30))
    client.get("/api/v1/me", headers=headers)
    db.session.refresh(token)
    assert token.last_used_at == start
    clock.set_now(start + timedelta(minutes=2))
    client.get("/api/v1/me", headers=headers)
    db.session.refresh(token)
    assert token.last_used_at == start + timedelta(minutes=2)


def test_api_reads_leave_no_audit_trail_of_token_stamps(client, world):
    headers = bearer(world.admin)
    before = db.session.scalar(select(func.count()).select_from(AuditLog))
    client.get("/api/v1/partners", headers=headers)
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before


@pytest.mark.parametrize("who, expected", [
    ("admin", {"代理商A", "代理商B"}),
    ("auditor", {"代理商A", "代理商B"}),
    ("cm", {"代理商A"}),
    ("a.owner", {"代理商A"}),
    ("b.owner", {"代理商B"}),
    ("b.staff", {"代理商B"}),
])
def test_partner_list_is_scoped_by_role(client, world, who, expected):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    r = client.get("/api/v1/partners", headers=bearer(user))
    assert r.status_code == 200
    assert names(r) == expected
    assert r.json["total"] == len(expected)


def test_channel_manager_without_partners_sees_an_empty_list(client, world, make):
    idle = make.person("channel_manager", username="cm_idle")
    r = client.get("/api/v1/partners", headers=bearer(idle))
    assert r.json == {"items": [], "total": 0, "page": 1, "per_page": 25, "pages": 0}


def test_partner_list_filters_by_attributes_and_text(client, world, make):
    make.partner("紧密伙伴", province="32", tier="A", structure="tight")
    headers = bearer(world.admin)
    assert names(client.get("/api/v1/partners?tier=A", headers=headers)) == {"紧密伙伴"}
    assert names(client.get("/api/v1/partners?province=32&structure=tight",
                            headers=headers)) == {"紧密伙伴"}
    assert names(client.get("/api/v1/partners?q=代理商", headers=headers)) == {"代理商A",
                                                                               "代理商B"}
    assert names(client.get("/api/v1/partners?status=suspended", headers=headers)) == set()


def test_partner_list_pages_through_every_partner_once(client, world, make):
    for n in range(3):
        make.partner(f"分页代理商{n}")
    headers = bearer(world.admin)
    seen = []
    for page in (1, 2, 3):
        r = client.get(f"/api/v1/partners?per_page=2&page={page}", headers=headers)
        assert (r.json["total"], r.json["pages"], r.json["page"]) == (5, 3, page)
        seen += [p["name"] for p in r.json["items"]]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 5
    beyond = client.get("/api/v1/partners?per_page=2&page=9", headers=headers)
    assert beyond.status_code == 200 and beyond.json["items"] == []


@pytest.mark.parametrize("query, field", [
    ("per_page=0", "per_page"), ("per_page=10000", "per_page"), ("page=-1", "page"),
    ("page=abc", "page"), ("tier=Z", "tier"), ("structure=round", "structure"),
    ("province=Zhejiang", "province"), ("q=" + "x" * 101, "q"), ("q=a%00b", "q"),
    ("teir=A", "teir"),
])
def test_bad_query_arguments_get_field_messages(client, world, query, field):
    r = client.get(f"/api/v1/partners?{query}", headers=bearer(world.admin))
    assert r.status_code == 422
    assert r.json["error"] == "unprocessable_entity"
    messages = r.json["details"]["fields"]["query"]
    assert list(messages) == [field]
    assert messages[field] and all(isinstance(m, str) and m for m in messages[field])


@pytest.mark.config(API_PAGE_SIZE_MAX=5, PAGE_SIZE=25)
def test_page_size_limit_follows_the_setting(client, world, app):
    headers = bearer(world.admin)
    assert client.get("/api/v1/partners?per_page=6", headers=headers).status_code == 422
    assert client.get("/api/v1/partners?per_page=5", headers=headers).status_code == 200
    assert client.get("/api/v1/partners", headers=headers).json["per_page"] == 5
    doc = client.get("/api/v1/openapi.json").json
    per_page = next(p for p in doc["paths"]["/api/v1/partners"]["get"]["parameters"]
                    if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == 5


def test_messages_are_chinese_by_default(client, world):
    r = client.get("/api/v1/partners?tier=Z", headers=bearer(world.admin))
    with force_locale("zh"):
        expected = gettext("Must be one of: %(choices)s.", choices="A, B, C")
        summary = gettext("Some fields are not valid.")
    assert r.json["details"]["fields"]["query"]["tier"] == [expected]
    assert r.headers["Content-Language"] == "zh"
    assert r.json["message"] == summary != "Some fields are not valid."


def test_messages_follow_the_token_users_language(client, world):
    world.admin.locale = "en"
    db.session.commit()
    r = client.get("/api/v1/partners?per_page=0", headers=bearer(world.admin))
    assert r.headers["Content-Language"] == "en"
    assert r.json["message"] == "Some fields are not valid."
    assert r.json["details"]["fields"]["query"]["per_page"] == ["Must be between 1 and 200."]


def test_messages_follow_accept_language(client, world):
    headers = {**bearer(world.admin), "Accept-Language": "en-US,en;q=0.9"}
    r = client.get("/api/v1/partners?page=0", headers=headers)
    assert r.headers["Content-Language"] == "en"
    assert r.json["details"]["fields"]["query"]["page"] == ["Must be between 1 and 1000000."]


def test_partner_detail_shows_territories_teams_and_headcount(client, world):
    r = client.get(f"/api/v1/partners/{world.a.partner.id}", headers=bearer(world.cm))
    assert r.status_code == 200
    body = r.json
    assert body["name"] == "代理商A" and body["channel_manager_id"] == world.cm.id
    assert body["territories"] == [{"region_code": "330102", "region_name": "上城区",
                                    "exclusive": True}]
    teams = {t["name"]: t for t in body["teams"]}
    assert teams["一组a"] == {"id": world.a.team.id, "name": "一组a",
                             "leader_id": world.a.manager.id, "size": 2}
    assert body["headcount"] == {"owner": 1, "manager": 1, "staff": 2}


def test_manager_sees_only_its_own_team_in_partner_detail(client, world):
    r = client.get(f"/api/v1/partners/{world.a.partner.id}", headers=bearer(world.a.manager))
    assert [t["name"] for t in r.json["teams"]] == ["一组a"]


@pytest.mark.parametrize("who", ["a.owner", "a.manager", "a.staff", "cm"])
def test_foreign_partner_detail_and_people_are_not_found(client, world, who):
    user = world
    for part in who.split("."):
        user = getattr(user, part)
    headers = bearer(user)
    for path in (f"/api/v1/partners/{world.b.partner.id}",
                 f"/api/v1/partners/{world.b.partner.id}/people"):
        r = client.get(path, headers=headers)
        assert r.status_code == 404
        assert r.json["error"] == "not_found"


@pytest.mark.parametrize("partner_id", ["0", "99999", str(2**31), str(2**63), "-1", "x"])
def test_impossible_partner_ids_are_not_found(client, world, partner_id):
    r = client.get(f"/api/v1/partners/{partner_id}/people", headers=bearer(world.admin))
    assert r.status_code == 404
    assert r.json["error"] == "not_found"


def test_owner_sees_every_person_of_its_partner(client, world):
    r = client.get(f"/api/v1/partners/{world.a.partner.id}/people",
                   headers=bearer(world.a.owner))
    assert {p["username"] for p in r.json["items"]} == {"owner_a", "manager_a", "staff_a",
                                                        "staff2_a"}


def test_manager_sees_only_its_own_teams_people(client, world):
    r = client.get(f"/api/v1/partners/{world.a.partner.id}/people",
                   headers=bearer(world.a.manager))
    assert {p["username"] for p in r.json["items"]} == {"manager_a", "staff_a"}
    other = client.get(f"/api/v1/partners/{world.a.partner.id}/people"
                       f"?team_id={world.a.other_team.id}", headers=bearer(world.a.manager))
    assert other.json["items"] == []


def test_staff_sees_only_itself(client, world):
    r = client.get(f"/api/v1/partners/{world.a.partner.id}/people",
                   headers=bearer(world.a.staff))
    assert [p["username"] for p in r.json["items"]] == ["staff_a"]


def test_people_filter_by_role_team_and_text(client, world):
    headers = bearer(world.a.owner)
    base = f"/api/v1/partners/{world.a.partner.id}/people"
    staff = client.get(f"{base}?role=staff", headers=headers)
    assert {p["username"] for p in staff.json["items"]} == {"staff_a", "staff2_a"}
    team = client.get(f"{base}?team_id={world.a.other_team.id}", headers=headers)
    assert [p["username"] for p in team.json["items"]] == ["staff2_a"]
    found = client.get(f"{base}?q=manager", headers=headers)
    assert [p["username"] for p in found.json["items"]] == ["manager_a"]
    bad = client.get(f"{base}?role=admin&team_id={2**40}", headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["details"]["fields"]["query"]) == {"role", "team_id"}


def test_openapi_document_lists_every_api_route(client, app):
    import schemathesis
    doc = client.get("/api/v1/openapi.json")
    assert doc.status_code == 200
    documented = set(doc.json["paths"])
    routes = {rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint.split(".")[0]
              in ("account", "partners", "broadcasts_api", "exams_api", "habits_api",
                  "results_api", "capacity_api", "health_api", "contests_api",
                  "registrations_api", "scoring_api", "service_api", "compliance_api",
                  "reports_api")}
    as_openapi = {re.sub(r"<(?:int\(max=\d+\):)?(\w+)>", r"{\1}", r) for r in routes}
    assert as_openapi == documented
    assert doc.json["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc.json["security"] == [{"bearerAuth": []}]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.validate()  # against the OpenAPI 3.0 meta-schema; raises when invalid
    operations = [op.ok() for op in schema.get_all_operations()]
    assert {op.path for op in operations} == documented
