"""Conflict cases: a partner refused because another partner holds the customer contests
the refusal with a statement and optional evidence; both sides add evidence while the
case is open; a channel manager of either partner (or an admin) decides for the holder
or the challenger with a reason. The side the decision goes against caused the conflict
(`caused_by_partner_id`, a fairness measure of scoring). Decisions are audited with the
case (an audited model).

What each side sees (the case page): both partners are parties, but neither is named to
the other, as the look-up never names a holder: a partner reads "the holding partner" or
"the challenging partner". Each side sees its own evidence in full and, of the other
side's, only that evidence was added and when; the timeline shows both registrations and
both sides' effective visits to the customer (date and side, no names or notes). The
channel managers of both partners and the principal's admin and auditors see all."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from portal.core import files
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits.models import Customer, Visit
from portal.registrations import keys, rules
from portal.registrations.models import CaseEvidence, ConflictCase, Registration
from portal.registrations.reviews import prospect_of

KIND = "registrations"
BODY_LIMIT = 4000


def _evidence(actor, case: ConflictCase, body: str, upload) -> CaseEvidence:
    body = (body or "").strip()
    if not body:
        raise DomainError("body", _l("Write what happened."))
    if len(body) > BODY_LIMIT:
        raise DomainError("body", _l("At most %(num)d characters.", num=BODY_LIMIT))
    piece = CaseEvidence(case=case, partner_id=actor.partner_id, user_id=actor.id, body=body,
                         created_at=now())
    if upload is not None and upload[1]:
        ((name, data, kind),) = files.check_files(
            [upload], field="file", max_files=1,
            max_bytes=int(current_app.config.get("BROADCAST_MAX_ATTACHMENT_BYTES",
                                                 files.DEFAULT_MAX_BYTES)))
        piece.file_hash, piece.file_name = files.store(KIND, data), name
        piece.file_type, piece.file_size = kind, len(data)
    db.session.add(piece)
    return piece


def open_case(actor, challenger: Registration, body: str, upload=None) -> ConflictCase:
    """Contest a refusal as "protected": a case between the holder's registration and
    the challenger's, due within the rule's decision hours."""
    at = now()
    if challenger.status != "refused" or challenger.reason != "protected" or \
            (challenger.detail or {}).get("yours"):
        raise DomainError("body", _l("Only a registration refused because another partner "
                                     "holds the customer can be contested."), status=409)
    if actor.partner_id != challenger.partner_id:
        raise DomainError("body", _l("Only the registering partner contests it."), 403)
    if db.session.execute(select(ConflictCase.id).where(
            ConflictCase.challenger_id == challenger.id)).first() is not None:
        raise DomainError("body", _l("This refusal is contested already."), status=409)
    holder = db.session.get(Registration, (challenger.detail or {}).get("holder_id") or 0)
    if holder is None or not (holder.status == "protected" and holder.expires_at > at):
        raise DomainError("body", _l("The customer is no longer held; register it again."),
                          status=409)
    rule = rules.in_force(at) or holder.rule
    case = ConflictCase(holder_id=holder.id, challenger_id=challenger.id,
                        holder_partner_id=holder.partner_id,
                        challenger_partner_id=challenger.partner_id, state="open",
                        opened_by=actor.id, opened_at=at,
                        due_at=at + timedelta(hours=rule.decision_hours))
    db.session.add(case)
    _evidence(actor, case, body, upload)
    db.session.flush()
    return case


def add_evidence(actor, case: ConflictCase, body: str, upload=None) -> CaseEvidence:
    """One side's further evidence, while the case is open."""
    if case.state != "open":
        raise DomainError("body", _l("The case is decided; no more evidence."), status=409)
    piece = _evidence(actor, case, body, upload)
    db.session.flush()
    return piece


def decide(actor, case: ConflictCase, decision: str, reason: str) -> None:
    """For the holder (the challenger caused the conflict) or the challenger (the holder's
    registration is released, the challenger's protected from now; the holder caused
    it). The reason is required."""
    reason = (reason or "").strip()
    if decision not in ("holder", "challenger"):
        raise DomainError("decision", _l("Choose for the holder or for the challenger."))
    if not reason:
        raise DomainError("reason", _l("Give the reason for the decision."))
    if len(reason) > BODY_LIMIT:
        raise DomainError("reason", _l("At most %(num)d characters.", num=BODY_LIMIT))
    if case.state != "open":
        raise DomainError("decision", _l("This case is decided already."), status=409)
    at = now()
    if decision == "challenger":
        holder, challenger = case.holder, case.challenger
        keys.serialise(prospect_of(challenger))
        if holder.status == "protected":
            holder.status, holder.released_at = "released", at
        challenger.status, challenger.reason = "protected", None
        challenger.protected_from = at
        challenger.expires_at = at + timedelta(days=challenger.rule.protection_days)
        challenger.detail = {**(challenger.detail or {}), "won_case": case.id}
        case.caused_by_partner_id = case.holder_partner_id
    else:
        case.caused_by_partner_id = case.challenger_partner_id
    case.state, case.decision, case.reason = "decided", decision, reason
    case.decided_by, case.decided_at = actor.id, at
    db.session.flush()


@dataclass
class Event:
    at: datetime
    kind: str  # filed, protected, expires, visit, evidence, decided
    side: str  # holder, challenger, principal
    item: object = None
    shown: bool = True  # False: the other side's evidence, only its time


def side_of(case: ConflictCase, partner_id: int | None) -> str | None:
    if partner_id == case.holder_partner_id:
        return "holder"
    if partner_id == case.challenger_partner_id:
        return "challenger"
    return None


def _visits(case: ConflictCase):
    """Both sides' effective visits to the customer: their own customer rows sharing a
    key with either registration."""
    found = []
    for registration in (case.holder, case.challenger):
        same = keys.matching(Customer, prospect_of(registration))
        if registration.customer_id is not None:
            same = or_(Customer.id == registration.customer_id, same)
        found.append(and_(Customer.partner_id == registration.partner_id, same))
    return db.session.execute(
        select(Visit).join(Customer, Customer.id == Visit.customer_id)
        .where(Visit.effective.is_(True), or_(*found),
               Visit.partner_id.in_((case.holder_partner_id, case.challenger_partner_id)))
        .order_by(Visit.visited_at).limit(200)).scalars().all()


def timeline(case: ConflictCase, viewer) -> list[Event]:
    """The case in time order as `viewer` may see it."""
    mine = side_of(case, viewer.partner_id) if viewer.partner_id is not None else None
    events = []
    for side, registration in (("holder", case.holder), ("challenger", case.challenger)):
        events.append(Event(registration.requested_at, "filed", side, registration))
        if side == "holder" and registration.protected_from is not None:
            events.append(Event(registration.protected_from, "protected", side, registration))
    for visit in _visits(case):
        events.append(Event(visit.visited_at, "visit", side_of(case, visit.partner_id), visit))
    for piece in case.evidence:
        side = side_of(case, piece.partner_id) or "principal"
        events.append(Event(piece.created_at, "evidence", side, piece,
                            shown=mine is None or side == mine))
    if case.decided_at is not None:
        events.append(Event(case.decided_at, "decided", "principal", case))
    return sorted(events, key=lambda e: (e.at, e.kind))


def overdue(case: ConflictCase, at: datetime) -> bool:
    return case.state == "open" and case.due_at <= at


def download(piece: CaseEvidence):
    return files.download(KIND, piece.file_hash, content_type=piece.file_type,
                          filename=piece.file_name or "evidence")
