"""Operations on violations: entering one with its evidence (and telling the partner's
owner), the owner's one answer, a channel manager's withdrawal. Everything is checked
before anything is stored (files too); no commit."""
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.auth.models import User
from portal.compliance import evidence
from portal.compliance.labels import KIND_LABELS
from portal.compliance.models import VIOLATION_KINDS, Violation, ViolationFile
from portal.compliance.policies import enterable_partners
from portal.core.clock import now, today
from portal.core.errors import DomainError
from portal.core.forms import storable_text
from portal.core.urls import path_for
from portal.extensions import db
from portal.notify.services import notify
from portal.org.models import Partner

TEXT_MAX, REASON_MAX = 4000, 500
OLDEST = date(2000, 1, 1)


def text(value, field: str, limit: int, *, multiline: bool = True) -> str:
    """Required text of at most `limit` characters the portal keeps."""
    found = value.strip() if isinstance(value, str) else ""
    if not found:
        raise DomainError(field, _l("This field is required."))
    if len(found) > limit or not storable_text(found, multiline=multiline):
        raise DomainError(field, _l("At most %(num)d characters.", num=limit))
    return found


def check_partner(actor, partner_id) -> int:
    """The partner a record is entered for: one `actor` looks after (admin: any active)."""
    found = None
    if isinstance(partner_id, int) and not isinstance(partner_id, bool) and \
            0 < partner_id < 2**31:
        found = db.session.execute(enterable_partners(actor).where(
            Partner.id == partner_id)).first()
    if found is None:
        raise DomainError("partner_id", _l("Choose one of the partners you look after."))
    return partner_id


def _day(value) -> date:
    if not isinstance(value, date):
        raise DomainError("occurred_on", _l("Enter the day it happened."))
    if value > today():
        raise DomainError("occurred_on", _l("This day is in the future."))
    if value < OLDEST:
        raise DomainError("occurred_on", _l("This day is too long ago."))
    return value


def enter_violation(actor, values: dict, uploads=()) -> Violation:
    """A verified violation of `values["partner_id"]` with its evidence (description and
    up to `evidence.MAX_FILES` files); the partner's owners are told."""
    partner_id = check_partner(actor, values.get("partner_id"))
    if values.get("kind") not in VIOLATION_KINDS:
        raise DomainError("kind", _l("Choose what kind of violation it is."))
    occurred_on = _day(values.get("occurred_on"))
    description = text(values.get("description"), "description", TEXT_MAX)
    checked = evidence.check_files(uploads, field="files")
    violation = Violation(partner_id=partner_id, kind=values["kind"],
                          occurred_on=occurred_on, description=description,
                          state="verified", entered_by=actor.id)
    violation.files = [ViolationFile(side="evidence", stored_name=evidence.store(data),
                                     filename=name, content_type=kind, size=len(data),
                                     uploaded_by=actor.id) for name, data, kind in checked]
    db.session.add(violation)
    db.session.flush()
    _tell_owner(violation)
    return violation


def _tell_owner(violation: Violation) -> None:
    """The owner hears of it at once, with the link to answer (mandatory: it counts)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("A %(kind)s violation was recorded against your partner",
                  kind=str(KIND_LABELS[violation.kind]))
        body = _("It happened on %(day)s. You may answer it once on its page.",
                 day=violation.occurred_on.isoformat())
    notify(select(User.id).where(User.partner_id == violation.partner_id,
                                 User.role == "owner"),
           "compliance", title, body=body, mandatory=True, group=False,
           link=path_for("compliance.violation", violation_id=violation.id))


def answer_violation(actor, violation: Violation, answer: str, upload=None) -> None:
    """The owner's one answer, with at most one file."""
    if violation.state != "verified":
        raise DomainError("answer", _l("This violation was withdrawn."), 409)
    if violation.answered_at is not None:
        raise DomainError("answer", _l("This violation has already been answered."), 409)
    found = text(answer, "answer", TEXT_MAX)
    checked = evidence.check_files([upload] if upload else [], field="answer_file",
                                   max_files=1)
    violation.answer, violation.answered_by, violation.answered_at = found, actor.id, now()
    for name, data, kind in checked:
        violation.files.append(ViolationFile(side="answer", stored_name=evidence.store(data),
                                             filename=name, content_type=kind,
                                             size=len(data), uploaded_by=actor.id))


def withdraw_violation(actor, violation: Violation, reason: str) -> None:
    """Withdraw a violation found wrong, with the reason: it no longer counts."""
    if violation.state != "verified":
        raise DomainError("reason", _l("This violation is already withdrawn."), 409)
    violation.withdrawn_reason = text(reason, "reason", REASON_MAX, multiline=False)
    violation.state, violation.withdrawn_by, violation.withdrawn_at = \
        "withdrawn", actor.id, now()
