"""A partner owner on its phone: opens its scorecard (77 points, the gap to tier A in
words), runs a what-if (exam coverage to 100 % moves the total to 92 and the tier to A,
nothing saved), and appeals the exam-coverage line with a reason and an evidence file,
then finds the appeal listed. March as in test_scoring_pages."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.scoring.models import Appeal
from tests.browser import PHONE, chromium, live_server, open_page, screenshot  # noqa: F401
from tests.test_browser import log_in
from tests.test_scoring_pages import card_of, scored  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.config(WTF_CSRF_ENABLED=True)]


def test_owner_reads_its_scorecard_tries_a_what_if_and_appeals(open_page, scored, tmp_path):
    owner, partner_id = scored.a.owner.username, scored.a.partner.id
    evidence = tmp_path / "签到表.txt"
    evidence.write_text("考试签到表：8人全部参加\n", encoding="utf-8")
    db.session.close()

    page = open_page(viewport=PHONE)
    log_in(page, owner)
    page.goto("/scoring/scorecards")                 # an owner lands on its own scorecard
    assert page.url.endswith(f"/scoring/partners/{partner_id}/scorecard")
    expect(page.locator("#card-total")).to_have_text("77")
    expect(page.locator("#card-gap")).to_contain_text("88.33%")
    screenshot(page, "scoring-scorecard")

    page.click("#whatif-link")
    page.fill("#c_exams", "100")
    page.click("#whatif-run")
    expect(page.locator("#whatif-current-total")).to_have_text("77")
    expect(page.locator("#whatif-total")).to_have_text("92")
    expect(page.locator("#whatif-tier")).to_have_text("A")
    screenshot(page, "scoring-whatif")
    assert card_of(scored.a.partner).total == 77      # a copy: nothing was saved
    db.session.close()

    page.goto(f"/scoring/partners/{partner_id}/scorecard?month=2026-03")
    page.click("tr[data-line=exams] .appeal-link-phone")
    page.fill("textarea[name=reason]", "考试签到表显示8人全部参加，系统漏记2人")
    page.fill("input[name=claimed_value]", "100")
    page.set_input_files("input[name=evidence]", str(evidence))
    page.click("#appeal-submit")
    expect(page.locator("#appeal-reason")).to_contain_text("系统漏记2人")
    expect(page.locator("#appeal-thread")).to_contain_text("签到表.txt")
    appeal_id = page.url.rstrip("/").rsplit("/", 1)[1]

    page.goto("/scoring/appeals")
    expect(page.locator(f"tr[data-appeal='{appeal_id}']")).to_be_visible()
    page.goto(f"/scoring/partners/{partner_id}/scorecard?month=2026-03")
    # The line now links to its open appeal (on a phone, under the criterion's name).
    expect(page.locator(f"tr[data-line=exams] a[href='/scoring/appeals/{appeal_id}']").first
           ).to_be_visible()
    screenshot(page, "scoring-appeal")
    db.session.expire_all()
    stored = db.session.execute(select(Appeal)).scalar_one()
    assert (stored.state, stored.claimed_value) == ("open", 100)
    db.session.close()
