"""How the audit log names accounts, API tokens and the login events (see
`portal.core.audit_labels`)."""
from flask_babel import lazy_gettext as _l

from portal.core.audit_labels import AuditType
from portal.org.labels import ROLE_LABELS

ACTIONS = {
    "login": _l("Log in"), "logout": _l("Log out"),
    "login_failed": _l("Wrong password"), "login_locked": _l("Login made to wait"),
    "login_unlock": _l("Login wait lifted"), "password_change": _l("Password changed"),
}

TYPES = {
    "User": AuditType(
        _l("Person"), "portal.auth.models:User", name=("display_name", "username"),
        link=("org.person", "user_id"), values={"role": ROLE_LABELS},
        fields={"username": _l("Username"), "display_name": _l("Display name"),
                "password_hash": _l("Password"), "role": _l("Role"), "email": _l("E-mail"),
                "phone": _l("Phone"), "locale": _l("Language"),
                "left_at": _l("Left on"),
                # What the login events write (`portal.auth.throttle`).
                "failures": _l("Wrong passwords in a row"), "seconds": _l("Wait (seconds)"),
                "cleared": _l("Failures forgotten")}),
    "ApiToken": AuditType(
        _l("API token"), "portal.auth.models:ApiToken", name=("name",),
        fields={"name": _l("Token name"), "token_digest": _l("Token"),
                "revoked_at": _l("Revoked")}),
}
