"""The principal's exam list: where each exam stands by the clock and its sittings (open
now, upcoming with when it opens, closed), its coverage so far among the people the
reader may see, a filter by those states, and a page that costs the same number of
queries however many exams it shows. And "My exams": the start is behind the rules.

Coverage example: the open exam is for the staff of partners A and B (A's staff and
other staff, B's two): four assigned, A's staff submitted, so the admin reads 1 of 4
(25.0%); the channel manager, who looks after A only, reads 1 of 2 (50.0%)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from portal.core import clock
from portal.exams import services, taking
from portal.exams.models import Attempt
from portal.extensions import db
from tests.conftest import login
from tests.examining import T0, freeze, scheduled_exam

pytestmark = pytest.mark.usefixtures("banks")


@pytest.fixture
def exams(world):
    both = {"partner_ids": [world.a.partner.id, world.b.partner.id]}
    freeze(T0 - timedelta(days=2))
    closed = scheduled_exam(world.admin, both, title="上周小测", hours=12)
    dropped = scheduled_exam(world.admin, both, title="取消的小测", hours=60)
    freeze(T0)
    services.cancel(dropped)  # cancelled while its window was open
    open_now = scheduled_exam(world.admin, both, title="本周小测", hours=12)
    upcoming = scheduled_exam(world.admin, both, title="下周小测",
                              opens_at=T0 + timedelta(days=7),
                              closes_at=T0 + timedelta(days=7, hours=12))
    services.create_exam(world.admin, title="草稿小测", track="staff",
                         draw=open_now.draw, opens_at=T0 + timedelta(days=1),
                         closes_at=T0 + timedelta(days=2), audience=both)
    taking.submit(taking.start_or_resume(world.a.staff, open_now.sittings[0]))
    db.session.commit()
    return {"closed": closed, "open": open_now, "upcoming": upcoming}


def _page(client, user, query=""):
    login(client, user)
    response = client.get("/exams/manage/" + query)
    return response.status_code, response.get_data(as_text=True)


def _row(page: str, title: str) -> str:
    return next(row for row in page.split("<tr>") if title in row)


def _state(row: str) -> str:
    return re.search(r'data-state="(\w+)"', row)[1]


def _coverage(row: str) -> str:
    cell = re.search(r'class="text-end text-nowrap coverage"[^>]*>(.*?)</td>', row, re.S)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_the_list_shows_where_each_exam_stands_with_the_time_that_matters(client, world,
                                                                           exams):
    status, page = _page(client, world.admin)
    assert status == 200
    assert _state(_row(page, "本周小测")) == "open" and "进行中" in _row(page, "本周小测")
    assert "21:00 截止" in _row(page, "本周小测")  # 09:00 + 12 h, Shanghai time
    assert _state(_row(page, "下周小测")) == "upcoming"
    assert "即将开始" in _row(page, "下周小测") and "11-30 09:00 开放" in _row(page, "下周小测")
    assert _state(_row(page, "上周小测")) == "closed"
    assert "2026-11-21 已结束" in _row(page, "上周小测")
    assert _state(_row(page, "取消的小测")) == "closed"  # no new attempts once cancelled
    assert _state(_row(page, "草稿小测")) == "none"  # a draft has no sittings
    client.post("/lang/en", data={"next": "/"})
    page = client.get("/exams/manage/").get_data(as_text=True)
    assert "Open now" in _row(page, "本周小测") and "opens 11-30 09:00" in page
    assert "Coverage so far" in page


def test_coverage_so_far_counts_finished_attempts_of_the_people_assigned(client, world,
                                                                         exams):
    _status, page = _page(client, world.admin)
    assert _coverage(_row(page, "本周小测")) == "25.0% 1 / 4"
    assert _coverage(_row(page, "上周小测")) == "0.0% 0 / 4"  # nobody took it
    assert _coverage(_row(page, "下周小测")) == "—"  # nobody could have taken it yet
    assert _coverage(_row(page, "草稿小测")) == "—"


def test_a_channel_manager_reads_coverage_of_its_own_partners_only(client, world, exams):
    _status, page = _page(client, world.cm)
    assert _coverage(_row(page, "本周小测")) == "50.0% 1 / 2"
    assert _coverage(_row(page, "上周小测")) == "0.0% 0 / 2"


@pytest.mark.parametrize("state, shown", [
    ("open", {"本周小测"}), ("upcoming", {"下周小测"}), ("closed", {"上周小测", "取消的小测"}),
    ("", {"本周小测", "下周小测", "上周小测", "取消的小测", "草稿小测"})])
def test_the_list_filters_by_state(client, world, exams, state, shown):
    _status, page = _page(client, world.auditor, f"?state={state}")
    table = page.split('id="exam-list"')[1]
    titles = {"本周小测", "下周小测", "上周小测", "取消的小测", "草稿小测"}
    assert {t for t in titles if t in table} == shown
    if state:
        assert f'<option value="{state}" selected>' in page


def test_a_state_filter_from_elsewhere_gets_a_message_not_an_error(client, world, exams):
    status, page = _page(client, world.admin, "?state=soon")
    assert status == 400 and "请从列表中选择一种状态。" in page
    assert 'data-field="state"' in page and "本周小测" in page  # the list, unfiltered
    client.post("/lang/en", data={"next": "/"})
    assert "Choose a state from the list." in client.get(
        "/exams/manage/?state=soon").get_data(as_text=True)


def _queries(client, url) -> int:
    seen = []

    def count(*_args):
        seen.append(1)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_list_costs_the_same_queries_for_one_exam_or_many(client, world, exams):
    login(client, world.admin)
    one = _queries(client, "/exams/manage/?q=本周小测")
    both = {"partner_ids": [world.a.partner.id, world.b.partner.id]}
    for n in range(6):
        scheduled_exam(world.admin, both, title=f"本周加练{n}",
                       opens_at=clock.now() + timedelta(hours=n))
    many = _queries(client, "/exams/manage/?q=本周")
    assert many == one


def test_my_exams_opens_the_rules_before_the_clock_starts(client, world, exams):
    sitting = exams["open"].sittings[0]
    login(client, world.a.other_staff)
    page = client.get("/exams/").get_data(as_text=True)
    card = page.split(f'data-sitting="{sitting.id}"')[1].split('class="card exam-card')[0]
    assert "/start" not in page and 'method="post"' not in card
    assert f'href="/exams/sittings/{sitting.id}"' in card and "查看规则并开始" in card
    rules = client.get(f"/exams/sittings/{sitting.id}").get_data(as_text=True)
    counts = rules.split('id="what-counts"')[1].split("</section>")[0]
    assert "你只有一次作答机会，以这一次为准。" in counts
    assert "不限时" in counts and "21:00" in counts  # no time limit: until the close
    assert "未作答的题目计 0 分。" in counts and "提交后立即显示你的得分。" in counts
    assert "得分达到总分的 60% 及以上即为通过。" in counts
    assert f'action="/exams/sittings/{sitting.id}/start"' in rules and 'id="start-form"' in rules


def test_the_rules_say_the_clock_runs_on_and_which_attempt_counts(client, world):
    freeze()
    exam = scheduled_exam(world.admin, {"partner_ids": [world.a.partner.id]},
                          title="限时小测", time_limit_minutes=20, attempts_allowed=3,
                          grading="last", review="after_close")
    login(client, world.a.staff)
    client.post("/lang/en", data={"next": "/"})
    rules = client.get(f"/exams/sittings/{exam.sittings[0].id}").get_data(as_text=True)
    counts = rules.split('id="what-counts"')[1].split("</section>")[0]
    assert "You have 3 attempts. Your last attempt counts." in " ".join(counts.split())
    assert "keeps running if you leave the page" in counts and "after 20 minutes" in counts
    assert "A question left unanswered scores zero." in counts
    assert "shown after the exam closes, at 2026-11-23 21:00" in counts


def test_try_again_leads_to_the_rules_not_straight_into_a_new_attempt(client, world):
    freeze()
    exam = scheduled_exam(world.admin, {"partner_ids": [world.a.partner.id]},
                          title="可重考小测", time_limit_minutes=20, attempts_allowed=3)
    sitting = exam.sittings[0]
    first = taking.start_or_resume(world.a.staff, sitting)
    taking.submit(first)
    db.session.commit()
    login(client, world.a.staff)
    result = client.get(f"/exams/attempts/{first.id}/result").get_data(as_text=True)
    retry = re.search(r'<(\w+)[^>]*id="retry-button"[^>]*>', result)
    assert retry[1] == "a" and f'href="/exams/sittings/{sitting.id}"' in retry[0]
    assert f'action="/exams/sittings/{sitting.id}/start"' not in result
    rules = client.get(f"/exams/sittings/{sitting.id}").get_data(as_text=True)
    assert 'id="what-counts"' in rules and 'id="start-form"' in rules
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.sitting_id == sitting.id, Attempt.user_id == world.a.staff.id)) == 1


def test_the_status_filter_keeps_its_choice(client, world, exams):
    _status, page = _page(client, world.admin, "?status=draft")
    assert '<option value="draft" selected>' in page and "草稿小测" in page
    assert "本周小测" not in page.split('id="exam-list"')[1]
