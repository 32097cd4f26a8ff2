"""The broadcast reach report against the reach pages' figures.

The example, at 10:00 on 2 March 2026: a policy to all eight partner people, to be
acknowledged within the hour, and a notice. A's owner and staff acknowledge after 5 and
6 minutes, B's owner after 90 (late). Two hours on: 3 of 8 acknowledged (38%), 2 on
time (25%), 5 overdue (A: manager_a, staff2_a; B: manager_b, staff_b, staff2_b).
Partner A alone: 2 of 4 acknowledged on time (50%), 2 overdue."""
from datetime import date, timedelta

import pytest

from portal.broadcasts import reach, services
from portal.core.errors import DomainError
from portal.extensions import db
from portal.reports import services as reports
from tests.broadcasting import T0, freeze, later, publish
from tests.reporting import HOSTILE, assert_nothing_fetched, folded, make, watch_fetches

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


@pytest.fixture
def sent(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, ack_deadline=T0 + timedelta(hours=1))
    notice = publish(world.admin, title="假期通知", category="notice")
    for person, minutes in ((world.a.owner, 5), (world.a.staff, 6), (world.b.owner, 90)):
        services.acknowledge(person, policy, at=T0 + timedelta(minutes=minutes))
    db.session.commit()
    later(hours=2)
    world.policy, world.notice = policy, notice
    return world


def _rows(made, title):
    return next(t["rows"] for t in made.source["tables"] if t["title"] == title)


def _overdue(made) -> set[str]:
    """The usernames of the overdue lists (a table per broadcast)."""
    return {row[1] for t in made.source["tables"] if t["section"] == "仍逾期未确认"
            for row in t["rows"]}


def test_the_report_shows_the_reach_pages_figures(sent):
    made = make(sent.auditor, "broadcasts", **MARCH)
    summary = reach.reach_summary(sent.policy)
    assert (summary["delivered"], summary["acknowledged"], summary["overdue"]) == (8, 3, 5)
    policy, notice = _rows(made, "各条公告的触达")
    assert policy == ["渠道政策调整", "2026-03-02 10:00", 8, summary["opened"], 3, 2, 5]
    assert notice[0] == "假期通知" and notice[4:] == [None, None, None]
    policy, notice = _rows(made, "各条公告的比率")
    assert policy[1:5] == ["2026-03-02 11:00", f"{100 * summary['opened'] / 8:.0f}%",
                           "38%", "25%"]
    assert notice[1:] == [None, "0%", None, None, None, None]
    assert _overdue(made) == {"manager_a", "staff2_a", "manager_b", "staff_b", "staff2_b"}
    text = made.text
    for expected in ("渠道政策调整", "38%", "25%", "manager_b", "代理商B", made.report.code):
        assert folded(expected) in text, expected


def test_fidelity_is_the_fidelity_pages_rows(sent):
    made = make(sent.admin, "broadcasts", **MARCH)
    rows = reach.fidelity(T0 - timedelta(days=1))
    shown = _rows(made, "层层传达")
    assert [row[0] for row in shown] == [row["partner_name"] for row in rows]
    a = next(row for row in shown if row[0] == "代理商A")
    assert a[1:4] == ["100%", "0%", "50%"]


def test_an_owner_reads_its_own_partner_only(sent):
    with pytest.raises(DomainError) as refused:
        reports.request_report(sent.a.owner, "broadcasts",
                               {"partner_id": sent.b.partner.id, **MARCH})
    assert refused.value.field == "partner_id"
    made = make(sent.a.owner, "broadcasts", **MARCH)
    assert _rows(made, "各条公告的触达")[0][2:] == [4, 2, 2, 2, 2]
    assert _rows(made, "各条公告的比率")[0][3:5] == ["50%", "50%"]
    assert _overdue(made) == {"manager_a", "staff2_a"}
    for other in ("代理商B", "manager_b", "staff_b", "owner_b"):
        assert folded(other) not in made.text and other not in made.csv


def test_a_period_without_broadcasts_says_so(sent):
    made = make(sent.admin, "broadcasts", start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert made.source["tables"] == []
    assert folded("本期间没有") in made.text


def test_the_csv_holds_the_same_rows_with_numbers_and_no_data(sent):
    made = make(sent.admin, "broadcasts", **MARCH)
    lines = made.csv.splitlines()
    assert any(line.startswith("渠道政策调整,2026-03-02 10:00,8,")
               and line.endswith(",3,2,5") for line in lines)
    assert any(line.startswith("假期通知,2026-03-02 10:00,8,")
               and line.endswith(",暂无数据" * 3) for line in lines)
    assert "渠道政策调整,2026-03-02 11:00,"in made.csv and ",38%,25%," in made.csv


def test_nothing_a_broadcast_title_points_at_is_fetched_or_embedded(sent, monkeypatch):
    fetched = watch_fetches(monkeypatch)
    sent.policy.title = "渠道政策" + HOSTILE
    db.session.commit()
    assert_nothing_fetched(make(sent.auditor, "broadcasts", **MARCH), fetched)
