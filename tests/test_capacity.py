"""Capacity planning: the workload formula on a worked example, the hiring date, bad
input, and the defaults observed in a small world.

The worked example (no holidays configured):
- workload: 120 existing × 2 visits + 300 not yet joined × 1 + 40 newly added × 3
  = 240 + 300 + 120 = 660 visits a month;
- one person: 6 visits a person-day × 22 working days = 132 visits a month;
- people needed: 660 ÷ 132 = 5.0 → 5 people;
- serving now: 4 people of whom 1 still ramping at 50 % → 3 + 0.5 = 3.5;
- gap: 5.0 − 3.5 = 1.5 → hire 2;
- hire by: productive by Monday 4 May 2026, 22 working days of ramp-up before it:
  Friday 1 May is one, April's 30th back to its 2nd are the other 21 → Thursday 2 April.
"""
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from portal.capacity import capacity
from portal.capacity.capacity import Inputs
from portal.capacity.observed import observe
from portal.core.errors import DomainError
from portal.extensions import db
from tests.habiting import TOWN_A2, TOWN_B, customer, freeze, visit
from tests.resulting import order

TODAY = date(2026, 3, 3)
EXAMPLE = dict(existing=120, prospect=300, new=40, visits_existing=2, visits_prospect=1,
               visits_new=3, visits_per_day=6, working_days=22, ramp_days=22, ramp_share=50,
               serving=4, ramping=1, target_on=date(2026, 5, 4))


def _form(**changes) -> dict:
    values = {**EXAMPLE, **changes}
    return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items()}


def test_worked_example_needs_five_people_and_two_hires(app):
    with app.test_request_context():
        result = capacity.compute(Inputs(**EXAMPLE), TODAY)
    assert result.workload == 660
    assert result.per_person == 132
    assert result.fte == pytest.approx(5.0)
    assert result.headcount == 5  # 5.0 is five people, not six
    assert result.effective == 3.5
    assert result.gap == pytest.approx(1.5)
    assert result.hires == 2
    assert result.hire_by == date(2026, 4, 2)
    assert not result.late


def test_formula_shows_the_numbers_filled_in(app):
    with app.test_request_context(), force_locale("en"):
        formula = capacity.compute(Inputs(**EXAMPLE), TODAY).formula
    assert "120 × 2 + 300 × 1 + 40 × 3 = 660" in formula[0]
    assert "6 visits a day × 22 working days = 132" in formula[1]
    assert "660 ÷ 132 = 5 → 5 people" in formula[2]
    assert "(4 − 1 ramping) + 1 × 50 % = 3.5" in formula[3]
    assert "5 − 3.5 = 1.5 → hire 2" in formula[4]
    assert "2026-05-04 − 22 working days of ramp-up = 2026-04-02" in formula[5]


def test_ramping_hires_count_at_their_share(app):
    with app.test_request_context():
        full = capacity.compute(Inputs(**{**EXAMPLE, "ramping": 0}), TODAY)
        none = capacity.compute(Inputs(**{**EXAMPLE, "ramp_share": 0}), TODAY)
    assert (full.effective, full.hires) == (4, 1)
    assert (none.effective, none.hires) == (3, 2)


def test_more_people_than_needed_is_no_hire(app):
    with app.test_request_context():
        result = capacity.compute(Inputs(**{**EXAMPLE, "serving": 7, "ramping": 0}), TODAY)
    assert result.gap == pytest.approx(-2) and result.hires == 0


def test_a_hiring_date_already_past_says_so(app):
    """Productive by Wednesday 1 April: March's 22 working days back from it → 2 March,
    the day before today."""
    with app.test_request_context():
        result = capacity.compute(Inputs(**{**EXAMPLE, "target_on": date(2026, 4, 1)}), TODAY)
    assert result.hire_by == date(2026, 3, 2) and result.late


def test_a_holiday_moves_the_hiring_date_earlier(app):
    app.config["HOLIDAYS"] = ("2026-04-03",)
    with app.test_request_context():
        assert capacity.hire_by(date(2026, 5, 4), 22) == date(2026, 4, 1)


def test_deal_cycle_dates_the_first_orders(app):
    with app.test_request_context(), force_locale("en"):
        result = capacity.compute(Inputs(**{**EXAMPLE, "deal_cycle_days": 14}), TODAY)
    assert result.first_orders_on == date(2026, 5, 18)
    assert "14 days of deal cycle = 2026-05-18" in result.formula[-1]


@pytest.mark.parametrize("field, value", [
    ("existing", "-1"), ("visits_per_day", "0"), ("visits_per_day", "500"),
    ("existing", "99999999999"), ("working_days", "40"), ("working_days", "2.5"),
    ("ramp_share", "150"), ("visits_new", "abc"), ("visits_new", "NaN"),
    ("ramping", "5"), ("target_on", "2026-02-01"), ("target_on", "2040-01-01"),
    ("target_on", "soon"), ("deal_cycle_days", "-3"), ("serving", "")])
def test_bad_input_names_its_field(app, field, value):
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            capacity.parse(_form(**{field: value}), TODAY)
    assert set(refused.value.details) == {field}
    assert refused.value.status == 400


def test_every_bad_field_is_named_at_once(app):
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            capacity.parse(_form(existing="-1", working_days="0"), TODAY)
    assert set(refused.value.details) == {"existing", "working_days"}


def test_parse_reads_the_worked_example(app):
    with app.test_request_context():
        assert capacity.parse(_form(), TODAY) == Inputs(**EXAMPLE)


def _at(day: date, hour=2):
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def observed_world(world):
    """A's book in 上城区 (330102): the staff's two existing customers, one not yet joined
    and one newly added in TOWN_A, the other staff's one not yet joined in TOWN_A2; B's
    in its own territory. Visits in February (the last three full months are December to
    February): A's staff 3 on the 10th and 1 on the 11th, the other staff 2 on the 10th,
    B's staff 9 on the 10th, A's staff 1 more in March (not a full month yet). First
    orders after the first visit: 10, 14, 20 and 20 days → median 17; a first order makes
    the shop existing, so the book then holds 4 existing and 1 not yet joined. A's staff joined 10
    days ago (still ramping), the other staff long ago."""
    a, b = world.a, world.b
    a.staff.created_at = _at(TODAY - timedelta(days=10))
    a.other_staff.created_at = _at(TODAY - timedelta(days=400))
    db.session.commit()
    freeze(_at(date(2026, 2, 10)))
    shops = [customer(a.staff, f"现有店{n}", klass="existing") for n in range(2)]
    shops.append(customer(a.staff, "未加入店", klass="prospect"))
    shops.append(customer(a.staff, "新增店", klass="new"))
    customer(a.other_staff, "二组未加入店", town=TOWN_A2, klass="prospect")
    b_shop = customer(b.staff, "乙方店", town=TOWN_B, klass="existing")
    for shop in shops[:3]:
        visit(a.staff, shop)
    visit(a.other_staff, shops[3])
    visit(a.other_staff, shops[3])
    for _n in range(9):
        visit(b.staff, b_shop)
    freeze(_at(date(2026, 2, 11)))
    visit(a.staff, shops[3])
    for shop, on in ((shops[0], 20), (shops[1], 24)):
        freeze(_at(date(2026, 2, on)))
        order(a.staff, shop)
    freeze(_at(date(2026, 3, 2)))
    order(a.staff, shops[3])  # first visited on the 10th (the other staff): 20 days
    order(a.staff, shops[2])  # first visited on the 10th: 20 days
    freeze(_at(TODAY))
    visit(a.staff, shops[0])
    return world


def test_observed_defaults_of_a_partners_county(app, observed_world):
    a = observed_world.a
    with app.test_request_context():
        seen = observe(a.owner, a.partner.id, "330102", TODAY, 22)
    assert seen.customers == {"existing": 4, "prospect": 1, "new": 0}
    assert seen.visits_per_day == 2.0  # 6 visits over 3 person-days with a visit
    assert (seen.visit_days, seen.since, seen.until) == (3, date(2025, 12, 1),
                                                          date(2026, 2, 28))
    assert (seen.deal_cycle, seen.deals) == (17, 4)  # 10, 14, 20, 20 → 17
    assert (seen.serving, seen.ramping) == (2, 1)


def test_observed_defaults_narrow_to_a_town(app, observed_world):
    a = observed_world.a
    with app.test_request_context():
        seen = observe(a.owner, a.partner.id, TOWN_A2, TODAY, 22)
    assert seen.customers == {"existing": 0, "prospect": 1, "new": 0}
    assert (seen.serving, seen.ramping) == (1, 0)


def test_the_whole_market_of_a_channel_manager_is_its_partners_only(app, observed_world):
    """The channel manager looks after A only: B's nine visits and its customer stay out."""
    with app.test_request_context():
        seen = observe(observed_world.cm, None, "3301", TODAY, 22)
    assert seen.customers == {"existing": 4, "prospect": 1, "new": 0}
    assert seen.visits_per_day == 2.0


def test_no_first_orders_is_no_deal_cycle(app, world):
    with app.test_request_context():
        seen = observe(world.b.owner, world.b.partner.id, "330106", TODAY, 22)
    assert (seen.deal_cycle, seen.deals, seen.visits_per_day) == (None, 0, None)
