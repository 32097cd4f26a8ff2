"""The compose form of broadcasts. Choices from the database are filled in by the view;
the audience and the domain rules are checked again by the services."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (BooleanField, DateTimeLocalField, FieldList, FormField,
                     IntegerField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.broadcasts.labels import CATEGORY_LABELS
from portal.broadcasts.models import CATEGORIES
from portal.broadcasts.services import MAX_OPTIONS, MAX_QUESTIONS
from portal.core.forms import (TIME_FORMAT, Checkboxes, PortalForm, SubForm, choices,
                               plausible_year, storable, strip, to_local)
from portal.org.audience_forms import AudienceFields


class QuestionForm(SubForm):
    """One comprehension question; left empty, it is not asked."""

    text = StringField(_l("Question"), filters=[strip],
                       validators=[Optional(), Length(max=500), storable])
    options = TextAreaField(_l("Options, one per line"),
                            validators=[Length(max=MAX_OPTIONS * 201), storable])
    correct = IntegerField(_l("Number of the right option"),
                           validators=[Optional(), NumberRange(min=1, max=MAX_OPTIONS)])

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            return False
        options = self.option_list()
        if not self.text.data:
            if options or self.correct.data:
                self.text.errors.append(_l("Write the question or clear its options."))
                return False
            return True
        if not 2 <= len(options) <= MAX_OPTIONS:
            self.options.errors.append(_l("Between %(min)d and %(max)d options.",
                                          min=2, max=MAX_OPTIONS))
            return False
        if self.correct.data is None or self.correct.data > len(options):
            self.correct.errors.append(_l("Give the number of an option above."))
            return False
        return True

    def value(self) -> dict | None:
        if not self.text.data:
            return None
        return {"text": self.text.data, "options": self.option_list(),
                "correct": self.correct.data - 1}


class BroadcastForm(AudienceFields, PortalForm):
    title = StringField(_l("Title"), filters=[strip],
                        validators=[DataRequired(), Length(max=200), storable])
    body_md = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=50_000), storable])
    category = SelectField(_l("Category"), default="policy",
                           choices=choices({c: CATEGORY_LABELS[c] for c in CATEGORIES}))
    requires_ack = BooleanField(_l("Recipients must acknowledge it"))
    ack_deadline = DateTimeLocalField(_l("Acknowledge by"), format=TIME_FORMAT,
                                      validators=[Optional(), plausible_year])
    publish_at = DateTimeLocalField(_l("Publish at (empty: now)"), format=TIME_FORMAT,
                                    validators=[Optional(), plausible_year])
    questions = FieldList(FormField(QuestionForm), min_entries=MAX_QUESTIONS,
                          max_entries=MAX_QUESTIONS)
    attachments = MultipleFileField(_l("Attachments"))
    keep_attachments = Checkboxes(_l("Keep these attachments"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Errors of inputs that span several fields, shown under their group.
        self.group_errors = {"audience": [], "questions": []}

    def question_values(self) -> list[dict]:
        return [q for q in (entry.form.value() for entry in self.questions) if q]

    def fill(self, broadcast) -> None:
        """Show `broadcast`'s values (editing it, or writing its next version)."""
        for key in ("title", "body_md", "category", "requires_ack"):
            self[key].data = getattr(broadcast, key)
        self.fill_audience(broadcast.audience)
        self.ack_deadline.data = to_local(broadcast.ack_deadline)
        for entry, question in zip(self.questions, broadcast.questions):
            entry.form.text.data = question.text
            entry.form.options.data = "\n".join(question.options)
            entry.form.correct.data = question.correct + 1
        self.keep_attachments.data = [a.id for a in broadcast.attachments]

