"""Marshmallow fields and validators whose error messages come from our catalogue.

Marshmallow words its messages in English when the schema is built, at import time;
these classes look the message up when the error happens, so an API client reads it in
the request's language. The validators subclass marshmallow's own, so apispec still
documents minimum, maximum, enum, maxLength and pattern in the OpenAPI document."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate

from portal.core.text import unsafe_character

# PostgreSQL integer columns; a larger number would fail in the database, not here.
INT32_MAX = 2**31 - 1


class _Translated:
    """Turns the lazy message of `key` into text now, under the request's locale."""

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return ValidationError(str(self.error_messages[key]))


class Integer(_Translated, fields.Integer):
    default_error_messages = {
        "required": _l("Missing data for required field."),
        "null": _l("Field may not be null."),
        "invalid": _l("Not a valid integer."),
        "too_large": _l("Number too large."),
    }


class String(_Translated, fields.String):
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
