"""What the registration endpoints read and answer."""
from marshmallow import Schema, fields

from portal.api.fields import INT32_MAX, Between, Choice, Integer, String, free_text
from portal.api.schemas import Body, PageArgs, PageSchema
from portal.registrations.labels import STATUS_FILTERS
from portal.registrations.models import REASONS, SOURCES


class RegistrationArgs(PageArgs):
    status = String(validate=Choice(STATUS_FILTERS), metadata={
        "description": "Only registrations in this state now (expired: protection over)."})


class RegistrationIn(Body):
    customer_id = Integer(allow_none=True, strict=True, validate=Between(1, INT32_MAX),
                          metadata={"description": "A customer of the caller's book; or "
                                                   "give name and town_code."})
    name = free_text(120, metadata={"description": "A new prospect's name."})
    uscc = free_text(18, metadata={"description": "Unified social credit code (optional)."})
    phone = free_text(20, metadata={"description": "Phone (optional)."})
    town_code = free_text(12, metadata={"description": "The prospect's town (9-digit code)."})
    note = free_text(500)


class RegistrationSchema(Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    customer_id = fields.Integer(allow_none=True)
    source = fields.String(required=True, metadata={"enum": list(SOURCES)})
    name = fields.String(required=True)
    uscc = fields.String(allow_none=True)
    town_code = fields.String(allow_none=True)
    state = fields.String(required=True, metadata={"enum": list(STATUS_FILTERS)})
    reason = fields.String(allow_none=True, metadata={"enum": list(REASONS)})
    matched_on = fields.List(fields.String(), required=True)
    rule_version = fields.Integer(required=True)
    requested_at = fields.DateTime(required=True)
    protected_from = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    extended_days = fields.Integer(required=True)
    review_due_at = fields.DateTime(allow_none=True)


class RegistrationPageSchema(PageSchema):
    items = fields.List(fields.Nested(RegistrationSchema), required=True)


class RefusedSchema(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)
    reason = fields.String(required=True, metadata={"enum": list(REASONS)})
    under_review = fields.Boolean(required=True, metadata={
        "description": "Whether the customer is under review (someone's registration "
                       "waits for a channel manager)."})
    registration = fields.Nested(RegistrationSchema, required=True)
