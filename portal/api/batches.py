"""What every batch endpoint (visits, customers, orders, payments) shares: each item
stored or refused on its own, in order, the outcome of each reported, strict query
arguments, the documented answers, and the answer itself, committed once.

Every item runs in its own savepoint, so a refused item leaves nothing behind while the
others are kept; the caller commits once at the end (a request, or a benchmark or CLI
command in an app context: nothing here needs a request). An item whose client id came
earlier in the same batch is answered from that earlier item without another trip to
the database: the same content is "exists", different content a 409 for that item."""
from typing import Callable, Iterable

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE

from portal.api.schemas import ErrorSchema
from portal.core.errors import DomainError
from portal.extensions import db

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


# A misspelt filter is an error, not a silently unfiltered list.
QUERY = {"location": "query", "as_kwargs": True, "unknown": RAISE}
FORBIDDEN = {"schema": ErrorSchema,
             "description": "Only a partner's people (owner, team lead, staff) send these."}
STORED = "At least one item was stored now; `items` says what became of each."
NOTHING_NEW = ("Nothing new was stored: every item was there already (a retry) or was "
               "refused; `items` says which.")


def answer(results: list[dict]):
    """The batch's answer, committed: 201 when anything was stored, else 200."""
    db.session.commit()
    tally = counts(results)
    return {"counts": tally, "items": results}, 201 if tally["created"] else 200
