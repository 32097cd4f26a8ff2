"""The forms of the scorecard and appeal pages. Numbers and choices arrive as text and
are checked by `portal.scoring.appeals` against the metric's bounds (one message per
field, in the user's language), so a form only collects what was typed."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from portal.core.forms import PortalForm, choices, strip

DECISIONS = {"accepted": _l("Accept with a corrected value"),
             "rejected": _l("Reject")}
REVIEWS = {"confirmed": _l("Confirm the demotion"), "kept": _l("Keep the tier")}


def upload(field) -> tuple[str, bytes] | None:
    """The file of a FileField as (name, bytes), or None when nothing was chosen."""
    data = field.data
    if not data or not getattr(data, "filename", ""):
        return None
    return data.filename, data.read()


class AppealForm(PortalForm):
    criterion = SelectField(_l("Criterion"), validate_choice=False)
    reason = TextAreaField(_l("Why the value is wrong"), filters=[strip])
    claimed_value = StringField(_l("The value you think is right (optional)"),
                                filters=[strip])
    evidence = FileField(_l("Evidence (optional: PDF, image, Office or text file)"))

    def offer(self, lines) -> None:
        """The criteria of the scorecard to choose from."""
        self.criterion.choices = choices(
            [(str(v.criterion.id), v.criterion.name) for v in lines],
            blank=_l("Choose a criterion"))

    def values(self) -> dict:
        return {"reason": self.reason.data, "claimed_value": self.claimed_value.data}


class MessageForm(PortalForm):
    body = TextAreaField(_l("Message"), filters=[strip])
    evidence = FileField(_l("A file (optional)"))


class DecideForm(PortalForm):
    decision = RadioField(_l("Decision"), choices=choices(DECISIONS),
                          validate_choice=False)
    corrected_value = StringField(_l("Corrected value (when accepting)"), filters=[strip])
    reason = TextAreaField(_l("Reason (the owner reads it)"), filters=[strip])

    def values(self) -> dict:
        return {"decision": self.decision.data, "corrected_value": self.corrected_value.data,
                "reason": self.reason.data}


class ReviewForm(PortalForm):
    decision = RadioField(_l("Decision"), choices=choices(REVIEWS),
                          validate_choice=False)
    reason = TextAreaField(_l("Reason"), filters=[strip])

    def values(self) -> dict:
        return {"decision": self.decision.data, "reason": self.reason.data}


class RecomputeForm(PortalForm):
    month = HiddenField()
