"""The service forms: a new ticket, its progress (first response, resolution,
satisfaction), the list's filters, a ticket file, a new rule version. Times are typed in
the business time zone; the rules (order of times, ranges, territory) are the
services' to check."""
import uuid
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, Optional

from portal.core.forms import TIME_FORMAT, PortalForm, choices, plausible_year, strip, to_utc
from portal.core.pages import number_arg
from portal.service.months import month_arg
from portal.service.labels import SCALE_LABELS, STATE_LABELS, TIMING_LABELS
from portal.service.tickets import DETAIL_MAX, SUBJECT_MAX

SEARCH_LENGTH = 100


def _moment(label, required=False):
    checks = [InputRequired(message=_l("Enter a date and time."))] if required else [Optional()]
    return DateTimeLocalField(label, format=TIME_FORMAT, validators=[*checks, plausible_year])


class ProgressForm(PortalForm):
    first_response_at = _moment(_l("First response (Beijing time)"))
    resolved_at = _moment(_l("Resolved (Beijing time)"))
    satisfaction_scale = SelectField(_l("Satisfaction scale"), validate_choice=False,
                                     choices=choices(SCALE_LABELS, blank="—"))
    satisfaction = IntegerField(_l("Satisfaction answer"), validators=[Optional()])

    def progress(self) -> dict:
        return {"first_response_at": to_utc(self.first_response_at.data),
                "resolved_at": to_utc(self.resolved_at.data),
                "satisfaction_scale": self.satisfaction_scale.data or None,
                "satisfaction": self.satisfaction.data}


class TicketForm(ProgressForm):
    """A new ticket; the view fills the town and customer choices of its partner."""
    client_id = HiddenField(default=lambda: uuid.uuid4().hex)
    subject = StringField(_l("Ticket subject"), filters=[strip], validators=[
        InputRequired(message=_l("This field is required.")), Length(max=SUBJECT_MAX)])
    detail = TextAreaField(_l("What the customer reported"), filters=[strip],
                           validators=[Length(max=DETAIL_MAX)])
    town_code = SelectField(_l("Town"), validate_choice=False)
    customer_id = SelectField(_l("Customer (optional)"), validate_choice=False)
    opened_at = _moment(_l("Opened (Beijing time)"), required=True)

    def values(self) -> dict:
        customer = self.customer_id.data or ""
        return {"client_id": self.client_id.data, "subject": self.subject.data,
                "detail": self.detail.data or "", "town_code": self.town_code.data or None,
                "customer_id": int(customer) if customer.isdigit() and len(customer) < 11
                else (None if not customer else -1),
                "opened_at": to_utc(self.opened_at.data), **self.progress()}


class TicketImportForm(PortalForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class RuleForm(PortalForm):
    effective_from = _moment(_l("Takes effect at (Beijing time)"), required=True)
    first_response_hours = IntegerField(_l("First response within (hours)"), default=4,
                                        validators=[InputRequired(_l("Enter a number."))])
    resolution_hours = IntegerField(_l("Resolution within (hours)"), default=48,
                                    validators=[InputRequired(_l("Enter a number."))])
    note = TextAreaField(_l("Note (why the rule changes)"), filters=[strip],
                         validators=[Length(max=2000)])


@dataclass
class TicketFilters:
    """The list's filters from the query string; anything malformed is simply unset."""
    state: str = ""
    timing: str = ""
    town: str = ""
    q: str = ""
    partner_id: int | None = None
    month: str = ""  # YYYY-MM: tickets opened in that month (scoring links here)

    @classmethod
    def from_args(cls, args) -> "TicketFilters":
        state, timing, town = args.get("state", ""), args.get("timing", ""), args.get("town", "")
        return cls(state=state if state in STATE_LABELS else "",
                   timing=timing if timing in TIMING_LABELS else "",
                   town=town if town.isascii() and town.isdigit() and len(town) == 9 else "",
                   q=(args.get("q") or "").strip()[:SEARCH_LENGTH],
                   partner_id=number_arg("partner_id"), month=month_arg(args))

    def any(self) -> bool:
        return bool(self.state or self.timing or self.town or self.q or self.partner_id
                    or self.month)

    def args(self) -> dict:
        return {k: v for k, v in (("state", self.state), ("timing", self.timing),
                                  ("town", self.town), ("q", self.q),
                                  ("partner_id", self.partner_id),
                                  ("month", self.month)) if v}

