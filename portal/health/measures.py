"""The measures of team health and how each turns a month's counts into a score of 0 to
100, as SQL over `health_months` (one definition, used to store the scores and to
explain one of them).

Kinds:
- "rate": numerator ÷ denominator (effective-visit rate, follow-up rate, coverage…);
- "attainment": result ÷ target, capped at 100 % (a target beaten twice is not twice as
  healthy);
- "norm": numerator per denominator ÷ the rule's norm (effective visits per person-day
  against, say, 2 a day);
- "frequency": finished attempts per person and 30 days ÷ the rule's norm;
- "inverse": 1 − numerator ÷ denominator (customers forgotten, people leaving).
A denominator of 0 (or no target, or a month without exams for frequency) gives no score: the measure is "no data" and its
weight goes to the measures of its part that have data."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, and_, case, cast, literal

from portal.health.models import PARTS, HealthMonth


@dataclass(frozen=True)
class Measure:
    code: str
    part: str
    kind: str
    numerator: str
    denominator: str
    label: object
    hint: object
    norm: float | None = None  # the default norm of "norm" and "frequency" measures
    # A count that must be above 0 for the measure to have data (besides its denominator):
    # no exam frequency in a month without exams to take.
    gate: str | None = None


MEASURES = (
    Measure("orders", "performance", "attainment", "orders", "target_orders",
            _l("Orders against target"), _l("orders ÷ the month's order target")),
    Measure("revenue", "performance", "attainment", "revenue_fen", "target_revenue_fen",
            _l("Revenue against target"), _l("revenue ÷ the month's revenue target")),
    Measure("payments", "performance", "attainment", "payments_fen", "target_payments_fen",
            _l("Payments collected against target"),
            _l("payments collected ÷ the month's payment target")),
    Measure("new_customers", "performance", "attainment", "new_customers",
            "target_new_customers", _l("New customers against target"),
            _l("customers with a first order ÷ the month's new-customer target")),
    Measure("effective_per_day", "process", "norm", "effective", "sales_days",
            _l("Effective visits per person-day"),
            _l("effective visits ÷ salespeople's working days ÷ the norm"), norm=2.0),
    Measure("effective_rate", "process", "rate", "effective", "visits",
            _l("Effective-visit rate"), _l("effective visits ÷ visits")),
    Measure("follow_up_rate", "process", "rate", "follow_ups_in_time", "follow_ups_due",
            _l("Follow-ups in time"), _l("follow-ups done by their day ÷ follow-ups due")),
    Measure("logging", "process", "rate", "logged_days", "sales_days",
            _l("Logging regularity"),
            _l("days with a visit logged ÷ salespeople's working days")),
    Measure("remembered", "process", "inverse", "customers_forgotten", "customers_kept",
            _l("Customers not forgotten"),
            _l("1 − customers not visited for 30 days ÷ customers looked after")),
    Measure("training", "growth", "rate", "enrol_done", "enrol_total",
            _l("Training completion"), _l("courses completed ÷ courses enrolled in")),
    Measure("exam_coverage", "growth", "rate", "exam_covered", "exam_assigned",
            _l("Exam coverage"),
            _l("people who took an exam closing this month ÷ people assigned it")),
    Measure("exam_frequency", "growth", "frequency", "attempts", "person_days",
            _l("Exam frequency"),
            _l("finished attempts per person and 30 days ÷ the norm"), norm=1.0,
            gate="exam_assigned"),
    Measure("pass_rate", "growth", "rate", "attempts_passed", "attempts",
            _l("Exam pass rate"), _l("passed attempts ÷ finished attempts")),
    Measure("ack_rate", "growth", "rate", "acks_done", "acks_due",
            _l("Policy acknowledgement"),
            _l("acknowledged ÷ broadcasts to acknowledge published this month")),
    Measure("ack_on_time", "growth", "rate", "acks_on_time", "acks_due",
            _l("Acknowledged on time"), _l("acknowledged by the deadline ÷ to acknowledge")),
    Measure("retention", "growth", "inverse", "people_left", "people_start",
            _l("People kept"), _l("1 − people who left ÷ people at the month's start")),
    Measure("ramp", "growth", "rate", "new_hires_active", "new_hires",
            _l("New hires selling"),
            _l("people hired in the last 90 days with an effective visit ÷ those people")),
)
BY_CODE = {measure.code: measure for measure in MEASURES}
# Short names for table headers (the full ones stay in titles and explanations).
PART_SHORT = {"performance": _l("Performance"), "process": _l("Process"),
              "growth": _l("Growth")}
PART_LABELS = {"performance": _l("Performance stands out"),
               "process": _l("The process is clear"),
               "growth": _l("The team grows")}

DEFAULT_WEIGHTS = {
    "parts": {"performance": 50, "process": 30, "growth": 20},
    "measures": {"orders": 20, "revenue": 40, "payments": 25, "new_customers": 15,
                 "effective_per_day": 30, "effective_rate": 20, "follow_up_rate": 20,
                 "logging": 15, "remembered": 15,
                 "training": 15, "exam_coverage": 20, "exam_frequency": 10,
                 "pass_rate": 15, "ack_rate": 15, "ack_on_time": 10, "retention": 10,
                 "ramp": 5},
    "norms": {"effective_per_day": 2.0, "exam_frequency": 1.0},
    # A person's assessment (seed 001): results, ability, attitude; the owner may set its
    # partner's weights inside these limits (low, high), summing to 100.
    "assessment": {"default": {"results": 70, "ability": 20, "attitude": 10},
                   "limits": {"results": [50, 90], "ability": [5, 40], "attitude": [5, 30]}},
}
# What each side of a person's assessment is made of: results are the performance part;
# ability and attitude the measures below, weighed as the rule weighs them.
ASSESSMENT = {"results": ("orders", "revenue", "payments", "new_customers"),
              "ability": ("training", "exam_coverage", "exam_frequency", "pass_rate"),
              "attitude": ("logging", "ack_on_time")}
ASSESSMENT_LABELS = {"results": _l("Results"), "ability": _l("Ability"),
                     "attitude": _l("Attitude")}


def _capped(value):
    """`value` held between 0 and 100."""
    return case((value > 100, 100.0), (value < 0, 0.0), else_=value)


def score(measure: Measure, weights: dict, work_days: int, days: int, table=HealthMonth):
    """SQL: `measure`'s score of 0–100 on a row of `table`, NULL when it has no data."""
    num = cast(getattr(table, measure.numerator), Float)
    den = getattr(table, measure.denominator)
    norm = float(weights["norms"].get(measure.code, measure.norm or 1))
    if measure.kind == "norm":
        value = 100.0 * num / (den * norm)
    elif measure.kind == "frequency":  # attempts ÷ (person-days ÷ work days) ÷ (days ÷ 30)
        if not work_days or not days:
            return literal(None, Float)
        value = 100.0 * num * work_days * 30 / (den * days * norm)
    elif measure.kind == "inverse":
        value = 100.0 - 100.0 * num / den
    else:
        value = 100.0 * num / den
    has_data = [den.is_not(None), den > 0]
    if measure.gate:
        has_data.append(getattr(table, measure.gate) > 0)
    return case((and_(*has_data), _capped(value)), else_=None)


def weighted(pairs):
    """SQL: Σ weight × score ÷ Σ weight over the scores that are not NULL (the weights
    renormalised over what has data), NULL when none has."""
    pairs = [(float(weight), value) for weight, value in pairs if weight]
    if not pairs:
        return literal(None, Float)
    top = sum((case((value.is_(None), 0.0), else_=value * weight) for weight, value in pairs),
              literal(0.0))
    bottom = sum((case((value.is_(None), 0.0), else_=weight) for weight, value in pairs),
                 literal(0.0))
    return case((bottom > 0, top / bottom), else_=None)


def part_scores(weights: dict, work_days: int, days: int, table=HealthMonth) -> dict:
    """SQL per part: the weighted score of its measures."""
    return {part: weighted([(weights["measures"].get(m.code, 0),
                             score(m, weights, work_days, days, table))
                            for m in MEASURES if m.part == part]) for part in PARTS}
