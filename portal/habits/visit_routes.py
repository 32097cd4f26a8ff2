"""Logging a visit from a phone, offline too, and the salesperson's day.

The visit page is one form driven by `static/habits/visit.js`: it searches customers
(`visit_customers`, or the ones the page carries when offline), adds one in two fields
(`visit_new_customer`), asks the portal which parts of the effective-visit rule hold
(`preview_visit`; judged on the device from the rule the page carries when offline) and
sends the visit with the device's id and time (`save_visit`). Entries wait on the
device while there is no connection; the client id makes every retry the same visit.
A service worker (`visit_sw`) keeps the page and its assets for an offline reload.

The endpoints the script calls answer in JSON, errors and a lost login included."""
import hashlib
import json
import re
from pathlib import Path

from flask import (current_app, jsonify, make_response, render_template,
                   render_template_string, request, url_for)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.http import HTTP_STATUS_CODES

from portal.core.access import require
from portal.core.clock import now
from portal.core.errors import DomainError, error_body
from portal.core.pages import number_arg
from portal.domains import today_panels
from portal.extensions import db
from portal.habits import labels, rollups, today as days, visit_forms, visits
from portal.habits.customers import Duplicate, create_customer
from portal.habits.routes import bp

# Endpoints the visit page's script calls: their errors, a lost login included, are JSON.
JSON_ENDPOINTS = frozenset({"habits.save_visit", "habits.preview_visit",
                            "habits.visit_customers", "habits.visit_new_customer"})
LOGGED_OUT = _l("You are logged out. Log in again — visits not yet sent are kept on this "
                "phone.")
SW_FILE = "habits/visit-sw.js"
# Cached by the service worker beside Bootstrap's files (their URLs come from its tags).
SW_ASSETS = ("portal.css", "portal.js", "habits/visit.css", "habits/visit.js")
SW_SCOPE = "/habits/visits/"


def _json_error(status: int, message, details: dict | None = None, *, field: str | None = None,
                code: str | None = None, **extra):
    code = code or HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")
    body = error_body(status, code, str(message),
                      {str(k): str(v) for k, v in (details or {}).items()})
    body.update(field=field, **extra)
    return jsonify(body), status


def _refused(error: DomainError, **extra):
    """A service's refusal as the script reads it; nothing of the request is kept."""
    db.session.rollback()
    return _json_error(error.status, error.message, error.details, field=error.field, **extra)


@bp.before_app_request
def _json_login_guard():
    """The blueprint's login guard redirects to the login page; the visit page's script
    needs a JSON 401 instead, so it keeps the visits waiting and says why."""
    if request.endpoint in JSON_ENDPOINTS and not current_user.is_authenticated:
        return _json_error(401, LOGGED_OUT, code="logged_out")
    return None


def _source():
    """The request's fields: a JSON object, or a form (multipart when there is a photo)."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise DomainError("body", _l("Send the fields as a JSON object."))
        return body
    return request.form


# --- the visit page ---------------------------------------------------------------------
@bp.route("/visits/new")
def log_visit():
    require("habits.log")
    config = current_app.config
    wanted = number_arg("customer_id")
    return render_template(
        "habits/visits/new.html",
        customers=visit_forms.recent_customers(current_user, also=wanted),
        towns=visit_forms.territory_towns(current_user.partner_id),
        rules=visit_forms.page_rules(),
        limits={"photoMaxBytes": config["VISIT_PHOTO_MAX_BYTES"],
                "learnAccuracy": config["VISIT_LEARN_ACCURACY_M"],
                "maxAccuracy": config["VISIT_MAX_ACCURACY_M"]},
        sw_scope=SW_SCOPE, outcome_labels=_texts(labels.OUTCOME_LABELS),
        kind_labels=_texts(labels.KIND_LABELS), part_labels=_texts(labels.PART_LABELS))


def _texts(mapping: dict) -> dict:
    """Labels in the user's language as plain strings (the page's JSON carries them)."""
    return {code: str(label) for code, label in mapping.items()}


@bp.route("/visits/customers")
def visit_customers():
    require("habits.log")
    return jsonify(customers=visit_forms.search_customers(current_user,
                                                          request.args.get("q", "")))


@bp.route("/visits/customers", methods=["POST"])
def visit_new_customer():
    """A new customer from two fields (name and town), looked after by the caller; look-
    alikes come back (409) until the caller confirms it is another one."""
    require("habits.log")
    try:
        source = _source()
        name, town = source.get("name"), source.get("town_code")
        if not isinstance(name, (str, type(None))):
            raise DomainError("name", _l("This field takes text."))
        if not isinstance(town, str) or not town.strip():
            raise DomainError("town_code", _l("Choose a town from the list."))
        confirm = source.get("confirm_duplicate") in (True, "true", "1", "on")
        customer = create_customer(current_user, current_user.partner_id,
                                   {"name": name, "town_code": town.strip(),
                                    "owner_id": current_user.id},
                                   confirm_duplicate=confirm)
    except Duplicate as duplicate:
        matches = [{"id": m.id, "name": m.name, "town": m.town.name if m.town else ""}
                   for m in duplicate.matches]
        return _refused(duplicate, matches=matches)
    except DomainError as error:
        return _refused(error)
    db.session.commit()
    return jsonify(customer={"id": customer.id, "name": customer.name,
                             "town": customer.town.name if customer.town else "",
                             "lat": None, "lng": None, "visited": False, "mine": True,
                             "last": None}), 201


@bp.route("/visits/preview", methods=["POST"])
def preview_visit():
    """Which parts of the rule in force hold for the visit as filled in; nothing stored."""
    require("habits.log")
    try:
        judged = visits.preview(current_user, visit_forms.visit_values(_source()))
    except DomainError as error:
        return _refused(error)
    rule = judged["rule"]
    db.session.rollback()
    return jsonify(kind=judged["kind"], effective=judged["effective"], parts=judged["parts"],
                   distance_m=None if judged["distance_m"] is None
                   else round(judged["distance_m"]),
                   rule=rule.version if rule else None)


@bp.route("/visits", methods=["POST"])
def save_visit():
    """One visit from the page or its offline queue: 201 when stored now, 200 when the
    same entry (its client id) was stored before, a JSON refusal with its field else."""
    require("habits.log")
    try:
        source = _source()
        photo = None if request.is_json else visit_forms.photo_of(request.files)
        logged = visits.log_visit(current_user, visit_forms.visit_values(source), photo=photo)
    except DomainError as error:
        return _refused(error)
    visit = logged.visit
    db.session.commit()
    return jsonify(id=visit.id, client_id=visit.client_id, created=logged.created,
                   effective=visit.effective, flagged=visit.flagged, kind=visit.kind,
                   parts=(visit.verdict or {}).get("parts", []),
                   distance_m=None if visit.distance_m is None else round(visit.distance_m),
                   rule=(visit.verdict or {}).get("rule")), 201 if logged.created else 200


# --- the service worker -----------------------------------------------------------------
def _bootstrap_urls() -> list[str]:
    tags = render_template_string("{{ bootstrap.load_css() }}{{ bootstrap.load_js() }}")
    return re.findall(r'(?:href|src)="([^"]+)"', tags)


@bp.route("/visit-sw.js")
def visit_sw():
    """The visit page's service worker, served from /habits/ so its scope may cover the
    visit pages; the asset list and a version (changing with any cached file) on top."""
    static = Path(current_app.static_folder)
    script = (static / SW_FILE).read_text(encoding="utf-8")
    assets = _bootstrap_urls() + [url_for("static", filename=name) for name in SW_ASSETS] + [
        url_for("core.favicon")]
    digest = hashlib.sha256(script.encode())
    for name in SW_ASSETS:
        digest.update((static / name).read_bytes())
    digest.update(repr(assets).encode())
    header = (f"var VISIT_CACHE = {json.dumps('habits-visit-' + digest.hexdigest()[:16])};\n"
              f"var VISIT_PAGE = {json.dumps(url_for('habits.log_visit'))};\n"
              f"var VISIT_ASSETS = {json.dumps(assets)};\n")
    response = make_response(header + script)
    response.headers["Content-Type"] = "application/javascript; charset=utf-8"
    response.headers["Service-Worker-Allowed"] = "/habits/"
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- the salesperson's day ----------------------------------------------------------------
@bp.route("/today")
def today():
    require("habits.log")
    day = rollups.business_day(now())
    panels = [Markup(render_template(panel.template, **panel.context))
              for panel in today_panels(current_user, day)]
    return render_template("habits/visits/today.html", summary=days.summary(current_user, day),
                           kind_labels=labels.KIND_LABELS, outcome_labels=labels.OUTCOME_LABELS,
                           panels=panels)
