"""What the scoring endpoints read and answer.

A month crosses the API as "YYYY-MM" (`period` in, `month` out). A value, points, share
or total of null is "no data" (the criterion was left out and the other weights
renormalised), never a zero; `numerator` and `denominator` are what a value was
computed from (null for a value corrected by an accepted appeal)."""
from marshmallow import Schema, fields

from portal.api.fields import Choice, Number, Pattern, String, free_text, row_id, strict_id
from portal.api.schemas import Body, PageArgs, PageSchema
from portal.health.schemas import Period
from portal.org.models import TIERS
from portal.scoring.appeals import REASON_LIMIT
from portal.scoring.models import APPEAL_STATES, GROUPS


def period(description: str) -> Period:
    return Period(metadata={"description": description})


# ---- query arguments ----

class ScorecardArgs(PageArgs):
    period = period("The month, YYYY-MM, not in the future. Left out: the latest month "
                    "with scorecards the caller may see.")
    tier = String(validate=Choice(TIERS), metadata={
        "enum": list(TIERS), "description": "Only partners of this tier."})


class OneScorecardArgs(Schema):
    error_messages = PageArgs.error_messages
    period = period("The month, YYYY-MM, not in the future. Left out: the partner's "
                    "latest scorecard.")


class AppealArgs(PageArgs):
    state = String(validate=Choice(APPEAL_STATES), metadata={
        "description": "Only the appeals in this state."})
    partner_id = row_id()


class AppealInSchema(Body):
    partner_id = strict_id()
    period = Period(required=True, metadata={"description": "The scorecard's month."})
    criterion = String(required=True, validate=Pattern(r"^[a-z0-9_]{1,32}$",
                                                        "a-z, 0-9 and _, 1 to 32 characters"),
                       metadata={"description": "The code of the criterion appealed."})
    reason = free_text(REASON_LIMIT, required=True)
    claimed_value = Number(allow_none=True, load_default=None, metadata={
        "description": "The value the owner thinks is right, inside the metric's bounds."})


# ---- response bodies ----

def maybe(description: str = "") -> fields.Float:
    return fields.Float(required=True, allow_none=True,
                        metadata={"description": description} if description else {})


class ScorecardSchema(Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    partner_name = fields.String(required=True)
    month = fields.String(required=True, metadata={"example": "2026-03"})
    criteria_version = fields.Integer(required=True)
    tier = fields.String(required=True, metadata={
        "description": "The partner's tier when computed: ranks are among this tier."})
    total = maybe("0–100; null: no criterion had data.")
    earned_tier = fields.String(required=True, allow_none=True)
    rank = fields.Integer(required=True, allow_none=True, metadata={
        "description": "1 = best among the tier's partners with a total; ties share."})
    ranked = fields.Integer(required=True, allow_none=True)
    percentile = maybe("Share (0–100) of the tier's other partners with a lower total.")
    frozen = fields.Boolean(required=True, metadata={
        "description": "true: the month is closed; only an accepted appeal changes it."})
    computed_at = fields.DateTime(required=True)
    open_appeals = fields.Integer(required=True)


class ScorecardPageSchema(PageSchema):
    items = fields.List(fields.Nested(ScorecardSchema), required=True)


class LineSchema(Schema):
    criterion = fields.String(required=True, metadata={"description": "The criterion's code."})
    name = fields.String(required=True)
    group = fields.String(required=True, metadata={"enum": list(GROUPS)})
    metric = fields.String(required=True)
    explain = fields.String(required=True, metadata={
        "description": "What the numerator and denominator are."})
    value = maybe()
    numerator = maybe()
    denominator = maybe()
    points = maybe("0–100.")
    weight = fields.Integer(required=True, metadata={"description": "As published."})
    share = maybe("The weight over the weights of the criteria with data (0–1).")
    contribution = maybe("points × share; the contributions add up to the total.")
    corrected = fields.Boolean(required=True, metadata={
        "description": "true: the value was corrected by an accepted appeal."})


class CloserSchema(Schema):
    criterion = fields.String(required=True)
    from_value = maybe()
    to_value = fields.Float(required=True)


class GapSchema(Schema):
    tier = fields.String(required=True, metadata={"description": "The next tier up."})
    points = fields.Float(required=True, metadata={"description": "Points short of it."})
    closers = fields.List(fields.Nested(CloserSchema), required=True, metadata={
        "description": "Each criterion that, raised alone to `to_value`, would close it."})
    under_floor = fields.List(fields.String(), required=True)


class HistorySchema(Schema):
    month = fields.String(required=True)
    total = maybe()
    earned_tier = fields.String(required=True, allow_none=True)


class ScorecardDetailSchema(ScorecardSchema):
    lines = fields.List(fields.Nested(LineSchema), required=True)
    failing = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                          required=True, metadata={
                              "description": "Better tiers missed -> why: \"total\" or the "
                                             "codes of criteria under the tier's floor."})
    gap = fields.Nested(GapSchema, required=True, allow_none=True)
    history = fields.List(fields.Nested(HistorySchema), required=True, metadata={
        "description": "The six months up to this one, oldest first."})


class AppealSchema(Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    partner_name = fields.String(required=True)
    month = fields.String(required=True)
    scorecard_id = fields.Integer(required=True)
    criterion = fields.String(required=True)
    appealed_value = maybe()
    claimed_value = maybe()
    reason = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": list(APPEAL_STATES)})
    overdue = fields.Boolean(required=True, metadata={
        "description": "Open past its decision time."})
    filed_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True)
    corrected_value = maybe()
    decided_at = fields.DateTime(required=True, allow_none=True)
    decision_reason = fields.String(required=True)


class AppealPageSchema(PageSchema):
    items = fields.List(fields.Nested(AppealSchema), required=True)


class MessageSchema(Schema):
    id = fields.Integer(required=True)
    author = fields.String(required=True)
    body = fields.String(required=True)
    file_name = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)


class AppealDetailSchema(AppealSchema):
    messages = fields.List(fields.Nested(MessageSchema), required=True)
