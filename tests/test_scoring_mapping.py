"""Scoring as pure functions: points from a metric, the weighted total over criteria
with data, tiers and their gates, the gap to the next tier — hand-computed examples,
then the fairness properties (Hypothesis): the same values give the same score whatever
the order, improving one metric never lowers the score, a criterion without data is left
out with the weights renormalised."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.core.errors import DomainError
from portal.scoring.mapping import (Rule, check_anchors, check_tiers, check_weights, gap,
                                    points, score, value_for)

TIERS = [{"tier": "A", "min_total": 85, "min_each": 1},
         {"tier": "B", "min_total": 70, "min_each": 0},
         {"tier": "C", "min_total": 0, "min_each": 0}]


def linear(code, zero, full, weight, direction=None):
    direction = direction or ("higher" if full > zero else "lower")
    return Rule(None, code, "m", direction, "linear", {"zero": zero, "full": full}, weight)


def steps(code, pairs, weight, direction="higher"):
    return Rule(None, code, "m", direction, "thresholds", {"steps": pairs}, weight)


def test_linear_points_between_the_anchors_and_flat_outside():
    coverage = linear("cov", 50, 90, 10)          # 50 % -> 0 points, 90 % -> 100
    assert points(coverage, 70) == 50
    assert points(coverage, 40) == 0 and points(coverage, 95) == 100
    conflicts = linear("conf", 5, 0, 10)          # lower is better: 5 per 100 -> 0 points
    assert conflicts.direction == "lower"
    assert points(conflicts, 1) == 80
    assert points(conflicts, 8) == 0 and points(conflicts, 0) == 100
    assert points(coverage, None) is None


def test_thresholds_give_the_best_step_reached_in_either_direction():
    csat = steps("csat", [[3.5, 40], [4.0, 70], [4.5, 100]], 10)
    assert [points(csat, v) for v in (3.0, 3.5, 4.2, 4.9)] == [0, 40, 70, 100]
    hours = steps("resp", [[24, 30], [8, 60], [2, 100]], 10, direction="lower")
    assert [points(hours, v) for v in (30, 24, 5, 1.5)] == [0, 30, 60, 100]


def test_total_renormalises_the_weights_over_the_criteria_with_data():
    rules = [linear("a", 0, 100, 50), linear("b", 0, 100, 30), linear("c", 0, 100, 20)]
    card = score(rules, {"a": 80, "b": None, "c": 30}, TIERS)
    # b has no data: a weighs 50/70, c 20/70 -> 80*5/7 + 30*2/7 = 65.71
    assert card.total == pytest.approx(65.71, abs=0.01)
    shares = {line.code: line.share for line in card.lines}
    assert shares["b"] is None and shares["a"] == pytest.approx(5 / 7)
    assert score(rules, {}, TIERS).total is None


def test_tiers_need_the_total_and_the_floor_on_every_criterion():
    rules = [linear("a", 0, 100, 50), linear("b", 0, 100, 50)]
    assert score(rules, {"a": 90, "b": 90}, TIERS).tier == "A"
    # 100 and 72: total 86 but b... above the floor of 1 point: A.
    assert score(rules, {"a": 100, "b": 72}, TIERS).tier == "A"
    # 100 and 0: total 50, no metric may be at zero for A: C.
    card = score(rules, {"a": 100, "b": 0}, TIERS)
    assert card.tier == "C" and "b" in card.failing["A"] and "total" in card.failing["B"]
    assert score(rules, {"a": 80, "b": 70}, TIERS).tier == "B"


def test_gap_names_what_would_close_it_on_one_criterion():
    rules = [linear("a", 0, 100, 50), linear("b", 50, 90, 50)]
    card = score(rules, {"a": 70, "b": 70}, TIERS)       # 70*.5 + 50*.5 = 60 -> C
    found = gap(rules, card, TIERS, "C")
    assert found["tier"] == "B" and found["points"] == 10
    closers = {c.code: c.to_value for c in found["closers"]}
    # a alone: needs 70 + 10/0.5 = 90 points -> value 90; b alone: 50 + 20 = 70 points
    # -> 50 + 40 * 0.7 = 78.
    assert closers == {"a": 90, "b": 78}
    assert gap(rules, score(rules, {"a": 100, "b": 90}, TIERS), TIERS, "A") is None


def test_value_for_inverts_the_mapping():
    rule = linear("conf", 5, 0, 10)
    assert value_for(rule, 80) == 1
    assert points(rule, value_for(rule, 80)) == 80
    csat = steps("csat", [[3.5, 40], [4.0, 70], [4.5, 100]], 10)
    assert value_for(csat, 50) == 4.0 and value_for(csat, 101) is None


@pytest.mark.parametrize("direction, mapping, anchors", [
    ("higher", "linear", {"zero": 90, "full": 50}),
    ("lower", "linear", {"zero": 0, "full": 5}),
    ("higher", "linear", {"zero": 5, "full": 5}),
    ("higher", "linear", {"zero": "x", "full": 5}),
    ("higher", "thresholds", {"steps": [[4, 70], [3, 100]]}),
    ("higher", "thresholds", {"steps": [[3, 70], [4, 50]]}),
    ("lower", "thresholds", {"steps": [[2, 40], [8, 100]]}),
    ("higher", "thresholds", {"steps": [[3, 170]]}),
    ("higher", "thresholds", {"steps": []}),
])
def test_anchors_in_the_wrong_order_are_refused(direction, mapping, anchors):
    with pytest.raises(DomainError) as refused:
        check_anchors(direction, mapping, anchors)
    assert refused.value.field == "anchors"


def test_weights_and_tiers_are_checked():
    check_weights([40, 35, 25])
    with pytest.raises(DomainError, match="99"):
        check_weights([40, 35, 24])
    with pytest.raises(DomainError):
        check_tiers([{"tier": "B", "min_total": 70}, {"tier": "A", "min_total": 85}],
                    ("A", "B", "C"))
    with pytest.raises(DomainError):
        check_tiers([{"tier": "A", "min_total": 60}, {"tier": "B", "min_total": 70}],
                    ("A", "B", "C"))
    assert check_tiers(TIERS, ("A", "B", "C"))[0] == {"tier": "A", "min_total": 85.0,
                                                      "min_each": 1.0}


# -- properties --------------------------------------------------------------------------

values = st.one_of(st.none(), st.floats(min_value=-50, max_value=200, allow_nan=False))


@st.composite
def criteria(draw):
    count = draw(st.integers(min_value=1, max_value=6))
    rules = []
    for index in range(count):
        direction = draw(st.sampled_from(["higher", "lower"]))
        weight = draw(st.integers(min_value=1, max_value=60))
        if draw(st.booleans()):
            a, b = sorted(draw(st.lists(st.floats(min_value=-20, max_value=150,
                                                  allow_nan=False),
                                        min_size=2, max_size=2, unique=True)))
            zero, full = (a, b) if direction == "higher" else (b, a)
            rules.append(Rule(None, f"c{index}", "m", direction, "linear",
                              {"zero": zero, "full": full}, weight))
        else:
            cut = sorted(draw(st.lists(st.floats(min_value=-20, max_value=150,
                                                 allow_nan=False),
                                       min_size=1, max_size=4, unique=True)))
            if direction == "lower":
                cut = cut[::-1]
            pts = sorted(draw(st.lists(st.integers(min_value=0, max_value=100),
                                       min_size=len(cut), max_size=len(cut))))
            rules.append(Rule(None, f"c{index}", "m", direction, "thresholds",
                              {"steps": [list(p) for p in zip(cut, pts)]}, weight))
    given_values = {r.code: draw(values) for r in rules}
    return rules, given_values


@settings(max_examples=300, deadline=None)
@given(criteria(), st.randoms())
def test_the_order_of_criteria_and_values_does_not_change_the_score(case, rng):
    rules, given_values = case
    shuffled = rules[:]
    rng.shuffle(shuffled)
    items = list(given_values.items())
    rng.shuffle(items)
    first, second = score(rules, given_values, TIERS), score(shuffled, dict(items), TIERS)
    assert (first.total, first.tier) == (second.total, second.tier)


@settings(max_examples=400, deadline=None)
@given(criteria(), st.data())
def test_improving_one_metric_never_lowers_the_score(case, data):
    rules, given_values = case
    rule = data.draw(st.sampled_from(rules))
    before = given_values[rule.code]
    if before is None:
        return
    step = data.draw(st.floats(min_value=0, max_value=100, allow_nan=False))
    better = before + step if rule.direction == "higher" else before - step
    worse, improved = score(rules, given_values, TIERS), \
        score(rules, {**given_values, rule.code: better}, TIERS)
    assert improved.total >= worse.total - 1e-9
    order = [t["tier"] for t in TIERS]
    assert order.index(improved.tier) <= order.index(worse.tier)


@settings(max_examples=200, deadline=None)
@given(criteria(), st.data())
def test_a_criterion_without_data_is_left_out_and_the_rest_renormalised(case, data):
    rules, given_values = case
    rule = data.draw(st.sampled_from(rules))
    without = {**given_values, rule.code: None}
    card = score(rules, without, TIERS)
    others = [r for r in rules if r.code != rule.code]
    alone = score(others, without, TIERS)
    assert card.total == alone.total
    shares = [line.share for line in card.lines if line.share is not None]
    assert not shares or sum(shares) == pytest.approx(1.0)
