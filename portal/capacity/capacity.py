"""The capacity formula (测算市场容量 → 推算团队人数), pure: inputs in, result out.

Workload method: the visits a region's customers need a month, Σ customers × visits
each class needs, divided by what one person does a month (visits per person-day ×
working days) is the people needed (FTE), rounded up to a headcount. The people serving
the region count one each, except those still in their ramp-up, who count at the ramp
share (50 % by default): the gap is what is needed less that effective strength, and the
hires are the gap rounded up. A hire must start `ramp_days` working days before the date
by which it should be productive."""
import math
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.core.errors import DomainError
from portal.habits.models import CLASSES
from portal.results import months

# Bounds of every input: (lowest, highest, decimals allowed). Beyond them a number is a
# typing slip, not a plan (a town with ten million shops, a person making 80 visits a day).
BOUNDS = {
    "existing": (0, 1_000_000, False), "prospect": (0, 1_000_000, False),
    "new": (0, 1_000_000, False),
    "visits_existing": (0, 60, True), "visits_prospect": (0, 60, True),
    "visits_new": (0, 60, True),
    "visits_per_day": (0, 40, True), "working_days": (1, 31, False),
    "ramp_days": (0, 260, False), "ramp_share": (0, 100, False),
    "serving": (0, 100_000, False), "ramping": (0, 100_000, False),
}
# How far ahead a plan may look for its target date.
HORIZON_DAYS = 3 * 366
# Floating-point dust (660 / 132 = 5.000000001) must not round a headcount up.
EPSILON = 1e-9


@dataclass(frozen=True)
class Inputs:
    """One region's plan: customers per class, visits a month each class needs, what a
    person does (visits per person-day, working days a month), the ramp-up of a new hire
    (working days, share of a full person it counts for meanwhile), the people serving
    the region now (and how many of them are still ramping) and the target date."""
    existing: int
    prospect: int
    new: int
    visits_existing: float
    visits_prospect: float
    visits_new: float
    visits_per_day: float
    working_days: int
    ramp_days: int
    ramp_share: int  # per cent
    serving: int
    ramping: int
    target_on: date
    deal_cycle_days: int | None = None  # first visit to first order; None: no data

    def customers(self) -> dict:
        return {klass: getattr(self, klass) for klass in CLASSES}

    def visits(self) -> dict:
        return {klass: getattr(self, f"visits_{klass}") for klass in CLASSES}

    def as_form(self) -> dict:
        """The inputs as the form's fields hold them (strings)."""
        values = asdict(self)
        return {name: "" if value is None else _plain(value) for name, value in values.items()}


@dataclass(frozen=True)
class Result:
    workload: float  # visits a month
    per_person: float  # visits one person makes a month
    fte: float  # people needed
    headcount: int  # needed, rounded up
    effective: float  # the people serving, ramping ones at their share
    gap: float  # needed less effective (negative: more than needed)
    hires: int  # the gap rounded up, none when there is no gap
    hire_by: date  # start date of a hire productive by the target date
    late: bool  # hire_by is already past
    first_orders_on: date | None  # a hire's first orders: productive date + deal cycle
    formula: list  # the steps with the numbers filled in


def _plain(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _number(raw, low, high, decimals: bool):
    text = str(raw if raw is not None else "").strip().replace(",", "")
    if not text:
        raise ValueError(_l("Enter a number."))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_l("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_l("Enter a number."))
    if not decimals and number != number.to_integral_value():
        raise ValueError(_l("Enter a whole number."))
    if not low <= number <= high:
        raise ValueError(_("Enter a number from %(low)s to %(high)s.",
                           low=f"{low:,}", high=f"{high:,}"))
    return float(number) if decimals else int(number)


def parse(raw, today: date) -> Inputs:
    """The inputs from a form's strings, every field checked: a `DomainError` whose
    `details` name each field at fault (all of them, not just the first)."""
    values, errors = {}, {}
    for name, (low, high, decimals) in BOUNDS.items():
        try:
            values[name] = _number(raw.get(name), low, high, decimals)
        except ValueError as exc:
            errors[name] = str(exc.args[0])
    if not errors.get("visits_per_day") and values.get("visits_per_day") == 0:
        errors["visits_per_day"] = _("A person makes at least some visits a day.")
    if not errors.get("ramping") and not errors.get("serving") \
            and values["ramping"] > values["serving"]:
        errors["ramping"] = _("Cannot be more than the people serving the region.")
    try:
        target = date.fromisoformat(str(raw.get("target_on") or "").strip())
        if not today <= target <= today + timedelta(days=HORIZON_DAYS):
            errors["target_on"] = _("Pick a date from today to three years ahead.")
        values["target_on"] = target
    except ValueError:
        errors["target_on"] = _("Enter a date (YYYY-MM-DD).")
    cycle = str(raw.get("deal_cycle_days") or "").strip()
    try:
        values["deal_cycle_days"] = _number(cycle, 0, 730, False) if cycle else None
    except ValueError as exc:
        errors["deal_cycle_days"] = str(exc.args[0])
    if errors:
        error = DomainError(next(iter(errors)), next(iter(errors.values())))
        error.details = errors
        raise error
    return Inputs(**values)


def hire_by(target: date, ramp_days: int) -> date:
    """The day `ramp_days` working days before `target`: a hire starting then has done
    its ramp-up by the target date."""
    day, left = target, ramp_days
    while left > 0:
        day -= timedelta(days=1)
        left -= months.is_working_day(day)
    return day


def _n(value) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def compute(inputs: Inputs, today: date) -> Result:
    """The region's headcount, gap and hiring date, with the formula filled in."""
    customers, visits = inputs.customers(), inputs.visits()
    workload = sum(customers[k] * visits[k] for k in CLASSES)
    per_person = inputs.visits_per_day * inputs.working_days
    fte = workload / per_person
    share = inputs.ramp_share / 100
    effective = (inputs.serving - inputs.ramping) + inputs.ramping * share
    gap = fte - effective
    hires = math.ceil(gap - EPSILON) if gap > EPSILON else 0
    start = hire_by(inputs.target_on, inputs.ramp_days)
    terms = " + ".join(f"{_n(customers[k])} × {_n(float(visits[k]))}" for k in CLASSES)
    formula = [
        _("Workload = Σ customers × visits a month = %(terms)s = %(workload)s visits a month",
          terms=terms, workload=_n(float(workload))),
        _("One person a month = %(per_day)s visits a day × %(days)s working days = "
          "%(per_person)s visits", per_day=_n(float(inputs.visits_per_day)),
          days=inputs.working_days, per_person=_n(float(per_person))),
        _("People needed = %(workload)s ÷ %(per_person)s = %(fte)s → %(headcount)s people",
          workload=_n(float(workload)), per_person=_n(float(per_person)),
          fte=_n(round(fte, 2)), headcount=math.ceil(fte - EPSILON)),
        _("Serving now = (%(serving)s − %(ramping)s ramping) + %(ramping)s × %(share)s %% = "
          "%(effective)s", serving=inputs.serving, ramping=inputs.ramping,
          share=inputs.ramp_share, effective=_n(float(effective))),
        _("Gap = %(fte)s − %(effective)s = %(gap)s → hire %(hires)s",
          fte=_n(round(fte, 2)), effective=_n(float(effective)), gap=_n(round(gap, 2)),
          hires=hires),
        _("Hire by = %(target)s − %(ramp)s working days of ramp-up = %(start)s",
          target=inputs.target_on.isoformat(), ramp=inputs.ramp_days,
          start=start.isoformat()),
    ]
    first_orders = None
    if inputs.deal_cycle_days is not None:
        first_orders = inputs.target_on + timedelta(days=inputs.deal_cycle_days)
        formula.append(_("First orders of a new hire ≈ %(target)s + %(cycle)s days of deal "
                         "cycle = %(on)s", target=inputs.target_on.isoformat(),
                         cycle=inputs.deal_cycle_days, on=first_orders.isoformat()))
    return Result(workload=float(workload), per_person=float(per_person), fte=fte,
                  headcount=max(0, math.ceil(fte - EPSILON)), effective=float(effective),
                  gap=gap, hires=hires, hire_by=start, late=start < today,
                  first_orders_on=first_orders, formula=formula)


def as_json(result: Result) -> dict:
    """The result as the page's script reads it."""
    data = {f.name: getattr(result, f.name) for f in fields(result)}
    data["hire_by"] = result.hire_by.isoformat()
    data["first_orders_on"] = result.first_orders_on and result.first_orders_on.isoformat()
    data["fte"], data["gap"] = round(result.fte, 2), round(result.gap, 2)
    return data
