"""Appeals (申诉) against a scorecard, and the review of demotions. No commits here.

An owner appeals one criterion's value on its partner's scorecard, with a reason and
evidence (a statement, optionally a file). A channel manager of the partner (or the
admin) accepts with a corrected value — stored as a `ManualValue`, which rescores the
scorecard and every later computation of that month uses — or rejects with a reason,
within the decision time; open appeals past it are overdue. Both sides may add to the
thread while it is open. Every row is audited, so the thread and every manual value
stay in the audit log."""
import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import files
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.core.urls import path_for
from portal.extensions import db
from portal.notify.services import notify
from portal.results.months import add_months
from portal.scoring import compute
from portal.scoring.metrics import METRICS
from portal.scoring.models import Appeal, AppealMessage, ManualValue, Scorecard, TierChange

FILES_KIND = "scoring"
MAX_FILE_BYTES = 10 * 1024 * 1024
DECISION_HOURS = 120       # five days to decide an appeal
APPEAL_MONTHS = 1          # appeals are filed until a month after the period's end
REASON_LIMIT = 2000


def _text(raw, field: str, *, required: bool = True, limit: int = REASON_LIMIT) -> str:
    text = (raw or "").strip()
    if required and not text:
        raise DomainError(field, _l("Please give a reason."))
    if len(text) > limit:
        raise DomainError(field, _l("At most %(num)d characters.", num=limit))
    if unsafe_character(text, multiline=True):
        raise DomainError(field, _l("This text holds a character that cannot be stored."))
    return text


def metric_value(raw, criterion, field: str, *, required: bool) -> float | None:
    """A value of the criterion's metric typed by a person, inside the metric's bounds."""
    if raw in (None, ""):
        if required:
            raise DomainError(field, _l("Give the corrected value."))
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise DomainError(field, _l("Enter a number.")) from None
    if not math.isfinite(value):
        raise DomainError(field, _l("Enter a number."))
    low, high = METRICS[criterion.metric].bounds
    if (low is not None and value < low) or (high is not None and value > high):
        raise DomainError(field, _l("The value must lie between %(low)s and %(high)s.",
                                    low=low if low is not None else "−∞",
                                    high=high if high is not None else "∞"))
    return value


def _evidence(upload) -> dict:
    """The stored file of an upload `(filename, bytes)`, or nothing."""
    if not upload or not upload[1]:
        return {}
    (name, data, kind), = files.check_files([upload], field="file", max_files=1,
                                            max_bytes=MAX_FILE_BYTES)
    return {"file_name": name, "file_type": kind, "file_size": len(data),
            "file_hash": files.store(FILES_KIND, data)}


def appeal_closes(scorecard: Scorecard) -> datetime:
    """The last moment an appeal may be filed: a month after the period's end."""
    from portal.health.figures import starts
    return starts(add_months(scorecard.month, 1 + APPEAL_MONTHS))


def open_appeal(scorecard: Scorecard, criterion_id: int) -> Appeal | None:
    return db.session.execute(select(Appeal).where(
        Appeal.scorecard_id == scorecard.id, Appeal.criterion_id == criterion_id,
        Appeal.state == "open")).scalar_one_or_none()


def file_appeal(actor, scorecard: Scorecard, criterion_id, values: dict,
                upload=None) -> Appeal:
    """The owner's appeal against one criterion of its scorecard."""
    at = now()
    line = next((ln for ln in scorecard.lines if str(ln.criterion_id) == str(criterion_id)),
                None)
    if line is None:
        raise DomainError("criterion", _l("Choose a criterion of this scorecard."))
    if at >= appeal_closes(scorecard):
        raise DomainError("criterion", _l("Appeals on this period closed on %(day)s.",
                                          day=appeal_closes(scorecard).date().isoformat()))
    if open_appeal(scorecard, line.criterion_id) is not None:
        raise DomainError("criterion", _l("An appeal on this criterion is already open."),
                          status=409)
    reason = _text(values.get("reason"), "reason")
    claimed = metric_value(values.get("claimed_value"), line.criterion, "claimed_value",
                           required=False)
    evidence = _evidence(upload)
    appeal = Appeal(partner_id=scorecard.partner_id, month=scorecard.month,
                    scorecard_id=scorecard.id, criterion_id=line.criterion_id,
                    appealed_value=line.value, claimed_value=claimed, reason=reason,
                    filed_by=actor.id, filed_at=at, due_at=at + timedelta(hours=DECISION_HOURS))
    db.session.add(appeal)
    db.session.flush()
    if evidence:
        db.session.add(AppealMessage(appeal_id=appeal.id, user_id=actor.id, body="",
                                     created_at=at, **evidence))
    _tell_managers(appeal)
    return appeal


def add_message(actor, appeal: Appeal, values: dict, upload=None) -> AppealMessage:
    if appeal.state != "open":
        raise DomainError("body", _l("This appeal is decided; its thread is closed."),
                          status=409)
    evidence = _evidence(upload)
    body = _text(values.get("body"), "body", required=not evidence)
    message = AppealMessage(appeal_id=appeal.id, user_id=actor.id, body=body,
                            created_at=now(), **evidence)
    db.session.add(message)
    db.session.flush()
    return message


def decide(actor, appeal: Appeal, values: dict) -> Appeal:
    """Accept (with the corrected value, which rescores the card) or reject, with a
    reason either way."""
    if appeal.state != "open":
        raise DomainError("decision", _l("This appeal is already decided."), status=409)
    decision = values.get("decision")
    if decision not in ("accepted", "rejected"):
        raise DomainError("decision", _l("Choose accept or reject."))
    reason = _text(values.get("reason"), "reason")
    at = now()
    if decision == "accepted":
        corrected = metric_value(values.get("corrected_value"), appeal.criterion,
                                 "corrected_value", required=True)
        manual = db.session.execute(select(ManualValue).where(
            ManualValue.partner_id == appeal.partner_id, ManualValue.month == appeal.month,
            ManualValue.criterion_id == appeal.criterion_id)).scalar_one_or_none()
        if manual is None:
            manual = ManualValue(partner_id=appeal.partner_id, month=appeal.month,
                                 criterion_id=appeal.criterion_id, value=corrected)
            db.session.add(manual)
        manual.value, manual.appeal_id, manual.set_by, manual.set_at = \
            corrected, appeal.id, actor.id, at
        appeal.corrected_value = corrected
    appeal.state, appeal.decision_reason = decision, reason
    appeal.decided_by, appeal.decided_at = actor.id, at
    db.session.flush()
    if decision == "accepted":
        compute.rescore(appeal.scorecard, at)
    _tell_owner(appeal)
    return appeal


def overdue(at: datetime | None = None):
    """SQL: open appeals past their decision time."""
    return (Appeal.state == "open") & (Appeal.due_at < (at or now()))


def review_demotion(actor, change: TierChange, values: dict) -> TierChange:
    """A person's review of a pending demotion: confirm it (the partner's tier goes
    down) or keep the tier, with a reason either way."""
    if change.state != "pending":
        raise DomainError("decision", _l("This tier change is already decided."), status=409)
    decision = values.get("decision")
    if decision not in ("confirmed", "kept"):
        raise DomainError("decision", _l("Choose confirm or keep."))
    change.reason = _text(values.get("reason"), "reason")
    change.state, change.decided_by, change.decided_at = decision, actor.id, now()
    if decision == "confirmed":
        change.partner.tier = change.to_tier
    db.session.flush()
    return change


def _tell(recipients: list[int], appeal: Appeal, title, body: str) -> None:
    """One notification about `appeal`, in the portal's language (a job may send it)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        notify(recipients, "scoring", str(title()), body=body[:200],
               link=path_for("scoring.appeal", appeal_id=appeal.id), group=False)


def _tell_managers(appeal: Appeal) -> None:
    partner = appeal.partner
    if partner.channel_manager_id is not None:
        _tell([partner.channel_manager_id], appeal,
              lambda: _("Scorecard appeal from %(partner)s", partner=partner.name),
              appeal.reason)


def _tell_owner(appeal: Appeal) -> None:
    _tell([appeal.filed_by], appeal,
          lambda: _("Your appeal was accepted") if appeal.state == "accepted"
          else _("Your appeal was rejected"), appeal.decision_reason)
