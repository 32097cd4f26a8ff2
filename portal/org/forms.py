"""Forms of the management pages. Choices that come from the database are filled in by
the view; business rules (uniqueness, exclusivity, roles) are checked by the services."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, IntegerField, PasswordField, SelectField,
                     StringField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.core import forms as kit
from portal.core.forms import PortalForm, plausible_year, strip
from portal.core.pages import MAX_ID
from portal.org import accounts
from portal.org.labels import STATUS_LABELS, STRUCTURE_LABELS
from portal.org.models import TIERS

NONE = "—"


def choices(pairs, *, blank: str | None = NONE) -> list[SelectChoice]:
    """`core.forms.choices`, led by the "—" option for "none" unless blank=None."""
    return kit.choices(pairs, blank=blank)


def optional_int(value):
    """Coerce a select's value to an id, with the empty option meaning None."""
    if value in (None, ""):
        return None
    return int(value)


def _rule(problem):
    """A WTForms validator from a `value -> message | None` rule shared with the import."""
    def validate(form, field):
        message = problem(field.data)
        if message:
            raise ValidationError(message)
    return validate


class PartnerForm(PortalForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120)])
    uscc = StringField(_l("Unified social credit code"), filters=[strip],
                       validators=[DataRequired(), Length(max=40)])
    tier = SelectField(_l("Tier"), default="B",
                       choices=choices(((t, t) for t in TIERS), blank=None))
    structure = SelectField(_l("Structure"), default="loose",
                            choices=choices(STRUCTURE_LABELS.items(), blank=None))
    status = SelectField(_l("Status"), default="active",
                         choices=choices(STATUS_LABELS.items(), blank=None))
    contract_start = DateField(_l("Contract start"), validators=[Optional(), plausible_year])
    contract_end = DateField(_l("Contract end"), validators=[Optional(), plausible_year])
    province_code = SelectField(_l("Province"), choices=choices(()))
    channel_manager_id = SelectField(_l("Channel manager"), coerce=optional_int,
                                     choices=choices(()))

    def values(self) -> dict:
        return {name: self[name].data for name in (
            "name", "uscc", "tier", "structure", "status", "contract_start", "contract_end",
            "province_code", "channel_manager_id")}


class TerritoryForm(PortalForm):
    """A region picked by cascading selects; the deepest level chosen is the region."""

    province = SelectField(_l("Province"), validate_choice=False)
    city = SelectField(_l("City"), validate_choice=False)
    county = SelectField(_l("County"), validate_choice=False)
    town = SelectField(_l("Town"), validate_choice=False)
    exclusive = BooleanField(_l("Exclusive"))

    LEVELS = ("province", "city", "county", "town")

    def region_code(self) -> str | None:
        chosen = [self[level].data for level in self.LEVELS if self[level].data]
        return chosen[-1] if chosen else None


class TeamForm(PortalForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=80)])
    leader_id = SelectField(_l("Leader"), coerce=optional_int, choices=choices(()))


class PersonForm(PortalForm):
    """A person's account; the view drops `team` for principal accounts and `password`
    when editing, and drops `role` when people edit themselves."""

    username = StringField(_l("Username"), filters=[strip],
                           validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Display name"), filters=[strip],
                               validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"))
    team = SelectField(_l("Team"), coerce=optional_int, choices=choices(()))
    email = StringField(_l("E-mail"), filters=[strip], validators=[
        Optional(), Length(max=120), _rule(accounts.email_problem)])
    phone = StringField(_l("Mobile phone"), filters=[strip], validators=[
        Optional(), _rule(accounts.phone_problem)])
    password = PasswordField(_l("Initial password"), validators=[
        DataRequired(), Length(max=200)])

    def validate_password(self, field):
        message = accounts.password_problem(
            field.data, names=(self.username.data or "", self.display_name.data or ""))
        if message:
            raise ValidationError(message)


class ResetPasswordForm(PortalForm):
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(max=200), _rule(accounts.password_problem)])


class ImportForm(PortalForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class AuditFilterForm(PortalForm):
    """Filters of the audit log page, read from the query string."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validate_choice=False)
    object_type = SelectField(_l("Object type"), validate_choice=False)
    object_id = IntegerField(_l("Object ID"), validators=[
        Optional(), NumberRange(min=1, max=MAX_ID, message=_l("Not an object ID."))])
    actor = StringField(_l("Actor (username)"), validators=[Optional(), Length(max=80)])
    start = DateField(_l("From"), validators=[Optional(), plausible_year])
    end = DateField(_l("To"), validators=[Optional(), plausible_year])

    def known_type(self, codes) -> None:
        """Read the object type whatever its case (`?object_type=user` for "User")."""
        wanted = (self.object_type.data or "").strip().lower()
        self.object_type.data = next((c for c in codes if c.lower() == wanted),
                                     self.object_type.data)

    def validate_object_id(self, field):
        if field.data and not self.object_type.data:
            raise ValidationError(_l("Choose the object type too."))

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))
