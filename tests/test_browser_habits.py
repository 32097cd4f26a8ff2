"""Logging visits in a real browser on a phone: one visit in well under 30 seconds of
tapping, then the connection drops, two more wait on the phone (the page says 2 waiting
and still reloads), and once the connection is back they are sent, each stored once."""
import io
import re
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select, update

from portal.extensions import db
from portal.habits.models import Customer, Visit
from tests.browser import PHONE, chromium, live_server, open_page, screenshot  # noqa: F401
from tests.habiting import HERE, NEAR, TOWN_A2, customer
from tests.test_browser import log_in

# The page's script sends the CSRF token in a header: the check stays on here.
pytestmark = [pytest.mark.browser, pytest.mark.config(WTF_CSRF_ENABLED=True)]

SHOTS = Path("/tmp/shots")
PAGE = "/habits/visits/new"


@pytest.fixture
def facts(world):
    """Two customers of A's staff; plain values read, then the test thread lets go of
    the database (see tests/browser.py)."""
    first, second = customer(world.a.staff, "湖滨鲜果店"), customer(
        world.a.staff, "龙翔桥水果铺", town=TOWN_A2)
    values = SimpleNamespace(staff=world.a.staff.username, staff_id=world.a.staff.id,
                             first=first.name, second=second.name)
    db.session.close()
    return values


def visits_of(person_id) -> list:
    db.session.expire_all()
    found = db.session.execute(select(Visit.client_id).where(Visit.user_id == person_id)
                               ).scalars().all()
    db.session.close()
    return found


def photos_of(person_id) -> list:
    db.session.expire_all()
    found = db.session.execute(select(Visit.photo).where(
        Visit.user_id == person_id, Visit.photo.is_not(None))).scalars().all()
    db.session.close()
    return found


def a_png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 160, 90)).save(picture, "PNG")
    return picture.getvalue()


def check_in(page, where, accuracy=15) -> None:
    page.context.set_geolocation({"latitude": where[0], "longitude": where[1],
                                  "accuracy": accuracy})
    page.click("#checkin")
    expect(page.locator("#checkin-status")).to_contain_text(f"±{accuracy} 米")


def shot(page, name: str) -> None:
    """The whole page under test-artifacts/, and what a 390 x 844 phone shows of it
    from the top under /tmp/shots/."""
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{path.stem}-screen.png"))


def fill_visit(page, name: str, *, boss: bool, outcome: str, step: str = "") -> None:
    page.fill("#customer-search", name[:2])
    page.locator(".customer-option", has_text=name).first.click()
    expect(page.locator("#customer-chosen-name")).to_have_text(name)
    if boss:
        page.locator("label[for=decision-maker]").click()
    page.locator(f"label[for=outcome-{outcome}]").click()
    if step:
        page.fill("#next-step", step)
        page.locator("[data-days='3']").click()


def test_staff_logs_visits_on_a_phone_and_offline_ones_are_sent_once(open_page, facts):
    page = open_page(viewport=PHONE)
    log_in(page, facts.staff)
    expect(page).to_have_url(re.compile(r"/$"))

    page.context.grant_permissions(["geolocation"])
    started = time.monotonic()
    page.goto(PAGE)
    expect(page.locator("#visit-net")).to_have_text("在线")
    fill_visit(page, facts.first, boss=True, outcome="interested", step="送样品")
    expect(page.locator("#kind-first")).to_be_checked()
    expect(page.locator("#kind-hint")).to_contain_text("首次拜访")
    check_in(page, HERE)  # the customer's place is not known yet: this visit teaches it
    expect(page.locator("#checkin-status")).to_contain_text("尚未记录")
    # Which parts hold, as the portal judges them, before saving.
    expect(page.locator("#verdict-source")).to_have_text("由门户核对。")
    expect(page.locator("#verdict-result")).to_have_text("→ 计为有效拜访")
    expect(page.locator("#verdict-parts .visit-part-ok")).to_have_count(3)
    expect(page.locator("#verdict-parts [data-part=distance]")).to_contain_text("未测量")
    shot(page, "habits-1-visit-filled-phone")
    page.click("#save-visit")
    expect(page.locator("#save-result")).to_contain_text("计为有效拜访")
    assert time.monotonic() - started < 30
    assert len(visits_of(facts.staff_id)) == 1
    expect(page.locator("#queue-count")).to_have_text("0")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 360, "height": 740})  # a small phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size(PHONE)
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # No connection: two more visits wait on the phone, judged here.
    page.context.set_offline(True)
    expect(page.locator("#visit-net")).to_contain_text("离线")
    fill_visit(page, facts.second, boss=False, outcome="needs_time")
    expect(page.locator("#verdict-source")).to_contain_text("在本机核对")
    expect(page.locator("#verdict-result")).to_have_text("→ 不计为有效拜访")
    page.click("#save-visit")
    expect(page.locator("#queue-count")).to_have_text("1")
    expect(page.locator("#save-result")).to_contain_text("没有网络")
    fill_visit(page, facts.first, boss=True, outcome="quoted", step="再报一次价")
    expect(page.locator("#kind-follow_up")).to_be_checked()  # the first visit is history
    check_in(page, NEAR)  # about 150 m from where the first visit was
    expect(page.locator("#verdict-parts [data-part=distance]")).to_contain_text(
        re.compile(r"^1[45]\d m ≤ 300 m ✓$"))
    expect(page.locator("#verdict-result")).to_have_text("→ 计为有效拜访")
    page.set_input_files("#photo", files=[{"name": "shop.png", "mimeType": "image/png",
                                           "buffer": a_png()}])
    expect(page.locator("#photo-chosen")).to_be_visible()
    page.click("#save-visit")
    expect(page.locator("#queue-count")).to_have_text("2")
    shot(page, "habits-2-two-waiting-phone")
    assert len(visits_of(facts.staff_id)) == 1

    # A reload without a connection still shows the page, with the two waiting.
    page.reload()
    expect(page.locator("#queue-count")).to_have_text("2")
    expect(page.locator("#visit-net")).to_contain_text("离线")
    page.locator("#customer-search").fill("龙翔")
    expect(page.locator(".customer-option")).to_have_count(1)

    # The connection is back: both are sent, once each.
    page.context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=10000)
    expect(page.locator("#save-result")).to_contain_text("已发送 2 条")
    stored = visits_of(facts.staff_id)
    assert len(stored) == 3 and len(set(stored)) == 3
    assert len(photos_of(facts.staff_id)) == 1  # kept on the phone with its visit
    page.reload()
    expect(page.locator("#queue-count")).to_have_text("0")
    assert len(visits_of(facts.staff_id)) == 3

    page.goto("/habits/today")
    expect(page.locator("#today-visits")).to_have_text("3")
    expect(page.locator("#today-streak")).to_contain_text("1 个工作日")
    shot(page, "habits-3-today-phone")


def test_a_refused_waiting_visit_is_set_aside_with_its_message(open_page, facts):
    """A visit the portal refuses when it arrives (here: its customer was taken out of
    the book while the phone was offline) is set aside with the portal's message, not
    retried for ever and not dropped; the person fixes or discards it."""
    page = open_page(viewport=PHONE)
    log_in(page, facts.staff)
    page.goto(PAGE)
    page.context.set_offline(True)
    expect(page.locator("#visit-net")).to_contain_text("离线")
    fill_visit(page, facts.second, boss=True, outcome="interested")
    page.click("#save-visit")
    expect(page.locator("#queue-count")).to_have_text("1")
    db.session.execute(update(Customer).where(Customer.name == facts.second)
                       .values(active=False))
    db.session.commit()
    db.session.close()
    page.context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=10000)
    refused = page.locator("#visit-refused-list li")
    expect(refused).to_have_count(1)
    expect(refused.locator(".refused-message")).to_have_text("请选择本代理商的客户。")
    expect(page.locator("#save-result")).to_contain_text("1 条待发送的拜访未被门户接受")
    shot(page, "habits-4-refused-phone")
    assert visits_of(facts.staff_id) == []
    page.reload()  # kept aside, not retried
    expect(refused).to_have_count(1)
    expect(page.locator("#queue-count")).to_have_text("0")
    refused.locator(".refused-fix").click()  # back into the form, the customer chosen
    expect(page.locator("#customer-chosen-name")).to_have_text(facts.second)
    expect(page.locator("#visit-refused")).to_be_hidden()
    expect(page.locator("#outcome-interested")).to_be_checked()


def test_a_new_customer_in_two_fields_is_offered_its_look_alike_first(open_page, facts):
    page = open_page(viewport=PHONE)
    log_in(page, facts.staff)
    page.goto(PAGE)
    page.fill("#customer-search", "湖滨 鲜果")
    page.click("#new-customer-toggle")
    expect(page.locator("#new-customer-name")).to_have_value("湖滨 鲜果")
    page.fill("#new-customer-name", "湖滨鲜果店")
    page.select_option("#new-customer-town", label="清波街道")
    page.click("#new-customer-add")
    match = page.locator("#new-customer-matches-list .customer-match")
    expect(match).to_have_count(1)
    expect(match).to_contain_text(facts.first)
    shot(page, "habits-5-look-alike-phone")
    match.click()
    expect(page.locator("#customer-chosen-name")).to_have_text(facts.first)
    page.click("#customer-change")
    page.click("#new-customer-toggle")
    page.fill("#new-customer-name", "新开的便利店")
    page.select_option("#new-customer-town", label="清波街道")
    page.click("#new-customer-add")
    expect(page.locator("#customer-chosen-name")).to_have_text("新开的便利店")
    expect(page.locator("#kind-first")).to_be_checked()
