"""The three training tracks (DOMAIN.md: the three layers of training) and the role that
learns in each; shared by training, exams and every figure broken down by track."""
from flask_babel import lazy_gettext as _l

TRACKS = ("boss", "mid", "staff")
ROLE_TRACK = {"owner": "boss", "manager": "mid", "staff": "staff"}
TRACK_ROLE = {track: role for role, track in ROLE_TRACK.items()}
TRACK_LABELS = {"boss": _l("Owners (boss track)"), "mid": _l("Mid-level managers"),
                "staff": _l("Staff")}
# The tracks as the programme names them, on certificates.
PROGRAMME_NAMES = {"boss": _l("Channel Owner Growth Camp"),
                   "mid": _l("Mid-level Strength Training"),
                   "staff": _l("Staff Training")}
