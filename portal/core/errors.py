"""Errors as pages for people and as JSON for the API: `{"error", "message", "details"}`.

Every error, 4xx or 5xx, rolls the session back first, so a failed request never leaves
a half-written change behind."""
import logging

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from portal.extensions import db

log = logging.getLogger(__name__)


class DomainError(ValueError):
    """An operation refused as asked: `field` names the input at fault ("title",
    "answers.12", "audience"), `message` says why in the user's language, `status` is the
    HTTP status a page or the API answers with, and `details` maps every field at fault to
    its message (several when inputs are refused together). Every domain raises this one
    type; forms show it with `core.forms.show_error`, the API translates it to JSON."""

    def __init__(self, field: str, message, status: int = 400):
        super().__init__(str(message))
        self.field = field
        self.message = message
        self.status = status
        self.details = {field: message}

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in."),
    403: _l("You may not do this."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with the current state."),
    413: _l("The upload is too large."),
    422: _l("Some fields are not valid."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side."),
    503: _l("The portal is busy. Please try again in a moment; nothing was changed."),
}
RETRY_AFTER_SECONDS = 3


def wants_json() -> bool:
    """API paths, and pages' own JSON calls (e.g. an exam's autosave), answer in JSON."""
    return request.path.startswith("/api/") or request.is_json or (
        request.accept_mimetypes.best == "application/json")


def error_body(status: int, code: str, message: str, details: dict | None = None) -> dict:
    return {"error": code, "message": message, "details": details or {}}


def error_response(exc: HTTPException):
    """The portal's answer to `exc`: a JSON body for the API and pages' JSON calls, an
    error page otherwise; the session is rolled back first."""
    db.session.rollback()
    status = exc.code or 500
    # An exception may carry its own sentence for the user (`message`, e.g. PdfUnavailable).
    message = str(getattr(exc, "message", None) or MESSAGES.get(status, exc.name))
    if wants_json():
        details = getattr(exc, "data", None) or {}
        if isinstance(details, dict) and "messages" in details:
            details = {"fields": details["messages"]}
        code = (exc.name or "error").lower().replace(" ", "_")
        response = error_body(status, code, message, details if isinstance(details, dict) else {})
        return response, status, getattr(exc, "headers", None) or {}
    return (render_template("errors/error.html", status=status, message=message), status,
            getattr(exc, "headers", None) or {})


def _handle_unexpected(exc: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(InternalServerError())


def _handle_busy(exc: Exception):
    """No connection free in the pool, or SQLite's lock held past the busy timeout: a
    503 the client may retry (the transaction was rolled back), not a 500."""
    if isinstance(exc, OperationalError) and "database is locked" not in str(exc):
        raise exc  # any other database failure is a genuine 500
    log.warning("busy on %s %s: %s", request.method, request.path, exc)
    busy = ServiceUnavailable()
    busy.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return error_response(busy)


def init_app(app) -> None:
    app.register_error_handler(HTTPException, error_response)
    app.register_error_handler(PoolTimeout, _handle_busy)
    app.register_error_handler(OperationalError, _handle_busy)
    if not app.testing:
        app.register_error_handler(Exception, _handle_unexpected)
