"""Display names of the broadcast codes, translated."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {"policy": _l("Policy"), "notice": _l("Notice"), "training": _l("Training")}
STATUS_LABELS = {"draft": _l("Draft"), "scheduled": _l("Scheduled"),
                 "published": _l("Published"), "superseded": _l("Superseded")}
