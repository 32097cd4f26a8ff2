"""The team-health rule as published data: versions with an effective month, the one
judging a month, and a new version (for a month that has not begun, so everyone it
judges can read it first). Weights are whole numbers of 0–100; a part's measures are
weighed against each other, the parts against each other."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.core.errors import DomainError
from portal.extensions import db
from portal.health.measures import BY_CODE, DEFAULT_WEIGHTS, MEASURES
from portal.health.models import PARTS, HealthRule
from portal.results.months import first_of

NORM_LIMITS = {"effective_per_day": (0.1, 50.0), "exam_frequency": (0.1, 20.0)}


def in_force(month: date) -> HealthRule | None:
    """The version judging `month`: the latest whose effective month is not later."""
    return db.session.execute(
        select(HealthRule).where(HealthRule.effective_month <= first_of(month))
        .order_by(HealthRule.effective_month.desc(), HealthRule.id.desc()).limit(1)
    ).scalar_one_or_none()


def weights_of(rule: HealthRule | None) -> dict:
    """The weights a month is judged by: the rule's, filled in with the defaults for a
    measure added after it was published (weight 0: it does not count)."""
    if rule is None:
        return DEFAULT_WEIGHTS
    stored = rule.weights or {}
    return {"parts": {part: stored.get("parts", {}).get(part, 0) for part in PARTS},
            "measures": {m.code: stored.get("measures", {}).get(m.code, 0) for m in MEASURES},
            "norms": {**DEFAULT_WEIGHTS["norms"], **stored.get("norms", {})},
            "assessment": stored.get("assessment") or DEFAULT_WEIGHTS["assessment"]}


def versions() -> list[HealthRule]:
    return db.session.execute(select(HealthRule).order_by(HealthRule.version.desc())
                              ).scalars().all()


def upcoming(today: date) -> HealthRule | None:
    """A published version for a month that has not begun (the one to read now)."""
    return db.session.execute(
        select(HealthRule).where(HealthRule.effective_month > first_of(today))
        .order_by(HealthRule.effective_month).limit(1)).scalar_one_or_none()


def check_weights(weights: dict) -> dict:
    """`weights` cleaned: every part and measure a whole number of 0–100, norms within
    their limits, and every part with a weight holding a measure that has one."""
    def whole(field: str, raw) -> int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise DomainError(field, _l("A whole number from 0 to 100.")) from None
        if not 0 <= value <= 100:
            raise DomainError(field, _l("A whole number from 0 to 100."))
        return value

    parts = {part: whole(f"part_{part}", weights.get("parts", {}).get(part, 0))
             for part in PARTS}
    measures = {m.code: whole(f"measure_{m.code}", weights.get("measures", {}).get(m.code, 0))
                for m in MEASURES}
    norms = {}
    for code, (low, high) in NORM_LIMITS.items():
        raw = weights.get("norms", {}).get(code, BY_CODE[code].norm)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high:
            raise DomainError(f"norm_{code}", _l("A number from %(low)s to %(high)s.",
                                                 low=low, high=high))
        norms[code] = value
    if not any(parts.values()):
        raise DomainError("part_performance", _l("At least one part needs a weight."))
    for part in PARTS:
        if parts[part] and not any(measures[m.code] for m in MEASURES if m.part == part):
            raise DomainError(f"part_{part}", _l("A part with a weight needs at least one "
                                                 "of its measures weighted."))
    return {"parts": parts, "measures": measures, "norms": norms,
            "assessment": _check_assessment(weights.get("assessment")
                                            or DEFAULT_WEIGHTS["assessment"])}


def _check_assessment(raw: dict) -> dict:
    """The assessment's default weights and the owner's limits: whole numbers, each
    default inside its limits, the defaults summing to 100 and the limits allowing it."""
    sides = tuple(DEFAULT_WEIGHTS["assessment"]["default"])
    try:
        default = {side: int(raw["default"][side]) for side in sides}
        limits = {side: [int(raw["limits"][side][0]), int(raw["limits"][side][1])]
                  for side in sides}
    except (KeyError, TypeError, ValueError, IndexError):
        raise DomainError("assessment_results", _l("A whole number from 0 to 100.")) from None
    for side in sides:
        low, high = limits[side]
        if not 0 <= low <= default[side] <= high <= 100:
            raise DomainError(f"assessment_{side}", _l("The default must lie inside its "
                                                       "limits, all from 0 to 100."))
    if sum(default.values()) != 100:
        raise DomainError("assessment_results", _l("The three weights add up to 100."))
    return {"default": default, "limits": limits}


def publish(actor, *, effective_month: date, weights: dict, today: date,
            note: str = "") -> HealthRule:
    """A new version judging the months from `effective_month` (a month after today's,
    and after every version's, so no month is ever judged twice by different rules)."""
    month = first_of(effective_month)
    if month <= first_of(today):
        raise DomainError("effective_month", _l("A rule judges months that have not begun: "
                                                "choose next month or later."))
    latest = db.session.execute(select(func.max(HealthRule.effective_month))).scalar()
    if latest is not None and month <= latest:
        raise DomainError("effective_month", _l("Another version judges that month or a "
                                                "later one; choose a later month."))
    cleaned = check_weights(weights)
    number = (db.session.execute(select(func.max(HealthRule.version))).scalar() or 0) + 1
    version = HealthRule(version=number, effective_month=month, weights=cleaned,
                         note=(note or "").strip()[:2000], created_by=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(version)
            db.session.flush()
    except IntegrityError:  # another admin published a version a moment ago
        raise DomainError("effective_month", _l("Another version was published just now; "
                                                "reload the page and check it."),
                          status=409) from None
    return version
