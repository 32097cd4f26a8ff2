"""Scorecards computed from the month's data: each metric on a hand-computed example,
stored lines with their numerators, no data left out, ranks among a tier, closing
(frozen, idempotent, tier changes), and fairness: size does not count, an unrelated
partner's data does not move a score, the same inputs give the same score."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.health.models import HealthMonth
from portal.org.models import Region
from portal.scoring import metrics
from portal.scoring.compute import card_of, months_to_close, rescore
from portal.scoring.models import ManualValue, Scorecard, ScoringRun, TierChange
from tests import habiting
from tests.scoring import (AFTER, DURING, MARCH, compute, criteria_set, criterion,
                           enablement_set, health)


def card(partner, month=MARCH):
    return db.session.execute(select(Scorecard).where(
        Scorecard.partner_id == partner.id, Scorecard.month == month)).scalar_one_or_none()


def lines(scorecard):
    return {line.criterion.code: line for line in scorecard.lines}


def test_a_scorecard_keeps_each_metric_with_where_it_came_from(world):
    enablement_set()
    health(world.a.partner, exam_assigned=8, exam_covered=6, acks_due=10, acks_on_time=9)
    compute()
    got = card(world.a.partner)
    by = lines(got)
    assert (by["exams"].numerator, by["exams"].denominator, by["exams"].value) == (6, 8, 75)
    assert by["exams"].points == 75
    assert by["acks"].value == 90 and by["acks"].points == 80    # 50 % -> 0, 100 % -> 100
    assert got.total == pytest.approx(75 * .6 + 80 * .4)         # 77
    assert got.earned_tier == "B" and got.frozen_at is None


def test_no_data_is_left_out_and_the_weights_renormalised(world):
    enablement_set()
    health(world.a.partner, exam_assigned=0, exam_covered=0, acks_due=4, acks_on_time=4)
    compute()
    by = lines(card(world.a.partner))
    assert by["exams"].value is None and by["exams"].share is None
    assert by["acks"].share == 1 and card(world.a.partner).total == 100
    # Partner B has no health row at all: a scorecard with no total, not a zero.
    assert card(world.b.partner).total is None


def test_town_coverage_counts_towns_with_an_effective_visit(world):
    criteria_set(criterion("towns", "town_coverage", 100, 0, 100, group="local_service"))
    habiting.freeze(habiting.T0)
    shop = habiting.customer(world.a.owner, "清波鲜果", town=habiting.TOWN_A)
    other = habiting.customer(world.a.owner, "南星粮油", town=habiting.TOWN_A2)
    habiting.visit(world.a.staff, shop)
    habiting.visit(world.a.staff, shop)
    habiting.visit(world.a.staff, other, decision_maker=False)      # not effective
    towns = db.session.scalar(select(func.count()).select_from(Region).where(
        Region.level == "town", Region.code.like("330102%")))
    compute()
    line = lines(card(world.a.partner))["towns"]
    assert (line.numerator, line.denominator) == (1, towns)
    assert line.value == pytest.approx(100 / towns, abs=1e-3)
    # B has a territory but no effective visit: 0 % is data (its towns are known).
    assert lines(card(world.b.partner))["towns"].value == 0


def test_ranks_and_percentiles_are_among_the_partners_of_one_tier(world, make):
    enablement_set()
    third = make.partner("代理商C", tier="A")
    for partner, covered in ((world.a.partner, 10), (world.b.partner, 5), (third, 1)):
        health(partner, exam_assigned=10, exam_covered=covered, acks_due=2, acks_on_time=2)
    compute()
    a, b, c = card(world.a.partner), card(world.b.partner), card(third)
    assert (a.rank, a.ranked, a.percentile) == (1, 2, 100)
    assert (b.rank, b.ranked, b.percentile) == (2, 2, 0)
    assert (c.rank, c.ranked, c.percentile) == (1, 1, None)        # alone in tier A


def test_a_suspended_partner_is_not_scored(world):
    enablement_set()
    world.b.partner.status = "suspended"
    db.session.commit()
    health(world.b.partner, exam_assigned=1, exam_covered=1, acks_due=1, acks_on_time=1)
    compute()
    assert card(world.b.partner) is None


def test_closing_freezes_once_and_applies_tier_changes(world):
    enablement_set()
    health(world.a.partner, exam_assigned=10, exam_covered=10, acks_due=10, acks_on_time=10)
    health(world.b.partner, exam_assigned=10, exam_covered=1, acks_due=10, acks_on_time=5)
    compute(close=True)
    a, b = card(world.a.partner), card(world.b.partner)
    assert b.earned_tier == "C"
    assert a.frozen_at is not None and a.earned_tier == "A"
    # A was B and earned A: promoted at once. B was B and earned C: waits for a person.
    assert world.a.partner.tier == "A" and world.b.partner.tier == "B"
    changes = {c.partner_id: c for c in db.session.execute(select(TierChange)).scalars()}
    assert changes[world.a.partner.id].state == "applied"
    assert changes[world.b.partner.id].state == "pending"
    assert changes[world.b.partner.id].to_tier == "C"
    # Closing again, or the hourly job, changes nothing, even with new data.
    db.session.execute(update(HealthMonth).values(exam_covered=0))
    db.session.commit()
    assert compute(close=True) is None and compute() is None
    assert card(world.a.partner).total == 100
    assert db.session.scalar(select(func.count()).select_from(TierChange)) == 2


def test_an_open_month_is_recomputed_and_the_next_close_waits_for_the_close_day(world):
    enablement_set(month=MARCH)
    row = health(world.a.partner, exam_assigned=10, exam_covered=2, acks_due=1,
                 acks_on_time=1)
    compute(at=DURING)
    assert card(world.a.partner).total == pytest.approx(2 * 6 + 40)
    row.exam_covered = 8
    db.session.commit()
    compute(at=DURING)
    assert card(world.a.partner).total == pytest.approx(8 * 6 + 40)
    assert months_to_close(datetime(2026, 4, 2, 2, tzinfo=timezone.utc)) == []
    assert months_to_close(datetime(2026, 4, 3, 2, tzinfo=timezone.utc)) == [MARCH]


def test_a_manual_value_replaces_the_metric_and_rescoring_keeps_the_card_frozen(world):
    cset = enablement_set()
    health(world.a.partner, exam_assigned=10, exam_covered=5, acks_due=10, acks_on_time=10)
    compute(close=True)
    frozen = card(world.a.partner)
    assert frozen.total == pytest.approx(5 * 6 + 40)
    exams = next(c for c in cset.criteria if c.code == "exams")
    db.session.add(ManualValue(partner_id=world.a.partner.id, month=MARCH,
                               criterion_id=exams.id, value=90))
    db.session.commit()
    rescore(frozen)
    db.session.commit()
    line = lines(frozen)["exams"]
    assert line.manual and line.value == 90 and line.numerator is None
    assert frozen.total == pytest.approx(90 * .6 + 40) and frozen.frozen_at is not None


def test_what_if_changes_only_the_copy(world):
    enablement_set()
    health(world.a.partner, exam_assigned=10, exam_covered=5, acks_due=10, acks_on_time=10)
    compute()
    stored = card(world.a.partner)
    moved = card_of(stored, {"exams": 100})
    assert moved.total == 100 and moved.tier == "A"
    db.session.refresh(stored)
    assert stored.total == pytest.approx(70)


def test_size_region_structure_and_tier_do_not_change_a_score(world, make):
    """The same behaviour per person: 4 people in a loose tier-B partner of Zhejiang
    against 40 in a tight tier-A one of Jiangsu (ranks are within a tier, totals not)."""
    enablement_set()
    world.c = make.partner("代理商C", province="32", tier="A", structure="tight")
    health(world.a.partner, headcount=4, exam_assigned=4, exam_covered=3, acks_due=8,
           acks_on_time=7)
    health(world.c, headcount=40, exam_assigned=40, exam_covered=30, acks_due=80,
           acks_on_time=70)
    compute()
    a, c = card(world.a.partner), card(world.c)
    assert (world.a.partner.province_code, world.a.partner.structure) != ("32", "tight")
    assert a.tier != c.tier and a.total == c.total is not None
    assert [line.points for line in a.lines] == [line.points for line in c.lines]


def test_an_unrelated_partners_data_does_not_move_a_score(world):
    enablement_set()
    health(world.a.partner, exam_assigned=10, exam_covered=7, acks_due=3, acks_on_time=2)
    b = health(world.b.partner, exam_assigned=10, exam_covered=1, acks_due=3, acks_on_time=3)
    compute(at=DURING)
    before, b_before = card(world.a.partner).total, card(world.b.partner).total
    b.exam_covered = 10
    db.session.commit()
    compute(at=DURING + timedelta(hours=5))
    assert card(world.a.partner).total == before
    assert card(world.b.partner).total > b_before


def test_the_same_inputs_give_the_same_score_whenever_it_is_computed(world):
    enablement_set()
    health(world.a.partner, exam_assigned=9, exam_covered=7, acks_due=7, acks_on_time=6)
    compute(at=DURING)
    first = card(world.a.partner).total
    compute(at=AFTER)
    compute(at=AFTER + timedelta(days=1))
    assert card(world.a.partner).total == first
    assert db.session.scalar(select(func.count()).select_from(ScoringRun)) == 3


def test_a_later_version_judges_only_the_months_from_its_effective_month(world):
    enablement_set(month=date(2026, 1, 1))
    later = criteria_set(criterion("acks", "acknowledgement_rate", 100, 0, 100),
                         month=date(2026, 4, 1))
    health(world.a.partner, exam_assigned=10, exam_covered=10, acks_due=10, acks_on_time=5)
    compute()
    march = card(world.a.partner)
    assert march.set_id != later.id and len(march.lines) == 2


def test_every_metric_is_registered_with_its_words():
    assert set(metrics.METRICS) >= {
        "conflicts_per_100", "violations_per_10", "on_time_payments", "town_coverage",
        "first_response_hours", "resolved_in_target", "csat", "nps", "exam_coverage",
        "training_completion", "acknowledgement_rate", "revenue_vs_target"}
    for metric in metrics.METRICS.values():
        assert metric.direction in ("higher", "lower") and str(metric.explain)
