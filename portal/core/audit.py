"""The append-only audit log: who, when, which object, before/after, from which IP.

Models that set `__audited__ = True` are logged automatically on every flush, whether the
change came from a form, the API or the CLI, so no service can forget it. Columns named in
`__audit_exclude__` are logged as changed without their values (secrets); columns in
`__audit_ignore__` are bookkeeping (last login) and not logged at all. Events that are
not row changes (login, logout, imports) are written with `record(...)`. The migration
adds database triggers that refuse UPDATE and DELETE on the table."""
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    ip: str | None = None


SYSTEM = Actor(None, "system")
_actor: ContextVar[Actor] = ContextVar("audit_actor", default=SYSTEM)


def set_actor(actor: Actor):
    """Make `actor` the author of changes in this context; returns a reset token."""
    return _actor.set(actor)


def reset_actor(token) -> None:
    """Undo a `set_actor`."""
    try:
        _actor.reset(token)
    except ValueError:  # set in another context (e.g. a copied one); fall back to SYSTEM
        _actor.set(SYSTEM)


def current_actor() -> Actor:
    return _actor.get()


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)  # no FK: outlives its users
    actor_label: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str | None] = mapped_column(String(45))
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(action, object_type, object_id, before, after) -> dict:
    actor = current_actor()
    return {"at": now(), "actor_id": actor.user_id, "actor_label": actor.label,
            "ip": actor.ip, "action": action, "object_type": object_type,
            "object_id": None if object_id is None else str(object_id),
            "before": before, "after": after}


def record(action: str, obj=None, *, object_type=None, object_id=None,
           before=None, after=None) -> None:
    """Log an event that is not a plain row change (login, import, token issued...)."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    db.session.execute(insert(AuditLog), [_row(action, object_type, object_id, before, after)])


def _changes(obj, created: bool):
    excluded = getattr(obj, "__audit_exclude__", ())
    ignored = getattr(obj, "__audit_ignore__", ())
    before, after = {}, {}
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in ignored:
            continue
        hist = state.attrs[key].history
        if created:
            value = getattr(obj, key)
            if value is not None:
                after[key] = "(set)" if key in excluded else _plain(value)
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            if key in excluded:
                before[key], after[key] = "(hidden)", "(changed)"
            else:
                before[key], after[key] = _plain(old), _plain(new)
    return before or None, after or None


def _snapshot(obj) -> dict:
    excluded = set(getattr(obj, "__audit_exclude__", ())) | set(
        getattr(obj, "__audit_ignore__", ()))
    return {a.key: _plain(getattr(obj, a.key)) for a in inspect(obj).mapper.column_attrs
            if a.key not in excluded}


@event.listens_for(Session, "after_flush")
def _log_flush(session, _flush_context):
    rows = []
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            before, after = _changes(obj, created=True)
            rows.append(_row("create", type(obj).__name__, obj.id, None, after))
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj):
            before, after = _changes(obj, created=False)
            if after:
                rows.append(_row("update", type(obj).__name__, obj.id, before, after))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            rows.append(_row("delete", type(obj).__name__, obj.id, _snapshot(obj), None))
    if rows:
        session.connection().execute(insert(AuditLog), rows)


def cli_actor(command: str):
    """Changes made by a CLI command are logged as made by that command."""
    return set_actor(Actor(None, f"cli:{command}"))
