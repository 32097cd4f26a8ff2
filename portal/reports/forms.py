"""The form asking for a report: the kind and whichever of partner, month and date
range it takes (the service checks them against the reader's reach)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from portal.core.forms import PortalForm, strip


def _an_id(value):
    """A partner id as the form sends it; anything else is no choice."""
    if isinstance(value, int):
        return value
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 10 \
        else None


class ReportForm(PortalForm):
    partner_id = SelectField(_l("Partner"), coerce=_an_id,
                             validate_choice=False, validators=[Optional()])
    month = SelectField(_l("Month"), validate_choice=False, validators=[Optional()])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    who = StringField(_l("Who (username)"), filters=[strip], validators=[Optional()])
    what = StringField(_l("What (object type)"), filters=[strip], validators=[Optional()])


class VerifyForm(PortalForm):
    code = StringField(_l("Verification code"), filters=[strip], validators=[Optional()])
    file = FileField(_l("The PDF to check"))
