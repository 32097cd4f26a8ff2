"""What the audit log's codes mean to a reader: actions, object types and their fields.

The log stores codes ("update", "Team", "leader_id"); each domain says what its own codes
are called in an `audit_labels` module of its package (`portal/<domain>/audit_labels.py`)
holding `TYPES` (object type code -> `AuditType`) and optionally `ACTIONS` (code ->
label). Nothing here names a domain: the modules are found beside each domain of
`portal.domains`. A code nobody declared is shown as it is stored, never an error."""
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Callable

from flask_babel import lazy_gettext as _l

# The row changes every audited model writes (see `portal.core.audit`).
CORE_ACTIONS = {"create": _l("Create"), "update": _l("Change"), "delete": _l("Delete")}
# Columns most models share; a type's own `fields` win.
COMMON_FIELDS = {
    "id": _l("ID"), "name": _l("Name"), "title": _l("Title"), "status": _l("Status"),
    "active": _l("Enabled"), "position": _l("Order"), "track": _l("Track"),
    "partner_id": _l("Partner"), "team_id": _l("Team"), "user_id": _l("Person"),
    "created_by": _l("Created by"), "created_at": _l("Created"), "count": _l("Count"),
}
# References most models share: column -> the object type it names.
COMMON_REFS = {"partner_id": "Partner", "team_id": "Team", "user_id": "User",
               "created_by": "User"}


@dataclass(frozen=True)
class AuditType:
    """How the log shows objects of one type: its name, how one object is named (the
    `name` columns, the first and then the others in brackets; `query` when naming needs
    a join: `() -> select(id, *parts)`), field labels, code tables for values
    (`values`), columns that hold another object's id (`refs`: column -> type code) and
    the page of one object (`link`: endpoint and its id argument, behind `link_rule`
    when that page also needs an action rule). `public` reference data (regions) has
    no access scope: anyone who reads the log reads its names."""

    label: object
    model: str | None = None
    name: tuple[str, ...] = ()
    query: Callable | None = None
    fields: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    refs: dict = field(default_factory=dict)
    link: tuple[str, str] | None = None
    link_rule: str | None = None
    public: bool = False

    def field_label(self, key: str) -> str:
        return str(self.fields.get(key) or COMMON_FIELDS.get(key) or key)

    def ref(self, key: str) -> str | None:
        return self.refs.get(key, COMMON_REFS.get(key))


UNKNOWN = AuditType(label="")


@cache
def registry() -> tuple[dict, dict]:
    """(types, actions) declared by every domain, read once."""
    from portal.domains import NAMES
    types, actions = {}, dict(CORE_ACTIONS)
    for name in NAMES:
        module_name = f"portal.{name}.audit_labels"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        types.update(getattr(module, "TYPES", {}))
        actions.update(getattr(module, "ACTIONS", {}))
    return types, actions


def audit_type(code: str | None) -> AuditType:
    """The declaration of object type `code`, or an empty one naming nothing."""
    return registry()[0].get(code or "", UNKNOWN)


def type_label(code: str | None) -> str:
    found = audit_type(code)
    return str(found.label) if found is not UNKNOWN else (code or "")


def action_label(code: str | None) -> str:
    label = registry()[1].get(code or "")
    return str(label) if label else (code or "")


def labelled_choices(codes, label) -> list[tuple[str, str]]:
    """(code, label) pairs for a drop-down, in the order of their labels."""
    return sorted(((code, label(code)) for code in codes), key=lambda pair: pair[1])
