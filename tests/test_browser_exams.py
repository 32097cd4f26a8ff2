"""An exam end to end in a real browser, as staff on a phone: My exams, its rules, start, answer
every question with autosave, reload and find the answers kept, lose the connection and
get it back, submit after the confirmation and see the score. And a login that ends
mid-exam: the page says so, keeps the answers on the device and saves them after the
next login."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from portal.auth import sessions
from portal.auth.models import User
from portal.core.clock import now
from portal.exams import services
from portal.exams.models import Attempt, AttemptItem
from portal.extensions import db
from tests.browser import DESKTOP, PHONE, chromium, live_server, open_page, screenshot  # noqa: F401
from tests.test_browser import log_in, open_menu

pytestmark = pytest.mark.browser

TITLE = "销售习惯周考"
ATTEMPT_URL = re.compile(r"/exams/attempts/(\d+)$")


@pytest.fixture
def facts(world, banks):
    """An open 30-minute staff exam for partner A with one question of each kind the
    staff bank offers; plain values read, then the test thread lets go of the database."""
    exam = services.create_exam(
        world.cm, title=TITLE, track="staff", review="after_submit", time_limit_minutes=30,
        draw=[{"track": "staff", "tag": "sales-habits", "count": 4},
              {"track": "staff", "tag": "local-service", "count": 2}],
        opens_at=now() - timedelta(minutes=5), closes_at=now() + timedelta(hours=2),
        audience={"partner_ids": [world.a.partner.id]})
    services.schedule(exam)
    db.session.commit()
    values = SimpleNamespace(staff=world.a.staff.username, staff_id=world.a.staff.id,
                             sitting_id=exam.sittings[0].id)
    db.session.close()
    return values


def answer(question) -> None:
    """Pick the first option (true for true/false), or type a word for fill-in."""
    if question.get_attribute("data-kind") == "fill":
        question.locator("input[type=text]").fill("二次跟进")
    else:
        question.locator("label.option").first.click()


def answer_all(page) -> int:
    questions = page.locator(".question")
    for index in range(questions.count()):
        answer(questions.nth(index))
    return questions.count()


def saved_answers(attempt_id) -> list:
    db.session.expire_all()
    answers = db.session.execute(db.select(AttemptItem.answer).where(
        AttemptItem.attempt_id == attempt_id)).scalars().all()
    db.session.close()
    return answers


def start(page, facts) -> int:
    log_in(page, facts.staff)
    open_menu(page)
    page.click("#nav-exams")
    expect(page.locator("h1")).to_have_text("我的考试")
    card = page.locator(f"#open-exams [data-sitting='{facts.sitting_id}']")
    expect(card).to_contain_text(TITLE)
    screenshot(page, "exam-1-my-exams-phone")
    card.locator("a.take-button").click()  # the rules first; the clock starts there
    expect(page.locator("#what-counts")).to_be_visible()
    page.click("#start-button")
    expect(page).to_have_url(ATTEMPT_URL)
    return int(ATTEMPT_URL.search(page.url)[1])


def test_staff_takes_an_exam_on_a_phone_end_to_end(open_page, facts):
    page = open_page(viewport=PHONE)
    attempt_id = start(page, facts)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(30:00|29:5\d)$"))
    screenshot(page, "exam-2-attempt-phone")

    total = answer_all(page)
    expect(page.locator("#answered-count")).to_have_text(str(total))
    expect(page.locator("#save-status")).to_contain_text("已保存")
    assert None not in saved_answers(attempt_id)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The bar with the clock stays in view at the bottom of the page.
    page.locator("#submit-attempt").scroll_into_view_if_needed()
    expect(page.locator("#countdown")).to_be_in_viewport()
    screenshot(page, "exam-3-answered-phone")

    page.reload()
    expect(page.locator("#answered-count")).to_have_text(str(total))
    checked = page.locator(".question:has(input:checked), .question:has(input[type=text])")
    expect(checked).to_have_count(total)

    # The connection drops: the answer waits on the device and goes out once it is back.
    first = page.locator(".question[data-kind=single], .question[data-kind=multiple]").first
    page.context.set_offline(True)
    first.locator("label.option").nth(1).click()
    expect(page.locator("#save-status")).to_contain_text(re.compile("未保存|网络已断开"))
    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("已保存", timeout=8000)

    page.click("#submit-attempt")
    expect(page.locator("#confirm-submit")).to_be_visible()
    expect(page.locator("#confirm-submit-text")).to_contain_text("所有题目都已作答")
    screenshot(page, "exam-4-confirm-phone")
    page.click("#confirm-submit-yes")
    expect(page).to_have_url(re.compile(rf"/exams/attempts/{attempt_id}/result$"))
    expect(page.locator("#result-percent")).to_have_text(re.compile(r"^\d+(\.\d+)?%$"))
    expect(page.locator("#result-outcome")).to_contain_text(re.compile("已通过|未通过"))
    expect(page.locator("#review .question")).to_have_count(total)
    assert page.evaluate(f"localStorage.getItem('exam-attempt-{attempt_id}')") is None
    screenshot(page, "exam-5-result-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "exam-6-result-desktop")

    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.submitted_by == "taker" and attempt.percent is not None
    db.session.close()


def test_a_login_ended_mid_exam_keeps_the_answers_on_the_device(open_page, facts):
    page = open_page(viewport=PHONE)
    attempt_id = start(page, facts)
    sessions.end_all_sessions(db.session.get(User, facts.staff_id))  # e.g. a password change
    db.session.commit()
    db.session.close()

    answer(page.locator(".question").first)
    status = page.locator("#save-status")
    expect(status).to_contain_text("请重新登录")
    screenshot(page, "exam-7-logged-out-phone")
    assert set(saved_answers(attempt_id)) == {None}

    status.get_by_role("link").click()
    page.fill("input[name=username]", facts.staff)
    page.fill("input[name=password]", "correct-horse-1")
    page.click("#login-submit")
    expect(page).to_have_url(ATTEMPT_URL)
    expect(status).to_contain_text("已保存")
    assert [a for a in saved_answers(attempt_id) if a is not None]
