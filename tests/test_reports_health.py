"""The team-health report of a partner and month, checked against the health pages'
own figures on the month the page tests work out by hand.

March 2026 (22 working days) for partner A: staff_a logs 10 days of 3 visits, 2 of them
effective, from Monday 2 March; one order of 60,000 fen against a partner revenue
target of 100,000 fen. A has three salespeople (66 salesperson-days). So: effective-visit
rate 20 ÷ 30 = 66.7; revenue ¥600.00 of ¥1,000.00 = 60.0 (the whole performance part);
effective visits per salesperson-day 20 ÷ 66 = 0.30; 10 of 66 days logged = 15.2 %."""
import csv
import io
from datetime import date

import pytest
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.core.errors import DomainError
from portal.extensions import db
from portal.health.models import HealthMonth
from portal.health.read import explain
from portal.org.models import Partner
from portal.reports import services
from tests.healthing import JOINED, MARCH, hand_worked_march
from tests.reporting import folded, make


@pytest.fixture
def a(world):
    db.session.execute(update(Partner).values(created_at=JOINED))
    return hand_worked_march(world)


def partner_row(partner) -> HealthMonth:
    return db.session.execute(select(HealthMonth).where(
        HealthMonth.month == MARCH, HealthMonth.subject == f"partner:{partner.id}")).scalar_one()


def table(made, title) -> dict:
    """The attachment's table called `title` (in the report's Chinese)."""
    found = [t for t in made.source["tables"] if t["title"] == title]
    assert found, [t["title"] for t in made.source["tables"]]
    return found[0]


def chinese(text: str) -> str:
    with current_app.test_request_context(), force_locale("zh"):
        return str(_(text))


def csv_tables(made) -> dict[str, list[list[str]]]:
    """The CSV's tables by their "section · title" line."""
    tables, current = {}, None
    for line in csv.reader(io.StringIO(made.csv)):
        if not line:
            current = None
        elif current is None and len(line) == 1:
            current = tables.setdefault(line[0], [])
        elif current is not None:
            current.append(line)
    return tables


def test_the_report_shows_the_partner_pages_figures_by_hand(a):
    made = make(a.owner, "health", partner_id=a.partner.id, month=MARCH)
    text = made.text
    for figure in ("66.7", "600.00", "1000.00", "60.0", "0.30", "15.2"):
        assert figure in text, figure
    row = partner_row(a.partner)
    assert f"{row.overall:.1f}" in text and a.partner.name in text
    assert made.source["source"]["health"]["overall"] == pytest.approx(row.overall)


def test_every_measure_has_the_score_and_share_the_explanation_gives(a):
    made = make(a.owner, "health", partner_id=a.partner.id, month=MARCH)
    explained = explain(partner_row(a.partner))
    for part in explained["parts"].values():
        rows = table(made, chinese(str(part["label"])))["rows"]
        assert [r[3] for r in rows] == [None if line.score is None else round(line.score, 1)
                                        for line in part["lines"]]
        assert [r[5] for r in rows] == [None if line.share is None else round(line.share * 100)
                                        for line in part["lines"]]


def test_targets_against_results_are_the_targets_pages(a):
    made = make(a.owner, "health", partner_id=a.partner.id, month=MARCH)
    revenue = next(r for r in table(made, chinese("Targets against results"))["rows"]
                   if r[0] == chinese("Revenue (yuan)"))
    # Target ¥1,000.00, ¥600.00 done, 60 % of it; the month is over: the pace is the target.
    assert revenue[1:] == ["1000.00", "600.00", 60, "1000.00", 60]
    visits = next(r for r in table(made, chinese("Targets against results"))["rows"]
                  if r[0] == chinese("Visits"))
    assert visits[1] is None and visits[2] == 30


def test_one_row_per_person_of_the_partner_by_team_with_their_figures(world, a):
    made = make(a.owner, "health", partner_id=a.partner.id, month=MARCH)
    teams = {team: {r[0]: r for r in table(made, team)["rows"]}
             for team in (a.team.name, a.other_team.name, chinese("No team"))}
    assert set(teams[a.team.name]) == {a.manager.display_name, a.staff.display_name}
    assert set(teams[a.other_team.name]) == {a.other_staff.display_name}
    assert set(teams[chinese("No team")]) == {a.owner.display_name}
    staff = db.session.execute(select(HealthMonth).where(
        HealthMonth.month == MARCH, HealthMonth.subject == f"person:{a.staff.id}")).scalar_one()
    # staff_a: 20 effective visits over 22 working days, revenue ¥600.00.
    row = teams[a.team.name][a.staff.display_name]
    assert row[1] == round(staff.overall, 1)
    assert row[5:] == ["0.91", None, "600.00"]
    assert world.b.staff.display_name not in made.text


def test_an_owner_cannot_ask_for_another_partners_health(world, a):
    for asker in (a.owner, world.cm):
        with pytest.raises(DomainError) as refused:
            services.request_report(asker, "health", {"partner_id": world.b.partner.id,
                                                      "month": MARCH})
        assert refused.value.field == "partner_id"


def test_the_owner_gets_its_own_partner_whatever_it_leaves_out(world, a):
    made = make(a.owner, "health", month=MARCH)
    assert made.report.partner_id == a.partner.id
    assert world.b.partner.name not in made.text


def test_an_auditor_reads_any_partner(world, a):
    made = make(world.auditor, "health", partner_id=world.b.partner.id, month=MARCH)
    assert world.b.partner.name in made.text and a.partner.name not in made.text
    assert made.source["source"]["health"]["counts"]["effective"] == 15


def test_a_month_without_health_says_so(a):
    made = make(a.owner, "health", partner_id=a.partner.id, month=date(2026, 2, 1))
    assert made.source["tables"] == []
    assert folded(chinese("No team health for this partner and month: the month was not "
                          "computed, or nothing was counted for the partner then.")) in made.text


def test_the_csv_holds_the_same_rows_numbers_as_numbers(a):
    made = make(a.owner, "health", partner_id=a.partner.id, month=MARCH)
    tables = csv_tables(made)
    people = next(rows for title, rows in tables.items() if title.endswith(a.team.name))
    by_name = {r[0]: r for r in people[1:]}
    assert by_name[a.staff.display_name][5:] == ["0.91", "暂无数据", "600.00"]
    owner = next(rows for title, rows in tables.items() if title.endswith(chinese("No team")))
    assert owner[1][5] == "暂无数据"  # the owner is not a salesperson
    trend = next(rows for title, rows in tables.items()
                 if title.endswith(chinese("Scores by month")))
    assert len(trend) == 1 + 6 and sum(r.count("暂无数据") for r in trend[1:6]) == 5 * 4
    assert not any(cell.startswith("'") for rows in tables.values() for r in rows for cell in r)
