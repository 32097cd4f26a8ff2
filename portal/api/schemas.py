"""What the API reads (query arguments) and writes (response bodies). The OpenAPI
document is generated from these schemas, so they are the contract."""
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.fields import Between, Choice, Integer, Pattern, String, row_id, search_text
from portal.auth.models import PARTNER_ROLES, ROLES
from portal.config import Defaults
from portal.org.models import PARTNER_STATUSES, STRUCTURES, TIERS

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


class PartnerArgs(PageArgs):
    q = search_text("Part of the name or of the credit code.")
    province = String(validate=Pattern(r"^[0-9]{2}$", _l("A two-digit province code.")),
                      metadata={"description": "Province code (GB/T 2260), e.g. 33."})
    tier = String(validate=Choice(TIERS))
    structure = String(validate=Choice(STRUCTURES))
    status = String(validate=Choice(PARTNER_STATUSES))


class PeopleArgs(PageArgs):
    q = search_text("Part of the display name or username.")
    role = String(validate=Choice(PARTNER_ROLES))
    team_id = row_id()


class AccountSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(ROLES)})
    partner_id = fields.Integer(required=True, allow_none=True)
    team_id = fields.Integer(required=True, allow_none=True)


class MeSchema(AccountSchema):
    locale = fields.String(required=True, allow_none=True)


class PartnerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    uscc = fields.String(required=True, metadata={"description": "Unified social credit code."})
    tier = fields.String(required=True, metadata={"enum": list(TIERS)})
    structure = fields.String(required=True, metadata={"enum": list(STRUCTURES)})
    status = fields.String(required=True, metadata={"enum": list(PARTNER_STATUSES)})
    province_code = fields.String(required=True, allow_none=True)
    contract_start = fields.Date(required=True, allow_none=True)
    contract_end = fields.Date(required=True, allow_none=True)
    channel_manager_id = fields.Integer(required=True, allow_none=True)


class TerritorySchema(Schema):
    region_code = fields.String(required=True)
    region_name = fields.String(attribute="region.name", required=True)
    exclusive = fields.Boolean(required=True)


class TeamSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    leader_id = fields.Integer(required=True, allow_none=True)
    size = fields.Integer(required=True, metadata={"description": "Active members."})


class PartnerDetailSchema(PartnerSchema):
    territories = fields.List(fields.Nested(TerritorySchema), required=True)
    teams = fields.List(fields.Nested(TeamSchema), required=True,
                        metadata={"description": "The teams the caller may open."})
    headcount = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                            metadata={"description": "Active people per role."})


class PersonSchema(AccountSchema):
    email = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True)
    last_login_at = fields.AwareDateTime(required=True, allow_none=True)


class PageSchema(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class PartnerPageSchema(PageSchema):
    items = fields.List(fields.Nested(PartnerSchema), required=True)


class PersonPageSchema(PageSchema):
    items = fields.List(fields.Nested(PersonSchema), required=True)


class ErrorSchema(Schema):
    """Every API error: a stable code, a message in the caller's language, details
    (for 422, `fields` maps each location and field to its messages)."""

    error = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)
