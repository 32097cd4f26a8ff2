"""Login, password and API token forms."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.auth.passwords import MIN_PASSWORD
from portal.core.forms import PortalForm, storable, strip


class LoginForm(PortalForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(PortalForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200,
                               message=_l("At least %(num)d characters.", num=MIN_PASSWORD))])
    confirm = PasswordField(_l("Repeat new password"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two passwords differ."))])


class TokenForm(PortalForm):
    name = StringField(_l("Name"), filters=[strip], validators=[
        DataRequired(_l("Name the token after what uses it.")), Length(max=64), storable])
