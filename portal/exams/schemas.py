"""What the exam endpoints read and write. The answers body is only checked for its
shape here (an object of at most a few thousand answers); each answer is checked
against its own question by `taking.save_answers`, which names the item that is wrong.
Correct answers, explanations and item scores appear only in a review."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields

from portal.api.fields import Translated
from portal.api.schemas import PageArgs, PageSchema
from portal.exams.models import SUBMITTERS, TRACKS

# The messages of an unknown field or a body of the wrong type, as every API schema says.
SCHEMA_MESSAGES = PageArgs.error_messages

# An exam draws at most 20 rules of 100 questions (services.MAX_RULES, MAX_PER_RULE).
MAX_ANSWERS = 2000
STATES = ("upcoming", "start", "resume", "done", "closed", "cancelled")
KINDS = ("single", "multiple", "truefalse", "fill")
ANSWER_DOC = ("Per kind, in the positions the options were shown in: single, an "
              "integer; multiple, a list of integers; truefalse, a boolean; fill, a "
              "string of at most 200 characters; null clears the answer.")


class Dict(Translated, fields.Dict):
    default_error_messages = {"invalid": _l("Not a valid object."),
                              "required": _l("Missing data for required field."),
                              "null": _l("Field may not be null.")}


def _few_enough(answers: dict) -> None:
    if len(answers) > MAX_ANSWERS:
        raise ValidationError(_("At most %(max)s items.", max=MAX_ANSWERS))


def answers_field(description: str = "", **kwargs) -> Dict:
    # Not a Length validator: apispec would document it as a string's maxLength.
    return Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                validate=_few_enough, metadata={"maxProperties": MAX_ANSWERS, "description": (
                    "Answers by item id (the `id` of an item). " + description + ANSWER_DOC)},
                **kwargs)


# ---- query arguments and request bodies ----

class AnswersSchema(Schema):
    error_messages = SCHEMA_MESSAGES
    answers = answers_field(required=True)


class SubmitAttemptSchema(Schema):
    error_messages = SCHEMA_MESSAGES
    answers = answers_field("Saved first while the time is not up (ignored after it). ",
                            load_default=None)


# ---- response bodies ----

class MySittingSchema(Schema):
    sitting_id = fields.Integer(required=True, metadata={
        "description": "The id to start or resume with: POST /exams/{sitting_id}/attempts."})
    exam_id = fields.Integer(required=True)
    title = fields.String(required=True)
    track = fields.String(required=True, metadata={"enum": list(TRACKS)})
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True, metadata={
        "description": "When the window closes for the caller (later with an override)."})
    time_limit_minutes = fields.Integer(required=True, allow_none=True, metadata={
        "description": "null: no limit but the window's close."})
    question_count = fields.Integer(required=True)
    attempts_allowed = fields.Integer(required=True)
    attempts_used = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": list(STATES), "description": (
        "upcoming: not open yet; start: may start an attempt; resume: an attempt is "
        "running; done: every attempt used.")})
    attempt_id = fields.Integer(required=True, allow_none=True,
                                metadata={"description": "The running attempt, if any."})


class MySittingPageSchema(PageSchema):
    items = fields.List(fields.Nested(MySittingSchema), required=True)


class AttemptItemSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    points = fields.Float(required=True)
    text = fields.String(required=True)
    options = fields.List(fields.String(), required=True,
                          metadata={"description": "In the order shown to this taker."})
    answer = fields.Raw(required=True, allow_none=True,
                        metadata={"description": "The saved answer. " + ANSWER_DOC})
    # A review only (the exam allows it and the attempt is over).
    correct = fields.Raw(allow_none=True, metadata={
        "description": "Review only: the right answer in shown positions (fill: every "
                       "accepted text)."})
    explanation = fields.String(allow_none=True, metadata={"description": "Review only."})
    score = fields.Float(metadata={"description": "Review only: points earned."})


class AttemptResultSchema(Schema):
    submitted_at = fields.AwareDateTime(required=True)
    submitted_by = fields.String(required=True, metadata={
        "enum": list(SUBMITTERS),
        "description": "taker, or deadline when the time ran out with what was saved."})
    score = fields.Float(required=True)
    max_score = fields.Float(required=True)
    percent = fields.Float(required=True)
    passed = fields.Boolean(required=True)


class SubmittedAttemptSchema(AttemptResultSchema):
    attempt_id = fields.Integer(required=True)
    counted = fields.Boolean(required=True, metadata={
        "description": "true only for the call that submitted; a repeat answers false "
                       "with the same result."})


class AttemptSchema(Schema):
    id = fields.Integer(required=True)
    sitting_id = fields.Integer(required=True)
    exam_id = fields.Integer(required=True)
    title = fields.String(required=True)
    number = fields.Integer(required=True, metadata={"description": "1 for the first try."})
    started_at = fields.AwareDateTime(required=True)
    deadline = fields.AwareDateTime(required=True, metadata={
        "description": "Kept by the server: the time limit or the window's close, "
                       "whichever comes first."})
    seconds_left = fields.Integer(required=True, metadata={"description": "0 once over."})
    done = fields.Boolean(required=True)
    review = fields.Boolean(required=True, metadata={
        "description": "Whether the items carry right answers and explanations."})
    result = fields.Nested(AttemptResultSchema, required=True, allow_none=True,
                           metadata={"description": "null while the attempt runs."})
    items = fields.List(fields.Nested(AttemptItemSchema), required=True)


class SavedAnswersSchema(Schema):
    saved = fields.Integer(required=True, metadata={"description": "Answers written."})
    deadline = fields.AwareDateTime(required=True)
    seconds_left = fields.Integer(required=True)


class CoverageCountsSchema(Schema):
    assigned = fields.Integer(required=True)
    covered = fields.Integer(required=True, metadata={
        "description": "Assigned people with at least one submitted attempt in the window."})
    coverage = fields.Float(required=True, allow_none=True, metadata={
        "description": "covered ÷ assigned, 0 to 1; null when nobody is assigned."})


class PartnerCoverageSchema(CoverageCountsSchema):
    partner_id = fields.Integer(required=True)
    partner_name = fields.String(required=True)


class SittingCoverageSchema(CoverageCountsSchema):
    sitting_id = fields.Integer(required=True)
    opens_at = fields.AwareDateTime(required=True)
    closes_at = fields.AwareDateTime(required=True)


class ExamCoverageSchema(CoverageCountsSchema):
    exam_id = fields.Integer(required=True)
    partner_ids = fields.List(fields.Integer(), required=True, allow_none=True, metadata={
        "description": "The partners the figures cover; null: every partner."})
    team_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "A mid-level manager's figures stop at its team."})
    submitted_attempts = fields.Integer(required=True)
    pass_rate = fields.Float(required=True, allow_none=True, metadata={
        "description": "0 to 1, over the attempt that counts per person and sitting."})
    average_percent = fields.Float(required=True, allow_none=True)
    by_partner = fields.List(fields.Nested(PartnerCoverageSchema), required=True)
    by_sitting = fields.List(fields.Nested(SittingCoverageSchema), required=True)
