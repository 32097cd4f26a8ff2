"""Service tickets and the facts scoring reads, on a hand-computed example.

The example (rule version 1: first response within 4 h, resolution within 48 h). The
clock stands at T0 + 10 days; the window is March 2026 [1 Mar, 1 Apr) UTC. Partner A:

    t1 opened T0        first +1 h   resolved +10 h (met)     CSAT 5
    t2 opened T0 + 1 d  first +3 h   resolved +50 h (missed)  CSAT 3
    t3 opened T0 + 2 d  first +8 h   open, 8 days old: past its 48 h (missed)
    t4 opened T0 + 9 d  first +2 h   open, 1 day old: not due yet (does not count)  NPS 10
    t5 opened T0 + 3 d  first +1 h   open, past due (missed)                         NPS 5
    t6 opened 27 Feb    first +1 h   outside the window

Median first response of t1–t5: hours (1, 3, 8, 2, 1) sorted (1, 1, 2, 3, 8) → 2.0, 5.
Resolved within target: t1 of t1, t2, t3, t5 → (1, 4).
Satisfaction: CSAT (5 + 3, 2); NPS promoters 1 (t4), detractors 1 (t5), 2 answers.
Partner B has no ticket: it is absent from every answer."""
from datetime import datetime, timedelta, timezone

import pytest

from portal.core import clock
from portal.core.errors import DomainError
from portal.extensions import db
from portal.service import figures, rules, tickets
from portal.service.models import Ticket

T0 = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
NOW = T0 + timedelta(days=10)
MARCH = (datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 4, 1, tzinfo=timezone.utc))
TOWN_A = "330102001"
_n = iter(range(1, 10_000))


def ticket(who, partner, opened, first=None, resolved=None, scale=None, score=None, **more):
    made = tickets.open_ticket(who, partner.id, {
        "client_id": f"t-{next(_n)}", "subject": "冷柜不制冷", "opened_at": opened,
        "first_response_at": None if first is None else opened + timedelta(hours=first),
        "resolved_at": None if resolved is None else opened + timedelta(hours=resolved),
        "satisfaction_scale": scale, "satisfaction": score, **more}).ticket
    db.session.commit()
    return made


@pytest.fixture
def example(world):
    clock.set_now(NOW)
    a, owner = world.a.partner, world.a.owner
    made = [ticket(owner, a, T0, 1, 10, "csat", 5),
            ticket(owner, a, T0 + timedelta(days=1), 3, 50, "csat", 3),
            ticket(owner, a, T0 + timedelta(days=2), 8),
            ticket(owner, a, T0 + timedelta(days=9), 2, None, "nps", 10),
            ticket(owner, a, T0 + timedelta(days=3), 1, None, "nps", 5),
            ticket(owner, a, datetime(2026, 2, 27, 3, tzinfo=timezone.utc), 1)]
    return world, made


def test_median_first_response_of_the_window(example):
    world, _made = example
    assert figures.median_first_response_hours(*MARCH) == {world.a.partner.id: (2.0, 5)}


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(example):
    world, _made = example
    april = (MARCH[0] + timedelta(days=3), MARCH[0] + timedelta(days=5))  # t2 and t3 opened
    assert figures.median_first_response_hours(*april) == {world.a.partner.id: (5.5, 2)}


def test_resolution_within_target_counts_resolved_and_past_due_tickets(example):
    world, _made = example
    assert figures.resolution_within_target(*MARCH, now=NOW) == {world.a.partner.id: (1, 4)}
    # Earlier, on T0 + 4 d: t3 (opened T0 + 2 d) and t5 (T0 + 3 d) were not due yet.
    assert figures.resolution_within_target(*MARCH, now=T0 + timedelta(days=4, hours=1)) \
        == {world.a.partner.id: (1, 3)}


def test_satisfaction_sums_csat_and_counts_nps_promoters_and_detractors(example):
    world, _made = example
    assert figures.satisfaction(*MARCH) == {world.a.partner.id: {"csat": (8, 2),
                                                                 "nps": (1, 1, 2)}}


def test_a_partner_without_tickets_is_absent_never_zero(example):
    world, _made = example
    b = [world.b.partner.id]
    assert figures.median_first_response_hours(*MARCH, partner_ids=b) == {}
    assert figures.resolution_within_target(*MARCH, partner_ids=b, now=NOW) == {}
    assert figures.satisfaction(*MARCH, partner_ids=b) == {}
    assert world.b.partner.id not in figures.summary(*MARCH, now=NOW)


def test_the_summary_reads_in_plain_numbers(example):
    world, _made = example
    found = figures.summary(*MARCH, now=NOW)[world.a.partner.id]
    assert found["tickets"] == 5 and found["median_first_hours"] == 2.0
    assert found["resolved_share"] == 0.25 and found["csat"] == 4.0 and found["nps"] == 0


def test_a_ticket_keeps_the_rule_it_was_opened_under(world):
    clock.set_now(T0)
    version = rules.publish(world.admin, effective_from=T0 + timedelta(days=5),
                            first_response_hours=1, resolution_hours=8)
    db.session.commit()
    clock.set_now(NOW)
    a, owner = world.a.partner, world.a.owner
    before = ticket(owner, a, T0 + timedelta(days=1), 2, 10)   # v1: 10 h ≤ 48 h, met
    after = ticket(owner, a, T0 + timedelta(days=6), 2, 10)    # v2: 10 h > 8 h, missed
    assert before.rule.version == 1 and after.rule_id == version.id
    assert figures.resolution_within_target(*MARCH, now=NOW) == {a.id: (1, 2)}
    assert tickets.timing(after).resolution_met is False
    assert tickets.timing(before).resolution_met is True


def test_a_rule_never_takes_effect_in_the_past(world):
    clock.set_now(T0)
    with pytest.raises(DomainError) as refused:
        rules.publish(world.admin, effective_from=T0 - timedelta(hours=1),
                      first_response_hours=4, resolution_hours=48)
    assert refused.value.field == "effective_from"
    with pytest.raises(DomainError) as refused:
        rules.publish(world.admin, effective_from=T0 + timedelta(hours=1),
                      first_response_hours=10, resolution_hours=5)
    assert refused.value.field == "resolution_hours"


@pytest.mark.parametrize("change, field", [
    ({"first_response_at": T0 - timedelta(hours=1)}, "first_response_at"),
    ({"resolved_at": T0 + timedelta(hours=1)}, "first_response_at"),
    ({"first_response_at": T0 + timedelta(hours=3), "resolved_at": T0 + timedelta(hours=2)},
     "resolved_at"),
    ({"opened_at": NOW + timedelta(hours=1)}, "opened_at"),
    ({"satisfaction_scale": "csat", "satisfaction": 9}, "satisfaction"),
    ({"satisfaction": 3}, "satisfaction_scale"),
    ({"town_code": "330106002"}, "town_code"),  # B's territory
    ({"subject": ""}, "subject"),
])
def test_bad_times_and_answers_are_refused_on_their_field(world, change, field):
    clock.set_now(NOW)
    with pytest.raises(tickets.Problems) as refused:
        tickets.open_ticket(world.a.owner, world.a.partner.id, {
            "client_id": "x-1", "subject": "漏水", "opened_at": T0, **change})
    assert field in refused.value.details
    db.session.rollback()
    assert db.session.query(Ticket).count() == 0


def test_the_same_entry_again_is_the_same_ticket_and_different_content_a_conflict(world):
    clock.set_now(NOW)
    values = {"client_id": "crm-77", "subject": "漏水", "opened_at": T0, "town_code": TOWN_A}
    first = tickets.open_ticket(world.a.owner, world.a.partner.id, values)
    again = tickets.open_ticket(world.a.owner, world.a.partner.id, dict(values))
    assert first.created and not again.created and again.ticket.id == first.ticket.id
    with pytest.raises(DomainError) as refused:
        tickets.open_ticket(world.a.owner, world.a.partner.id, {**values, "subject": "断电"})
    assert refused.value.status == 409
    # Another partner's number space is its own.
    assert tickets.open_ticket(world.b.owner, world.b.partner.id,
                               {**values, "town_code": None}).created


def test_progress_is_checked_against_the_opening(world):
    clock.set_now(NOW)
    found = ticket(world.a.owner, world.a.partner, T0)
    tickets.update_ticket(found, {"first_response_at": T0 + timedelta(hours=2),
                                  "resolved_at": T0 + timedelta(hours=5),
                                  "satisfaction_scale": "nps", "satisfaction": 9})
    assert tickets.state(found) == "resolved"
    with pytest.raises(DomainError):
        tickets.update_ticket(found, {"resolved_at": T0 - timedelta(hours=1)})
