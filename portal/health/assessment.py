"""A person's assessment (seed 001): 70 % results, 20 % ability (training and exams),
10 % attitude (logging regularity, acknowledgements on time) by default; a partner's
owner sets its own weights inside the limits of the health rule in force. Each side is
scored from the person's month as health scores it (the same SQL measures), and a side
without data is left out with its weight shared by the others, as health does."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db
from portal.health import rules
from portal.health.measures import ASSESSMENT, BY_CODE, score
from portal.health.models import AssessmentWeights, HealthMonth
from portal.results.months import first_of

SIDES = tuple(ASSESSMENT)


def limits(month: date) -> dict:
    """The rule's defaults and the owner's limits for `month`."""
    return rules.weights_of(rules.in_force(month))["assessment"]


def weights_for(partner_id: int, month: date) -> tuple[dict, bool]:
    """(weights, set by the owner?) for the partner's people in `month`: the owner's
    when they still lie inside the limits, else the rule's defaults."""
    rule = limits(month)
    row = db.session.execute(select(AssessmentWeights).where(
        AssessmentWeights.partner_id == partner_id)).scalar_one_or_none()
    if row is not None:
        own = {side: getattr(row, side) for side in SIDES}
        if all(rule["limits"][s][0] <= own[s] <= rule["limits"][s][1] for s in SIDES):
            return own, True
    return dict(rule["default"]), False


def save(actor, partner_id: int, values: dict, today: date) -> AssessmentWeights:
    """The owner's weights: whole numbers inside the limits in force, adding up to 100."""
    rule = limits(first_of(today))
    cleaned = {}
    for side in SIDES:
        low, high = rule["limits"][side]
        try:
            value = int(str(values.get(side, "")).strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise DomainError(side, _l("A whole number from %(low)d to %(high)d (the "
                                       "principal's limits).", low=low, high=high))
        cleaned[side] = value
    if sum(cleaned.values()) != 100:
        raise DomainError("results", _l("The three weights add up to 100 (now %(sum)d).",
                                        sum=sum(cleaned.values())))
    row = db.session.execute(select(AssessmentWeights).where(
        AssessmentWeights.partner_id == partner_id)).scalar_one_or_none()
    if row is None:
        row = AssessmentWeights(partner_id=partner_id)
        db.session.add(row)
    for side, value in cleaned.items():
        setattr(row, side, value)
    row.set_by, row.set_at = actor.id, now()
    db.session.flush()
    return row


@dataclass
class Assessment:
    results: float | None
    ability: float | None
    attitude: float | None
    total: float | None


def _side(values: dict, codes, weights: dict) -> float | None:
    pairs = [(weights["measures"].get(code, 0), values[code]) for code in codes
             if values[code] is not None and weights["measures"].get(code, 0)]
    total = sum(w for w, _v in pairs)
    return sum(w * float(v) for w, v in pairs) / total if total else None


def assess(rows: list[HealthMonth], sides: dict) -> dict[int, Assessment]:
    """{row id: Assessment} for person rows of one month, weighed by `sides`."""
    if not rows:
        return {}
    first = rows[0]
    weights = rules.weights_of(db.session.get(rules.HealthRule, first.rule_id)
                               if first.rule_id else None)
    codes = ASSESSMENT["ability"] + ASSESSMENT["attitude"]
    expressions = [score(BY_CODE[c], weights, first.work_days, first.days).label(c)
                   for c in codes]
    found = {}
    for scored in db.session.execute(select(HealthMonth.id, HealthMonth.performance,
                                            *expressions)
                                     .where(HealthMonth.id.in_([r.id for r in rows]))):
        values = scored._mapping
        parts = {"results": scored.performance,
                 "ability": _side(values, ASSESSMENT["ability"], weights),
                 "attitude": _side(values, ASSESSMENT["attitude"], weights)}
        counted = sum(sides[s] for s in SIDES if parts[s] is not None)
        total = (sum(sides[s] * parts[s] for s in SIDES if parts[s] is not None) / counted
                 if counted else None)
        found[scored.id] = Assessment(parts["results"], parts["ability"], parts["attitude"],
                                      total)
    return found
