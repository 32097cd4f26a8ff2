"""What the broadcast endpoints read and write. The request bodies are as strict as the
OpenAPI document generated from them: a value the document calls invalid is refused
with a field message, never half-accepted; the domain's own rules (an audience that
resolves to nobody, a publish time in the past) come back from the services."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.fields import (Between, Boolean, Choice, Count, Integer, JsonBoolean, List,
                               Moment, Nested, Pattern, String, free_text, strict_id)
from portal.api.schemas import Body, PageArgs, PageSchema
from portal.auth.models import ROLES
from portal.broadcasts.models import CATEGORIES
from portal.broadcasts.services import BODY_MAX, MAX_OPTIONS, MAX_QUESTIONS, MIN_OPTIONS
from portal.org.audience import AUDIENCE_ROLES
from portal.org.models import STRUCTURES, TIERS

LIST_MAX = 5_000


def codes(pattern: str, hint) -> List:
    return List(String(validate=Pattern(pattern, hint)), validate=Count(max=LIST_MAX))


def choices(values) -> List:
    return List(String(validate=Choice(values)), validate=Count(max=len(values)))


# ---- query arguments and request bodies ----

class InboxArgs(PageArgs):
    unread = Boolean(metadata={"description": "true: only unopened; false: only opened."})
    unacknowledged = Boolean(metadata={
        "description": "true: only those still to acknowledge; false: all others."})


class AudienceSchema(Body):
    """Who receives a broadcast; every list empty or left out means "any"."""

    provinces = codes(r"^[0-9]{2}$", _l("A two-digit province code."))
    cities = codes(r"^[0-9]{4}$", _l("A four-digit city code."))
    tiers = choices(TIERS)
    structures = choices(STRUCTURES)
    partner_ids = List(strict_id(), validate=Count(max=LIST_MAX))
    roles = choices(AUDIENCE_ROLES)


class QuestionInSchema(Body):
    text = free_text(500, required=True)
    options = List(free_text(200), required=True,
                   validate=Count(min=MIN_OPTIONS, max=MAX_OPTIONS))
    correct = Integer(strict=True, required=True, validate=Between(0, MAX_OPTIONS - 1),
                      metadata={"description": "Index of the right option, from 0."})


class BroadcastInSchema(Body):
    title = free_text(200, required=True)
    body_md = free_text(BODY_MAX, required=True, metadata={"description": "Markdown."})
    category = String(required=True, validate=Choice(CATEGORIES))
    audience = Nested(AudienceSchema, load_default=dict)
    requires_ack = JsonBoolean(load_default=False)
    ack_deadline = Moment(load_default=None, allow_none=True)
    publish_at = Moment(load_default=None, allow_none=True, metadata={
        "description": "When recipients see it (now or later); null saves a draft."})
    questions = List(Nested(QuestionInSchema), load_default=list,
                     validate=Count(max=MAX_QUESTIONS),
                     metadata={"description": "A comprehension check, all answered right "
                                              "before an acknowledgement counts."})


class AckSchema(Body):
    answers = List(Integer(strict=True, validate=Between(0, MAX_OPTIONS - 1)),
                   load_default=None, allow_none=True, validate=Count(max=MAX_QUESTIONS),
                   metadata={"description": "The chosen option per question, in order."})


# ---- response bodies ----

class ReceiptSchema(Schema):
    opened_at = fields.AwareDateTime(required=True, allow_none=True)
    acked_at = fields.AwareDateTime(required=True, allow_none=True)


class AckedSchema(ReceiptSchema):
    broadcast_id = fields.Integer(required=True)


class BroadcastSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    category = fields.String(required=True, metadata={"enum": list(CATEGORIES)})
    version = fields.Integer(required=True)
    series_id = fields.Integer(required=True, allow_none=True)
    supersedes_id = fields.Integer(required=True, allow_none=True)
    superseded_by_id = fields.Integer(required=True, allow_none=True)
    publish_at = fields.AwareDateTime(required=True, allow_none=True,
                                      metadata={"description": "null: a draft."})
    requires_ack = fields.Boolean(required=True)
    ack_deadline = fields.AwareDateTime(required=True, allow_none=True)


class InboxItemSchema(BroadcastSchema):
    receipt = fields.Nested(ReceiptSchema, required=True)


class AttachmentSchema(Schema):
    id = fields.Integer(required=True)
    filename = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    content_type = fields.String(required=True)


class QuestionSchema(Schema):
    position = fields.Integer(required=True)
    text = fields.String(required=True)
    options = fields.List(fields.String(), required=True)


class AudienceOutSchema(Schema):
    provinces = fields.List(fields.String())
    cities = fields.List(fields.String())
    tiers = fields.List(fields.String())
    structures = fields.List(fields.String())
    partner_ids = fields.List(fields.Integer())
    roles = fields.List(fields.String())
    within = fields.List(fields.Integer(), metadata={
        "description": "The bound of a channel manager's audience: its partners when it "
                       "was saved (left out: no bound)."})


class BroadcastDetailSchema(BroadcastSchema):
    body_html = fields.String(required=True, metadata={"description": "Sanitised HTML."})
    attachments = fields.List(fields.Nested(AttachmentSchema), required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)
    receipt = fields.Nested(ReceiptSchema, required=True, allow_none=True,
                            metadata={"description": "The caller's, when it is a recipient."})
    # For the principal's roles only.
    recipient_count = fields.Integer()
    audience = fields.Nested(AudienceOutSchema)


class InboxPageSchema(PageSchema):
    items = fields.List(fields.Nested(InboxItemSchema), required=True)


class ReachCountsSchema(Schema):
    delivered = fields.Integer(required=True)
    opened = fields.Integer(required=True)
    acknowledged = fields.Integer(required=True)
    overdue = fields.Integer(required=True)


class ReachSummarySchema(ReachCountsSchema):
    median_ack_seconds = fields.Float(required=True, allow_none=True)
    p90_ack_seconds = fields.Float(required=True, allow_none=True)


class PartnerReachSchema(ReachCountsSchema):
    partner_id = fields.Integer(required=True)
    partner_name = fields.String(required=True)


class RoleReachSchema(ReachCountsSchema):
    role = fields.String(required=True, metadata={"enum": list(ROLES)})


class ReachSchema(Schema):
    broadcast_id = fields.Integer(required=True)
    partner_ids = fields.List(fields.Integer(), required=True, allow_none=True, metadata={
        "description": "The partners the figures cover; null: every partner."})
    summary = fields.Nested(ReachSummarySchema, required=True)
    by_partner = fields.List(fields.Nested(PartnerReachSchema), required=True)
    by_role = fields.List(fields.Nested(RoleReachSchema), required=True)
