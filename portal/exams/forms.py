"""Forms of the channel manager's exam pages: the exam settings (draw rules, rules of
taking, audience, one window or a weekly rhythm), confirming a cancellation and adding an
override. The forms check shapes; `portal.exams.services` checks the domain rules again
and its `DomainError(field, ...)` is shown under the field it names
(`core.forms.show_error`; `group_errors` collects those of a group of fields)."""
import re
from datetime import datetime, time, timezone

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, FieldList,
                     FormField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional,
                                StopValidation, ValidationError)

from portal.core.clock import BUSINESS_TZ
from portal.core.forms import (TIME_FORMAT, Checkboxes, PortalForm, SubForm, choices,
                               plausible_year, show_error, storable, strip, to_local,
                               to_utc)
from portal.exams.services import MAX_ATTEMPTS, MAX_MINUTES, MAX_PER_RULE, MAX_RULES
from portal.org.audience_forms import AudienceFields
from portal.org.tracks import TRACK_LABELS, TRACKS

BLANK_RULES = 3   # empty draw rows offered under the filled ones (more by "Add a row")
WEEKDAY_LABELS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"),
                  _l("Sun"))
GRADING_LABELS = {"highest": _l("The highest attempt"), "last": _l("The last attempt")}
REVIEW_LABELS = {"never": _l("Never"), "after_submit": _l("Right after submitting"),
                 "after_close": _l("After the window closes")}
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def hhmm(form, field):
    if field.data and not _HHMM.fullmatch(field.data):
        raise ValidationError(_l("Times are written as HH:MM."))


def finite(form, field):
    """Decimal("NaN") cannot even be compared with a bound: stop before NumberRange."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("The pass mark is a percentage from 0 to 100."))


class DrawRuleForm(SubForm):
    """One draw rule; a row without a count is left out."""

    track = SelectField(_l("Bank"), choices=[SelectChoice(t, TRACK_LABELS[t]) for t in TRACKS])
    # Choices are the bank's tags, filled in by the view; the service checks the value.
    tag = SelectField(_l("Tag"), validate_choice=False, filters=[strip])
    count = IntegerField(_l("Questions"),
                         validators=[Optional(), NumberRange(min=1, max=MAX_PER_RULE)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.count.data is None and self.tag.data:
            self.count.errors.append(_l("How many questions from this tag?"))
            return False
        return True

    def value(self) -> dict | None:
        if self.count.data is None:
            return None
        return {"track": self.track.data, "tag": self.tag.data or "", "count": self.count.data}


class ExamForm(AudienceFields, PortalForm):
    title = StringField(_l("Title"), filters=[strip],
                        validators=[DataRequired(), Length(max=200), storable])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000), storable])
    track = SelectField(_l("Track"), choices=choices(TRACK_LABELS), default="staff")
    draw = FieldList(FormField(DrawRuleForm), min_entries=1, max_entries=MAX_RULES)
    shuffle_options = BooleanField(_l("Shuffle the options of each question"), default=True)
    time_limit_minutes = IntegerField(_l("Time limit (minutes)"), validators=[
        Optional(), NumberRange(min=1, max=MAX_MINUTES)])
    pass_percent = DecimalField(_l("Pass mark (%)"), default=60, places=None,
                                validators=[InputRequired(), finite,
                                            NumberRange(min=0, max=100)])
    attempts_allowed = IntegerField(_l("Attempts allowed"), default=1, validators=[
        InputRequired(), NumberRange(min=1, max=MAX_ATTEMPTS)])
    grading = SelectField(_l("Which attempt counts"), choices=choices(GRADING_LABELS),
                          default="highest")
    review = SelectField(_l("Takers may review their answers"), choices=choices(REVIEW_LABELS),
                         default="after_submit")
    is_final = BooleanField(_l("Final exam of its track (passing earns a certificate)"))
    # The audience pickers come from `AudienceFields`.
    # The window: one, or the same hours on chosen weekdays.
    repeat = RadioField(_l("When"), default="once", choices=[
        SelectChoice("once", _l("One window")), SelectChoice("weekly", _l("Every week"))])
    opens_at = DateTimeLocalField(_l("Opens"), format=TIME_FORMAT,
                                  validators=[Optional(), plausible_year])
    closes_at = DateTimeLocalField(_l("Closes"), format=TIME_FORMAT,
                                   validators=[Optional(), plausible_year])
    weekdays = Checkboxes(_l("On"), coerce=int, choices=[
        SelectChoice(day, text) for day, text in enumerate(WEEKDAY_LABELS)])
    open_time = StringField(_l("Opens at"), filters=[strip], render_kw={"type": "time"},
                            validators=[Optional(), hhmm])
    close_time = StringField(_l("Closes at"), filters=[strip], render_kw={"type": "time"},
                             validators=[Optional(), hhmm])
    first_day = DateField(_l("First day"), validators=[Optional(), plausible_year])
    last_day = DateField(_l("Last day (optional)"), validators=[Optional(), plausible_year])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors = {"draw": [], "audience": [], "recurrence": []}

    @property
    def weekly(self) -> bool:
        return self.repeat.data == "weekly"

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.weekly:
            required = {self.first_day: _l("Enter the first day."),
                        self.open_time: _l("Times are written as HH:MM."),
                        self.close_time: _l("Times are written as HH:MM.")}
        else:
            required = {self.opens_at: _l("Enter a date and time."),
                        self.closes_at: _l("Enter a date and time.")}
        for field, message in required.items():
            if field.data in (None, "") and not field.errors:
                field.errors.append(message)
                valid = False
        if self.weekly and not self.weekdays.data and not self.weekdays.errors:
            self.weekdays.errors.append(_l("Choose the weekdays it repeats on."))
            valid = False
        return valid

    def add_blank_rules(self) -> None:
        """Offer a few empty draw rows under the filled ones, drawing from the exam's own
        bank unless the user picks another."""
        while len(self.draw) < min(MAX_RULES, len(self.rules()) + BLANK_RULES):
            self.draw.append_entry()
        for entry in self.draw:
            if entry.form.track.data is None:
                entry.form.track.data = self.track.data

    def rules(self) -> list[dict]:
        return [rule for rule in (entry.form.value() for entry in self.draw) if rule]

    def values(self) -> dict:
        """The settings as `services.create_exam` / `update_exam` take them."""
        values = {"title": self.title.data, "description": self.description.data or "",
                  "track": self.track.data, "draw": self.rules(),
                  "shuffle_options": self.shuffle_options.data,
                  "time_limit_minutes": self.time_limit_minutes.data,
                  "pass_percent": self.pass_percent.data,
                  "attempts_allowed": self.attempts_allowed.data,
                  "grading": self.grading.data, "review": self.review.data,
                  "is_final": self.is_final.data, "audience": self.audience()}
        if not self.weekly:
            return {**values, "opens_at": to_utc(self.opens_at.data),
                    "closes_at": to_utc(self.closes_at.data), "recurrence": None}
        # A weekly exam is open from the start of its first day; the hours come from the rule.
        first = datetime.combine(self.first_day.data, time(0), BUSINESS_TZ)
        return {**values, "opens_at": first.astimezone(timezone.utc), "closes_at": None,
                "recurrence": {"weekdays": self.weekdays.data, "open": self.open_time.data,
                               "close": self.close_time.data,
                               "until": self.last_day.data.isoformat()
                               if self.last_day.data else None}}

    def fill(self, exam) -> None:
        """Show `exam`'s settings for editing."""
        for key in ("title", "description", "track", "shuffle_options", "time_limit_minutes",
                    "pass_percent", "attempts_allowed", "grading", "review", "is_final"):
            self[key].data = getattr(exam, key)
        self.fill_audience(exam.audience)
        while len(self.draw):
            self.draw.pop_entry()
        for rule in exam.draw or []:
            self.draw.append_entry(rule)
        rule = exam.recurrence
        self.repeat.data = "weekly" if rule else "once"
        if rule:
            self.weekdays.data = list(rule["weekdays"])
            self.open_time.data, self.close_time.data = rule["open"], rule["close"]
            self.first_day.data = exam.opens_at.astimezone(BUSINESS_TZ).date()
            self.last_day.data = datetime.fromisoformat(rule["until"]).date() \
                if rule.get("until") else None
        else:
            self.opens_at.data, self.closes_at.data = to_local(exam.opens_at), \
                to_local(exam.closes_at)

    def show_error(self, error) -> None:
        # A weekly exam's start is its first day.
        show_error(self, error, "first_day" if error.field == "opens_at" and self.weekly
                   else None)


class CancelForm(PortalForm):
    confirm = BooleanField(_l("Yes, cancel this exam: sittings that have not opened are "
                              "removed, results already taken are kept"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class OverrideForm(PortalForm):
    """A later close and/or extra minutes for one person or one partner. A sitting with
    many people takes a username instead of a list (`PICK_LIMIT` in the view)."""

    user_id = SelectField(_l("Person"), default="")
    username = StringField(_l("Person (username)"), filters=[strip],
                           validators=[Length(max=80), storable])
    partner_id = SelectField(_l("Or a whole partner"), default="")
    closes_at = DateTimeLocalField(_l("Later close"), format=TIME_FORMAT,
                                   validators=[Optional(), plausible_year])
    extra_minutes = IntegerField(_l("Extra minutes"), validators=[
        Optional(), NumberRange(min=0, max=MAX_MINUTES)])
    reason = StringField(_l("Reason"), filters=[strip], validators=[Length(max=200), storable])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors = {"who": []}
