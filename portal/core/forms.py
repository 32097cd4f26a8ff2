"""Form helpers every domain's forms use: filters and validators for text and times, a
checkbox list, choices from label maps, and one way to show a service's error."""
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.clock import BUSINESS_TZ

FIRST_YEAR, LAST_YEAR = 2000, 2100
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def strip(value):
    return value.strip() if isinstance(value, str) else value


def storable_text(value: str) -> bool:
    """Text every database can keep: PostgreSQL refuses NUL and lone surrogates."""
    return "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)


def storable(form, field):
    if not storable_text(field.data if isinstance(field.data, str) else ""):
        raise ValidationError(_l("Contains a character that is not allowed."))


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
