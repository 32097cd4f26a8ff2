"""The access policy: the one place that answers "may this user see / change this?".

Each model registers a *scope*: a SQL condition selecting the rows a user may see. Lists
filter with it (`visible(user, Model)`), and a single object is checked against the same
condition (`can_view`), so a list and its detail page can never disagree. Changing is a
separate predicate per model (`can_change`). Views load objects with `get_or_404`, which
checks access in the same call so no handler can forget it: a foreign object is a 404
(its existence is not revealed), a visible one the user may not change is a 403."""
from typing import Callable

from flask import abort
from sqlalchemy import ColumnElement, false, select, true

from portal.extensions import db

_scopes: dict[type, Callable] = {}
_changers: dict[type, Callable] = {}


def scope(model):
    """Register `fn(user) -> SQL condition` as the visibility rule of `model`."""
    def register(fn):
        _scopes[model] = fn
        return fn
    return register


def change_rule(model):
    """Register `fn(user, obj) -> bool` as the change rule of `model`."""
    def register(fn):
        _changers[model] = fn
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
    """May `user` change `obj`? Auditors never may; admins always may."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.role == "auditor":
        return False
    if user.role == "admin":
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
