"""Forms of registration pages; the rules themselves are the services' to check."""
from flask_babel import lazy_gettext as _l
from wtforms import (DateTimeLocalField, FileField, HiddenField, IntegerField, RadioField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional

from portal.core.forms import TIME_FORMAT, PortalForm, choices, plausible_year, strip
from portal.registrations.labels import DECISION_LABELS, OUTSIDE_LABELS, SETTING_LABELS


class RegisterForm(PortalForm):
    customer_id = SelectField(_l("Customer from your book"), validate_choice=False)
    name = StringField(_l("Or a new prospect: name"), filters=[strip],
                       validators=[Length(max=120)])
    uscc = StringField(_l("Unified social credit code (optional)"), filters=[strip],
                       validators=[Length(max=18)])
    phone = StringField(_l("Phone (optional)"), filters=[strip], validators=[Length(max=20)])
    town_code = SelectField(_l("Town"), validate_choice=False)
    note = TextAreaField(_l("Note"), filters=[strip], validators=[Length(max=500)])


class LookupForm(PortalForm):
    class Meta:
        csrf = False

    name = StringField(_l("Name"), filters=[strip], validators=[Length(max=120)])
    uscc = StringField(_l("Unified social credit code"), filters=[strip],
                       validators=[Length(max=18)])
    phone = StringField(_l("Phone"), filters=[strip], validators=[Length(max=20)])
    town_code = SelectField(_l("Town (with a name)"), validate_choice=False)


class ReviewForm(PortalForm):
    decision = RadioField(_l("Decision"), choices=choices({"approve": _l("Approve"),
                                                           "refuse": _l("Refuse")}),
                          validate_choice=False)
    note = TextAreaField(_l("Reason (required to refuse)"), filters=[strip],
                         validators=[Length(max=500)])


class EvidenceForm(PortalForm):
    body = TextAreaField(_l("Statement"), filters=[strip], validators=[Length(max=4000)])
    file = FileField(_l("Evidence file (optional: PDF, image, Office or text)"))


class DecideForm(PortalForm):
    decision = RadioField(_l("Decision"), choices=choices(DECISION_LABELS),
                          validate_choice=False)
    reason = TextAreaField(_l("Reason"), filters=[strip], validators=[Length(max=4000)])


class ClaimForm(PortalForm):
    pool_id = HiddenField()


def _setting(name, **kw):
    label, help_text = SETTING_LABELS[name]
    return IntegerField(label, description=help_text, validators=[Optional()], **kw)


class RuleForm(PortalForm):
    effective_from = DateTimeLocalField(
        _l("Takes effect at (Beijing time)"), format=TIME_FORMAT,
        validators=[InputRequired(message=_l("Enter a date and time.")), plausible_year])
    outside_territory = SelectField(SETTING_LABELS["outside_territory"][0],
                                    choices=choices(OUTSIDE_LABELS),
                                    description=SETTING_LABELS["outside_territory"][1],
                                    validate_choice=False)
    protection_days = _setting("protection_days")
    cooldown_days = _setting("cooldown_days")
    live_cap = _setting("live_cap")
    daily_cap = _setting("daily_cap")
    review_recent_order_days = _setting("review_recent_order_days")
    decision_hours = _setting("decision_hours")
    days_per_effective_visit = _setting("days_per_effective_visit")
    max_extension_days = _setting("max_extension_days")
    warn_days = _setting("warn_days")
    note = TextAreaField(_l("Note (why the rule changes)"), filters=[strip],
                         validators=[Length(max=2000)])

    SETTINGS = ("outside_territory", "protection_days", "cooldown_days", "live_cap",
                "daily_cap", "review_recent_order_days", "decision_hours",
                "days_per_effective_visit", "max_extension_days", "warn_days")

    def values(self) -> dict:
        found = {name: self[name].data for name in self.SETTINGS}
        found["note"] = self.note.data or ""
        return found
