"""What the team-health endpoints read and answer.

A month crosses the API as "YYYY-MM" (`period` in, `month` out). Scores are 0–100 with
one decimal or null, and null is "no data" (no visits, no target, no exam that month),
never a zero; the raw counts are what the scores were computed from (money in fen)."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from portal.api.fields import String
from portal.api.schemas import PageArgs, PageSchema
from portal.health.models import COUNTS, LEVELS, PARTS, TARGETED

PERIOD_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"


class Period(String):
    """A month as "YYYY-MM" (2000-01 to 2100-12), loaded as the month's first day."""

    default_error_messages = {**String.default_error_messages,
                              "month": _l("Give the month as YYYY-MM, from 2000-01 to "
                                          "2100-12.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": PERIOD_PATTERN,
                                                  "example": "2026-03"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(PERIOD_PATTERN, text):
            raise self.make_error("month")
        return date(int(text[:4]), int(text[5:]), 1)


def period() -> Period:
    return Period(metadata={"description": (
        "The month, YYYY-MM. Left out: this month once a day of it is counted, else the "
        "latest month computed.")})


def month_text(month: date) -> str:
    return month.strftime("%Y-%m")


# ---- query arguments ----

class HealthArgs(PageArgs):
    period = period()


class SubjectArgs(Schema):
    error_messages = PageArgs.error_messages
    period = period()


# ---- response bodies ----

def score(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={
        "description": f"{description} 0–100; null: no data."})


class ScoresSchema(Schema):
    overall = score("The whole score, the parts weighed by the rule.")
    performance = score("Performance stands out (业绩出众).")
    process = score("The process is clear (流程清晰).")
    growth = score("The team grows (团队成长).")


HealthCountsSchema = Schema.from_dict(
    {name: fields.Integer(required=True, allow_none=name in TARGETED, metadata={
        "description": ("The month's target, prorated to the working days counted; null: "
                        "no target." if name in TARGETED else "")
        + (" In fen." if name.endswith("_fen") else "")})
     for name in COUNTS}, name="HealthCountsSchema")
HealthCountsSchema.__doc__ = "The raw counts of a month, the scores' numerators and denominators."


class PartnerHealthSchema(ScoresSchema):
    partner_id = fields.Integer(required=True)
    partner_name = fields.String(required=True)
    month = fields.String(required=True, metadata={"example": "2026-03"})
    headcount = fields.Integer(required=True)
    counts = fields.Nested(HealthCountsSchema, required=True)


class PartnerHealthPageSchema(PageSchema):
    items = fields.List(fields.Nested(PartnerHealthSchema), required=True)


class MeasureLineSchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    hint = fields.String(required=True, metadata={"description": "How it is computed."})
    numerator = fields.Integer(required=True, allow_none=True)
    denominator = fields.Integer(required=True, allow_none=True)
    score = score("The measure's score.")
    weight = fields.Integer(required=True, metadata={
        "description": "Its weight inside its part, as the rule publishes it."})
    share = fields.Float(required=True, allow_none=True, metadata={
        "description": ("Its share of the part's score (0–1) after the weights of the "
                        "measures without data went to those with data; null: no data.")})


class PartExplainedSchema(Schema):
    part = fields.String(required=True, metadata={"enum": list(PARTS)})
    label = fields.String(required=True)
    score = score("The part's score.")
    weight = fields.Integer(required=True)
    share = fields.Float(required=True, allow_none=True, metadata={
        "description": "Its share of the whole score (0–1); null: no data."})
    measures = fields.List(fields.Nested(MeasureLineSchema), required=True)


class HistoryMonthSchema(ScoresSchema):
    month = fields.String(required=True, metadata={"example": "2026-03"})


class SubjectHealthSchema(ScoresSchema):
    """One partner's, team's or person's month, taken apart, with its trend."""

    subject = fields.String(required=True, metadata={"example": "team:12"})
    level = fields.String(required=True, metadata={"enum": list(LEVELS)})
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    partner_id = fields.Integer(required=True)
    month = fields.String(required=True, metadata={"example": "2026-03"})
    computed = fields.Boolean(required=True, metadata={
        "description": "false: no figures for that month (scores, counts and the "
                       "explanation are null)."})
    rule_version = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The version of the rule that judged the month."})
    headcount = fields.Integer(required=True, allow_none=True)
    counts = fields.Nested(HealthCountsSchema, required=True, allow_none=True)
    parts = fields.List(fields.Nested(PartExplainedSchema), required=True, allow_none=True,
                        metadata={"description": "The score taken apart: parts, then their "
                                                 "measures."})
    history = fields.List(fields.Nested(HistoryMonthSchema), required=True, metadata={
        "description": "The six months up to `month`, oldest first; null scores for a "
                       "month without data."})
