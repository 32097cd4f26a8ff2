"""What the good-faith endpoints read and write."""
from marshmallow import Schema, fields

from portal.api.fields import Choice, String, row_id
from portal.api.schemas import PageArgs, PageSchema
from portal.compliance.labels import STANDING_LABELS
from portal.compliance.models import VIOLATION_KINDS, VIOLATION_STATES


class ViolationArgs(PageArgs):
    partner_id = row_id()
    kind = String(validate=Choice(VIOLATION_KINDS))
    state = String(validate=Choice(VIOLATION_STATES))


class DueArgs(PageArgs):
    partner_id = row_id()
    standing = String(validate=Choice(tuple(STANDING_LABELS)), metadata={
        "description": "open (not yet due), overdue, paid_on_time or paid_late."})


class ViolationSchema(Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(VIOLATION_KINDS)})
    occurred_on = fields.Date(required=True)
    description = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": list(VIOLATION_STATES)})
    entered_at = fields.AwareDateTime(required=True)
    answer = fields.String(required=True)
    answered_at = fields.AwareDateTime(required=True, allow_none=True)
    withdrawn_at = fields.AwareDateTime(required=True, allow_none=True)
    withdrawn_reason = fields.String(required=True)


class ViolationPageSchema(PageSchema):
    items = fields.List(fields.Nested(ViolationSchema), required=True)


class DueSchema(Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    reference = fields.String(required=True)
    amount_fen = fields.Integer(required=True)
    due_on = fields.Date(required=True)
    paid_fen = fields.Integer(required=True)
    paid_on = fields.Date(required=True, allow_none=True)
    standing = fields.String(required=True, metadata={"enum": list(STANDING_LABELS)})
    note = fields.String(required=True)


class DuePageSchema(PageSchema):
    items = fields.List(fields.Nested(DueSchema), required=True)
