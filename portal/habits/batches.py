"""Batches from a partner's own CRM or a phone's offline queue: each item stored or
refused on its own, in order, and the outcome of each reported. Visits and customers
now; orders and payments reuse `run` with their own `store`.

Every item runs in its own savepoint, so a refused item leaves nothing behind while the
others are kept; the caller commits once at the end (a request, or a benchmark or CLI
command in an app context: nothing here needs a request). An item whose client id came
earlier in the same batch is answered from that earlier item without another trip to
the database: the same content is "exists", different content a 409 for that item."""
from typing import Callable, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.auth.models import User
from portal.core.access import visible
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits import customers as book
from portal.habits.models import Customer
from portal.habits.visits import log_visit

MAX_ITEMS = 1000
STATUSES = ("created", "exists", "error")


class Refused(DomainError):
    """An item refused with more to say than its field message: `extra` joins the
    item's error (the look-alikes of a customer)."""

    def __init__(self, field: str, message, status: int = 400, **extra):
        super().__init__(field, message, status)
        self.extra = extra


def _error(exc: DomainError) -> dict:
    # A field message is a 422 in the API, as for a body refused as a whole.
    status = 422 if exc.status == 400 else exc.status
    return {"field": exc.field, "message": str(exc.message), "status": status,
            **getattr(exc, "extra", {})}


def _repeat(item: dict, earlier: dict, result: dict) -> dict:
    """The answer to an item whose client id came earlier in the batch."""
    if item != earlier:
        return {"client_id": result["client_id"], "status": "error", "error": _error(
            DomainError("client_id", _l("This entry id appears earlier in the batch with "
                                        "different content."), status=409))}
    if result["status"] == "error":
        return dict(result)
    return {"client_id": result["client_id"], "status": "exists"}


def run(items: Iterable[dict], store: Callable, describe: Callable) -> list[dict]:
    """Each item through `store(item) -> (status, obj)` ("created" or "exists") in its
    own savepoint; a DomainError refuses that item alone. The answer per item, in order:
    {client_id, status, **describe(obj)} or {client_id, status: "error", error: {field,
    message, status}}. `describe` runs after the last item, so it shows what later items
    changed (a burst of back-dated visits flags the earlier ones). No commit."""
    results, done, seen = [], [], {}
    for item in items:
        client_id = item.get("client_id")
        if client_id and client_id in seen:
            earlier, first, obj = seen[client_id]
            result = _repeat(item, earlier, first)
            if result["status"] == "exists":
                done.append((result, obj))
            results.append(result)
            continue
        obj = None
        try:
            with db.session.begin_nested():
                status, obj = store(item)
        except DomainError as exc:
            result = {"client_id": client_id, "status": "error", "error": _error(exc)}
        else:
            result = {"client_id": client_id, "status": status}
            done.append((result, obj))
        seen[client_id] = (item, result, obj)
        results.append(result)
    for result, obj in done:
        result.update(describe(obj))
    return results


def counts(results: list[dict]) -> dict[str, int]:
    """How many items were created, already there, refused."""
    tally = dict.fromkeys(STATUSES, 0)
    for result in results:
        tally[result["status"]] += 1
    return tally


# ---- visits ----

def _describe_visit(visit) -> dict:
    return {"id": visit.id, "effective": visit.effective, "flagged": visit.flagged}


def visits(actor: User, items: list[dict]) -> list[dict]:
    """A batch of visits sent by `actor`, each through `visits.log_visit` (its own or,
    for owners and team leads, `salesperson_id`'s)."""
    # The partner's customers the batch names, loaded in one query: log_visit then
    # finds each in the session instead of asking the database item by item. The list
    # holds them (the session keeps only weak references).
    wanted = {item.get("customer_id") for item in items} - {None}
    loaded = db.session.execute(select(Customer).where(
        Customer.id.in_(wanted), Customer.partner_id == actor.partner_id)).scalars().all()

    def store(values):
        logged = log_visit(actor, values)
        return ("created" if logged.created else "exists"), logged.visit

    results = run(items, store, _describe_visit)
    del loaded
    return results


# ---- customers ----

def _owner(actor: User, owner_id: int) -> None:
    """The salesperson given must be one the caller may see: staff themselves, a team
    lead its team, an owner its partner's people (so what it adds stays in its view)."""
    if owner_id == actor.id:
        return
    seen = db.session.execute(select(User.id).where(User.id == owner_id,
                                                    visible(actor, User))).first()
    if seen is None:
        raise DomainError("owner_id", _l("Choose yourself or one of the people you lead."),
                          status=403)


def _identical(actor: User, values: dict, matches: list[Customer] | None = None):
    """A customer of the book with exactly the item's content (a retried item), if any."""
    cleaned = book.clean(actor.partner_id, values)
    if matches is None:
        matches = book.look_alikes(actor.partner_id, cleaned["name"], cleaned["town_code"],
                                   cleaned["uscc"])
    compared = [key for key in book.FIELDS if key in values or key == "name"]
    for match in matches:
        if all(getattr(match, key) == cleaned[key] for key in compared):
            return match
    return None


def _add_customer(actor: User, item: dict):
    values = {key: value for key, value in item.items()
              if key not in ("client_id", "confirm_duplicate")}
    values.setdefault("owner_id", actor.id)
    _owner(actor, values["owner_id"])
    confirm = bool(item.get("confirm_duplicate"))
    if confirm:  # it will not be caught as a look-alike: catch its own retry first
        same = _identical(actor, values)
        if same is not None:
            return "exists", same
    try:
        return "created", book.create_customer(actor, actor.partner_id, values,
                                               confirm_duplicate=confirm)
    except book.Duplicate as exc:
        same = _identical(actor, values, exc.matches)
        if same is None:
            raise Refused(exc.field, exc.message, exc.status,
                          matches=[m.id for m in exc.matches]) from None
    except DomainError as exc:
        same = _identical(actor, values) if exc.status == 409 else None
        if same is None:
            raise
    return "exists", same


def customers(actor: User, items: list[dict]) -> list[dict]:
    """A batch of customers for `actor`'s partner, each through
    `customers.create_customer`; a look-alike is refused with its ids, and an item
    identical to a customer already there (a retry) is "exists"."""
    return run(items, lambda item: _add_customer(actor, item), lambda c: {"id": c.id})
