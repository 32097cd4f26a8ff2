"""How the audit log names courses and lessons (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.org.tracks import TRACK_LABELS

TYPES = {
    "Course": AuditType(
        _l("Course"), "portal.training.models:Course", name=("title",),
        link=("training.course", "course_id"), values={"track": TRACK_LABELS},
        fields={"summary": _l("Summary"), "published": _l("Published")}),
    "Lesson": AuditType(
        _l("Lesson"), "portal.training.models:Lesson", name=("title",),
        link=("training.lesson", "lesson_id"), refs={"course_id": "Course"},
        fields={"course_id": _l("Course"), "body_md": _l("Text"),
                "minutes": _l("Minutes")}),
}
