"""What the good-faith pages call violation kinds and states and the dues' standing."""
from flask_babel import lazy_gettext as _l

KIND_LABELS = {"pricing": _l("Pricing"), "territory": _l("Territory"),
               "contract": _l("Contract")}
STATE_LABELS = {"verified": _l("Verified"), "withdrawn": _l("Withdrawn")}
STANDING_LABELS = {"open": _l("Not yet due"), "overdue": _l("Overdue"),
                   "paid_on_time": _l("Paid on time"), "paid_late": _l("Paid late")}
SIDE_LABELS = {"evidence": _l("Evidence"), "answer": _l("Answer")}
