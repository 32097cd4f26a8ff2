"""What a partner owner sees in a real browser on a phone: logging in, the language
toggle, another partner's page, and a logout that really ends the session."""
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from tests.browser import DESKTOP, PHONE, chromium, live_server, open_page, screenshot  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LOGIN_URL = re.compile(r"/login(\?|$)")
HOME = re.compile(r"127\.0\.0\.1:\d+/$")


@pytest.fixture
def facts(world):
    """Plain values from `world`, read before the browser starts, with the test thread's
    transaction closed so the server can write (see tests/browser.py)."""
    values = SimpleNamespace(
        owner=world.a.owner.username, own_id=world.a.partner.id,
        own_name=world.a.partner.name, other_id=world.b.partner.id,
        other_name=world.b.partner.name)
    db.session.close()
    return values


def log_in(page, username):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():  # the next step must act on the page the login led to
        page.click("#login-submit")


def open_menu(page):
    """On a phone the navbar is collapsed behind the toggler; open it when it is."""
    page.wait_for_load_state("load")  # Bootstrap's collapse is wired once its script ran
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))


def nav_link(page, partner_id):
    return page.locator(f'#nav a.nav-link[href="/partners/{partner_id}"]')


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_owner_logs_in_on_phone_and_sees_own_partner_in_chinese(open_page, facts):
    page = open_page(viewport=PHONE)
    page.goto("/login")
    login_label = page.locator("#login-submit").inner_text().strip()
    screenshot(page, "1-login-phone")
    assert page_width(page) <= PHONE["width"], "login page scrolls sideways on a phone"

    log_in(page, facts.owner)
    expect(page).to_have_url(HOME)  # the owner's home: to-dos and its team's state
    expect(page.locator("#home-team-acks")).to_be_visible()
    screenshot(page, "1b-home-owner-phone")
    page.goto(f"/partners/{facts.own_id}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#partner-name")).to_have_text(facts.own_name)
    assert facts.other_name not in page.content()
    assert page_width(page) <= PHONE["width"], "partner page scrolls sideways on a phone"
    open_menu(page)
    screenshot(page, "2-partner-phone-menu")

    # The Chinese catalogue, not just the lang attribute, must reach the page.
    assert login_label == "登录"
    expect(nav_link(page, facts.own_id)).to_have_text("我的代理商")


def test_language_toggle_switches_to_english_and_back_and_sticks(open_page, facts):
    page = open_page(viewport=PHONE)
    log_in(page, facts.owner)
    expect(page).to_have_url(HOME)
    toggle = page.locator("#lang-toggle")
    html = page.locator("html")
    expect(toggle).to_have_text("English")

    open_menu(page)
    toggle.click()
    expect(html).to_have_attribute("lang", "en")
    expect(toggle).to_have_text("中文")
    expect(page).to_have_url(HOME)
    screenshot(page, "3-partner-english")

    page.reload()
    expect(html).to_have_attribute("lang", "en")
    page.goto("/")
    expect(page).to_have_url(HOME)
    expect(html).to_have_attribute("lang", "en")
    expect(nav_link(page, facts.own_id)).to_have_text("My partner")

    open_menu(page)
    toggle.click()
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(toggle).to_have_text("English")
    page.reload()
    expect(html).to_have_attribute("lang", "zh-CN")


def test_owner_gets_not_found_page_for_other_partner(open_page, facts):
    page = open_page(viewport=DESKTOP)
    log_in(page, facts.owner)
    expect(page).to_have_url(HOME)

    response = page.goto(f"/partners/{facts.other_id}")
    assert response.status == 404
    expect(page.locator("#error-message")).to_be_visible()
    expect(page.locator("#partner-name")).to_have_count(0)
    assert facts.other_name not in page.content()
    screenshot(page, "4-other-partner-404")


def test_logout_ends_session_so_old_cookie_is_refused(open_page, facts):
    page = open_page(viewport=PHONE)
    log_in(page, facts.owner)
    expect(page).to_have_url(HOME)
    cookies = page.context.cookies()

    # While the session is open the copied cookie works, so the refusal below is the
    # server's doing and not a cookie that failed to copy.
    copy = open_page(cookies=cookies)
    copy.goto(f"/partners/{facts.own_id}")
    expect(copy.locator("#partner-name")).to_have_text(facts.own_name)

    open_menu(page)
    page.locator("#user-menu").click()
    page.click("#logout")
    expect(page).to_have_url(LOGIN_URL)
    screenshot(page, "5-logged-out")

    replay = open_page(cookies=cookies)
    replay.goto(f"/partners/{facts.own_id}")
    expect(replay).to_have_url(LOGIN_URL)
    expect(replay.locator("#partner-name")).to_have_count(0)
    assert facts.own_name not in replay.content()
    screenshot(replay, "6-replayed-cookie")
