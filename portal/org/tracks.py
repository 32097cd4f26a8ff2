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


# The method's topics that the question banks tag their questions with (`tags:` in
# quizzes/*.yaml), as people read them; a tag not listed here shows as written.
TOPIC_LABELS = {
    "sales-habits": _l("Sales habits"), "customer-classes": _l("Customer classes"),
    "local-service": _l("Local service"), "fair-dealing": _l("Fair dealing"),
    "targets": _l("Setting targets"), "process-tracking": _l("Tracking the process"),
    "results": _l("Getting results"), "team-efficiency": _l("Team efficiency"),
    "assessment": _l("Team assessment"), "channel-layout": _l("Channel layout"),
    "market-mechanism": _l("Market mechanism"),
    "operating-innovation": _l("Operating innovation"),
}


def topic_label(tag: str) -> str:
    return str(TOPIC_LABELS.get(tag, tag))
