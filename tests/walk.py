"""The isolation walk's world and what it knows, gathered from the domain manifests.

Each domain's `walk` module (`portal/<domain>/walk.py`) provides:
- `build(world)`: creates that domain's objects for partners a and b (`world.a`,
  `world.b`; a person's own objects go in `side.people[<person>]`);
- `ARGS`: URL argument name -> the attribute of a side holding that side's object;
- `NEUTRAL` (optional): URL arguments that name no partner's object -> the value to pass;
- `PERSONAL` (optional): URL argument -> the attribute of one person's objects
  (`side.people[...]`), for the walk inside one partner (None where a person has none);
- `markers(side)` and (optional) `personal_markers(mine)`: the display texts of what it
  built, which must never show to someone who may not see them.
Nothing here names a domain: a new domain's walk module is picked up from its manifest."""
import hashlib
import uuid
from types import SimpleNamespace

from sqlalchemy import func, select

from portal.core.domains import load
from portal.domains import DOMAINS
from portal.extensions import db
from portal.org.walk import PEOPLE

# URL arguments of core and jobs, which have no walk module: nothing of a partner.
CORE_ARGS = {"name": "jobs.prune_runs", "filename": "x.css"}
# Columns a request may touch without changing anything (the token's last use).
TOUCHED = {("api_tokens", "last_used_at"), ("users", "last_login_at"),
           ("users", "last_seen_at")}


def modules() -> list:
    return [load(d.walk) for d in DOMAINS if d.walk]


def _merged(attribute: str, start: dict | None = None) -> dict:
    merged = dict(start or {})
    for module in modules():
        for name, value in getattr(module, attribute, {}).items():
            assert name not in merged, f"URL argument {name!r} mapped twice ({module.__name__})"
            merged[name] = value
    return merged


def _id_of(attribute: str):
    """A function of a side (or a person's objects) giving its object's id, None if absent."""
    return lambda holder: getattr(getattr(holder, attribute, None), "id", None)


def args() -> dict:
    """Every URL argument -> function of a side (objects and neutral values)."""
    objects = {name: _id_of(attr) for name, attr in _merged("ARGS").items()}
    fixed = {name: (lambda side, v=value: v)
             for name, value in _merged("NEUTRAL", CORE_ARGS).items()}
    return {**objects, **fixed}


def neutral() -> set[str]:
    return set(_merged("NEUTRAL", CORE_ARGS))


def personal() -> dict:
    return {name: _id_of(attr) for name, attr in _merged("PERSONAL").items()}


def build(world):
    """`world` plus every domain's objects for each partner, committed."""
    for key in ("a", "b"):
        side = getattr(world, key)
        side.key, side.token = key, uuid.uuid4().hex[:8]
        side.people = {person: SimpleNamespace() for person in PEOPLE}
    for module in modules():
        module.build(world)
    db.session.commit()
    return world


def markers(side) -> list[str]:
    found = [m for module in modules() for m in module.markers(side)]
    assert all(m and len(m) >= 4 for m in found), found
    return found


def personal_markers(mine) -> list[str]:
    return [m for module in modules() if hasattr(module, "personal_markers")
            for m in module.personal_markers(mine)]


def snapshot() -> dict:
    """Row count and a checksum of every table (every column but the touch stamps)."""
    db.session.rollback()
    state = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in TOUCHED]
        if table.name == "regions":  # thousands of fixed rows: their number will do
            state[table.name] = db.session.scalar(select(func.count()).select_from(table))
            continue
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()
        state[table.name] = (len(rows), digest)
    return state


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]
