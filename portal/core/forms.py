"""Form helpers every domain's forms use: filters and validators for text and times, a
checkbox list, choices from label maps, and one way to show a service's error (and to
commit a form's change or show why it was refused)."""
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import FieldList, Form, FormField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.clock import BUSINESS_TZ
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.extensions import db

FIRST_YEAR, LAST_YEAR = 2000, 2100
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def strip(value):
    return value.strip() if isinstance(value, str) else value


NOT_ALLOWED = _l("Contains a character that is not allowed.")


def storable_text(value: str, multiline: bool = True) -> bool:
    """Text the portal keeps (`core.text.unsafe_character`)."""
    return unsafe_character(value, multiline=multiline) is None


def storable(form, field):
    """The input-cleaning rule as a validator (every `PortalForm` applies it anyway)."""
    if isinstance(field.data, str) and not storable_text(
            field.data, multiline=isinstance(field, TextAreaField)):
        raise ValidationError(NOT_ALLOWED)


class SubForm(Form):
    """A group of fields repeated inside a form (a question, a draw rule): WTForms' own
    messages in the user's language, as in the form around it."""

    class Meta:
        def get_translations(self, form):
            return wtforms_translations


class PortalForm(FlaskForm):
    """Every form of the portal: each text field, in subforms too, is also held to the
    one input-cleaning rule (one line unless it is a text area)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in _text_fields(self):
            if not field.errors and isinstance(field.data, str) and not storable_text(
                    field.data, multiline=isinstance(field, TextAreaField)):
                field.errors = [*field.errors, NOT_ALLOWED]
                valid = False
        return valid


def _text_fields(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    yield from _text_fields(entry.form)
                elif isinstance(entry, StringField):
                    yield entry
        elif isinstance(field, StringField):
            yield field


def plausible_year(form, field):
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_l("Must be between the years %(first)s and %(last)s.",
                                 first=FIRST_YEAR, last=LAST_YEAR))


def to_utc(local: datetime | None) -> datetime | None:
    """A time typed in the business timezone, as an aware UTC time."""
    return None if local is None else local.replace(tzinfo=BUSINESS_TZ).astimezone(timezone.utc)


def to_local(moment: datetime | None) -> datetime | None:
    """An aware time as the naive business-timezone value a datetime-local input shows."""
    return None if moment is None else moment.astimezone(BUSINESS_TZ).replace(tzinfo=None)


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(items, *, blank=None) -> list[SelectChoice]:
    """Select choices from a code → label map or (code, label) pairs, led by an empty
    option labelled `blank` when given."""
    pairs = items.items() if isinstance(items, dict) else items
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(code, label) for code, label in pairs]


def show_error(form, error, field: str | None = None) -> None:
    """Put a `DomainError` under the field it names (or `field`), under a group of fields
    the form declares in `group_errors`, or above the form."""
    name = field or error.field
    groups = getattr(form, "group_errors", {})
    if name in groups:
        groups[name].append(error.message)
    elif name in form._fields:
        form[name].errors = list(form[name].errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def commit_or_show(form, change):
    """Run a service call `change()` and commit: `(result, None)`. When it refuses with a
    `DomainError`, roll back and show each field it names on `form`: `(None, error)`."""
    try:
        result = change()
    except DomainError as error:
        db.session.rollback()
        for name, message in error.details.items():
            show_error(form, DomainError(name, message))
        return None, error
    db.session.commit()
    return result, None
