"""Targets' figures and reference lines in the reader's language: a metric's value (money
as yuan), and each line with how it was computed ("最近3个完整月（9月、10月、11月）平均：412")
or why there is none ("历史数据不足…")."""
import sys
from datetime import date

from flask_babel import gettext as _

from portal.results import months
from portal.results.labels import LEVEL_LABELS, METRIC_LABELS, yuan
from portal.results.models import METRICS, MONEY
from portal.results.months import month_label


def helpers() -> dict:
    """What the targets templates and their macros read (pages and panels alike)."""
    return {"metrics": METRICS, "labels": METRIC_LABELS, "level_labels": LEVEL_LABELS,
            "words": sys.modules[__name__], "cal": months}


def figure(metric: str, value: float | None) -> str:
    """A metric's value as shown: ¥1,234.50 for money (fen), 1,234 for counts; "—" for
    no data."""
    if value is None:
        return "—"
    if metric in MONEY:
        return yuan(round(value))
    return f"{round(value):,}"


def rate(metric: str, value: float | None) -> str:
    """A per-day rate: one decimal for counts, yuan for money."""
    if value is None:
        return "—"
    if metric in MONEY:
        return yuan(round(value))
    return f"{value:,.1f}"


def signed(metric: str, value: float) -> str:
    sign = "+" if value >= 0 else "−"
    return sign + rate(metric, abs(value))


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def _month(iso: str, *, year: bool = False) -> str:
    return month_label(date.fromisoformat(iso + "-01"), year=year)


def _months(isos: list[str]) -> str:
    # TRANSLATORS: between the months of a list, "9月、10月、11月".
    return _(", ").join(_month(m) for m in isos)


def not_enough(line: dict) -> str:
    return _("Not enough history: %(need)d full months with data needed, %(have)d found.",
             need=line["need"], have=line["have"])


def explain(kind: str, line: dict, metric: str) -> str:
    """How the line `kind` ("peak", "start", "forecast") of `metric` was computed."""
    if line.get("value") is None:
        return not_enough(line)
    value = figure(metric, line["value"])
    if kind == "peak":
        if line["have"] >= 12:
            return _("The best month of the last 12: %(month)s, %(value)s",
                     month=_month(line["month"], year=True), value=value)
        return _("The best of the last 12 months (%(have)d with data): %(month)s, %(value)s",
                 have=line["have"], month=_month(line["month"], year=True), value=value)
    if kind == "start":
        return _("Average of the last 3 full months (%(months)s): %(value)s",
                 months=_months(line["months"]), value=value)
    words = _("Trend over the last 6 months: %(slope)s a working day each month, so "
              "%(rate)s a working day × %(days)d working days in %(month)s: %(value)s",
              slope=signed(metric, line["slope"]), rate=rate(metric, max(line["rate"], 0)),
              days=line["workdays"], month=_month(line["month"]), value=value)
    if line["have"] < 6:
        words += " " + _("(%(have)d of the 6 months have data)", have=line["have"])
    return words


def line_names() -> dict[str, str]:
    return {"peak": _("Historical peak"), "start": _("Starting line"),
            "forecast": _("Forecast line")}


def outside_message(metric: str, where: str, lines: dict) -> str:
    """Why a value needs confirming: below the starting line or above the peak."""
    if where == "below_start":
        return _("Below the starting line (%(value)s). Tick the box to confirm this target.",
                 value=figure(metric, lines["start"]["value"]))
    return _("Above the historical peak (%(value)s in %(month)s). Tick the box to confirm "
             "this target.", value=figure(metric, lines["peak"]["value"]),
             month=_month(lines["peak"]["month"], year=True))
