"""From metric values to a score, as pure functions (no database): a criterion's points,
the weighted total over the criteria with data, the tier the total earns, and the gap
to the next tier with what would close it. The scorecards, the what-if and the admin's
preview all go through `score`, so they can never disagree.

Points are monotone in the criterion's good direction by construction: linear mapping
rises (or falls) between its two anchors and is flat outside them; thresholds give the
points of the best step reached. So improving one metric never lowers a score, and a
criterion without data is left out with the weights of the others renormalised."""
import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.core.errors import DomainError

MAX_POINTS = 100.0


@dataclass(frozen=True)
class Rule:
    """What scoring needs of a criterion (a `Criterion` row, or a draft's copy)."""
    id: int | None
    code: str
    metric: str
    direction: str
    mapping: str
    anchors: dict
    weight: float

    @classmethod
    def of(cls, criterion) -> "Rule":
        return cls(criterion.id, criterion.code, criterion.metric, criterion.direction,
                   criterion.mapping, dict(criterion.anchors or {}), float(criterion.weight))


def _better(direction: str, a: float, b: float) -> bool:
    """Is `a` at least as good as `b`?"""
    return a >= b if direction == "higher" else a <= b


def points(rule: Rule, value: float | None) -> float | None:
    """0–100 points for `value` (None: no data, no points)."""
    if value is None:
        return None
    if rule.mapping == "linear":
        zero, full = float(rule.anchors["zero"]), float(rule.anchors["full"])
        if zero == full:
            return MAX_POINTS if _better(rule.direction, value, full) else 0.0
        share = (value - zero) / (full - zero)
        return round(max(0.0, min(1.0, share)) * MAX_POINTS, 4)
    earned = 0.0
    for step_value, step_points in rule.anchors.get("steps", []):
        if _better(rule.direction, value, float(step_value)):
            earned = max(earned, float(step_points))
    return earned


def value_for(rule: Rule, wanted: float) -> float | None:
    """The least good metric value that earns at least `wanted` points, or None."""
    if wanted <= 0:
        return None
    if wanted > MAX_POINTS:
        return None
    if rule.mapping == "linear":
        zero, full = float(rule.anchors["zero"]), float(rule.anchors["full"])
        return round(zero + (full - zero) * wanted / MAX_POINTS, 4)
    reaching = [float(v) for v, p in rule.anchors.get("steps", []) if float(p) >= wanted]
    if not reaching:
        return None
    return min(reaching) if rule.direction == "higher" else max(reaching)


@dataclass
class Line:
    code: str
    value: float | None
    points: float | None
    weight: float
    share: float | None = None        # weight over the weights of criteria with data
    contribution: float | None = None


@dataclass
class Card:
    lines: list[Line]
    total: float | None
    tier: str | None = None                   # the best tier the score earns
    failing: dict = field(default_factory=dict)  # tier -> why not (for the next tier)


def score(rules: list[Rule], values: dict[str, float | None], tiers: list[dict]) -> Card:
    """The card for metric `values` by criterion code (absent or None: no data)."""
    lines = [Line(r.code, values.get(r.code), points(r, values.get(r.code)), r.weight)
             for r in rules]
    with_data = math.fsum(line.weight for line in lines if line.points is not None)
    total = None
    if with_data > 0:
        for line in lines:
            if line.points is not None:
                line.share = line.weight / with_data
                line.contribution = round(line.points * line.share, 4)
        # fsum is exactly rounded: the same total whatever the criteria's order.
        total = round(math.fsum(line.points * line.weight for line in lines
                                if line.points is not None) / with_data, 2)
    card = Card(lines, total)
    card.tier, card.failing = earned_tier(card, tiers)
    return card


def gates_failed(card: Card, gate: dict) -> list[str]:
    """Why `card` misses `gate` ({"min_total": .., "min_each": ..}): codes of the
    criteria under the floor, and "total" when the total is short."""
    if card.total is None:
        return ["total"]
    failed = ["total"] if card.total < float(gate.get("min_total") or 0) else []
    floor = gate.get("min_each")
    if floor:
        failed += [line.code for line in card.lines
                   if line.points is not None and line.points < float(floor)]
    return failed


def earned_tier(card: Card, tiers: list[dict]) -> tuple[str | None, dict]:
    """The best tier (tiers best first) whose gates the card passes; the last tier is
    the floor every scored partner has. Also what each better tier lacks."""
    failing = {}
    for gate in tiers:
        missed = gates_failed(card, gate)
        if not missed:
            return gate["tier"], failing
        failing[gate["tier"]] = missed
    if tiers and card.total is not None:
        return tiers[-1]["tier"], failing
    return None, failing


@dataclass(frozen=True)
class Closer:
    """One way to reach the next tier: this criterion alone to this value."""
    code: str
    from_value: float | None
    to_value: float


def gap(rules: list[Rule], card: Card, tiers: list[dict], current: str | None) -> dict | None:
    """How far the card is from the tier above `current` (or above what it earned) and
    which single criterion, raised alone, would close the total's gap."""
    order = [gate["tier"] for gate in tiers]
    here = current if current in order else card.tier
    if here not in order or order.index(here) == 0 or card.total is None:
        return None
    gate = tiers[order.index(here) - 1]
    short = max(0.0, float(gate.get("min_total") or 0) - card.total)
    closers = []
    by_code = {r.code: r for r in rules}
    for line in card.lines:
        if short <= 0 or line.share is None or not line.share:
            continue
        wanted = line.points + short / line.share
        target = value_for(by_code[line.code], wanted)
        if target is not None:
            closers.append(Closer(line.code, line.value, target))
    floor = gate.get("min_each")
    under = [line.code for line in card.lines
             if floor and line.points is not None and line.points < float(floor)]
    return {"tier": gate["tier"], "points": round(short, 2), "closers": closers,
            "under_floor": under}


# -- checking a criteria set -----------------------------------------------------------

def check_anchors(direction: str, mapping: str, anchors: dict, bounds=(None, None)) -> dict:
    """The anchors cleaned, or a DomainError on the field "anchors" saying what is wrong."""
    def number(raw):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise DomainError("anchors", _l("Anchors must be numbers.")) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise DomainError("anchors", _l("Anchors must be numbers."))
        return value

    if mapping == "linear":
        zero, full = number(anchors.get("zero")), number(anchors.get("full"))
        if zero == full or not _better(direction, full, zero):
            raise DomainError("anchors", _l(
                "The value worth 100 points must be better than the value worth 0 points "
                "(higher when higher is better, lower when lower is better)."))
        return {"zero": zero, "full": full}
    if mapping != "thresholds":
        raise DomainError("mapping", _l("Choose linear or thresholds."))
    steps = anchors.get("steps") or []
    if not steps:
        raise DomainError("anchors", _l("Give at least one threshold."))
    cleaned = []
    for raw_value, raw_points in steps:
        value, pts = number(raw_value), number(raw_points)
        if not 0 <= pts <= MAX_POINTS:
            raise DomainError("anchors", _l("Points must be between 0 and 100."))
        cleaned.append([value, pts])
    for (v1, p1), (v2, p2) in zip(cleaned, cleaned[1:]):
        if v1 == v2 or not _better(direction, v2, v1) or p2 < p1:
            raise DomainError("anchors", _l(
                "Thresholds must go from the worst value to the best, each better than "
                "the one before and worth at least as many points."))
    return {"steps": cleaned}


def check_weights(weights: list[float]) -> None:
    if any(w <= 0 for w in weights):
        raise DomainError("weight", _l("Every weight must be more than 0."))
    if round(sum(weights), 6) != 100:
        raise DomainError("weight", _l("The weights add up to %(total)s; they must add up "
                                       "to 100.", total=round(sum(weights), 2)))


def check_tiers(tiers: list[dict], known: tuple[str, ...]) -> list[dict]:
    """Tiers best first, each a known tier once, totals not rising down the list."""
    cleaned, seen = [], set()
    for gate in tiers:
        tier = gate.get("tier")
        if tier not in known or tier in seen:
            raise DomainError("tiers", _l("Each tier may appear once."))
        seen.add(tier)
        try:
            total = float(gate.get("min_total") or 0)
            each = float(gate.get("min_each") or 0)
        except (TypeError, ValueError):
            raise DomainError("tiers", _l("Tier thresholds must be numbers.")) from None
        if not (0 <= total <= MAX_POINTS and 0 <= each <= MAX_POINTS):
            raise DomainError("tiers", _l("Tier thresholds must be between 0 and 100."))
        cleaned.append({"tier": tier, "min_total": total, "min_each": each})
    if [known.index(g["tier"]) for g in cleaned] != sorted(known.index(g["tier"]) for g in cleaned):
        raise DomainError("tiers", _l("List the tiers from the best to the lowest."))
    totals = [g["min_total"] for g in cleaned]
    if totals != sorted(totals, reverse=True):
        raise DomainError("tiers", _l("A better tier cannot need a lower total."))
    return cleaned
