"""The words of the habits pages for stored codes: customer classes, visit kinds and
outcomes, the effective-visit rule's parts, flag reasons and states."""
from flask_babel import lazy_gettext as _l

CLASS_LABELS = {"existing": _l("Existing customer"), "prospect": _l("Not yet joined"),
                "new": _l("Newly added")}
KIND_LABELS = {"first": _l("First visit"), "follow_up": _l("Follow-up")}
OUTCOME_LABELS = {
    "interested": _l("Interested"), "needs_time": _l("Needs time to decide"),
    "quoted": _l("Quoted a price"), "order_promised": _l("Promised an order"),
    "ordered": _l("Ordered"), "not_interested": _l("Not interested"),
    "not_met": _l("Nobody to meet"),
}
PART_LABELS = {"decision_maker": _l("Decision maker met"), "next_step": _l("Next step"),
               "next_step_date": _l("Date for the next step"),
               "distance": _l("Distance to the customer"), "rule": _l("Rule in force")}
FLAG_LABELS = {"far_from_customer": _l("Far from the customer's location"),
               "reused_photo": _l("Photo identical to an earlier one"),
               "impossible_travel": _l("Too far from the previous visit for the time between"),
               "backdated_burst": _l("Many entries logged long after the visits")}
FLAG_STATE_LABELS = {"open": _l("To review"), "cleared": _l("Cleared"),
                     "confirmed": _l("Confirmed")}
