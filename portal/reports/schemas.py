"""What the report endpoints read and answer.

A report's parameters cross the API as the page's form gives them: `partner_id`, a
month as "YYYY-MM", dates as "YYYY-MM-DD", and the audit extract's `who` and `what`.
Which of them a kind takes is the kind's business; the others are ignored. A report's
`pdf_url` and `csv_url` ask for the same report again: its requester gets this report's
file while it is fresh, anyone else has one made for them."""
from marshmallow import Schema, fields

from portal.api.fields import Choice, Day, MaxLength, String, free_text, row_id
from portal.api.schemas import PageArgs, PageSchema
from portal.health.schemas import Period
from portal.reports.models import STATES

# As the form's free filters (services.check_params keeps 80 characters).
FILTER_LIMIT = 80


# ---- query arguments ----

class ReportArgs(Schema):
    error_messages = PageArgs.error_messages

    partner_id = row_id()
    month = Period(metadata={"description": "The month, YYYY-MM, not in the future."})
    start = Day(metadata={"description": "The first day, YYYY-MM-DD."})
    end = Day(metadata={"description": "The last day, YYYY-MM-DD, at most a year on."})
    who = free_text(FILTER_LIMIT, metadata={"description": "Audit extract: a username."})
    what = free_text(FILTER_LIMIT, metadata={"description": "Audit extract: an object type."})


class ReportListArgs(PageArgs):
    kind = String(validate=MaxLength(32), metadata={"description": "Only this kind."})
    state = String(validate=Choice(STATES), metadata={"description": "Only in this state."})


# ---- response bodies ----

class QueuedSchema(Schema):
    """A report being made: ask for its status, or the same file URL again, later."""

    id = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": list(STATES)})
    progress = fields.Integer(required=True, metadata={"description": "0 to 100."})
    status_url = fields.String(required=True)
    pdf_url = fields.String(required=True)
    csv_url = fields.String(required=True)


class ReportSchema(QueuedSchema):
    kind = fields.String(required=True)
    title = fields.String(required=True)
    partner_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The partner it is about; null for a principal-wide report."})
    month = fields.String(required=True, allow_none=True, metadata={"example": "2026-03"})
    params = fields.Dict(required=True, metadata={"description": "What was asked for."})
    lang = fields.String(required=True)
    step = fields.String(required=True)
    error = fields.String(required=True, metadata={"description": "Why it failed."})
    code = fields.String(required=True, metadata={
        "description": "The verification code printed in the PDF."})
    pack = fields.String(required=True, allow_none=True, metadata={
        "description": "The monthly pack that made it; null when a person asked."})
    requested_by = fields.Integer(required=True, allow_none=True)
    requested_at = fields.AwareDateTime(required=True)
    finished_at = fields.AwareDateTime(required=True, allow_none=True)
    as_of = fields.AwareDateTime(required=True, allow_none=True, metadata={
        "description": "When the data it reports was read."})
    pdf_sha256 = fields.String(required=True, allow_none=True)
    pdf_bytes = fields.Integer(required=True, allow_none=True)
    pdf_pages = fields.Integer(required=True, allow_none=True)
    csv_sha256 = fields.String(required=True, allow_none=True)


class ReportPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReportSchema), required=True)
