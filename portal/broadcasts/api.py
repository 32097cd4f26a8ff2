"""Broadcast endpoints: the caller's inbox, reading and acknowledging, and for the
principal writing broadcasts and seeing their reach. Handlers load through the access
policy, call the broadcast services and commit once."""

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with
from marshmallow import RAISE

from portal.api.fields import INT32_MAX
from portal.api.auth import allowed
from portal.api.schemas import ErrorSchema
from portal.broadcasts import reach, schemas, services
from portal.broadcasts.models import Broadcast, Receipt
from portal.core.access import get_or_404, may
from portal.core.database import write_during_get
from portal.core.errors import DomainError
from portal.core.pages import Page
from portal.extensions import db

bp = Blueprint("broadcasts_api", __name__, url_prefix="/api/v1",
               description="Policy broadcasts: inbox, acknowledgement, publishing, reach.")

BROADCAST_PATH = f"/broadcasts/<int(max={INT32_MAX}):broadcast_id>"
NOT_FOUND = {"schema": ErrorSchema, "description": "Not found, or not addressed to the caller."}
FORBIDDEN = {"schema": ErrorSchema, "description": "The caller's role may not do this."}
CONFLICT = {"schema": ErrorSchema,
            "description": "A newer version replaced this one; acknowledge that one."}
# As for partners: a misspelt filter is an error, not a silently unfiltered list.
QUERY = {"location": "query", "as_kwargs": True, "unknown": RAISE}


def _refuse(exc: DomainError, schema):
    """A domain refusal: on a field of the request body, the same 422 as a schema's
    field messages; on the broadcast itself (superseded), a 409."""
    if exc.field in schema().fields:
        abort_with(422, messages={"json": {exc.field: [str(exc.message)]}})
    abort_with(409, reason=str(exc.message))


def _shown(broadcast_id: int) -> Broadcast:
    """A broadcast the caller may read now (recipients see it from `publish_at` on: the
    scope says so)."""
    return get_or_404(current_user, Broadcast, broadcast_id)


def _attributes(broadcast: Broadcast, schema) -> dict:
    return {name: getattr(broadcast, name) for name in schema().fields
            if hasattr(broadcast, name)}


def _detail(broadcast: Broadcast, receipt: Receipt | None) -> dict:
    body = {**_attributes(broadcast, schemas.BroadcastDetailSchema), "receipt": receipt}
    if not may(current_user, "broadcasts.list"):
        # Who else received it is the principal's business.
        for key in ("recipient_count", "audience"):
            del body[key]
    return body


def _complement(query, subset):
    """The rows of `query` that `subset` (the same query, filtered) leaves out."""
    ids = subset.with_only_columns(Receipt.id, maintain_column_froms=True).order_by(None)
    return query.where(Receipt.id.not_in(ids))


def _row_page(query, page: int, per_page: int) -> dict:
    """One page of (Broadcast, Receipt) rows, each a broadcast with its receipt."""
    body = Page(query, page=page, per_page=per_page, rows=True).as_dict()
    body["items"] = [{**_attributes(broadcast, schemas.BroadcastSchema), "receipt": receipt}
                     for broadcast, receipt in body["items"]]
    return body


@bp.route("/broadcasts")
@bp.arguments(schemas.InboxArgs, **QUERY)
@bp.response(200, schemas.InboxPageSchema)
def inbox(page, per_page, unread=None, unacknowledged=None):
    """The caller's broadcasts that are out, newest first, with its receipt."""
    query = services.inbox_query(current_user, unread=bool(unread),
                                 unacked=bool(unacknowledged))
    # The services filter for "still unread / to acknowledge"; false asks for the rest.
    if unread is False:
        query = _complement(query, services.inbox_query(current_user, unread=True))
    if unacknowledged is False:
        query = _complement(query, services.inbox_query(current_user, unacked=True))
    return _row_page(query, page, per_page)


@bp.route(BROADCAST_PATH)
@bp.response(200, schemas.BroadcastDetailSchema)
@bp.alt_response(404, **NOT_FOUND)
def broadcast_detail(broadcast_id):
    """A broadcast with its attachments and questions; reading it marks it opened."""
    broadcast = _shown(broadcast_id)
    receipt = services.receipt_for(current_user, broadcast)
    if receipt is not None and receipt.opened_at is None:
        write_during_get(lambda: services.open_broadcast(current_user, broadcast))
        receipt = services.receipt_for(current_user, broadcast)
    return _detail(broadcast, receipt)


@bp.route(f"{BROADCAST_PATH}/ack", methods=["POST"])
@bp.arguments(schemas.AckSchema, required=False)
@bp.response(200, schemas.AckedSchema)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, **CONFLICT)
def acknowledge(data, broadcast_id):
    """Acknowledge as read, and understood when it has questions.

    Idempotent: acknowledging again keeps the first acknowledgement's time."""
    broadcast = _shown(broadcast_id)
    if services.receipt_for(current_user, broadcast) is None:
        abort(404)
    try:
        receipt = services.acknowledge(current_user, broadcast, data.get("answers"))
    except DomainError as exc:
        db.session.commit()  # the failed check is counted; nothing else changed
        _refuse(exc, schemas.AckSchema)
    db.session.commit()
    return receipt


@bp.route("/broadcasts", methods=["POST"])
@allowed("broadcasts.compose")
@bp.arguments(schemas.BroadcastInSchema)
@bp.response(201, schemas.BroadcastDetailSchema)
@bp.alt_response(403, **FORBIDDEN)
def create(data):
    """Write a broadcast: published at `publish_at` (now or later), or a draft."""
    try:
        services.check_named_partners(current_user, data["audience"])
        broadcast = services.create_broadcast(current_user, **data)
    except DomainError as exc:
        _refuse(exc, schemas.BroadcastInSchema)
    db.session.commit()
    return _detail(broadcast, None)


@bp.route(f"{BROADCAST_PATH}/reach")
@allowed("broadcasts.reach")
@bp.response(200, schemas.ReachSchema)
@bp.alt_response(403, **FORBIDDEN)
@bp.alt_response(404, **NOT_FOUND)
def broadcast_reach(broadcast_id):
    """Delivered, opened, acknowledged and overdue: overall, per partner and per role.

    Covers the partners the caller answers for: an owner its own partner, a channel
    manager its assigned partners (every partner for the broadcasts it wrote)."""
    broadcast = _shown(broadcast_id)
    partner_ids = reach.covered_partner_ids(current_user, broadcast)
    if partner_ids == ():
        abort(404)
    return {"broadcast_id": broadcast.id, "partner_ids": partner_ids,
            "summary": reach.reach_summary(broadcast, partner_ids),
            "by_partner": reach.reach_breakdown(broadcast, "partner", partner_ids),
            "by_role": reach.reach_breakdown(broadcast, "role", partner_ids)}
