"""The words for registration codes, in the user's language."""
from flask_babel import lazy_gettext as _l

STATE_LABELS = {"review": _l("Under review"), "protected": _l("Protected"),
                "expired": _l("Expired"), "refused": _l("Refused"),
                "released": _l("Released")}
STATUS_FILTERS = ("protected", "review", "expired", "released", "refused")
SOURCE_LABELS = {"book": _l("From the customer book"), "new": _l("New prospect"),
                 "pool": _l("Claimed from the open pool")}
REASON_LABELS = {
    "direct_account": _l("The principal serves this customer directly (a direct account)."),
    "outside_territory": _l("The town lies outside your partner's territory."),
    "protected": _l("Another registration already protects this customer."),
    "under_review": _l("Another registration of this customer is under review."),
    "cooldown": _l("Your partner's registration of this customer ended recently; wait for "
                   "the cooldown to pass."),
    "live_cap": _l("Your partner holds as many registrations as the rule allows."),
    "daily_cap": _l("Your partner has filed as many registrations today as the rule allows."),
    "recent_orders": _l("The customer ordered recently: a channel manager reviews it."),
    "refused_in_review": _l("Refused in review."),
}
REVIEW_REASONS = {"outside_territory": _l("Outside the territory: a channel manager "
                                          "reviews it."),
                  "recent_orders": REASON_LABELS["recent_orders"]}
KEY_LABELS = {"uscc": _l("credit code"), "phone": _l("phone"),
              "name": _l("name in the same town")}
LOOKUP_LABELS = {"free": _l("Free: you may register it."),
                 "protected": _l("Protected: it cannot be registered now."),
                 "under_review": _l("Under review: it cannot be registered now.")}
OUTSIDE_LABELS = {"refuse": _l("refused"), "review": _l("sent to review"),
                  "allow": _l("allowed")}
SIDE_LABELS = {"holder": _l("The holding partner"), "challenger": _l("The challenging partner"),
               "principal": _l("The principal")}
DECISION_LABELS = {"holder": _l("For the holder"), "challenger": _l("For the challenger")}
CASE_STATE_LABELS = {"open": _l("Awaiting a decision"), "decided": _l("Decision made")}
EVENT_LABELS = {"filed": _l("Registration filed"), "protected": _l("Protection began"),
                "visit": _l("Effective visit"), "evidence": _l("Evidence"),
                "decided": _l("Decision")}
# The rule's settings in its published order, each explained.
SETTING_LABELS = {
    "outside_territory": (_l("Outside the territory"), _l(
        "A town outside the partner's territory is refused, sent to review, or allowed.")),
    "protection_days": (_l("Protection (days)"), _l(
        "How long a registration protects its customer from the moment it is protected.")),
    "cooldown_days": (_l("Cooldown (days)"), _l(
        "After its registration ends, the same partner waits this long before registering "
        "the customer again.")),
    "live_cap": (_l("Live cap"), _l(
        "The most registrations one partner holds or has under review at once.")),
    "daily_cap": (_l("Daily cap"), _l(
        "The most registrations (not refused) one partner files in a day, pool claims "
        "included.")),
    "review_recent_order_days": (_l("Review after a recent order (days)"), _l(
        "A customer with an order to any partner this recently goes to a channel manager's "
        "review. Empty: no such review.")),
    "decision_hours": (_l("Decision time (hours)"), _l(
        "How long a channel manager has to decide a review or a conflict case.")),
    "days_per_effective_visit": (_l("Days per effective visit"), _l(
        "Each effective visit of the holder to the customer extends protection by this many "
        "days.")),
    "max_extension_days": (_l("Most extension (days)"), _l(
        "Effective visits extend one registration by at most this many days in all.")),
    "warn_days": (_l("Warning (days before the end)"), _l(
        "The registering person and the owner are told this many days before protection "
        "ends.")),
}
