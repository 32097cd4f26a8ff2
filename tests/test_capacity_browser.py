"""The capacity planner in a real browser on a phone: changing an input recomputes the
headcount and the formula on the page (the server computes), a bad input shows its
message by the field, and saving keeps the plan."""
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.capacity.models import CapacityPlan
from portal.extensions import db
from tests.browser import chromium, live_server, open_page, screenshot  # noqa: F401
from tests.test_browser import log_in

# The page's script posts the form with its CSRF token: the check stays on here.
pytestmark = [pytest.mark.browser, pytest.mark.config(WTF_CSRF_ENABLED=True)]


@pytest.fixture
def facts(world):
    values = SimpleNamespace(owner=world.a.owner.username, partner=world.a.partner.id)
    db.session.close()
    return values


def _plans() -> int:
    db.session.expire_all()
    count = db.session.scalar(select(func.count()).select_from(CapacityPlan))
    db.session.close()
    return count


def test_changing_an_input_recomputes_on_the_page(open_page, facts):
    page = open_page()
    log_in(page, facts.owner)
    page.goto(f"/capacity/new?partner={facts.partner}&region=330102")
    for name, value in (("existing", "120"), ("prospect", "300"), ("new", "40"),
                        ("visits_per_day", "6"), ("working_days", "22"), ("serving", "4"),
                        ("ramping", "1")):
        page.fill(f"#f-{name}", value)
    expect(page.locator("#capacity-headcount")).to_have_text("5")
    expect(page.locator("#capacity-hires")).to_have_text("2")
    expect(page.locator("#capacity-formula")).to_contain_text("120 × 2 + 300 × 1 + 40 × 3")
    page.fill("#f-visits_per_day", "0")
    expect(page.locator('[data-field="visits_per_day"]')).to_have_text(
        "每人每天的拜访数必须大于零。")
    page.fill("#f-visits_per_day", "3")
    expect(page.locator("#capacity-headcount")).to_have_text("10")
    expect(page.locator('[data-field="visits_per_day"]')).to_have_text("")
    screenshot(page, "capacity-planner")
    page.fill("#f-name", "上城区扩编")
    page.click("#capacity-save")
    expect(page.locator("#plan-name")).to_have_text("上城区扩编")
    assert _plans() == 1
