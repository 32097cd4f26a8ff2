"""The capacity pages as each role meets them: who plans which partner and region (a
foreign one is a 404), the observed defaults on the planner, the result with its
formula, the recompute endpoint the page's script posts to, bad input (a message by
the field, a 400, nothing saved), saving, the saved plans list and one plan, re-opening."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.capacity.models import CapacityPlan
from portal.extensions import db
from tests.conftest import login
from tests.habiting import customer

TARGET = "2027-02-01"


def _as(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def _form(partner, region="330102", **changes):
    values = {"partner": str(partner), "region": region, "existing": "120",
              "prospect": "300", "new": "40", "visits_existing": "2", "visits_prospect": "1",
              "visits_new": "3", "visits_per_day": "6", "working_days": "22",
              "ramp_days": "22", "ramp_share": "50", "serving": "4", "ramping": "1",
              "deal_cycle_days": "", "target_on": TARGET, "name": "上城区扩编"}
    values.update(changes)
    return values


def _plans() -> int:
    return db.session.scalar(select(func.count()).select_from(CapacityPlan))


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_who_does_not_plan_is_refused(app, world, role):
    client = app.test_client()
    _as(client, getattr(world.a, role, None) or getattr(world, role))
    assert client.get("/capacity/new").status_code == 403
    assert client.post("/capacity/compute", data=_form(world.a.partner.id)).status_code == 403


def test_owner_plans_its_territory_with_the_books_figures(app, world):
    a = world.a
    customer(a.staff, "上城现有店", klass="existing")
    customer(a.staff, "上城新店", klass="new")
    client = app.test_client()
    _as(client, a.owner)
    page = client.get(f"/capacity/new?partner={a.partner.id}").get_data(as_text=True)
    assert 'value="330102"' in page and 'value="3301"' in page  # county and its city
    assert 'value="330106"' not in page  # B's county
    assert 'value="market"' not in page  # the whole market is the principal's
    response = client.get(f"/capacity/new?partner={a.partner.id}&region=330102")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="f-existing" name="existing" value="1"' in page
    assert 'id="f-new" name="new" value="1"' in page
    assert 'id="f-serving" name="serving" value="1"' in page  # A's staff looks after them
    assert 'id="capacity-formula"' in page and "capacity/planner.js" in page


@pytest.mark.parametrize("query", ["partner={b}&region=330106", "partner={a}&region=330106",
                                   "partner=market&region=330102", "partner=abc",
                                   "partner={a}&region=110101"])
def test_owner_reaches_no_other_partner_or_region(app, world, query):
    client = app.test_client()
    _as(client, world.a.owner)
    url = "/capacity/new?" + query.format(a=world.a.partner.id, b=world.b.partner.id)
    assert client.get(url).status_code == 404


def test_channel_manager_plans_its_partners_and_their_market(app, world):
    client = app.test_client()
    _as(client, world.cm)
    assert client.get(f"/capacity/new?partner={world.a.partner.id}&region=330102"
                      ).status_code == 200
    assert client.get("/capacity/new?partner=market&region=3301").status_code == 200
    assert client.get("/capacity/new?partner=market&region=330106").status_code == 404
    assert client.get(f"/capacity/new?partner={world.b.partner.id}").status_code == 404


def test_admin_plans_any_city_of_the_market(app, world):
    client = app.test_client()
    _as(client, world.admin)
    assert client.get("/capacity/new?partner=market&region=3302").status_code == 200
    assert client.get(f"/capacity/new?partner={world.b.partner.id}&region=330106"
                      ).status_code == 200


def test_the_plain_form_recomputes_without_javascript(app, world):
    client = app.test_client()
    _as(client, world.a.owner)
    response = client.post("/capacity/new", data=_form(world.a.partner.id, action="compute"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="capacity-headcount">5<' in page and 'id="capacity-hires">2<' in page
    assert "120 × 2 + 300 × 1 + 40 × 3 = 每月 660 次拜访" in page  # in the user's language
    assert _plans() == 0


def test_the_recompute_endpoint_answers_with_the_result(app, world):
    client = app.test_client()
    _as(client, world.a.owner)
    body = client.post("/capacity/compute", data=_form(world.a.partner.id, serving="2",
                                                        ramping="0")).get_json()
    assert (body["headcount"], body["hires"], body["gap"]) == (5, 3, 3.0)
    assert "= 每月 660 次拜访" in body["formula"][0]


def test_the_recompute_endpoint_names_bad_fields(app, world):
    client = app.test_client()
    _as(client, world.a.owner)
    response = client.post("/capacity/compute", data=_form(world.a.partner.id,
                                                           visits_per_day="0", existing="-5"))
    assert response.status_code == 400
    details = response.get_json()["details"]
    assert details == {"visits_per_day": "每人每天的拜访数必须大于零。",
                       "existing": "请输入 0 到 1,000,000 之间的数字。"}
    foreign = client.post("/capacity/compute", data=_form(world.b.partner.id, "330106"))
    assert foreign.status_code == 404
    no_region = client.post("/capacity/compute", data=_form(world.a.partner.id, ""))
    assert no_region.status_code == 400 and set(no_region.get_json()["details"]) == {"region"}


@pytest.mark.parametrize("field, value", [("visits_per_day", "0"), ("existing", "-1"),
                                          ("working_days", "1e9"), ("name", ""),
                                          ("target_on", "2020-01-01")])
def test_bad_input_is_a_400_by_the_field_and_saves_nothing(app, world, field, value):
    client = app.test_client()
    _as(client, world.a.owner)
    response = client.post("/capacity/new", data=_form(world.a.partner.id, action="save",
                                                       **{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'data-field="{field}">' in page
    assert f'data-field="{field}"></div>' not in page  # its message is shown
    assert _plans() == 0


def test_saved_plan_is_listed_and_shown_to_those_who_read_it(app, world):
    client = app.test_client()
    _as(client, world.a.owner)
    response = client.post("/capacity/new", data=_form(world.a.partner.id, action="save"))
    plan = db.session.execute(select(CapacityPlan)).scalar_one()
    assert response.status_code == 302 and response.location.endswith(f"/capacity/{plan.id}")
    assert (plan.existing, plan.visits_per_day, plan.created_by) == (120, 6.0, world.a.owner.id)
    assert plan.target_on == date(2027, 2, 1)
    page = client.get(f"/capacity/{plan.id}").get_data(as_text=True)
    assert "上城区扩编" in page and 'id="capacity-hires">2<' in page
    for reader in (world.cm, world.auditor, world.admin):
        _as(client, reader)
        assert "上城区扩编" in client.get("/capacity/").get_data(as_text=True)
        assert client.get(f"/capacity/{plan.id}").status_code == 200
    for outsider in (world.b.owner, world.a.manager, world.a.staff):
        _as(client, outsider)
        assert client.get(f"/capacity/{plan.id}").status_code in (403, 404)
        assert "上城区扩编" not in client.get("/capacity/").get_data(as_text=True)


def test_a_channel_managers_market_plan_is_its_own(app, world, make):
    client = app.test_client()
    _as(client, world.cm)
    client.post("/capacity/new", data=_form("market", "3301", action="save",
                                            name="杭州全市"))
    plan = db.session.execute(select(CapacityPlan)).scalar_one()
    assert plan.partner_id is None
    other = make.person("channel_manager", username="cm2")
    _as(client, other)
    assert client.get(f"/capacity/{plan.id}").status_code == 404
    _as(client, world.a.owner)
    assert client.get(f"/capacity/{plan.id}").status_code == 404


def test_a_saved_plan_reopens_in_the_planner(app, world):
    client = app.test_client()
    _as(client, world.a.owner)
    client.post("/capacity/new", data=_form(world.a.partner.id, action="save",
                                            prospect="777"))
    plan = db.session.execute(select(CapacityPlan)).scalar_one()
    page = client.get(f"/capacity/new?plan={plan.id}").get_data(as_text=True)
    assert 'name="prospect" value="777"' in page and 'value="上城区扩编"' in page
    _as(client, world.b.owner)
    assert client.get(f"/capacity/new?plan={plan.id}").status_code == 404


def test_the_plans_list_pages(app, world):
    client = app.test_client()
    _as(client, world.a.owner)
    app.config["PAGE_SIZE"] = 2
    for n in range(3):
        client.post("/capacity/new", data=_form(world.a.partner.id, action="save",
                                                name=f"计划{n}"))
    first = client.get("/capacity/").get_data(as_text=True)
    second = client.get("/capacity/?page=2").get_data(as_text=True)
    assert "计划2" in first and "计划1" in first and "计划0" not in first
    assert "计划0" in second


def test_the_nav_shows_capacity_by_the_rule(app, world):
    client = app.test_client()
    for user, shown in ((world.a.owner, True), (world.auditor, True), (world.a.staff, False)):
        _as(client, user)
        assert ('id="nav-capacity"' in client.get("/partners").get_data(as_text=True)) is shown


def test_an_owner_starts_on_its_own_partner_without_choosing(client, world):
    login(client, world.a.owner)
    page = client.get("/capacity/new").get_data(as_text=True)
    # Its territory's regions are offered at once: 上城区 (330102) is A's.
    assert "330102" in page
