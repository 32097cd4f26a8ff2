"""The access policy: the one place that answers "may this user see / change this?".

Each model registers a *scope*: a SQL condition selecting the rows a user may see. Lists
filter with it (`visible(user, Model)`), and a single object is checked against the same
condition (`can_view`), so a list and its detail page can never disagree. Changing is a
separate predicate per model (`can_change`). Views load objects with `get_or_404`, which
checks access in the same call so no handler can forget it: a foreign object is a 404
(its existence is not revealed), a visible one the user may not change is a 403.

Actions that name no object ("may compose a broadcast", "may run a job") are *rules*
registered once by name (`rule("broadcasts.compose")`) and asked by name from routes
(`require("broadcasts.compose")`) and templates (`may("broadcasts.compose")`), so a
hidden button and a refused route are always the same rule. Whose figures a person may
read (reach, coverage, progress, dashboards) is answered by one rule, `figures_of`."""
from dataclasses import dataclass
from typing import Callable

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, false, select, true

from portal.extensions import db

_scopes: dict[type, Callable] = {}
_changers: dict[type, Callable] = {}
_rules: dict[str, Callable] = {}


def scope(model):
    """Register `fn(user) -> SQL condition` as the visibility rule of `model`."""
    def register(fn):
        _scopes[model] = fn
        return fn
    return register


_admins_change: dict[type, bool] = {}


def change_rule(model, *, admins: bool = True):
    """Register `fn(user, obj) -> bool` as the change rule of `model`. Admins change
    everything unless `admins=False` (a person's own attempt: no one answers for them)."""
    def register(fn):
        _changers[model] = fn
        _admins_change[model] = admins
        return fn
    return register


def visible(user, model) -> ColumnElement[bool]:
    """SQL condition for the rows of `model` that `user` may see."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role in ("admin", "auditor"):
        return true()
    return _scopes[model](user)


def can_view(user, obj) -> bool:
    """May `user` see `obj`? Evaluated in the database with the model's scope."""
    model = type(obj)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role in ("admin", "auditor"):
        return True
    pk = model.__mapper__.primary_key[0]
    query = select(pk).where(pk == getattr(obj, pk.key), visible(user, model))
    return db.session.execute(query).first() is not None


def can_change(user, obj) -> bool:
    """May `user` change `obj`? Auditors never may; admins may unless the model's rule
    says otherwise."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == "auditor":
        return False
    if user.role == "admin" and _admins_change.get(type(obj), True):
        return True
    rule = _changers.get(type(obj))
    return bool(rule and rule(user, obj) and can_view(user, obj))


def get_or_404(user, model, ident, *, change: bool = False):
    """Load `model` by primary key and check access in one step (404, then 403)."""
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None or not can_view(user, obj):
        abort(404)
    if change and not can_change(user, obj):
        abort(403)
    return obj


def rule(name: str, *roles: str):
    """Register `fn(user) -> bool` as the action rule `name`. With roles given, the rule
    is "the user has one of these roles" and may be used without a function:
    `rule("jobs.run", "admin")`."""
    if name in _rules:
        raise ValueError(f"access rule {name!r} registered twice")
    if roles:
        _rules[name] = lambda user: user.role in roles
        return _rules[name]

    def register(fn):
        _rules[name] = fn
        return fn
    return register


def may(user, name: str) -> bool:
    """Is `user` (logged in and active) allowed the action rule `name`?"""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return bool(_rules[name](user))


def require(name: str) -> None:
    """403 unless the current user is allowed the action rule `name`."""
    if not may(current_user, name):
        abort(403)


@dataclass(frozen=True)
class Figures:
    """Whose figures a person may read: `partner_ids` None means every partner, an empty
    tuple none; `team_id` narrows a mid-level manager's figures to its team."""

    partner_ids: tuple[int, ...] | None
    team_id: int | None = None

    @property
    def nothing(self) -> bool:
        return self.partner_ids is not None and not self.partner_ids

    def condition(self, partner_column, team_column=None) -> ColumnElement[bool]:
        """SQL over rows carrying a partner (and team) column."""
        if self.nothing:
            return false()
        conditions = [] if self.partner_ids is None else [partner_column.in_(self.partner_ids)]
        if self.team_id is not None and team_column is not None:
            conditions.append(team_column == self.team_id)
        return and_(*conditions) if conditions else true()


def assigned_partners(user):
    """SQL: the ids of the partners a channel manager looks after (for `.in_(...)`); the
    one place every scope asks it."""
    from portal.org.models import Partner
    return select(Partner.id).where(Partner.channel_manager_id == user.id)


def assigned_partner_ids(user) -> tuple[int, ...]:
    """The partners a channel manager looks after, in id order."""
    from portal.org.models import Partner
    return tuple(db.session.execute(assigned_partners(user).order_by(Partner.id)).scalars())


def figures_of(user) -> Figures:
    """The one answer to "whose figures may `user` read?". The principal's admin and
    auditors read every partner; a channel manager its assigned partners (also on what
    it wrote itself: its audiences stay inside them); an owner its partner; a mid-level
    manager its own team (nobody without one); staff nobody. Whether a page of figures
    opens at all is the page's own action rule."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return Figures(())
    if user.role in ("admin", "auditor"):
        return Figures(None)
    if user.role == "channel_manager":
        return Figures(assigned_partner_ids(user))
    if user.partner_id is None:
        return Figures(())
    if user.role == "owner":
        return Figures((user.partner_id,))
    if user.role == "manager":
        return Figures((user.partner_id,), user.team_id) if user.team_id is not None \
            else Figures(())
    return Figures(())
