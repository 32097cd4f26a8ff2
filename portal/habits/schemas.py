"""What the habits endpoints read and write.

A batch body is checked against its documented shape as a whole: a value of the wrong
type, length or choice anywhere is a 422 naming `items.<n>.<field>` and nothing is
stored, so a client's bug never half-sends a batch. What only the data can tell (a
customer of another partner, a time too old, an entry id used for something else, a
look-alike customer) is refused item by item in the 200/201 answer
(`portal.habits.batches`)."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.fields import (INT32_MAX, AtLeast, Between, Boolean, Choice, Count, Day,
                               Instant, Integer, JsonBoolean, List, Nested, Number, Pattern,
                               String, free_text, row_id, search_text)
from portal.api.schemas import Body, PageArgs, PageSchema
from portal.api.batches import MAX_ITEMS, STATUSES
from portal.habits.customers import LIMITS
from portal.habits.models import CLASSES, KINDS, OUTCOMES
from portal.habits.visits import CLIENT_ID

ITEM_STATUSES = (403, 404, 409, 422)


def client_id() -> String:
    return String(required=True, validate=Pattern(CLIENT_ID.pattern, _l(
        "8 to 64 letters, digits or the characters _ . : -")), metadata={"description": (
            "The client's own id for the entry (the phone's or the CRM's): a retry with "
            "the same id is the same entry, never a second one.")})


def json_id(description: str = "", **kwargs) -> Integer:
    """A row id in a JSON body: a number, not a numeric string."""
    return Integer(strict=True, validate=Between(1, INT32_MAX),
                   metadata={"description": description}, **kwargs)


def batch_of(item_schema, description: str) -> List:
    return List(Nested(item_schema), required=True, validate=Count(min=1, max=MAX_ITEMS),
                metadata={"description": description})


# ---- query arguments and request bodies ----

class VisitArgs(PageArgs):
    from_ = Day(data_key="from", metadata={
        "description": "From this business day (Asia/Shanghai), inclusive."})
    to = Day(metadata={"description": "Up to this business day, inclusive."})
    user_id = row_id()
    customer_id = row_id()
    effective = Boolean(metadata={"description": "true: only effective visits; false: the rest."})
    flagged = Boolean(metadata={"description": "true: only flagged visits; false: the rest."})


class CustomerArgs(PageArgs):
    q = search_text("Part of the name or of the credit code.")
    klass = String(validate=Choice(CLASSES), metadata={
        "description": "existing (现有客户), prospect (未加入客户) or new (新增客户)."})
    owner_id = row_id()


class VisitInSchema(Body):
    client_id = client_id()
    customer_id = json_id("A customer of the caller's partner (any of them, active).",
                          required=True)
    visited_at = Instant(required=True, metadata={"description": (
        "When the visit happened, with its offset; not in the future (beyond a few "
        "minutes of clock skew) nor older than the configured number of days.")})
    kind = String(load_default=None, allow_none=True, validate=Choice(KINDS), metadata={
        "description": "first or follow_up; left out, derived from the customer's visits."})
    decision_maker = JsonBoolean(load_default=False,
                                 metadata={"description": "The decision maker was met."})
    outcome = String(required=True, validate=Choice(OUTCOMES))
    next_step = free_text(200, load_default="")
    next_step_on = Day(load_default=None, allow_none=True, metadata={
        "description": "The next step's date: from the visit's day to a year after it."})
    note = free_text(2000, load_default="")
    latitude = Number(load_default=None, allow_none=True, validate=Between(-90, 90))
    longitude = Number(load_default=None, allow_none=True, validate=Between(-180, 180))
    accuracy_m = Number(load_default=None, allow_none=True, validate=AtLeast(0.1), metadata={
        "description": "The fix's accuracy in metres; a location needs all three."})
    salesperson_id = json_id("Whose visit it is, when not the caller's: owners and team "
                             "leads log for the people they lead.")


class VisitBatchSchema(Body):
    items = batch_of(VisitInSchema, f"1 to {MAX_ITEMS} visits.")


class CustomerInSchema(Body):
    client_id = client_id()
    name = free_text(LIMITS["name"], required=True)
    uscc = free_text(30, load_default="", metadata={
        "description": "Unified social credit code, when known (18 characters, checked)."})
    town_code = String(load_default=None, allow_none=True, validate=Pattern(
        r"^[0-9]{9}$", _l("A nine-digit town code.")), metadata={
            "description": "A town (GB/T 2260 with its 3-digit town part) inside the "
                           "partner's territory."})
    address = free_text(LIMITS["address"], load_default="")
    contact_name = free_text(LIMITS["contact_name"], load_default="")
    contact_phone = free_text(LIMITS["contact_phone"], load_default="")
    klass = String(load_default="new", validate=Choice(CLASSES))
    owner_id = json_id("The salesperson who looks after it; left out, the caller. Staff "
                       "give only themselves, a team lead its team's people, an owner "
                       "anyone of its partner.")
    confirm_duplicate = JsonBoolean(load_default=False, metadata={
        "description": "Add it even though a customer of the same name is in the same "
                       "town (never with the same credit code)."})


class CustomerBatchSchema(Body):
    items = batch_of(CustomerInSchema, f"1 to {MAX_ITEMS} customers.")


# ---- response bodies ----

class ItemErrorSchema(Schema):
    field = fields.String(required=True, metadata={"description": "The item's field at fault."})
    message = fields.String(required=True, metadata={"description": "In the caller's language."})
    status = fields.Integer(required=True, metadata={"enum": list(ITEM_STATUSES), "description": (
        "As if the item had been sent alone: 422 a bad value, 403 not the caller's to log, "
        "409 the entry id used for different content, or a look-alike customer.")})
    matches = fields.List(fields.Integer(), metadata={
        "description": "Customers only: the look-alikes already in the book."})


class ItemResultSchema(Schema):
    client_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES), "description": (
        "created: stored now; exists: stored before (a retry), nothing changed; error: "
        "refused, nothing stored for this item.")})
    id = fields.Integer(metadata={"description": "created and exists only."})
    error = fields.Nested(ItemErrorSchema, metadata={"description": "error only."})


class VisitResultSchema(ItemResultSchema):
    effective = fields.Boolean(metadata={"description": "Counts as an effective visit."})
    flagged = fields.Boolean(metadata={"description": "Saved, and flagged for review."})


class CountsSchema(Schema):
    created = fields.Integer(required=True)
    exists = fields.Integer(required=True)
    error = fields.Integer(required=True)


class VisitBatchResultSchema(Schema):
    counts = fields.Nested(CountsSchema, required=True)
    items = fields.List(fields.Nested(VisitResultSchema), required=True,
                        metadata={"description": "One per item sent, in order."})


class CustomerBatchResultSchema(Schema):
    counts = fields.Nested(CountsSchema, required=True)
    items = fields.List(fields.Nested(ItemResultSchema), required=True,
                        metadata={"description": "One per item sent, in order."})


class VisitSchema(Schema):
    id = fields.Integer(required=True)
    client_id = fields.String(required=True)
    user_id = fields.Integer(required=True, metadata={"description": "The salesperson."})
    team_id = fields.Integer(required=True, allow_none=True)
    customer_id = fields.Integer(required=True)
    visited_at = fields.AwareDateTime(required=True)
    day = fields.Date(required=True, metadata={"description": "visited_at's business day."})
    received_at = fields.AwareDateTime(required=True)
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    decision_maker = fields.Boolean(required=True)
    outcome = fields.String(required=True, metadata={"enum": list(OUTCOMES)})
    next_step = fields.String(required=True)
    next_step_on = fields.Date(required=True, allow_none=True)
    note = fields.String(required=True)
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    accuracy_m = fields.Float(required=True, allow_none=True)
    distance_m = fields.Float(required=True, allow_none=True, metadata={
        "description": "From the customer's learned location, when both are known."})
    effective = fields.Boolean(required=True)
    rule_version = fields.Integer(required=True, allow_none=True, attribute="verdict.rule",
                                  metadata={"description": "The rule version that judged it."})
    parts = fields.List(fields.Dict(), required=True, attribute="verdict.parts", metadata={
        "description": "The verdict part by part: {part, ok, ...}."})
    flagged = fields.Boolean(required=True)


class VisitPageSchema(PageSchema):
    items = fields.List(fields.Nested(VisitSchema), required=True)


class CustomerSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    uscc = fields.String(required=True, allow_none=True)
    town_code = fields.String(required=True, allow_none=True)
    address = fields.String(required=True)
    contact_name = fields.String(required=True)
    contact_phone = fields.String(required=True)
    klass = fields.String(required=True, metadata={"enum": list(CLASSES)})
    owner_id = fields.Integer(required=True, allow_none=True)
    latitude = fields.Float(required=True, allow_none=True)
    longitude = fields.Float(required=True, allow_none=True)
    first_order_on = fields.Date(required=True, allow_none=True)
    active = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)


class CustomerPageSchema(PageSchema):
    items = fields.List(fields.Nested(CustomerSchema), required=True)

