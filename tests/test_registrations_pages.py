"""The registration pages and API as people use them: the verdict shown, field-level
errors with nothing stored, the look-up that never names the holder, the pool, release,
the review queue, cases and who may decide, the rule page, isolation and the auditor."""
import io
from datetime import timedelta

import pytest

from portal.auth import sessions
from portal.extensions import db
from portal.registrations import cases
from portal.registrations.models import ConflictCase, Registration, RegistrationRule
from tests.conftest import login
from tests.registering import TOWN_A, TOWN_B, freeze, later, now, register, rule


@pytest.fixture(autouse=True)
def _clock(app):
    freeze()


def _count():
    return db.session.query(Registration).count()


def _bearer(user):
    token = sessions.issue_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_registering_shows_the_customer_protected_with_its_countdown(client, world):
    login(client, world.a.staff)
    response = client.post("/registrations/new", data={"name": "城东五金店",
                                                       "town_code": TOWN_A})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-state="protected"' in page and "剩余 90 天 0 小时" in page
    listing = client.get("/registrations/").get_data(as_text=True)
    assert "城东五金店" in listing


def test_a_refused_registration_says_why_in_chinese(client, world):
    rule(outside_territory="allow")
    register(world.a.owner)
    login(client, world.b.owner)
    response = client.post("/registrations/new", data={"name": "西湖鲜果店",
                                                       "town_code": TOWN_A})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="verdict"' in page and "已有其他报备保护该客户" in page
    assert world.a.partner.name not in page and 'id="contest-form"' in page


def test_the_principal_s_list_names_each_partner_and_filters_by_one(client, world):
    register(world.a.owner, "城东五金店")
    register(world.b.owner, "城西文具店")
    refused = register(world.b.owner, "城西文具店", town=TOWN_A)  # outside B's territory
    assert refused.status == "refused"
    login(client, world.admin)
    listing = client.get("/registrations/").get_data(as_text=True)
    assert 'name="partner_id"' in listing
    assert world.a.partner.name in listing and world.b.partner.name in listing
    assert "该乡镇/街道不在贵司的代理区域内" in listing  # why, on the refused line
    only_b = client.get(f"/registrations/?partner_id={world.b.partner.id}").get_data(
        as_text=True)
    assert "城西文具店" in only_b and "城东五金店" not in only_b
    client.post("/logout")
    login(client, world.a.owner)
    own = client.get("/registrations/").get_data(as_text=True)
    assert 'name="partner_id"' not in own and 'data-col="partner"' not in own
    assert "城东五金店" in own and "城西文具店" not in own


@pytest.mark.parametrize("data, field", [
    ({"name": "", "town_code": TOWN_A}, "name"), ({"name": "店", "town_code": ""}, "town_code"),
    ({"name": "店", "town_code": TOWN_A, "uscc": "12345"}, "uscc"),
])
def test_bad_input_shows_under_its_field_and_stores_nothing(client, world, data, field):
    login(client, world.a.owner)
    response = client.post("/registrations/new", data=data)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert _count() == 0


def test_the_lookup_answers_only_protected_never_who(client, world):
    rule(outside_territory="allow")
    held = register(world.a.staff, name="保密的客户")
    login(client, world.b.owner)
    page = client.get("/registrations/lookup", query_string={
        "name": "保密的客户", "town_code": TOWN_A}).get_data(as_text=True)
    assert 'data-answer="protected"' in page
    for secret in (world.a.partner.name, world.a.staff.display_name,
                   held.expires_at.strftime("%Y-%m-%d")):
        assert secret not in page
    free = client.get("/registrations/lookup", query_string={"name": "没人报备",
                                                              "town_code": TOWN_A})
    assert 'data-answer="free"' in free.get_data(as_text=True)


def test_the_lookup_without_a_town_for_a_name_is_a_field_error(client, world):
    login(client, world.b.owner)
    response = client.get("/registrations/lookup", query_string={"name": "某店"})
    assert response.status_code == 400 and 'data-field="town_code"' in response.get_data(
        as_text=True)


def test_release_asks_and_sends_the_customer_to_the_pool(client, world):
    found = register(world.a.staff)
    login(client, world.a.staff)
    page = client.get(f"/registrations/{found.id}").get_data(as_text=True)
    assert "data-confirm" in page
    assert client.post(f"/registrations/{found.id}/release").status_code == 302
    assert db.session.get(Registration, found.id).status == "released"
    pool = client.get("/registrations/pool").get_data(as_text=True)
    assert "西湖鲜果店" in pool and f'data-pool="{found.id}"' in pool


def test_staff_cannot_release_a_colleagues_registration(client, world):
    found = register(world.a.staff)
    login(client, world.a.other_staff)
    assert client.post(f"/registrations/{found.id}/release").status_code == 404
    client.post("/logout")
    login(client, world.a.owner)
    assert client.post(f"/registrations/{found.id}/release").status_code == 302


def test_another_partner_never_sees_a_registration(client, world):
    found = register(world.a.staff, name="A的秘密客户")
    login(client, world.b.owner)
    assert client.get(f"/registrations/{found.id}").status_code == 404
    assert "A的秘密客户" not in client.get("/registrations/").get_data(as_text=True)
    assert client.post(f"/registrations/{found.id}/release").status_code == 404


def test_a_channel_manager_sees_only_its_partners_registrations(client, world):
    mine = register(world.a.owner, name="甲方客户")
    theirs = register(world.b.owner, name="乙方客户")
    login(client, world.cm)
    listing = client.get("/registrations/").get_data(as_text=True)
    assert "甲方客户" in listing and "乙方客户" not in listing
    assert client.get(f"/registrations/{theirs.id}").status_code == 404
    assert client.get(f"/registrations/{mine.id}").status_code == 200


def test_the_review_queue_flags_overdue_and_the_channel_manager_approves(client, world):
    rule(outside_territory="review")
    found = register(world.a.owner, town=TOWN_B)
    later(hours=73)
    login(client, world.cm)
    queue = client.get("/registrations/reviews").get_data(as_text=True)
    assert f'data-registration="{found.id}"' in queue and "data-overdue" in queue
    assert client.post(f"/registrations/{found.id}/review",
                       data={"decision": "refuse"}).status_code == 400
    assert db.session.get(Registration, found.id).status == "review"
    assert client.post(f"/registrations/{found.id}/review",
                       data={"decision": "approve"}).status_code == 302
    assert db.session.get(Registration, found.id).status == "protected"


def test_an_owner_cannot_decide_its_own_review(client, world):
    rule(outside_territory="review")
    found = register(world.a.owner, town=TOWN_B)
    login(client, world.a.owner)
    assert client.post(f"/registrations/{found.id}/review",
                       data={"decision": "approve"}).status_code == 403
    assert db.session.get(Registration, found.id).status == "review"


def test_a_channel_manager_of_neither_partner_cannot_decide_a_review(client, world, make):
    rule(outside_territory="review")
    found = register(world.b.owner, town=TOWN_A)
    login(client, world.cm)  # looks after A only
    assert client.post(f"/registrations/{found.id}/review",
                       data={"decision": "approve"}).status_code == 404


def _case(world):
    rule(outside_territory="allow")
    register(world.a.staff)
    challenger = register(world.b.owner, town=TOWN_A)
    case = cases.open_case(world.b.owner, challenger, "乙方先拜访")
    db.session.commit()
    return case


def test_contesting_with_a_file_opens_a_case_both_sides_see(client, world):
    rule(outside_territory="allow")
    register(world.a.staff)
    challenger = register(world.b.owner, town=TOWN_A)
    login(client, world.b.owner)
    response = client.post(f"/registrations/{challenger.id}/contest", data={
        "body": "我们八月就拜访过", "file": (io.BytesIO("拜访记录".encode()), "记录.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    case = db.session.query(ConflictCase).one()
    page = client.get(f"/registrations/cases/{case.id}").get_data(as_text=True)
    assert "我们八月就拜访过" in page and "记录.txt" in page
    assert world.a.partner.name not in page
    piece = case.evidence[0]
    assert client.get(f"/registrations/evidence/{piece.id}/file").status_code == 200
    client.post("/logout")
    login(client, world.a.owner)
    holder_view = client.get(f"/registrations/cases/{case.id}").get_data(as_text=True)
    assert "我们八月就拜访过" not in holder_view and world.b.partner.name not in holder_view
    assert client.get(f"/registrations/evidence/{piece.id}/file").status_code == 404


def test_both_sides_add_evidence_and_a_stranger_cannot(client, world, make):
    case = _case(world)
    login(client, world.a.owner)
    assert client.post(f"/registrations/cases/{case.id}/evidence",
                       data={"body": "我方报备在先"}).status_code == 302
    assert client.post(f"/registrations/cases/{case.id}/evidence",
                       data={"body": ""}).status_code == 400
    client.post("/logout")
    stranger = make.person("owner", make.partner("丙代理商"))
    login(client, stranger)
    assert client.post(f"/registrations/cases/{case.id}/evidence",
                       data={"body": "x"}).status_code == 404
    assert len(db.session.get(ConflictCase, case.id).evidence) == 2


def test_the_channel_manager_decides_with_a_reason_and_a_partner_cannot(client, world):
    case = _case(world)
    login(client, world.a.owner)
    assert client.post(f"/registrations/cases/{case.id}/decide",
                       data={"decision": "holder", "reason": "x"}).status_code == 403
    client.post("/logout")
    login(client, world.cm)
    response = client.post(f"/registrations/cases/{case.id}/decide",
                           data={"decision": "challenger", "reason": ""})
    assert response.status_code == 400 and 'data-field="reason"' in response.get_data(
        as_text=True)
    assert db.session.get(ConflictCase, case.id).state == "open"
    assert client.post(f"/registrations/cases/{case.id}/decide", data={
        "decision": "challenger", "reason": "乙方证据更早"}).status_code == 302
    decided = db.session.get(ConflictCase, case.id)
    assert decided.caused_by_partner_id == world.a.partner.id
    assert decided.holder.status == "released" and decided.challenger.status == "protected"


def test_overdue_cases_are_flagged_on_the_list(client, world):
    case = _case(world)
    later(hours=80)
    login(client, world.cm)
    page = client.get("/registrations/cases").get_data(as_text=True)
    assert f'data-case="{case.id}"' in page and "data-overdue" in page


def test_the_rule_page_explains_each_setting_and_the_admin_publishes(client, world):
    login(client, world.a.staff)
    page = client.get("/registrations/rules/").get_data(as_text=True)
    assert 'data-setting="protection_days"' in page and 'id="rule-new"' not in page
    assert client.get("/registrations/rules/new").status_code == 403
    client.post("/logout")
    login(client, world.admin)
    past = (now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form = {"effective_from": past, "outside_territory": "review", "protection_days": 60,
            "cooldown_days": 20, "live_cap": 80, "daily_cap": 8,
            "review_recent_order_days": 90, "decision_hours": 48,
            "days_per_effective_visit": 5, "max_extension_days": 30, "warn_days": 3}
    refused = client.post("/registrations/rules/new", data=form)
    assert refused.status_code == 400 and 'data-field="effective_from"' in refused.get_data(
        as_text=True)
    future = (now() + timedelta(days=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    assert client.post("/registrations/rules/new",
                       data={**form, "effective_from": future}).status_code == 302
    assert db.session.query(RegistrationRule).count() == 2


def test_the_auditor_reads_but_cannot_register_release_or_decide(client, world):
    found = register(world.a.owner)
    login(client, world.auditor)
    assert client.get(f"/registrations/{found.id}").status_code == 200
    for url, data in (("/registrations/new", {"name": "店", "town_code": TOWN_A}),
                      (f"/registrations/{found.id}/release", {}),
                      (f"/registrations/{found.id}/review", {"decision": "approve"})):
        assert client.post(url, data=data).status_code == 403
    assert db.session.get(Registration, found.id).status == "protected" and _count() == 1


def test_api_answers_201_then_409_with_the_reason_and_422_for_bad_input(client, world):
    rule(outside_territory="allow")
    created = client.post("/api/v1/registrations", json={
        "name": "接口客户", "town_code": TOWN_A}, headers=_bearer(world.a.owner))
    assert created.status_code == 201 and created.json["state"] == "protected"
    refused = client.post("/api/v1/registrations", json={
        "name": "接口客户", "town_code": TOWN_A}, headers=_bearer(world.b.owner))
    assert refused.status_code == 409
    assert refused.json["reason"] == "protected" and refused.json["under_review"] is False
    assert "holder_id" not in str(refused.json) and world.a.partner.name not in str(
        refused.json)
    bad = client.post("/api/v1/registrations", json={"name": "x", "town_code": "1"},
                      headers=_bearer(world.b.owner))
    assert bad.status_code == 422 and "town_code" in str(bad.json)
    assert _count() == 2  # the refusal is kept, the bad input is not


def test_api_409_says_when_the_customer_is_under_review(client, world):
    rule(outside_territory="review")
    register(world.a.owner, town=TOWN_B)
    refused = client.post("/api/v1/registrations", json={
        "name": "西湖鲜果店", "town_code": TOWN_B}, headers=_bearer(world.b.owner))
    assert refused.status_code == 409 and refused.json["under_review"] is True


def test_api_lists_only_the_callers_registrations_by_state(client, world):
    register(world.a.owner, name="甲店")
    register(world.b.owner, name="乙店")
    listed = client.get("/api/v1/registrations?status=protected",
                        headers=_bearer(world.a.owner))
    assert [r["name"] for r in listed.json["items"]] == ["甲店"]
    assert client.get("/api/v1/registrations?status=nope",
                      headers=_bearer(world.a.owner)).status_code == 422
    assert client.post("/api/v1/registrations", json={"name": "审计", "town_code": TOWN_A},
                       headers=_bearer(world.auditor)).status_code == 403


def test_the_home_page_lists_registrations_ending_within_a_week(client, world):
    found = register(world.a.staff, name="快到期的店")
    login(client, world.a.staff)
    assert 'id="home-registrations"' not in client.get("/").get_data(as_text=True)
    later(days=85)
    client.post("/logout")
    login(client, world.a.staff)  # a session does not last 85 days
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-registrations"' in home and f'data-registration="{found.id}"' in home
    client.post("/logout")
    login(client, world.b.owner)
    assert "快到期的店" not in client.get("/").get_data(as_text=True)


def test_the_admin_adds_a_direct_account_and_registrations_of_it_are_refused(client, world):
    login(client, world.admin)
    bad = client.post("/registrations/direct", data={"name": "直签客户", "uscc": "123"})
    assert bad.status_code == 400 and 'data-field="uscc"' in bad.get_data(as_text=True)
    assert client.post("/registrations/direct", data={
        "name": "直签客户", "town_code": TOWN_A}).status_code == 302
    client.post("/logout")
    login(client, world.cm)
    assert "直签客户" in client.get("/registrations/direct").get_data(as_text=True)
    assert client.post("/registrations/direct", data={"name": "x"}).status_code == 403
    assert register(world.a.owner, name="直签客户").reason == "direct_account"
