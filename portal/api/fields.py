"""Marshmallow fields and validators whose error messages come from our catalogue.

Marshmallow words its messages in English when the schema is built, at import time;
these classes look the message up when the error happens, so an API client reads it in
the request's language. The validators subclass marshmallow's own, so apispec still
documents minimum, maximum, enum, maxLength and pattern in the OpenAPI document."""
import math
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from portal.core.clock import BUSINESS_TZ
# Plausible years, as on the pages; beyond them a time is a typo, and far enough out it
# would overflow on its way to UTC.
from portal.core.forms import FIRST_YEAR, LAST_YEAR
from portal.core.text import unsafe_character

# PostgreSQL integer columns; a larger number would fail in the database, not here.
INT32_MAX = 2**31 - 1


class Translated:
    """Turns the lazy message of `key` into text now, under the request's locale."""

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return ValidationError(str(self.error_messages[key]))


class Integer(Translated, fields.Integer):
    default_error_messages = {
        "required": _l("Missing data for required field."),
        "null": _l("Field may not be null."),
        "invalid": _l("Not a valid integer."),
        "too_large": _l("Number too large."),
    }


class String(Translated, fields.String):
    default_error_messages = {
        "required": _l("Missing data for required field."),
        "null": _l("Field may not be null."),
        "invalid": _l("Not a valid string."),
        "invalid_utf8": _l("Not a valid string."),
    }


class Between(validate.Range):
    """Both bounds inclusive."""

    def _format_error(self, value, message) -> str:
        return _("Must be between %(min)s and %(max)s.", min=self.min, max=self.max)


class Choice(validate.OneOf):
    def _format_error(self, value) -> str:
        return _("Must be one of: %(choices)s.", choices=self.choices_text)


class MaxLength(validate.Length):
    def __init__(self, max: int):  # noqa: A002 - marshmallow's own name
        super().__init__(max=max)

    def _format_error(self, value, message) -> str:
        return _("At most %(max)s characters.", max=self.max)


class Pattern(validate.Regexp):
    """A regular expression with a message saying in words what it allows."""

    def __init__(self, regex: str, message):
        super().__init__(regex)
        self.message = message

    def _format_error(self, value) -> str:
        return str(self.message)


def _storable(value: str) -> None:
    # The forms' input-cleaning rule (NUL, control and bidi-override characters, lone
    # surrogates, which are valid JSON but no valid UTF-8).
    if unsafe_character(value, multiline=True) is not None:
        raise ValidationError(_("Contains a character that is not allowed."))


def free_text(limit: int, **kwargs) -> String:
    """Free text up to `limit` characters, held to the portal's input-cleaning rule."""
    return String(validate=[MaxLength(limit), _storable], **kwargs)


def search_text(description: str) -> String:
    """Free text for a LIKE search, held to the same rule."""
    return free_text(100, metadata={"description": description})


def row_id() -> Integer:
    """A primary key as a filter: positive and within a database integer."""
    return Integer(strict=False, validate=Between(1, INT32_MAX))


class Boolean(Translated, fields.Boolean):
    """Query flags: exactly `true` or `false`, so a typo is an error, not a filter."""

    default_error_messages = {"invalid": _l("Must be true or false."),
                              "required": _l("Missing data for required field."),
                              "null": _l("Field may not be null.")}

    def __init__(self, **kwargs):
        super().__init__(truthy={"true"}, falsy={"false"}, **kwargs)


class JsonBoolean(Boolean):
    """A JSON `true` or `false`: neither 1 nor "yes" (1 == True in a Python set)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Moment(Translated, fields.AwareDateTime):
    """An ISO 8601 time; without an offset it is read in the business timezone."""

    default_error_messages = {
        "invalid": _l("Not a valid date and time (ISO 8601)."),
        "invalid_awareness": _l("Not a valid date and time (ISO 8601)."),
        "required": _l("Missing data for required field."),
        "null": _l("Field may not be null."),
    }

    def __init__(self, **kwargs):
        super().__init__(default_timezone=BUSINESS_TZ, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ValidationError(_("Must be between the years %(first)s and %(last)s.",
                                    first=FIRST_YEAR, last=LAST_YEAR))
        return moment.astimezone(timezone.utc)


class List(Translated, fields.List):
    default_error_messages = {"invalid": _l("Not a valid list."),
                              "required": _l("Missing data for required field."),
                              "null": _l("Field may not be null.")}


class Nested(Translated, fields.Nested):
    default_error_messages = {"type": _l("Invalid input type."),
                              "required": _l("Missing data for required field."),
                              "null": _l("Field may not be null.")}


class Count(validate.Length):
    """How many items a list holds, both bounds inclusive."""

    def _format_error(self, value, message) -> str:
        if self.min is None:
            return _("At most %(max)s items.", max=self.max)
        return _("Between %(min)s and %(max)s items.", min=self.min, max=self.max)


def strict_id() -> Integer:
    """A row id in a JSON body: a number, not a numeric string."""
    return Integer(strict=True, validate=Between(1, INT32_MAX))


class Instant(Moment):
    """An ISO 8601 time with its offset: a device's time without one is ambiguous."""

    default_error_messages = {"invalid_awareness": _l(
        "Give the time with its offset, e.g. 2026-03-03T10:00:00+08:00.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.default_timezone = None


class Day(Translated, fields.Date):
    default_error_messages = {"invalid": _l("Not a valid date (YYYY-MM-DD)."),
                              "required": _l("Missing data for required field."),
                              "null": _l("Field may not be null.")}


class Number(Translated, fields.Float):
    """A JSON number: neither a numeric string nor a boolean."""

    default_error_messages = {"invalid": _l("Not a valid number."),
                              "special": _l("Not a valid number."),
                              "too_large": _l("Number too large."),
                              "required": _l("Missing data for required field."),
                              "null": _l("Field may not be null.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        try:
            finite = math.isfinite(float(value))
        except OverflowError:  # an integer of hundreds of digits
            raise self.make_error("too_large") from None
        if not finite:
            raise self.make_error("special")
        return super()._deserialize(value, attr, data, **kwargs)


class AtLeast(validate.Range):
    def __init__(self, low):
        super().__init__(min=low)

    def _format_error(self, value, message) -> str:
        return _("Must be at least %(min)s.", min=self.min)
