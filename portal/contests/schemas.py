"""What the contest endpoints read and answer.

A rate is a JSON number or null, and null is "no data" (its denominator was 0) or "not
ranked" (fewer people than the contest's minimum), never a zero; `numerator` and
`denominator` are what it was computed from (revenue and its target in fen)."""
from marshmallow import Schema, fields

from portal.api.fields import Choice, String
from portal.api.schemas import PageArgs, PageSchema
from portal.contests.models import BOARDS, LEVELS, METRICS, STATUSES

STATES = ("running", "upcoming", "ended", "cancelled")


class ContestArgs(PageArgs):
    when = String(validate=Choice(("running", "upcoming", "ended")), metadata={
        "description": "Only the contests under way, upcoming, or ended (cancelled too)."})


class ContestSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    metric = fields.String(required=True, metadata={"enum": list(METRICS)})
    level = fields.String(required=True, metadata={
        "enum": list(LEVELS), "description": "Who takes part: partners, teams or people."})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    state = fields.String(required=True, metadata={"enum": list(STATES)})
    board = fields.String(required=True, metadata={
        "enum": list(BOARDS), "description": (
            "own: each participant sees its own standing and the thresholds; full: "
            "everyone's rank.")})
    min_people = fields.Integer(required=True, allow_none=True)
    organiser_id = fields.Integer(required=True)
    organiser_name = fields.String(required=True)
    participants = fields.Integer(required=True)


class ContestPageSchema(PageSchema):
    items = fields.List(fields.Nested(ContestSchema), required=True)


class StandingSchema(Schema):
    entry_id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    rate = fields.Float(required=True, allow_none=True)
    rank = fields.Integer(required=True, allow_none=True, metadata={
        "description": ("Competition rank (ties share a place); null when not ranked, "
                        "or on an own-standing board before the final results.")})
    band = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The best top-p % (10, 25, 50) the rate reaches; null below them."})
    numerator = fields.Float(required=True)
    denominator = fields.Float(required=True)
    people = fields.Integer(required=True)
    own = fields.Boolean(required=True, metadata={"description": "The caller's own."})


class ThresholdsSchema(Schema):
    top_10 = fields.Float(required=True, allow_none=True)
    top_25 = fields.Float(required=True, allow_none=True)
    top_50 = fields.Float(required=True, allow_none=True)


class StandingsSchema(Schema):
    contest = fields.Nested(ContestSchema, required=True)
    final = fields.Boolean(required=True, metadata={
        "description": "true: the results frozen when the contest ended."})
    through = fields.Date(required=True, allow_none=True, metadata={
        "description": "The last day counted; null before the contest's first day."})
    full_board = fields.Boolean(required=True)
    ranked = fields.Integer(required=True)
    thresholds = fields.Nested(ThresholdsSchema, required=True, metadata={
        "description": ("The rate of the ranked participant at position ceil(p × n / "
                        "100) of the n ranked; null when none is ranked.")})
    standings = fields.List(fields.Nested(StandingSchema), required=True)
