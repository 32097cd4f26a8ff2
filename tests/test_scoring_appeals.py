"""Appeals (申诉) through the pages: the owner appeals one line with a reason, a claimed
value and evidence; the partner's channel manager accepts with a corrected value (the
scorecard is rescored and the line says so) or rejects with a reason; the thread; the
overdue flag; bad input refused on its field with nothing changed; and nobody reaches
another partner's appeal.

March as in test_scoring_pages: A has 77 points (exam coverage 75 %, acknowledgements
90 %). Correcting exam coverage to 95 % gives 95 × .6 + 80 × .4 = 89."""
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.notify.models import Notification
from portal.scoring.models import Appeal, AppealMessage, ManualValue
from tests.conftest import login
from tests.test_scoring_pages import card_of, page, scored  # noqa: F401

EVIDENCE = b"exam sign-in sheet: 8 of 8 attended\n"


def criterion_id(partner, code="exams"):
    return next(line.criterion_id for line in card_of(partner).lines
                if line.criterion.code == code)


def file(client, partner, **data):
    form = {"month": "2026-03", "criterion": str(criterion_id(partner)),
            "reason": "考试签到表显示8人全部参加", "claimed_value": "95", **data}
    return client.post(f"/scoring/partners/{partner.id}/appeal", data=form,
                       content_type="multipart/form-data")


def appeals_count():
    return db.session.scalar(select(func.count()).select_from(Appeal))


@pytest.fixture
def appeal(client, scored):
    login(client, scored.a.owner)
    r = file(client, scored.a.partner, evidence=(io.BytesIO(EVIDENCE), "签到表.txt"))
    assert r.status_code == 302, r.get_data(as_text=True)
    client.post("/logout")
    return db.session.execute(select(Appeal)).scalar_one()


def test_owner_appeals_a_line_with_reason_and_evidence(client, scored, appeal):
    assert (appeal.appealed_value, appeal.claimed_value, appeal.state) == (75, 95, "open")
    message = db.session.execute(select(AppealMessage)).scalar_one()
    assert message.file_name == "签到表.txt"
    # The channel manager hears of it; the scorecard shows the open appeal.
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == scored.cm.id)) == 1
    body = page(client, scored.a.owner, f"/scoring/partners/{scored.a.partner.id}/scorecard"
                f"?month=2026-03").get_data(as_text=True)
    assert f'href="/scoring/appeals/{appeal.id}"' in body
    r = client.get(f"/scoring/appeals/{appeal.id}/files/{message.id}")
    assert r.status_code == 200 and r.data == EVIDENCE


def test_the_scorecard_offers_an_appeal_per_line_to_its_owner_only(client, scored):
    url = f"/scoring/partners/{scored.a.partner.id}/scorecard?month=2026-03"
    assert page(client, scored.a.owner, url).get_data(as_text=True).count('appeal-link"') == 2
    assert "appeal-link" not in page(client, scored.cm, url).get_data(as_text=True)


@pytest.mark.parametrize("data, field, message", [
    ({"reason": ""}, "reason", "Please give a reason"),
    ({"claimed_value": "abc"}, "claimed_value", "Enter a number"),
    ({"claimed_value": "150"}, "claimed_value", "between"),
    ({"criterion": ""}, "criterion", "Choose a criterion"),
])
def test_a_bad_appeal_is_refused_on_its_field(client, scored, data, field, message):
    login(client, scored.a.owner)
    client.post("/lang/en", data={"next": "/"})
    r = file(client, scored.a.partner, **data)
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert message in body
    assert appeals_count() == 0


def test_a_second_open_appeal_on_the_same_line_is_a_conflict(client, scored, appeal):
    login(client, scored.a.owner)
    r = file(client, scored.a.partner)
    assert r.status_code == 409
    assert appeals_count() == 1


def test_no_appeal_on_someone_else_s_scorecard(client, scored):
    login(client, scored.a.owner)
    r = client.post(f"/scoring/partners/{scored.b.partner.id}/appeal",
                    data={"month": "2026-03", "criterion": str(criterion_id(scored.b.partner)),
                          "reason": "x"})
    assert r.status_code == 404
    assert client.get(f"/scoring/partners/{scored.b.partner.id}/appeal").status_code == 404
    assert appeals_count() == 0


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_staff_and_team_leads_cannot_appeal(client, scored, who):
    login(client, getattr(scored.a, who))
    assert file(client, scored.a.partner).status_code == 403
    assert appeals_count() == 0


def test_the_channel_manager_accepts_with_a_corrected_value_and_the_card_is_rescored(
        client, scored, appeal):
    login(client, scored.cm)
    r = client.post(f"/scoring/appeals/{appeal.id}/decide",
                    data={"decision": "accepted", "corrected_value": "95",
                          "reason": "签到表核实无误"})
    assert r.status_code == 302
    card = card_of(scored.a.partner)
    assert card.total == 89
    manual = db.session.execute(select(ManualValue)).scalar_one()
    assert (manual.value, manual.appeal_id) == (95, appeal.id)
    body = client.get(f"/scoring/partners/{scored.a.partner.id}/scorecard?month=2026-03"
                      ).get_data(as_text=True)
    assert f"#{appeal.id}" in body and 'id="card-total">89<' in body


def test_accepting_needs_a_corrected_value_inside_the_bounds(client, scored, appeal):
    login(client, scored.cm)
    client.post("/lang/en", data={"next": "/"})
    for value, message in (("", "Give the corrected value"), ("101", "between"),
                           ("x", "Enter a number")):
        r = client.post(f"/scoring/appeals/{appeal.id}/decide",
                        data={"decision": "accepted", "corrected_value": value,
                              "reason": "ok"})
        assert r.status_code == 400 and message in r.get_data(as_text=True)
    db.session.expire_all()
    assert appeal.state == "open" and card_of(scored.a.partner).total == 77
    assert db.session.scalar(select(func.count()).select_from(ManualValue)) == 0


def test_rejecting_needs_a_reason_and_deciding_twice_is_refused(client, scored, appeal):
    login(client, scored.admin)
    r = client.post(f"/scoring/appeals/{appeal.id}/decide", data={"decision": "rejected"})
    assert r.status_code == 400
    r = client.post(f"/scoring/appeals/{appeal.id}/decide",
                    data={"decision": "rejected", "reason": "签到表与系统记录不符"})
    assert r.status_code == 302
    r = client.post(f"/scoring/appeals/{appeal.id}/decide",
                    data={"decision": "accepted", "corrected_value": "95", "reason": "改判"})
    assert r.status_code == 409 and 'id="decide-problem"' in r.get_data(as_text=True)
    db.session.expire_all()
    assert appeal.state == "rejected" and appeal.decision_reason == "签到表与系统记录不符"
    assert card_of(scored.a.partner).total == 77


def test_the_owner_and_the_auditor_cannot_decide(client, scored, appeal):
    for user in (scored.a.owner, scored.auditor):
        client.post("/logout")
        login(client, user)
        r = client.post(f"/scoring/appeals/{appeal.id}/decide",
                        data={"decision": "rejected", "reason": "x"})
        assert r.status_code == 403
    db.session.expire_all()
    assert appeal.state == "open"


def test_another_partner_s_people_and_managers_never_reach_the_appeal(client, scored, appeal,
                                                                     make):
    message = db.session.execute(select(AppealMessage)).scalar_one()
    other_cm = make.person("channel_manager")
    for user in (scored.b.owner, other_cm):
        client.post("/logout")
        login(client, user)
        assert client.get(f"/scoring/appeals/{appeal.id}").status_code == 404
        assert client.get(f"/scoring/appeals/{appeal.id}/files/{message.id}").status_code == 404
        assert client.post(f"/scoring/appeals/{appeal.id}/messages",
                           data={"body": "x"}).status_code == 404
        assert "签到表" not in client.get("/scoring/appeals").get_data(as_text=True)
    assert client.post(f"/scoring/appeals/{appeal.id}/decide",
                       data={"decision": "rejected", "reason": "x"}).status_code == 404
    db.session.expire_all()
    assert appeal.state == "open"


def test_both_sides_write_in_the_thread_while_it_is_open(client, scored, appeal):
    for user, text in ((scored.cm, "请补充培训记录"), (scored.a.owner, "已上传培训记录")):
        client.post("/logout")
        login(client, user)
        r = client.post(f"/scoring/appeals/{appeal.id}/messages", data={"body": text})
        assert r.status_code == 302
    body = client.get(f"/scoring/appeals/{appeal.id}").get_data(as_text=True)
    assert "请补充培训记录" in body and "已上传培训记录" in body
    r = client.post(f"/scoring/appeals/{appeal.id}/messages", data={"body": ""})
    assert r.status_code == 400
    client.post("/logout")
    login(client, scored.auditor)
    assert client.get(f"/scoring/appeals/{appeal.id}").status_code == 200
    assert client.post(f"/scoring/appeals/{appeal.id}/messages",
                       data={"body": "审计"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AppealMessage)) == 3


def test_a_decided_appeal_s_thread_is_closed(client, scored, appeal):
    login(client, scored.cm)
    client.post(f"/scoring/appeals/{appeal.id}/decide",
                data={"decision": "rejected", "reason": "不符"})
    r = client.post(f"/scoring/appeals/{appeal.id}/messages", data={"body": "再说一句"})
    assert r.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(AppealMessage)) == 1


def test_the_list_puts_open_appeals_first_and_flags_the_overdue(client, scored, appeal):
    body = page(client, scored.cm, "/scoring/appeals").get_data(as_text=True)
    assert f'data-appeal="{appeal.id}"' in body and "overdue" not in body.split("appeal-list")[1]
    clock.set_now(appeal.due_at + timedelta(hours=1))
    body = page(client, scored.cm, "/scoring/appeals").get_data(as_text=True)
    assert 'class="badge text-bg-danger overdue"' in body
    assert f'data-appeal="{appeal.id}"' in client.get(
        "/scoring/appeals?overdue=1").get_data(as_text=True)
    assert f'data-appeal="{appeal.id}"' not in client.get(
        "/scoring/appeals?state=rejected").get_data(as_text=True)
    body = page(client, scored.b.owner, "/scoring/appeals").get_data(as_text=True)
    assert 'id="appeals-empty"' in body


def test_evidence_that_is_a_web_page_is_refused_and_nothing_is_filed(client, scored):
    login(client, scored.a.owner)
    r = file(client, scored.a.partner,
             evidence=(io.BytesIO(b"<html><script>alert(1)</script></html>"), "证据.txt"))
    assert r.status_code == 400 and "证据.txt" in r.get_data(as_text=True)
    assert appeals_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AppealMessage)) == 0
