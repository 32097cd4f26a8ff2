"""What scoring's codes are called on pages, and how a criterion's mapping reads in
words (the criteria page, the compare view and the notices all say it the same way)."""
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

GROUP_LABELS = {"fairness": _l("Fairness and good faith"),
                "local_service": _l("Local service"),
                "enablement": _l("Enablement"), "results": _l("Results")}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
MAPPING_LABELS = {"linear": _l("Linear between two anchors"),
                  "thresholds": _l("Thresholds (steps)")}
UNIT_LABELS = {"%": _l("percent"), "h": _l("hours"), "per100": _l("per 100"),
               "per10": _l("per 10 people"), "score": _l("score"), "ratio": _l("ratio")}
SET_STATE_LABELS = {"draft": _l("Draft"), "published": _l("Published")}
# Where a version stands on the calendar (`criteria.standing`).
STANDING_LABELS = {"draft": _l("Draft"), "upcoming": _l("Published, not yet in force"),
                   "in_force": _l("In force"), "past": _l("Replaced")}
# "Open" reads 未收 across the portal (an order's open amount): an appeal under way is
# "under review".
APPEAL_STATE_LABELS = {"open": _l("Under review"), "accepted": _l("Accepted"),
                       "rejected": _l("Rejected")}
TIER_CHANGE_STATE_LABELS = {"applied": _l("Applied"), "pending": _l("Waiting for review"),
                            "confirmed": _l("Confirmed"), "kept": _l("Tier kept")}
TIER_CHANGE_LABELS = {"promotion": _l("Promotion"), "demotion": _l("Demotion")}
# The parts of a criterion the compare view names when they change.
FIELD_LABELS = {"name": _l("name"), "metric": _l("metric"), "group": _l("group"),
                "direction": _l("direction"), "mapping": _l("mapping"),
                "anchors": _l("points"), "weight": _l("weight"), "tiers": _l("tiers")}
RUN_TRIGGER_LABELS = {"job": _l("Scheduled job"), "close": _l("Period close"),
                      "manual": _l("Run by hand")}


def number(value) -> str:
    """A metric value or points as a page shows them: "12.5", "100"."""
    return format_decimal(float(value), "#,##0.##") if value is not None else "—"


def mapping_words(criterion) -> str:
    """How `criterion`'s metric becomes points, in one sentence."""
    anchors = criterion.anchors or {}
    if criterion.mapping == "linear":
        zero, full = anchors.get("zero"), anchors.get("full")
        if zero is None or full is None:
            return _("No anchors yet.")
        if criterion.direction == "lower":
            return _("0 points at %(zero)s or more, 100 points at %(full)s or less, "
                     "linear between.", zero=number(zero), full=number(full))
        return _("0 points at %(zero)s or less, 100 points at %(full)s or more, "
                 "linear between.", zero=number(zero), full=number(full))
    steps = anchors.get("steps") or []
    if not steps:
        return _("No thresholds yet.")
    parts = [(_("%(points)s points from %(value)s or less", points=number(p), value=number(v))
              if criterion.direction == "lower" else
              _("%(points)s points from %(value)s or more", points=number(p), value=number(v)))
             for v, p in steps]
    # TRANSLATORS: joins the steps of a threshold mapping.
    return _("%(steps)s; 0 points when worse than the first step.", steps=_("; ").join(parts))


def points_table(criterion) -> list[tuple[str, str]]:
    """(metric value, points) pairs that show the mapping as a small table."""
    anchors = criterion.anchors or {}
    if criterion.mapping == "linear":
        zero, full = anchors.get("zero"), anchors.get("full")
        if zero is None or full is None:
            return []
        zero, full = float(zero), float(full)
        return [(number(zero + (full - zero) * share), number(share * 100))
                for share in (0, 0.25, 0.5, 0.75, 1)]
    return [(number(v), number(p)) for v, p in anchors.get("steps") or []]


def tier_words(gate: dict, last: bool) -> str:
    """What one tier needs, in words."""
    if last:
        return _("Every partner with a score that reaches no better tier.")
    total = number(gate.get("min_total"))
    each = gate.get("min_each") or 0
    if each:
        return _("At least %(total)s points in all, and at least %(each)s points on every "
                 "criterion with data.", total=total, each=number(each))
    return _("At least %(total)s points in all.", total=total)
