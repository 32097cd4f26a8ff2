"""What the capacity endpoint reads and answers."""
from marshmallow import Schema, fields

from portal.api.fields import String


class CapacityArgs(Schema):
    partner = String(required=True, metadata={
        "description": 'A partner id the caller may plan for, or "market" for the '
                       "principal's whole market (admin and channel managers)."})
    region = String(required=True, metadata={
        "description": "A region code of that partner's territory (a city, county or "
                       "town), or of the market's."})


class ObservedSchema(Schema):
    customers = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Active customers per class: existing, prospect, new."})
    visits_per_day = fields.Float(allow_none=True, metadata={
        "description": "Visits per person-day over the observed days (null: none)."})
    visit_days = fields.Integer()
    since = fields.Date()
    until = fields.Date()
    deal_cycle = fields.Integer(allow_none=True, metadata={
        "description": "Median days from a customer's first visit to its first order."})
    deals = fields.Integer()
    serving = fields.Integer()
    ramping = fields.Integer()


class InputsSchema(Schema):
    existing = fields.Integer()
    prospect = fields.Integer()
    new = fields.Integer()
    visits_existing = fields.Float()
    visits_prospect = fields.Float()
    visits_new = fields.Float()
    visits_per_day = fields.Float()
    working_days = fields.Integer()
    ramp_days = fields.Integer()
    ramp_share = fields.Integer()
    serving = fields.Integer()
    ramping = fields.Integer()
    target_on = fields.Date()
    deal_cycle_days = fields.Integer(allow_none=True)


class ResultSchema(Schema):
    workload = fields.Float(metadata={"description": "Visits the region needs a month."})
    per_person = fields.Float()
    fte = fields.Float()
    headcount = fields.Integer(metadata={"description": "People needed, rounded up."})
    effective = fields.Float()
    gap = fields.Float()
    hires = fields.Integer()
    hire_by = fields.Date()
    late = fields.Boolean()
    first_orders_on = fields.Date(allow_none=True)
    formula = fields.List(fields.String(), metadata={
        "description": "The steps of the workload method with the numbers filled in."})


class CapacitySchema(Schema):
    partner_id = fields.Integer(allow_none=True)
    region_code = fields.String()
    region = fields.String()
    observed = fields.Nested(ObservedSchema)
    inputs = fields.Nested(InputsSchema)
    result = fields.Nested(ResultSchema)
