"""A policy travels in a real browser: a channel manager composes it for its partner's
staff, previews who receives it and publishes; a staff member on a phone sees it waiting
in the navigation bar, answers the comprehension question and acknowledges; the
manager's reach page then counts the acknowledgement."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from portal.core.clock import BUSINESS_TZ, now
from portal.extensions import db
from tests.browser import DESKTOP, PHONE, chromium, live_server, open_page, screenshot  # noqa: F401
from tests.test_browser import log_in, open_menu

pytestmark = pytest.mark.browser

TITLE = "客户报备保护期延长至90天"


@pytest.fixture
def facts(world):
    """Plain values read before the browser starts; the test thread then lets go of the
    database so the server can write (see tests/browser.py)."""
    values = SimpleNamespace(manager=world.cm.username, staff=world.a.staff.username,
                             partner_id=world.a.partner.id)
    db.session.close()
    return values


def compose(page, facts) -> None:
    deadline = (now() + timedelta(days=3)).astimezone(BUSINESS_TZ)
    page.goto("/broadcasts/new")
    page.fill("#title", TITLE)
    page.select_option("#category", "policy")
    page.fill("#body_md", "即日起客户报备保护期为 **90 天**，自审核通过之日起算。")
    page.select_option("#partner_ids", [str(facts.partner_id)])
    page.check("input[name=roles][value=staff]")
    page.check("#requires_ack")
    page.fill("#ack_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#questions-0-text", "保护期从哪天起算？")
    page.fill("#questions-0-options", "提交报备之日\n审核通过之日")
    page.fill("#questions-0-correct", "2")


def test_policy_is_published_then_acknowledged_on_a_phone(open_page, facts):
    manager = open_page(viewport=DESKTOP)
    log_in(manager, facts.manager)
    compose(manager, facts)
    manager.click("#preview-button")
    # Partner A has two staff members; nobody else is addressed.
    expect(manager.locator("#preview-total")).to_contain_text("2")
    expect(manager.locator("#preview-audience tbody tr")).to_have_count(1)
    screenshot(manager, "broadcast-1-preview")
    asked = []  # the page asks for the exact count before sending

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()
    manager.once("dialog", accept)
    manager.click("#publish-button")
    expect(manager.locator("#reach-delivered")).to_have_text("2")
    assert asked == ["发送给 1 个代理商的 2 人？"]
    expect(manager.locator("#reach-acknowledged")).to_have_text("0")
    reach_url = manager.url

    staff = open_page(viewport=PHONE)
    log_in(staff, facts.staff)
    screenshot(staff, "broadcast-2-home-phone")
    open_menu(staff)
    expect(staff.locator("#broadcast-to-ack")).to_have_text("1")
    screenshot(staff, "broadcast-3-navbar-phone")
    staff.click("#broadcast-inbox")
    staff.get_by_role("link", name=TITLE).first.click()
    expect(staff.locator("#broadcast-title")).to_have_text(TITLE)
    staff.click("#answer-1-0")  # the wrong option first: not acknowledged
    staff.click("#ack-button")
    expect(staff.locator("[data-field=answers]")).to_be_visible()
    expect(staff.locator("#acked")).to_have_count(0)
    screenshot(staff, "broadcast-4-wrong-answer-phone")
    staff.click("#answer-1-1")
    staff.click("#ack-button")
    expect(staff.locator("#acked")).to_be_visible()
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(staff, "broadcast-5-acknowledged-phone")

    manager.goto(reach_url)
    expect(manager.locator("#reach-acknowledged")).to_have_text("1")
    expect(manager.locator("#reach-opened")).to_have_text("1")
    screenshot(manager, "broadcast-6-reach")
