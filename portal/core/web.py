"""Request plumbing shared by every page: security headers, language, audit actor,
auditor guard, template helpers, safe redirects, liveness."""
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, g, has_request_context, redirect, request,
                   session, url_for)
from flask_babel import format_datetime, get_locale
from flask_login import current_user
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from portal.core import access, audit
from portal.core.clock import now
from portal.core.database import READ_METHODS
from portal.core.pages import MAX_ID
from portal.extensions import babel, db, talisman
from portal.org import labels, tracks

bp = Blueprint("core", __name__)

# Auditors read everything and change nothing; these endpoints only touch their own login.
# Asking for a report and checking one change nothing an auditor audits.
AUDITOR_MAY_POST = frozenset({"auth.login", "auth.logout", "auth.change_password",
                              "core.set_language", "notify.read_all", "notify.preferences",
                              "reports.new", "reports.verify"})


# Every page and API answer: scripts, styles, images, fonts and connections from the
# portal itself only (no inline script or style attribute; data: images for the QR codes
# and charts to come), never framed, forms posting only here.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number above what a database integer holds matches
    no route (a 404) instead of failing in the database."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# The navigation bar's sections, by endpoint (exact names first, then blueprint names).
SECTIONS = {
    "exams.reports": "reports", "exams.exam_report": "reports", "exams.not_taken": "reports",
    "exams.certificates": "certificates", "exams.certificate": "certificates",
    "manage.users": "accounts", "manage.new_account": "accounts",
    "manage.audit_log": "audit", "auth.tokens": "account", "auth.change_password": "account",
    "broadcasts": "broadcasts", "training": "training", "exams": "exams", "jobs": "jobs",
    "org": "partners", "partners": "partners", "manage": "partners", "notify": "notify",
    "habits": "visits", "capacity": "capacity", "health": "health",
    "contests": "contests", "reports": "report-catalogue",
    **dict.fromkeys(("registrations", "service", "compliance", "scoring"), "market"),
    **dict.fromkeys(
        ("habits.customers", "habits.customer", "habits.new_customer", "habits.edit_customer",
         "habits.import_customers", "habits.customer_import_template",
         "habits.export_customers"), "customers"),
    **dict.fromkeys(
        ("results.targets", "results.partner_targets", "results.team_targets",
         "results.person_targets", "results.set_partner_targets", "results.set_team_targets",
         "results.set_person_targets"), "targets"),
    **dict.fromkeys(
        ("results.orders", "results.order", "results.new_order", "results.export_orders",
         "results.import_orders", "results.order_import_template", "results.payments",
         "results.new_payment", "results.export_payments", "results.import_payments",
         "results.payment_import_template"), "orders"),
}


def nav_section() -> str | None:
    """Which section of the navigation bar the current page belongs to."""
    endpoint = request.endpoint or ""
    if endpoint == "org.home":
        return "home"
    return SECTIONS.get(endpoint) or SECTIONS.get(endpoint.split(".")[0])


def secure_headers(app) -> None:
    """Content-Security-Policy, X-Frame-Options: DENY, nosniff and a Referrer-Policy on
    every response (Flask-Talisman); HTTPS redirect, HSTS and secure session cookies
    when the settings say the portal runs behind HTTPS."""
    https = bool(app.config["FORCE_HTTPS"])

    @app.after_request
    def own_policy(response):
        """A response may carry a stricter policy of its own (`response.portal_csp`,
        e.g. "sandbox" on downloads); registered first, this runs after Talisman's."""
        policy = getattr(response, "portal_csp", None)
        if policy:
            response.headers["Content-Security-Policy"] = policy
        return response

    talisman.init_app(
        app, content_security_policy=CONTENT_SECURITY_POLICY, frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin", force_https=https,
        strict_transport_security=https,
        strict_transport_security_max_age=app.config["HSTS_SECONDS"],
        session_cookie_secure=bool(app.config["SESSION_COOKIE_SECURE"]) or https,
        session_cookie_http_only=True)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        # API clients carry no language cookie; they say what they read in Accept-Language.
        chosen = request.accept_languages.best_match(languages)
    else:
        chosen = session.get("lang")
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def safe_next(target: str | None, fallback: str = "org.home") -> str:
    """A same-site path to go back to, never an absolute URL to elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for(fallback)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.form.get("next")))


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "time": now().isoformat()}


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask the site's root for its icon, whatever the page links to."""
    return current_app.send_static_file("favicon.ico")


def _before_request():
    user = current_user if current_user and current_user.is_authenticated else None
    g.audit_token = audit.set_actor(audit.Actor(
        user.id if user else None, user.username if user else "anonymous",
        request.remote_addr))
    refuse_auditor_writes(user)
    refuse_nul_characters()


def refuse_nul_characters() -> None:
    """No person types a NUL character and PostgreSQL cannot store one: refuse the request
    (400) before any form or query sees it. The API checks it field by field instead."""
    if request.path.startswith("/api/"):
        return
    for values in request.values.listvalues():
        if any("\x00" in value for value in values):
            abort(400)


def refuse_auditor_writes(user) -> None:
    """Auditors read everything and change nothing: a 403 for any write request."""
    if user is not None and user.role == "auditor" and request.method not in READ_METHODS \
            and request.endpoint not in AUDITOR_MAY_POST:
        abort(403)


def _teardown_request(_exc):
    # The worker thread serves other requests and jobs next: forget this request's actor.
    token = g.pop("audit_token", None)
    if token is not None:
        audit.reset_actor(token)


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.before_request(_before_request)
    app.teardown_request(_teardown_request)

    @app.template_filter("localtime")
    def localtime(value, pattern="yyyy-MM-dd HH:mm:ss"):
        """An aware UTC time shown in the portal's timezone."""
        return format_datetime(value, pattern) if value is not None else ""

    @app.context_processor
    def helpers():
        return {"can_view": lambda obj: access.can_view(current_user, obj),
                "may": lambda name: access.may(current_user, name),
                "can_change": lambda obj: access.can_change(current_user, obj),
                "current_locale": str(get_locale()),
                "role_label": labels.role_label,
                "structure_label": lambda c: labels.label(labels.STRUCTURE_LABELS, c),
                "status_label": lambda c: labels.label(labels.STATUS_LABELS, c),
                "level_label": lambda c: labels.label(labels.LEVEL_LABELS, c),
                "languages": app.config["LANGUAGES"],
                # The portal's clock (tests move it), for "overdue" and "open now".
                "clock_now": now, "nav_section": nav_section,
                "topic_label": tracks.topic_label}
