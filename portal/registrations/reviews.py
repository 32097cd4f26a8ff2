"""A channel manager's decisions on registrations under review (for its own partners;
an admin for all), within the rule's `decision_hours`: approved ones are protected from
the decision time, refused ones say why. The earliest approved registration wins: an
approval is refused when another registration has come to hold the customer."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core.access import assigned_partners
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db
from portal.registrations import keys
from portal.registrations.keys import Prospect
from portal.registrations.models import Registration


def decides_for(user, partner_ids: tuple[int, ...]) -> bool:
    """May `user` decide for a registration or case of these partners: an admin, or a
    channel manager looking after one of them."""
    if user.role == "admin":
        return True
    if user.role != "channel_manager":
        return False
    mine = set(db.session.execute(assigned_partners(user)).scalars())
    return bool(mine & set(partner_ids))


def prospect_of(registration: Registration) -> Prospect:
    return Prospect(registration.name, registration.name_norm, registration.uscc,
                    registration.phone_norm, registration.town_code, registration.customer_id)


def decide(actor, registration: Registration, decision: str, note: str) -> None:
    """Approve or refuse a registration under review."""
    note = (note or "").strip()
    if decision not in ("approve", "refuse"):
        raise DomainError("decision", _l("Choose approve or refuse."))
    if len(note) > 500:
        raise DomainError("note", _l("At most %(num)d characters.", num=500))
    if decision == "refuse" and not note:
        raise DomainError("note", _l("Say why the registration is refused."))
    if registration.status != "review":
        raise DomainError("decision", _l("This registration is not waiting for a review."),
                          status=409)
    at = now()
    if decision == "approve":
        keys.serialise(prospect_of(registration))
        if keys.holder(prospect_of(registration), at, exclude_id=registration.id) is not None:
            raise DomainError("decision", _l("Another registration holds this customer now; "
                                             "refuse this one."), status=409)
        registration.status = "protected"
        registration.protected_from = at
        registration.expires_at = at + timedelta(days=registration.rule.protection_days)
    else:
        registration.status = "refused"
        registration.reason = "refused_in_review"
    registration.decided_by, registration.decided_at = actor.id, at
    registration.decision_note = note
    db.session.flush()


def queue(user):
    """SQL: the registrations under review `user` decides, the oldest deadline first."""
    query = select(Registration).where(Registration.status == "review")
    if user.role == "channel_manager":
        query = query.where(Registration.partner_id.in_(assigned_partners(user)))
    return query.order_by(Registration.review_due_at, Registration.id)
