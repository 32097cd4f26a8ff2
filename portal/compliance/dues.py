"""Operations on dues to the principal: checking one, adding it, recording its payment,
and how it stands (not yet due, overdue, paid on time, paid late). A due is paid on time
when the whole amount is paid on or before its due day. No commit."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from portal.compliance.models import Due
from portal.compliance.violations import check_partner
from portal.core.clock import today
from portal.core.errors import DomainError
from portal.core.forms import storable_text
from portal.extensions import db
from portal.results.entries import money_fen

REFERENCE_MAX, NOTE_MAX = 64, 500
OLDEST = date(2000, 1, 1)
PAYMENT = ("paid_fen", "paid_on")


def _day(value, field: str, *, past_only: bool = False) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(field, _l("Give a day as YYYY-MM-DD.")) from None
    if not isinstance(value, date):
        raise DomainError(field, _l("Give a day as YYYY-MM-DD."))
    if value < OLDEST or value.year > 2100:
        raise DomainError(field, _l("Give a day between 2000 and 2100."))
    if past_only and value > today():
        raise DomainError(field, _l("This day is in the future."))
    return value


def clean_payment(values: dict, amount_fen: int) -> dict:
    """The paid amount (empty: nothing) and day, checked against the amount due."""
    raw = values.get("paid")
    nothing = raw in (None, "", 0) or (isinstance(raw, str) and raw.strip() in (
        "0", "0.0", "0.00"))
    paid_fen = 0 if nothing else money_fen(raw, "paid")
    paid_on = values.get("paid_on")
    paid_on = None if paid_on in (None, "") else _day(paid_on, "paid_on", past_only=True)
    if paid_fen > amount_fen:
        raise DomainError("paid", _l("The amount paid cannot exceed the amount due."))
    if paid_fen and paid_on is None:
        raise DomainError("paid_on", _l("Enter the day it was paid."))
    if paid_on is not None and not paid_fen:
        raise DomainError("paid", _l("Enter the amount paid on that day."))
    return {"paid_fen": paid_fen, "paid_on": paid_on}


def clean(actor, values: dict) -> dict:
    """A due's fields as typed (amounts in yuan), checked: fen, days, the partner."""
    partner_id = check_partner(actor, values.get("partner_id"))
    reference = values.get("reference")
    reference = reference.strip() if isinstance(reference, str) else ""
    if not reference:
        raise DomainError("reference", _l("This field is required."))
    if len(reference) > REFERENCE_MAX or not storable_text(reference, multiline=False):
        raise DomainError("reference", _l("At most %(num)d characters, one line.",
                                          num=REFERENCE_MAX))
    amount_fen = money_fen(values.get("amount"), "amount")
    due_on = _day(values.get("due_on"), "due_on")
    note = values.get("note") or ""
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > NOTE_MAX or not storable_text(note, multiline=False):
        raise DomainError("note", _l("At most %(num)d characters, one line.", num=NOTE_MAX))
    return {"partner_id": partner_id, "reference": reference, "amount_fen": amount_fen,
            "due_on": due_on, "note": note, **clean_payment(values, amount_fen)}


def existing(partner_id: int, reference: str) -> Due | None:
    return db.session.execute(select(Due).where(
        Due.partner_id == partner_id, Due.reference == reference)).scalar_one_or_none()


def add_due(actor, values: dict, *, cleaned: dict | None = None) -> Due:
    """A new due; its reference must be new for the partner (409 otherwise)."""
    cleaned = cleaned or clean(actor, values)
    if existing(cleaned["partner_id"], cleaned["reference"]) is not None:
        raise DomainError("reference", _l("This partner already has a due with this "
                                          "reference."), 409)
    due = Due(recorded_by=actor.id, **cleaned)
    db.session.add(due)
    db.session.flush()
    return due


def record_payment(due: Due, values: dict) -> None:
    """Record (or correct) what was paid and when."""
    payment = clean_payment(values, due.amount_fen)
    for key in PAYMENT:
        if getattr(due, key) != payment[key]:
            setattr(due, key, payment[key])


def standing(due: Due, day: date | None = None) -> str:
    day = day or today()
    if due.paid_fen >= due.amount_fen and due.paid_on is not None:
        return "paid_on_time" if due.paid_on <= due.due_on else "paid_late"
    return "overdue" if due.due_on < day else "open"


def in_standing(code: str, day: date):
    """SQL over Due: dues standing as `code` on `day`."""
    paid = and_(Due.paid_fen >= Due.amount_fen, Due.paid_on.is_not(None))
    return {"paid_on_time": and_(paid, Due.paid_on <= Due.due_on),
            "paid_late": and_(paid, Due.paid_on > Due.due_on),
            "overdue": and_(~paid, Due.due_on < day),
            "open": and_(or_(Due.paid_fen < Due.amount_fen, Due.paid_on.is_(None)),
                         Due.due_on >= day)}[code]


def plain_yuan(fen: int) -> str:
    """1234.50 for 123450 fen: what a form or spreadsheet shows."""
    return f"{fen // 100}.{fen % 100:02d}"
