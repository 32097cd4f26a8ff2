"""What the partner and account endpoints read (query arguments) and write (response
bodies)."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.fields import Choice, Pattern, String, row_id, search_text
from portal.api.schemas import PageArgs, PageSchema
from portal.auth.models import PARTNER_ROLES, ROLES
from portal.org.models import PARTNER_STATUSES, STRUCTURES, TIERS


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


class PartnerPageSchema(PageSchema):
    items = fields.List(fields.Nested(PartnerSchema), required=True)


class PersonPageSchema(PageSchema):
    items = fields.List(fields.Nested(PersonSchema), required=True)
