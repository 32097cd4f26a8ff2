"""How the audit log names orders, payments and targets (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.results.labels import LEVEL_LABELS, METRIC_LABELS

ACTIONS = {"import_orders": _l("Orders imported"), "import_payments": _l("Payments imported")}
_ENTRY = {"client_id": _l("Entry id"), "salesperson_id": _l("Salesperson"),
          "customer_id": _l("Customer"), "amount_fen": _l("Amount (fen)"),
          "note": _l("Note"), "recorded_by": _l("Recorded by"),
          "recorded_at": _l("Recorded")}
_REFS = {"salesperson_id": "User", "customer_id": "Customer", "recorded_by": "User"}

TYPES = {
    "Order": AuditType(
        _l("Order"), "portal.results.models:Order", name=("ordered_on",), refs=_REFS,
        fields={**_ENTRY, "ordered_on": _l("Order date"), "product_line": _l("Product line"),
                "paid_fen": _l("Paid (fen)"), "developed": _l("New customer developed")}),
    "Payment": AuditType(
        _l("Payment"), "portal.results.models:Payment", name=("received_on",),
        refs={**_REFS, "order_id": "Order"},
        fields={**_ENTRY, "order_id": _l("Order"), "received_on": _l("Received on")}),
    "Target": AuditType(
        _l("Target"), "portal.results.models:Target", name=("subject", "month", "metric"),
        values={"metric": METRIC_LABELS, "level": LEVEL_LABELS},
        refs={"user_id": "User", "set_by": "User"},
        fields={"subject": _l("Subject"), "level": _l("Level"), "user_id": _l("Person"),
                "month": _l("Month"), "metric": _l("Metric"), "value": _l("Target"),
                "lines": _l("Reference lines"), "confirmed": _l("Confirmed outside the lines"),
                "set_by": _l("Set by"), "set_at": _l("Set")}),
}
