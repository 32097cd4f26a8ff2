"""What the results pages call metrics and levels, in the user's language, and how
they show money (fen as yuan)."""
from flask_babel import lazy_gettext as _l

METRIC_LABELS = {"visits": _l("Visits"), "effective": _l("Effective visits"),
                 "new_customers": _l("New customers developed"), "orders": _l("Orders"),
                 "revenue_fen": _l("Revenue (yuan)"),
                 "payments_fen": _l("Payments collected (yuan)")}
LEVEL_LABELS = {"partner": _l("Partner"), "team": _l("Team"), "person": _l("Person")}


def yuan(fen: int | None) -> str:
    """¥1,234.50 for 123450 fen; an em dash for no data."""
    if fen is None:
        return "—"
    return f"¥{fen / 100:,.2f}"
