"""The audit log as a person reads it: who did what to which object, field by field.

`readable(rows, viewer)` turns log rows into `Entry`s: translated action and type names
(`portal.core.audit_labels`), the object and the author named as they are called now,
linked to their pages, and the before/after values as a list of `Change`s. Names are
loaded per object type for all rows at once (never one query per row) and only as far
as the viewer's access scope reaches: an object the viewer may not see is "#id", with
no name and no link. A deleted object is named from its last values in the log."""
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import DateTime, false, select

from portal.core.access import may, visible
from portal.core.audit import AuditLog
from portal.core.audit_labels import AuditType, action_label, audit_type, type_label
from portal.core.domains import load
from portal.extensions import db

CHUNK = 500  # ids per IN (...), well below every database's limit on parameters


@dataclass(frozen=True)
class Named:
    """An object as the page shows it; `known` when it exists and the viewer sees it."""
    text: str
    url: str | None = None
    known: bool = False


@dataclass(frozen=True)
class Change:
    """One field: `old` None for a new value only, `new` None for a last value only;
    `secret` fields show that they changed, never their values."""
    label: str
    old: str | None
    new: str | None
    secret: bool = False

    def text(self) -> str:
        if self.old is None:
            return f"{self.label}: {self.new}"
        if self.new is None:
            return f"{self.label}: {self.old}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass
class Entry:
    row: AuditLog
    actor: Named
    action: str
    type_label: str
    object: Named | None
    changes: list[Change] = field(default_factory=list)

    def changes_text(self) -> str:
        return "; ".join(change.text() for change in self.changes)


def compact(value) -> str:
    """A JSON value as short text (Chinese left as is)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _visible(viewer, model):
    try:
        return visible(viewer, model)
    except KeyError:  # a model without a scope of its own is the principal's alone
        return false()


def _chunks(items: list):
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _join(parts) -> str:
    parts = [str(p) for p in parts if p not in (None, "")]
    if not parts:
        return ""
    return parts[0] + (f" ({' · '.join(parts[1:])})" if len(parts) > 1 else "")


class Names:
    """The names one page of the log needs, asked for with `want` and loaded with
    `load`: per type, one query for what the viewer sees, one for what exists, one for
    the last values of what was deleted."""

    def __init__(self, viewer):
        self.viewer = viewer
        self.wanted: dict[str, set[str]] = defaultdict(set)
        self.found: dict[tuple[str, str], Named] = {}
        self.loaded: dict[str, set[str]] = defaultdict(set)
        self.deleted: dict[tuple[str, str], dict] = {}  # -> its last values

    def want(self, code, ident) -> None:
        if code and ident not in (None, "") and not isinstance(ident, (bool, dict, list)):
            self.wanted[code].add(str(ident))

    def get(self, code, ident) -> Named:
        return self.found.get((code, str(ident)), Named(f"#{ident}"))

    def load(self) -> None:
        """Load what is wanted; the names of deleted objects may name others in turn
        (a territory its region), which a second round loads."""
        while pending := {code: idents - self.loaded[code]
                          for code, idents in self.wanted.items() if idents - self.loaded[code]}:
            for code, idents in pending.items():
                self.loaded[code] |= idents
                spec = audit_type(code)
                if spec.model:
                    self.found.update(((code, ident), named) for ident, named in
                                      self._load(code, spec, load(spec.model), idents))
        for (code, ident), values in self.deleted.items():
            spec = audit_type(code)
            name = _join(self.get(spec.ref(column), values[column]).text if spec.ref(column)
                         else values.get(column) for column in spec.name if column in values)
            self.found[(code, ident)] = Named(_("%(name)s (deleted)", name=name or f"#{ident}"))

    def _load(self, code, spec: AuditType, model, idents):
        pk = model.__mapper__.primary_key[0]
        keys = sorted(_keys(pk, idents))
        shown = {}
        for chunk in _chunks(keys):
            query = (spec.query() if spec.query else
                     select(pk, *(getattr(model, column) for column in spec.name)))
            query = query.where(pk.in_(chunk))
            if not spec.public:
                query = query.where(_visible(self.viewer, model))
            for ident, *parts in db.session.execute(query):
                shown[ident] = Named(_join(parts) or f"#{ident}", self._url(spec, ident), True)
        missing = [key for key in keys if key not in shown]
        existing = set()
        for chunk in _chunks(missing):
            existing.update(db.session.execute(select(pk).where(pk.in_(chunk))).scalars())
        last = _last_values(code, [str(key) for key in missing if key not in existing])
        for key in keys:
            if key in shown:
                yield str(key), shown[key]
            elif key in existing:
                yield str(key), Named(f"#{key}")
            else:
                values = last.get(str(key), {})
                self.deleted[(code, str(key))] = values
                for column in spec.name:
                    self.want(spec.ref(column), values.get(column))

    def _url(self, spec: AuditType, ident) -> str | None:
        if spec.link is None or (spec.link_rule and not may(self.viewer, spec.link_rule)):
            return None
        endpoint, argument = spec.link
        return url_for(endpoint, **{argument: ident})


def _keys(pk, idents) -> set:
    """The ids as the primary key's type; ids that cannot be one are dropped."""
    if pk.type.python_type is int:
        return {int(i) for i in idents if i.isascii() and i.isdigit() and len(i) < 12}
    return set(idents)


def _last_values(code: str, idents: list[str]) -> dict[str, dict]:
    """The values logged when these objects were deleted: id -> values."""
    found = {}
    for chunk in _chunks(idents):
        found.update(db.session.execute(select(AuditLog.object_id, AuditLog.before).where(
            AuditLog.action == "delete", AuditLog.object_type == code,
            AuditLog.object_id.in_(chunk))).all())
    return {ident: values for ident, values in found.items() if isinstance(values, dict)}


@cache
def _time_columns(model) -> frozenset[str]:
    def is_time(kind):
        return isinstance(kind, DateTime) or isinstance(getattr(kind, "impl", None), DateTime)
    return frozenset(c.key for c in model.__table__.columns if is_time(c.type))


def _model(spec: AuditType):
    return load(spec.model) if spec.model else None


def _values(raw) -> dict:
    if raw is None:
        return {}
    return raw if isinstance(raw, dict) else {"": raw}


def _actor(row: AuditLog, names: Names) -> Named:
    if row.actor_id is not None:
        named = names.get("User", row.actor_id)
        if named.known:
            return named
    label = row.actor_label or ""
    kind, _sep, name = label.partition(":")
    if label == "system":
        return Named(_("System"))
    if kind == "cli" and name:
        return Named(_("Command %(name)s", name=name))
    if kind == "job" and name:
        return Named(_("Scheduled job %(name)s", name=name))
    return Named(label)


class _Shower:
    """Shows the values of one type's fields: references by name, codes by label, times
    in the portal's timezone, yes/no, JSON as compact text."""

    def __init__(self, spec: AuditType, names: Names):
        self.spec, self.names = spec, names
        model = _model(spec)
        self.times = _time_columns(model) if model is not None else frozenset()
        self.localtime = current_app.jinja_env.filters["localtime"]

    def __call__(self, key: str, value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        ref = self.spec.ref(key)
        if ref and not isinstance(value, (dict, list)):
            return self.names.get(ref, value).text
        if key in self.spec.values and isinstance(value, str):
            return str(self.spec.values[key].get(value, value))
        if key in self.times and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            return self.localtime(moment if moment.tzinfo else
                                  moment.replace(tzinfo=timezone.utc))
        if isinstance(value, (dict, list)):
            return compact(value)
        return str(value)


def _changes(row: AuditLog, spec: AuditType, names: Names) -> list[Change]:
    model = _model(spec)
    secret = set(getattr(model, "__audit_exclude__", ()))
    before, after = _values(row.before), _values(row.after)
    show = _Shower(spec, names)
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        if key == "id":  # the object's own id: shown as the object
            continue
        label = spec.field_label(key) if key else _("Value")
        if key in secret:
            changes.append(Change(label, None, _("(changed)") if key in before or
                                  row.action != "create" else _("(set)"), secret=True))
            continue
        changes.append(Change(label, show(key, before[key]) if key in before else None,
                              show(key, after[key]) if key in after else None))
    return changes


def _want(row: AuditLog, names: Names) -> None:
    names.want(row.object_type, row.object_id)
    names.want("User", row.actor_id)
    spec = audit_type(row.object_type)
    for values in (_values(row.before), _values(row.after)):
        for key, value in values.items():
            names.want(spec.ref(key), value)


def readable(rows, viewer) -> list[Entry]:
    """The log rows as `viewer` reads them, names loaded per type for all rows."""
    names = Names(viewer)
    for row in rows:
        _want(row, names)
    names.load()
    entries = []
    for row in rows:
        spec = audit_type(row.object_type)
        entries.append(Entry(
            row, _actor(row, names), action_label(row.action), type_label(row.object_type),
            names.get(row.object_type, row.object_id) if row.object_id else None,
            _changes(row, spec, names)))
    return entries
