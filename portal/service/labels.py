"""What the service pages call ticket states, satisfaction scales and channels."""
from flask_babel import lazy_gettext as _l

STATE_LABELS = {"open": _l("Awaiting a response"), "responded": _l("Responded"), "resolved": _l("Resolved")}
SCALE_LABELS = {"csat": _l("CSAT (1–5)"), "nps": _l("NPS (0–10)")}
CHANNEL_LABELS = {"portal": _l("Portal"), "api": _l("API"), "csv": _l("CSV import")}
TIMING_LABELS = {"overdue": _l("Over target"), "on_time": _l("Within target")}
