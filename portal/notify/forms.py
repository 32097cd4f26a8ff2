"""Forms of the webhook pages. The preferences grid is a plain set of checkboxes read by
the view, so only its CSRF token needs a form."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.core.forms import PortalForm, choices, strip
from portal.notify.channels.webhooks import url_problem
from portal.notify.labels import CATEGORY_LABELS, KIND_LABELS
from portal.notify.models import CATEGORIES, WEBHOOK_KINDS


def web_url(form, field):
    if url_problem(field.data or ""):
        raise ValidationError(_l("Enter an address starting with http:// or https://, "
                                 "with a port from 1 to 65535 if it has one."))


class WebhookForm(PortalForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=80)])
    kind = SelectField(_l("Format"), default="dingtalk",
                       choices=choices((k, KIND_LABELS[k]) for k in WEBHOOK_KINDS))
    url = StringField(_l("Webhook address"), filters=[strip],
                      validators=[DataRequired(), Length(max=500), web_url])
    secret = PasswordField(_l("Signing secret"), filters=[strip],
                           validators=[Length(max=200)])
    clear_secret = BooleanField(_l("Remove the stored secret"))
    categories = SelectMultipleField(
        _l("Categories it receives"),
        choices=choices((c, CATEGORY_LABELS[c]) for c in CATEGORIES),
        validators=[DataRequired(_l("Choose at least one category."))])


class ConfirmForm(PortalForm):
    """Only a CSRF token: for buttons and the preferences grid."""
