"""What the results endpoints read and write.

As for visits (`portal.habits.schemas`), a batch body is checked against its documented
shape as a whole: a value of the wrong type or length anywhere is a 422 naming
`items.<n>.<field>` and nothing is stored. What only the data can tell (a customer of
another partner, a day too old, an amount above what is open on the order, an entry id
used for something else) is refused item by item in the 200/201 answer.

Money crosses the API in yuan: an amount sent is a JSON number or a string (1234.5 or
"1234.50"), converted to fen by `portal.results.entries.money_fen`, the one place that
judges it (above 0, at most two decimals, at most the configured ceiling); an amount
answered comes both as `*_fen` (integer fen) and as a string of yuan with two decimals."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.fields import Boolean, Day, String, Translated, free_text, row_id
from portal.api.schemas import Body, PageArgs, PageSchema
from portal.api.batches import MAX_ITEMS
from portal.habits.schemas import (CountsSchema, ItemResultSchema, batch_of, client_id,
                                   json_id)

AMOUNT_TEXT_MAX = 32
# An amount sent as text is held to the free-text rules (length, storable characters).
TEXT = free_text(AMOUNT_TEXT_MAX)


class Amount(Translated, fields.Field):
    """Yuan as a JSON number or a string; booleans, nulls, lists and objects are the
    body's shape gone wrong. The value itself is the service's to judge."""

    default_error_messages = {
        "invalid": _l("Give the amount in yuan, as a number or a string such as "
                      "\"1234.50\"."),
        "required": String.default_error_messages["required"],
        "null": String.default_error_messages["null"],
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({
            "anyOf": [{"type": "number"}, {"type": "string", "maxLength": AMOUNT_TEXT_MAX}],
            "example": "1234.50"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return TEXT.deserialize(value)  # its length and characters, as free text
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return value


class Yuan(fields.Field):
    """Fen as a string of yuan with two decimals: 123450 -> "1234.50"."""

    def __init__(self, fen_attribute: str, *, required: bool = True, **kwargs):
        kwargs.setdefault("metadata", {}).update({"type": "string", "example": "1234.50",
                                                  "pattern": r"^[0-9]+\.[0-9]{2}$"})
        super().__init__(attribute=fen_attribute, required=required, dump_only=True,
                         **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else "%d.%02d" % divmod(int(value), 100)


def amount_in(description: str) -> Amount:
    return Amount(required=True, metadata={"description": (
        f"{description} In yuan, a JSON number or a string with at most two decimals "
        "(1234.5 or \"1234.50\"): above 0 and at most the configured ceiling, else that "
        "item is refused (422).")})


def day_in(description: str) -> Day:
    return Day(required=True, metadata={"description": (
        f"{description} A business day (YYYY-MM-DD, Asia/Shanghai), not in the future "
        "nor older than the configured number of days (else that item is refused). "
        "Always sent, so a retry on a later day is still the same entry.")})


SALESPERSON = ("Whose entry it is, when not the caller's: owners record for anyone of "
               "their partner, team leads for their team; staff only for themselves "
               "(another person is a 403 for that item).")


# ---- query arguments and request bodies ----

class EntryArgs(PageArgs):
    from_ = Day(data_key="from", metadata={
        "description": "From this business day (Asia/Shanghai), inclusive."})
    to = Day(metadata={"description": "Up to this business day, inclusive."})
    salesperson_id = row_id()
    customer_id = row_id()


class OrderArgs(EntryArgs):
    developed = Boolean(metadata={"description": (
        "true: only orders that developed a new customer (新客户开发); false: the rest.")})


class PaymentArgs(EntryArgs):
    order_id = row_id()


class OrderInSchema(Body):
    client_id = client_id()
    customer_id = json_id("A customer of the salesperson's partner (active).", required=True)
    ordered_on = day_in("The day the order was closed.")
    amount = amount_in("The order's amount.")
    product_line = free_text(60, load_default="")
    note = free_text(500, load_default="")
    salesperson_id = json_id(SALESPERSON)


class OrderBatchSchema(Body):
    items = batch_of(OrderInSchema, f"1 to {MAX_ITEMS} orders.")


class PaymentInSchema(Body):
    client_id = client_id()
    order_id = json_id("The order it pays (one the caller may see); its customer and, "
                       "unless given, its salesperson are the payment's. Left out, the "
                       "payment is on the customer's account.")
    customer_id = json_id("Without `order_id`: the customer who paid (of the salesperson's "
                          "partner). With it: the order's customer, or left out.")
    received_on = day_in("The day the money was received; against an order, on or after "
                         "the order's day.")
    amount = amount_in("The amount received; against an order, at most what is still "
                       "open on it.")
    note = free_text(500, load_default="")
    salesperson_id = json_id(f"{SALESPERSON} Against an order, left out: the order's "
                             "salesperson.")


class PaymentBatchSchema(Body):
    items = batch_of(PaymentInSchema, f"1 to {MAX_ITEMS} payments.")


# ---- response bodies ----

class OrderResultSchema(ItemResultSchema):
    developed = fields.Boolean(metadata={"description": (
        "created and exists: the order developed a new customer (the customer's first "
        "order, and the customer was not existing before), as it stands after the batch.")})


class PaymentResultSchema(ItemResultSchema):
    order_open_fen = fields.Integer(allow_none=True, metadata={"description": (
        "created and exists: what is still open on the order after the batch, in fen; "
        "null for a payment against no order.")})
    order_open = Yuan("order_open_fen", required=False, allow_none=True,
                      metadata={"description": "The same in yuan."})


def one_per_item(result_schema) -> fields.List:
    return fields.List(fields.Nested(result_schema), required=True,
                       metadata={"description": "One per item sent, in order."})


class BatchResultSchema(Schema):
    """A batch's answer: the tally, then `items`, one result per item sent."""

    counts = fields.Nested(CountsSchema, required=True)


class OrderBatchResultSchema(BatchResultSchema):
    items = one_per_item(OrderResultSchema)


class PaymentBatchResultSchema(BatchResultSchema):
    items = one_per_item(PaymentResultSchema)


class EntrySchema(Schema):
    id = fields.Integer(required=True)
    client_id = fields.String(required=True)
    partner_id = fields.Integer(required=True)
    team_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The salesperson's team when the entry was recorded."})
    salesperson_id = fields.Integer(required=True)
    customer_id = fields.Integer(required=True)
    amount_fen = fields.Integer(required=True, metadata={"description": "In fen (分)."})
    amount = Yuan("amount_fen", metadata={"description": "In yuan, two decimals."})
    note = fields.String(required=True)
    recorded_by = fields.Integer(required=True, allow_none=True)
    recorded_at = fields.AwareDateTime(required=True)


class OrderSchema(EntrySchema):
    ordered_on = fields.Date(required=True)
    product_line = fields.String(required=True)
    paid_fen = fields.Integer(required=True, metadata={
        "description": "The sum of the payments against it, in fen."})
    paid = Yuan("paid_fen", metadata={"description": "The same in yuan."})
    open_fen = fields.Integer(required=True, metadata={
        "description": "What is still open on it: amount_fen - paid_fen."})
    open = Yuan("open_fen", metadata={"description": "The same in yuan."})
    developed = fields.Boolean(required=True, metadata={
        "description": "It developed a new customer (新客户开发)."})


class PaymentSchema(EntrySchema):
    order_id = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "null: on the customer's account."})
    received_on = fields.Date(required=True)


class OrderPageSchema(PageSchema):
    items = fields.List(fields.Nested(OrderSchema), required=True)


class PaymentPageSchema(PageSchema):
    items = fields.List(fields.Nested(PaymentSchema), required=True)
