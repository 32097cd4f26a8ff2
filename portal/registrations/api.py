"""Registration endpoints: file a registration (201 with it when protected or sent to
review; 409 with the reason, and whether the customer is under review, when refused — the
refusal is kept all the same; 422 for bad input, nothing stored) and list the
registrations the caller may see, in pages, by state."""
from flask import jsonify
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with
from sqlalchemy import select

from portal.api.auth import allowed
from portal.api.batches import QUERY
from portal.api.schemas import ErrorSchema
from portal.core.access import visible
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.pages import Page
from portal.extensions import db
from portal.registrations import display, schemas, services
from portal.registrations.models import Registration
from portal.registrations.routes import in_state

bp = Blueprint("registrations_api", __name__, url_prefix="/api/v1",
               description="Customer registration (客户报备) and protection.")


def registration_json(registration: Registration, at) -> dict:
    detail = registration.detail or {}
    return {"id": registration.id, "partner_id": registration.partner_id,
            "customer_id": registration.customer_id, "source": registration.source,
            "name": registration.name, "uscc": registration.uscc,
            "town_code": registration.town_code,
            "state": services.state(registration, at), "reason": registration.reason,
            "matched_on": list(detail.get("matched_on", [])),
            "rule_version": registration.rule.version,
            "requested_at": registration.requested_at,
            "protected_from": registration.protected_from,
            "expires_at": registration.expires_at,
            "extended_days": registration.extended_days,
            "review_due_at": registration.review_due_at}


@bp.route("/registrations")
@allowed("registrations.read")
@bp.arguments(schemas.RegistrationArgs, **QUERY)
@bp.response(200, schemas.RegistrationPageSchema)
def registration_list(page, per_page, status=None):
    """The registrations the caller may see, newest first: an owner's or team lead's
    partner's, staff their own, a channel manager its partners', the principal all."""
    at = now()
    query = select(Registration).where(visible(current_user, Registration))
    if status is not None:
        query = query.where(in_state(status, at))
    found = Page(query.order_by(Registration.requested_at.desc(), Registration.id.desc()),
                 page=page, per_page=per_page).as_dict()
    found["items"] = [registration_json(r, at) for r in found["items"]]
    return found


@bp.route("/registrations", methods=["POST"])
@allowed("registrations.register")
@bp.arguments(schemas.RegistrationIn)
@bp.response(201, schemas.RegistrationSchema, description=(
    "Protected, or under review (state \"review\") until a channel manager decides."))
@bp.alt_response(409, schema=schemas.RefusedSchema, description=(
    "Refused by the rule: `reason` says why (never who holds the customer); the refused "
    "registration is kept and listed."))
@bp.alt_response(422, schema=ErrorSchema, description="Bad input; nothing stored.")
def create(data):
    """Register a prospect of the caller's partner: a customer of its book
    (`customer_id`) or a new one (`name`, `town_code`, optional `uscc`, `phone`)."""
    try:
        registration = services.register(current_user, data)
    except DomainError as exc:
        db.session.rollback()
        if exc.field in schemas.RegistrationIn().fields:
            abort_with(422, messages={"json": {exc.field: [str(exc.message)]}})
        abort_with(exc.status, message=str(exc.message))
    db.session.commit()
    at = now()
    if registration.status != "refused":
        return registration_json(registration, at)
    body = {"error": "refused", "message": display.verdict(registration), "details": {},
            "reason": registration.reason,
            "under_review": registration.reason == "under_review",
            "registration": schemas.RegistrationSchema().dump(registration_json(
                registration, at))}
    return jsonify(body), 409
