"""Batches of visits and customers from a partner's own CRM or a phone's offline queue,
each item through `portal.api.batches.run` (stored or refused on its own, in order)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.api.batches import Refused, run
from portal.auth.models import User
from portal.core.access import visible
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits import customers as book
from portal.habits.models import Customer
from portal.habits.visits import log_visit


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
