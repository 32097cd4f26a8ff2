"""How the audit log names questions, exams, sittings, overrides and certificates, and
the question-bank sync (see `portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import select

from portal.core.audit_labels import AuditType
from portal.exams.forms import GRADING_LABELS, REVIEW_LABELS
from portal.org.tracks import TRACK_LABELS

ACTIONS = {"quizzes_sync": _l("Question banks loaded")}
# The words of the exam pages (`manage_routes.status_label`), in their context.
EXAM_STATUS_LABELS = {code: lazy_pgettext("exam status", code.capitalize())
                      for code in ("draft", "scheduled", "cancelled")}
_WINDOW = {"opens_at": _l("Opens"), "closes_at": _l("Closes")}


def _sitting_names():
    from portal.exams.models import Exam, Sitting
    return select(Sitting.id, Exam.title).join(Exam, Exam.id == Sitting.exam_id)


TYPES = {
    "Question": AuditType(
        _l("Question"), "portal.exams.models:Question", name=("key",),
        values={"track": TRACK_LABELS},
        fields={"key": _l("Key"), "current_version_id": _l("Current version"),
                "retired_at": _l("Retired"), "source_file": _l("Source file"),
                # What a sync of the banks counts (`portal.exams.bank.sync`).
                "added": _l("Added"), "changed": _l("Changed"), "retired": _l("Retired"),
                "restored": _l("Restored"), "retagged": _l("Retagged"),
                "unchanged": _l("Unchanged")}),
    "Exam": AuditType(
        _l("Exam"), "portal.exams.models:Exam", name=("title",),
        link=("exams.detail", "exam_id"), link_rule="exams.manage",
        values={"track": TRACK_LABELS, "grading": GRADING_LABELS, "review": REVIEW_LABELS,
                "status": EXAM_STATUS_LABELS},
        fields={**_WINDOW, "description": _l("Description"), "draw": _l("Questions drawn"),
                "shuffle_options": _l("Shuffle options"),
                "time_limit_minutes": _l("Time limit (minutes)"),
                "pass_percent": _l("Pass mark (%)"),
                "attempts_allowed": _l("Attempts allowed"),
                "grading": _l("Which attempt counts"), "review": _l("Review"),
                "audience": _l("Audience"), "is_final": _l("Final exam"),
                "recurrence": _l("Repeats")}),
    "Sitting": AuditType(
        _l("Exam sitting"), "portal.exams.models:Sitting", query=_sitting_names,
        link=("exams.overrides", "sitting_id"), link_rule="exams.manage",
        refs={"exam_id": "Exam"}, fields={**_WINDOW, "exam_id": _l("Exam")}),
    "Override": AuditType(
        _l("Exam override"), "portal.exams.models:Override", refs={"sitting_id": "Sitting"},
        fields={"sitting_id": _l("Exam sitting"), "closes_at": _l("Closes instead"),
                "extra_minutes": _l("Extra minutes"), "reason": _l("Reason")}),
    "ExamNudge": AuditType(
        _l("Exam reminder"), "portal.exams.models:ExamNudge",
        refs={"sitting_id": "Sitting", "sent_by": "User"},
        fields={"sitting_id": _l("Exam sitting"), "sent_by": _l("Sent by"),
                "sent_at": _l("Sent at"), "people": _l("People reminded")}),
    "Certificate": AuditType(
        _l("Certificate"), "portal.exams.models:Certificate", name=("serial",),
        link=("exams.certificate", "certificate_id"), refs={"exam_id": "Exam"},
        values={"track": TRACK_LABELS},
        fields={"serial": _l("Serial"), "exam_id": _l("Exam"),
                "attempt_id": _l("Exam attempt"), "percent": _l("Score (%)"),
                "issued_at": _l("Issued")}),
}
