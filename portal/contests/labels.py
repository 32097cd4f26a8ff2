"""What the contests' codes are called on pages, and how a rate reads."""
from flask_babel import format_decimal, format_percent
from flask_babel import lazy_gettext as _l

METRIC_LABELS = {
    "effective_per_day": _l("Effective visits per person-day"),
    "follow_up_rate": _l("Follow-up rate"),
    "new_customers_per_person": _l("New customers per person"),
    "revenue_vs_target": _l("Revenue against target"),
    "exam_pass_rate": _l("Exam pass rate"),
}
METRIC_HINTS = {
    "effective_per_day": _l("effective visits ÷ the working days its salespeople were there"),
    "follow_up_rate": _l("follow-ups done in time ÷ follow-ups due"),
    "new_customers_per_person": _l("new customers developed ÷ its salespeople"),
    "revenue_vs_target": _l("revenue ÷ its revenue targets, prorated to the contest's "
                            "working days"),
    "exam_pass_rate": _l("passed attempts ÷ finished attempts"),
}
# Rates read as a share of a whole; the others as a number per person (-day).
PERCENT = ("follow_up_rate", "revenue_vs_target", "exam_pass_rate")
LEVEL_LABELS = {"partner": _l("Partners"), "team": _l("Teams"), "person": _l("People")}
BOARD_LABELS = {"own": _l("Each sees its own standing and the thresholds"),
                "full": _l("Full board: everyone sees every rank")}
STATE_LABELS = {"running": _l("Under way"), "upcoming": _l("Upcoming"),
                "ended": _l("Ended"), "cancelled": _l("Cancelled")}


def rate_text(metric: str, rate: float | None) -> str:
    """A rate as the board shows it: "87.5%" or "2.35"; "" for none."""
    if rate is None:
        return ""
    if metric in PERCENT:
        return format_percent(rate, "#,##0.0%")
    return format_decimal(rate, "#,##0.00")


def counted_text(metric: str, standing) -> str:
    """What a rate was computed from, "12 / 40" (revenue and its target in yuan)."""
    scale = 100 if metric == "revenue_vs_target" else 1
    return " / ".join(format_decimal(value / scale, "#,##0.##")
                      for value in (standing.numerator, standing.denominator))
