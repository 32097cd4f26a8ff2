"""The exam coverage report on the hand-computed exam of tests/test_exams_stats.py: the
exam page's coverage (5 of 6, 83.3%), pass rate (60.0%), average (50.0%) and item
analysis (Q1 facility 60.0, discrimination 91.9; Q2 20.0 and -61.2, flagged), the
overview's breakdowns, who has not taken it (taker6), and an owner's report holding its
own partner only (A: 3 of 4 covered, 75.0%)."""
from datetime import date, datetime, time, timedelta

import pytest

from portal.core.clock import BUSINESS_TZ
from portal.core.errors import DomainError
from portal.exams import breakdowns, coverage, item_analysis, taking
from portal.extensions import db
from portal.reports import services
from tests import test_exams_stats
from tests.reporting import HOSTILE, assert_nothing_fetched, folded, make, watch_fetches

example = test_exams_stats.example  # the hand-computed exam, a fixture

SPAN = {"start": date(2027, 2, 15), "end": date(2027, 3, 31)}


@pytest.fixture
def scored(example):
    taking.submit_expired()
    db.session.commit()
    return example


def _instants():
    return (datetime.combine(SPAN["start"], time.min, tzinfo=BUSINESS_TZ),
            datetime.combine(SPAN["end"] + timedelta(days=1), time.min, tzinfo=BUSINESS_TZ))


def test_the_report_shows_the_exam_pages_figures(scored):
    made = make(scored.world.auditor, "exams", **SPAN)
    page = coverage.exam_coverage(scored.exam)
    assert (page["coverage"], page["pass_rate"], page["average_percent"]) == (
        pytest.approx(5 / 6), pytest.approx(0.6), pytest.approx(50.0))
    text = made.text
    for expected in ("统计考试", "83.3%", "60.0%", "50.0%", "taker6", "91.9", "-61.2",
                     "代理商A", "代理商B", "75.0%", "100.0%", "第1题", made.report.code):
        assert folded(expected) in text, expected
    exam = made.source["source"]["exams"][0]
    assert (exam["assigned"], exam["covered"], exam["pass_rate"]) == (6, 5, pytest.approx(0.6))
    assert exam["not_taken"][0]["usernames"] == ["taker6"]
    assert exam["item_analysis"] == item_analysis.item_analysis(scored.exam)


def test_the_breakdowns_are_the_overviews_rows(scored):
    made = make(scored.world.admin, "exams", **SPAN)
    start, end = _instants()
    tables = {t["title"]: t["rows"] for t in made.source["tables"]}
    by_partner = breakdowns.breakdown("partner", start, end, breakdowns.Scope())
    assert [[r[0], r[1], r[2], r[3]] for r in tables["按代理商"]] == [
        [row["labels"][0], row["assigned"], row["covered"], f"{100 * row['coverage']:.1f}%"]
        for row in by_partner]
    assert [r[:4] for r in tables["按代理商"]] == [["代理商A", 4, 3, "75.0%"],
                                                ["代理商B", 2, 2, "100.0%"]]
    flagged = {row[0].split()[0]: row for row in tables["题目分析"]}
    assert flagged["stats-q2"][2] == 20.0 and flagged["stats-q2"][4] == -61.2
    assert flagged["stats-q2"][6] == "请复查此题" and flagged["stats-q1"][6] == ""


def test_an_owner_reads_its_own_partner_only(scored):
    world = scored.world
    with pytest.raises(DomainError) as refused:
        services.request_report(world.a.owner, "exams",
                                {"partner_id": world.b.partner.id, **SPAN})
    assert refused.value.field == "partner_id"
    made = make(world.a.owner, "exams", **SPAN)
    text = made.text
    assert folded("75.0%") in text and "taker6" in text
    for other in ("代理商B", world.b.staff.username, world.b.other_staff.username):
        assert folded(other) not in text and other not in made.csv
    assert "第1题" not in text  # question texts stay with the principal's exam readers
    assert made.source["source"]["partner_ids"] == [world.a.partner.id]


def test_a_channel_manager_sees_its_assigned_partners(scored):
    made = make(scored.world.cm, "exams", **SPAN)
    assert "代理商A" in made.text and "代理商B" not in made.text


def test_a_period_without_sittings_says_so(scored):
    made = make(scored.world.admin, "exams", start=date(2027, 1, 1), end=date(2027, 1, 31))
    assert made.source["tables"] == [] and folded("本期间没有") in made.text


def test_the_csv_holds_the_same_rows_with_numbers_and_no_data(scored):
    made = make(scored.world.admin, "exams", **SPAN)
    lines = made.csv.splitlines()
    assert "代理商A,4,3,75.0%" in "\n".join(lines)
    february = next(line for line in lines if line.startswith("2027-02,"))
    assert february.startswith("2027-02,0,0,暂无数据,")
    assert any(line.startswith("stats-q2 v1") and ",20.0," in line and ",-61.2," in line
               for line in lines)


def test_nothing_an_exam_title_points_at_is_fetched_or_embedded(scored, monkeypatch):
    fetched = watch_fetches(monkeypatch)
    scored.exam.title = "统计考试" + HOSTILE
    db.session.commit()
    assert_nothing_fetched(make(scored.world.auditor, "exams", **SPAN), fetched)
