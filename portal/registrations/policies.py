"""Who may register customers, see registrations and cases, and decide them.

A partner's people register prospects: the owner and team leads for the partner, and
staff too, since they find and work the prospects (a staff member's registration is its
partner's claim). The owner and team leads see all of their partner's registrations (a
claim is the partner's, not a team's); staff see those they filed. The holder releases a
live registration: its owner, a team lead, or the staff member who filed it. Channel
managers see their partners' registrations and decide their reviews and cases; the
admin all of them; auditors read everything. The rule is read by everyone and published
by the admin; direct accounts are the principal's, kept by the admin.

A conflict case is seen by the owner and team leads of both partners, by the staff who
filed either registration, and by the channel managers of either partner (see
`portal.registrations.cases` for what each side sees of the other). A party adds
evidence while it is open; each side's evidence files are its own (and the principal's).

Importing this module also registers the visit listener that extends protection."""
from sqlalchemy import and_, false, or_, select, true

from portal.core.access import assigned_partners, change_rule, rule, scope
from portal.core.clock import now
from portal.registrations import extension  # noqa: F401 (registers the visit listener)
from portal.registrations.models import CaseEvidence, ConflictCase, DirectAccount, Registration

rule("registrations.register", "owner", "manager", "staff")
rule("registrations.read", "admin", "auditor", "channel_manager", "owner", "manager", "staff")
# The review queue and the decisions on reviews and cases (which: `reviews.decides_for`).
rule("registrations.decide", "admin", "channel_manager")
rule("registrations.rules", "admin")
rule("registrations.direct", "admin", "auditor", "channel_manager")
rule("registrations.direct_edit", "admin")


@scope(Registration)
def registration_scope(user):
    if user.role == "channel_manager":
        return Registration.partner_id.in_(assigned_partners(user))
    if user.partner_id is None:
        return false()
    if user.role in ("owner", "manager"):
        return Registration.partner_id == user.partner_id
    return and_(Registration.partner_id == user.partner_id,
                Registration.requested_by == user.id)


@change_rule(Registration)
def change_registration(user, registration):
    """The holder's people release a live registration."""
    if registration.partner_id != user.partner_id:
        return False
    return user.role in ("owner", "manager") or registration.requested_by == user.id


def is_live(registration) -> bool:
    return registration.status == "protected" and registration.expires_at > now()


@scope(ConflictCase)
def case_scope(user):
    sides = (ConflictCase.holder_partner_id, ConflictCase.challenger_partner_id)
    if user.role == "channel_manager":
        return or_(*(side.in_(assigned_partners(user)) for side in sides))
    if user.partner_id is None:
        return false()
    if user.role in ("owner", "manager"):
        return or_(*(side == user.partner_id for side in sides))
    filed = select(Registration.id).where(Registration.requested_by == user.id)
    return or_(ConflictCase.holder_id.in_(filed), ConflictCase.challenger_id.in_(filed))


@change_rule(ConflictCase, admins=False)
def change_case(user, case):
    """A party adds evidence while the case is open (the principal decides instead)."""
    return case.state == "open" and user.partner_id in (case.holder_partner_id,
                                                         case.challenger_partner_id)


@scope(CaseEvidence)
def evidence_scope(user):
    seen = CaseEvidence.case_id.in_(select(ConflictCase.id).where(case_scope(user)))
    if user.role == "channel_manager":
        return seen
    return and_(seen, CaseEvidence.partner_id == user.partner_id)


@scope(DirectAccount)
def direct_scope(user):
    """The principal's own customers: its people read them, partners never do."""
    return true() if user.role == "channel_manager" else false()
