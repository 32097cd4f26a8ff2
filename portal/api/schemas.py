"""The pieces every domain's API schemas build on: page arguments and the page size
limit, the page envelope and the error body. The OpenAPI document is generated from the
schemas, so they are the contract; each domain's own live in `portal/<domain>/schemas.py`."""
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.fields import Between, Integer
from portal.config import Defaults

# Offsets beyond this would overflow page * per_page on the way to SQL; no real list
# is that long.
PAGE_MAX = 1_000_000


def _setting(name: str):
    return current_app.config[name] if has_app_context() else getattr(Defaults, name)


class PageSize(Between):
    """1 to API_PAGE_SIZE_MAX of the running app, so instance config can change it."""

    def __init__(self):
        super().__init__(1, None)

    # Range assigns `max` in __init__; the setter ignores that so the setting rules.
    max = property(lambda self: _setting("API_PAGE_SIZE_MAX"), lambda self, value: None)


class PageArgs(Schema):
    error_messages = {"unknown": _l("Unknown field."), "type": _l("Invalid input type.")}

    page = Integer(load_default=1, validate=Between(1, PAGE_MAX),
                   metadata={"description": "Page number, from 1."})
    per_page = Integer(load_default=lambda: min(_setting("PAGE_SIZE"),
                                                _setting("API_PAGE_SIZE_MAX")),
                       validate=PageSize(), metadata={"description": "Items per page."})


class PageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class ErrorSchema(Schema):
    """Every API error: a stable code, a message in the caller's language, details
    (for 422, `fields` maps each location and field to its messages)."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class Body(Schema):
    """A request body: unknown fields and wrong types answered in the caller's language."""

    error_messages = PageArgs.error_messages
