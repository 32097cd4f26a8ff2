"""The good-faith forms: a violation with its evidence files, the owner's answer, the
withdrawal's reason, a due and its payment, a dues file, and the lists' filters. The
rules (partners, days, amounts) are the services' to check."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.compliance.labels import KIND_LABELS, STANDING_LABELS, STATE_LABELS
from portal.compliance.violations import REASON_MAX, TEXT_MAX
from portal.core.forms import PortalForm, choices, plausible_year, strip
from portal.core.pages import number_arg
from portal.service.months import month_arg

REQUIRED = _l("This field is required.")


class ViolationForm(PortalForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS), validate_choice=False)
    occurred_on = DateField(_l("Day it happened"), validators=[
        InputRequired(_l("Enter the day it happened.")), plausible_year])
    description = TextAreaField(_l("What was verified"), filters=[strip], validators=[
        InputRequired(REQUIRED), Length(max=TEXT_MAX)])
    files = MultipleFileField(_l("Evidence files (up to 5: PDF, images, Office, text)"))


class AnswerForm(PortalForm):
    answer = TextAreaField(_l("Your answer"), filters=[strip], validators=[
        InputRequired(REQUIRED), Length(max=TEXT_MAX)])
    answer_file = FileField(_l("A file (optional)"))


class WithdrawForm(PortalForm):
    reason = StringField(_l("Why it is withdrawn"), filters=[strip], validators=[
        InputRequired(REQUIRED), Length(max=REASON_MAX)])


class PaymentForm(PortalForm):
    paid = StringField(_l("Amount paid (yuan)"), filters=[strip])
    paid_on = DateField(_l("Paid on"), validators=[Optional(), plausible_year])


class DueForm(PaymentForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    reference = StringField(_l("Reference (invoice or contract number)"), filters=[strip],
                            validators=[InputRequired(REQUIRED), Length(max=64)])
    amount = StringField(_l("Amount due (yuan)"), filters=[strip],
                         validators=[InputRequired(REQUIRED)])
    due_on = DateField(_l("Due on"), validators=[InputRequired(_l("Enter the due day.")),
                                                 plausible_year])
    note = StringField(_l("Note"), filters=[strip], validators=[Length(max=500)])

    def values(self) -> dict:
        return {name: self[name].data for name in ("partner_id", "reference", "amount",
                                                   "due_on", "note", "paid", "paid_on")}


class DueImportForm(PortalForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


@dataclass
class Filters:
    """A list's filters from the query string; anything malformed is simply unset."""
    kind: str = ""
    state: str = ""
    standing: str = ""
    q: str = ""
    partner_id: int | None = None
    month: str = ""  # YYYY-MM: violations that occurred, dues falling due, in that month

    @classmethod
    def from_args(cls, args) -> "Filters":
        kind, state, standing = args.get("kind", ""), args.get("state", ""), \
            args.get("standing", "")
        return cls(kind=kind if kind in KIND_LABELS else "",
                   state=state if state in STATE_LABELS else "",
                   standing=standing if standing in STANDING_LABELS else "",
                   q=(args.get("q") or "").strip()[:100], partner_id=number_arg("partner_id"),
                   month=month_arg(args))

    def any(self) -> bool:
        return bool(self.kind or self.state or self.standing or self.q or self.partner_id
                    or self.month)

    def args(self) -> dict:
        return {k: v for k, v in (("kind", self.kind), ("state", self.state),
                                  ("standing", self.standing), ("q", self.q),
                                  ("partner_id", self.partner_id),
                                  ("month", self.month)) if v}

    def days(self):
        """[first day, first day of the next month) of the month filter."""
        from portal.results.months import add_months
        first = date.fromisoformat(self.month + "-01")
        return first, add_months(first, 1)
