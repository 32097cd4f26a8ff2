"""The registrations report of a period: what it counts, what each side may see of a
conflict case, and its CSV.

March 2026, from Tuesday 3 March 10:00 (partners may register outside their territory):
A's staff registers 西湖鲜果店 (protected) and 湖滨茶社 (protected, released in April);
B's owner registers 西湖鲜果店 too (refused: another partner holds it) and 龙井农庄
(protected), then contests the refusal; three hours later A's channel manager decides
for the holder. So for March: A filed 2, 2 claims, 0 conflicts caused (0.0 per 100); B
filed 2, 2 claims (a refusal as "protected" is a claim), 1 refused, 1 conflict caused:
50.0 per 100, as partner scoring counts it. The case was decided within its 72 hours."""
import csv
import io
import json
from datetime import date

import pytest
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core.errors import DomainError
from portal.extensions import db
from portal.registrations import cases, services
from portal.reports import services as reports
from portal.scoring.metrics import METRICS, period
from tests.registering import TOWN_A, freeze, later, register, rule
from tests.reporting import folded, make

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def chinese(text: str, **values) -> str:
    with current_app.test_request_context(), force_locale("zh"):
        return str(_(text, **values))


@pytest.fixture
def march(world):
    freeze()
    rule(outside_territory="allow")
    held = register(world.a.staff)
    released = register(world.a.staff, name="湖滨茶社")
    refused = register(world.b.owner, town=TOWN_A)
    register(world.b.owner, name="龙井农庄")
    case = cases.open_case(world.b.owner, refused, "我们先拜访过")
    db.session.commit()
    later(hours=3)
    cases.decide(world.cm, case, "holder", "持有方报备在先")
    db.session.commit()
    later(days=40)
    services.release(world.a.staff, released)
    db.session.commit()
    return held, released, refused, case


def table(made, title) -> list:
    found = [t for t in made.source["tables"] if t["title"] == title]
    assert found, [t["title"] for t in made.source["tables"]]
    return found[0]["rows"]


def test_counts_per_partner_are_the_scoring_facts(world, march):
    made = make(world.admin, "registrations", **MARCH)
    counts = {r[0]: r for r in table(made, chinese("Per partner"))}
    # Partner, filed, claims, protected, under review, ended, refused, caused, per 100.
    assert counts[world.a.partner.name][1:] == [2, 2, 2, 0, 0, 0, 0, 0.0]
    assert counts[world.b.partner.name][1:] == [2, 2, 1, 0, 0, 1, 1, 50.0]
    scored = METRICS["conflicts_per_100"].compute(period(date(2026, 3, 1)), None)
    assert scored[world.b.partner.id].value == counts[world.b.partner.name][8]
    assert scored[world.a.partner.id].value == counts[world.a.partner.name][8]
    refused = table(made, chinese("Refused by reason"))
    assert refused == [[world.b.partner.name,
                        chinese("Another registration already protects this customer."), 1]]


def test_the_status_is_the_one_at_the_end_of_the_period(world, march):
    made = make(world.a.owner, "registrations", **MARCH)
    rows = {r[1]: r for r in table(made, world.a.partner.name)}
    # 湖滨茶社 was released in April: at the end of March it was still protected.
    assert rows["湖滨茶社"][2] == chinese("Protected")
    assert rows["湖滨茶社"][3] == "2026-03-03 10:00"
    later(hours=1)
    april = make(world.a.owner, "registrations", start=date(2026, 3, 1),
                 end=date(2026, 4, 30))
    rows = {r[1]: r for r in table(april, world.a.partner.name)}
    assert rows["湖滨茶社"][2] == chinese("Released")


def test_a_principal_reader_gets_every_partner_grouped_by_partner(world, march):
    made = make(world.auditor, "registrations", **MARCH)
    assert [r[1] for r in table(made, world.a.partner.name)] == ["西湖鲜果店", "湖滨茶社"]
    assert [r[1] for r in table(made, world.b.partner.name)] == ["西湖鲜果店", "龙井农庄"]
    (row,) = table(made, chinese("Conflict cases opened or decided in the period"))
    assert row[2:4] == [world.a.partner.name, world.b.partner.name]
    assert row[4:] == ["2026-03-03 10:00", "2026-03-06 10:00", "2026-03-03 13:00",
                       chinese("Yes")]
    (decision,) = table(made, chinese("Decisions and their reasons"))
    assert decision[1:] == [chinese("For the holder"), world.cm.display_name, "持有方报备在先"]


def test_an_owner_sees_its_own_side_and_the_other_partner_unnamed(world, march):
    for mine, other in ((world.a, world.b), (world.b, world.a)):
        made = make(mine.owner, "registrations", **MARCH)
        assert other.partner.name not in made.text
        assert other.partner.name not in json.dumps(made.source, ensure_ascii=False)
        assert other.partner.name not in made.csv
        assert world.cm.display_name not in made.text
        (row,) = table(made, chinese("Conflict cases opened or decided in the period"))
        names = [mine.partner.name, chinese("The other partner")]
        assert row[2:4] == (names if mine is world.a else names[::-1])
        (decision,) = table(made, chinese("Decisions and their reasons"))
        assert decision[2] == chinese("The principal")
        assert [t["title"] for t in made.source["tables"]
                if t["title"] in (world.a.partner.name, world.b.partner.name)] == [
            mine.partner.name]
    refused = {r[1]: r for r in table(made, world.b.partner.name)}["西湖鲜果店"]
    assert refused[2] == chinese("Refused") and "代理商" not in refused[5]


def test_an_owner_cannot_ask_for_another_partners_registrations(world, march):
    for asker in (world.a.owner, world.cm):
        with pytest.raises(DomainError) as refused:
            reports.request_report(asker, "registrations",
                                   {"partner_id": world.b.partner.id, **MARCH})
        assert refused.value.field == "partner_id"


def test_an_open_case_past_its_time_is_not_in_time(world):
    freeze()
    rule(outside_territory="allow")
    register(world.a.staff)
    refused = register(world.b.owner, town=TOWN_A)
    cases.open_case(world.b.owner, refused, "我们先拜访过")
    db.session.commit()
    later(hours=80)
    made = make(world.cm, "registrations", **MARCH)
    (row,) = table(made, chinese("Conflict cases opened or decided in the period"))
    assert row[6:] == [chinese("Awaiting a decision"), chinese("No, overdue")]
    assert table(made, chinese("Decisions and their reasons")) == []


def test_a_period_without_registrations_says_so(world, march):
    made = make(world.admin, "registrations", start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert made.source["tables"] == []
    assert folded(chinese("No registration was filed and no conflict case opened or "
                          "decided in this period.")) in made.text


def test_the_csv_holds_the_same_rows_numbers_as_numbers(world, march):
    made = make(world.admin, "registrations", **MARCH)
    lines = list(csv.reader(io.StringIO(made.csv)))
    assert [world.b.partner.name, "2", "2", "1", "0", "0", "1", "1", "50.0"] in lines
    assert [world.a.partner.name, "2", "2", "2", "0", "0", "0", "0", "0.0"] in lines
    filed = next(line for line in lines if line[:2] == ["2026-03-03 10:00", "龙井农庄"])
    assert filed[2] == chinese("Protected") and filed[5] == ""
