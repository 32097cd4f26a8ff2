"""The territory picker in a real browser on a phone: cascading region selects filled by
the JSON endpoint, and removal behind a confirm() dialog."""
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.browser import PHONE, chromium, live_server, open_page, screenshot  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.config(BABEL_DEFAULT_LOCALE="en")]


@pytest.fixture
def facts(world):
    values = SimpleNamespace(admin=world.admin.username, partner_id=world.b.partner.id)
    db.session.close()  # let the live server write (see tests/browser.py)
    return values


def test_admin_picks_a_territory_with_cascading_selects(open_page, facts):
    page = open_page(viewport=PHONE)
    page.goto("/login")
    page.fill("input[name=username]", facts.admin)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    page.goto(f"/manage/partners/{facts.partner_id}/edit")

    page.select_option("#t-province", "33")
    expect(page.locator("#t-city option[value='3301']")).to_have_count(1)
    page.select_option("#t-city", "3301")
    expect(page.locator("#t-county option[value='330110']")).to_have_count(1)
    page.select_option("#t-county", "330110")
    expect(page.locator("#t-town option")).not_to_have_count(1)
    page.select_option("#t-province", "32")  # a new province clears the levels below
    expect(page.locator("#t-county option")).to_have_count(1)
    page.select_option("#t-province", "33")
    page.select_option("#t-city", "3301")
    page.select_option("#t-county", "330110")
    page.check("#t-exclusive")
    page.click("#territory-form button")
    expect(page.locator("#territories")).to_contain_text("330110")
    screenshot(page, "manage-territories-phone")

    row = page.locator("#territories tr", has_text="330110")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button").click()
    expect(page.locator("#territories")).not_to_contain_text("330110")
