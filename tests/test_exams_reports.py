"""Exam report pages: who may read them, what each reader sees, the not-taken CSV."""
import csv
import io

import pytest

from portal.exams import taking
from portal.extensions import db
from tests.conftest import login
from tests.test_exams_stats import example  # noqa: F401  (the hand-computed exam, a fixture)


def pages(side) -> list[str]:
    return ["/exams/reports/", f"/exams/reports/exams/{side.exam.id}",
            f"/exams/reports/sittings/{side.sitting.id}/not-taken"]


@pytest.mark.parametrize("who", ["admin", "cm", "owner", "manager", "auditor"])
def test_report_pages_render_for_readers(client, walk_world, who):
    world = walk_world
    user = {"admin": world.admin, "cm": world.cm, "auditor": world.auditor,
            "owner": world.a.owner, "manager": world.a.manager}[who]
    login(client, user)
    for url in pages(world.a):
        response = client.get(url)
        assert response.status_code == 200, url
    overview = client.get("/exams/reports/").get_data(as_text=True)
    assert 'id="chart-coverage"' in overview and "考试a" in overview


def test_staff_may_not_read_reports(client, walk_world):
    login(client, walk_world.a.staff)
    for url in pages(walk_world.a):
        assert client.get(url).status_code == 403, url


def test_owner_of_a_sees_no_figures_or_names_of_b(client, walk_world):
    world = walk_world
    login(client, world.a.owner)
    overview = client.get("/exams/reports/?by=team").get_data(as_text=True)
    assert "代理商A" in overview
    for marker in ("代理商B", "考试b", world.b.team.name, world.b.staff.username):
        assert marker not in overview
    for url in pages(world.b)[1:]:
        assert client.get(url).status_code == 404, url
    report = client.get(f"/exams/reports/exams/{world.a.exam.id}").get_data(as_text=True)
    assert "代理商B" not in report and world.b.staff.username not in report


def test_channel_manager_sees_only_assigned_partners(client, walk_world):
    world = walk_world
    login(client, world.cm)
    overview = client.get("/exams/reports/?by=partner").get_data(as_text=True)
    assert "代理商A" in overview and "代理商B" not in overview
    assert client.get(f"/exams/reports/exams/{world.b.exam.id}").status_code == 404


def test_not_taken_lists_people_without_a_finished_attempt(app, client, walk_world):
    world = walk_world
    url = f"/exams/reports/sittings/{world.a.sitting.id}/not-taken"
    login(client, world.a.owner)
    page = client.get(url).get_data(as_text=True)
    assert world.a.other_staff.username in page      # assigned, never started
    assert f">{world.a.staff.display_name} <" not in page  # submitted
    manager = app.test_client()
    login(manager, world.a.manager)  # the other staff is in another team
    page = manager.get(url).get_data(as_text=True)
    assert world.a.other_staff.username not in page and "id=\"not-taken\"" not in page


def test_not_taken_csv_opens_in_excel_with_the_right_rows(client, walk_world):
    world = walk_world
    login(client, world.admin)
    response = client.get(f"/exams/reports/sittings/{world.a.sitting.id}/not-taken"
                          "?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1:] == [[world.a.other_staff.display_name, world.a.other_staff.username,
                         world.a.partner.name, world.a.other_team.name]]
    assert len(rows[0]) == 4


def test_owner_cannot_download_another_partners_not_taken_csv(client, walk_world):
    login(client, walk_world.a.owner)
    url = f"/exams/reports/sittings/{walk_world.b.sitting.id}/not-taken?format=csv"
    assert client.get(url).status_code == 404


def test_bad_filters_get_a_message_not_an_error(client, walk_world):
    login(client, walk_world.admin)
    response = client.get("/exams/reports/?track=nope&months=7&by=x&region=99")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in ("track", "months", "by", "region"):
        assert f'data-field="{field}"' in page
    assert client.get(f"/exams/reports/sittings/{walk_world.a.sitting.id}/not-taken"
                      "?format=xml").status_code == 400


def test_exam_report_shows_hand_computed_figures_and_flags_the_weak_question(client, example):
    taking.submit_expired()
    db.session.commit()
    login(client, example.world.admin)
    page = client.get(f"/exams/reports/exams/{example.exam.id}").get_data(as_text=True)
    assert 'id="summary-coverage">83.3%' in page
    assert 'id="summary-pass-rate">60.0%' in page
    assert 'id="summary-average">50.0%' in page
    row = page.split('data-question="stats-q2"')[1].split("</tr>")[0]
    assert 'data-review="1"' in row and "20.0%" in row and "-61.2%" in row
    fine = page.split('data-question="stats-q1"')[1].split("</tr>")[0]
    assert 'data-review="0"' in fine and "91.9%" in fine


def test_exam_report_says_when_there_are_too_few_attempts(client, walk_world):
    login(client, walk_world.admin)
    page = client.get(f"/exams/reports/exams/{walk_world.a.exam.id}").get_data(as_text=True)
    assert 'id="items-not-enough"' in page


@pytest.mark.parametrize("by", ["partner", "team", "province", "track"])
def test_overview_breaks_down_by_each_dimension(client, example, by):
    login(client, example.world.admin)
    page = client.get(f"/exams/reports/?by={by}&months=12&track=staff&region=33")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'id="report-breakdown"' in body and 'id="report-matrix"' in body
    assert "83.3%" in body  # March 2027: 5 of 6 assigned took it
