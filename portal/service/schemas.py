"""What the ticket endpoints read and write. A batch body of the wrong shape is a 422
naming `items.<n>.<field>` and nothing is stored; what only the data can tell (a town
outside the territory, times out of order, an entry id used for another ticket) is
refused item by item in the answer."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.batches import MAX_ITEMS
from portal.api.fields import (Between, Choice, Instant, Integer, Pattern, String, free_text,
                               row_id, search_text)
from portal.api.schemas import Body, PageArgs, PageSchema
from portal.habits.schemas import (CountsSchema, ItemResultSchema, batch_of, json_id)
from portal.service.models import SCALES
from portal.service.tickets import DETAIL_MAX, SUBJECT_MAX

STATES = ("open", "responded", "resolved")


class TicketArgs(PageArgs):
    state = String(validate=Choice(STATES))
    partner_id = row_id()
    q = search_text("Part of the subject or the ticket number.")


class TicketInSchema(Body):
    client_id = String(required=True, validate=Pattern(r"^[A-Za-z0-9_.:-]{1,64}$", _l(
        "1 to 64 letters, digits or the characters _ . : -")), metadata={"description": (
            "The caller's own ticket number: a retry with the same number is the same "
            "ticket, never a second one; with different content it is refused (409).")})
    partner_id = json_id("The partner the ticket is against: the caller's own for its "
                         "people; required for a channel manager or admin.")
    subject = free_text(SUBJECT_MAX, required=True)
    detail = free_text(DETAIL_MAX, load_default="")
    town_code = String(load_default=None, allow_none=True, validate=Pattern(
        r"^[0-9]{9}$", _l("A nine-digit town code.")))
    customer_id = json_id("A customer of the partner's book.", load_default=None,
                          allow_none=True)
    opened_at = Instant(required=True)
    first_response_at = Instant(load_default=None, allow_none=True)
    resolved_at = Instant(load_default=None, allow_none=True)
    satisfaction_scale = String(load_default=None, allow_none=True, validate=Choice(SCALES))
    satisfaction = Integer(strict=True, load_default=None, allow_none=True,
                           validate=Between(0, 10))


class TicketBatchSchema(Body):
    items = batch_of(TicketInSchema, f"1 to {MAX_ITEMS} tickets.")


class TicketBatchResultSchema(Schema):
    counts = fields.Nested(CountsSchema, required=True)
    items = fields.List(fields.Nested(ItemResultSchema), required=True,
                        metadata={"description": "One per item sent, in order."})


class TicketSchema(Schema):
    id = fields.Integer(required=True)
    client_id = fields.String(required=True)
    partner_id = fields.Integer(required=True)
    subject = fields.String(required=True)
    detail = fields.String(required=True)
    town_code = fields.String(required=True, allow_none=True)
    customer_id = fields.Integer(required=True, allow_none=True)
    channel = fields.String(required=True)
    rule_version = fields.Integer(required=True, attribute="rule.version")
    opened_at = fields.AwareDateTime(required=True)
    first_response_at = fields.AwareDateTime(required=True, allow_none=True)
    resolved_at = fields.AwareDateTime(required=True, allow_none=True)
    satisfaction_scale = fields.String(required=True, allow_none=True)
    satisfaction = fields.Integer(required=True, allow_none=True)


class TicketPageSchema(PageSchema):
    items = fields.List(fields.Nested(TicketSchema), required=True)
