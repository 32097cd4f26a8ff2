"""The partner's registration pages (/registrations): its list (status filter, search,
countdown), the register form with the verdict, one registration, the release, the
look-up and the open pool. Each handler checks its rule, loads inside the user's scope
(`get_or_404`), then calls a service and commits once."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from portal.core.access import can_change, can_view, get_or_404, may, require, visible
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.forms import choices, show_error
from portal.core.lists import partner_filter
from portal.core.pages import number_arg, paginate, require_login
from portal.extensions import db
from portal.habits.customer_forms import territory_towns
from portal.habits.customers import normalise_name
from portal.habits.models import Customer
from portal.registrations import display, pool, reviews, rules, services
from portal.registrations.forms import (ClaimForm, EvidenceForm, LookupForm, RegisterForm,
                                        ReviewForm)
from portal.registrations.labels import STATUS_FILTERS
from portal.registrations.models import ConflictCase, Registration

bp = Blueprint("registrations", __name__, url_prefix="/registrations")
require_login(bp)
bp.context_processor(display.context)


def in_state(code: str, at):
    """SQL: registrations in one of the STATUS_FILTERS states at `at`."""
    if code == "protected":
        return and_(Registration.status == "protected", Registration.expires_at > at)
    if code == "expired":
        return and_(Registration.status == "protected", Registration.expires_at <= at)
    return Registration.status == code


def search(query, q: str):
    if not q:
        return query
    return query.where(or_(Registration.name.contains(q, autoescape=True),
                           Registration.name_norm.contains(normalise_name(q) or q,
                                                           autoescape=True),
                           Registration.uscc == q.upper()))


@bp.route("/")
def index():
    require("registrations.read")
    at = now()
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()[:120]
    partner_id = number_arg("partner_id")
    query = select(Registration).where(visible(current_user, Registration)).options(
        joinedload(Registration.partner), joinedload(Registration.town))
    if status in STATUS_FILTERS:
        query = query.where(in_state(status, at))
    if partner_id:
        query = query.where(Registration.partner_id == partner_id)
    query = search(query, q).order_by(Registration.requested_at.desc(), Registration.id.desc())
    return render_template("registrations/index.html", page=paginate(query), at=at,
                           status=status, q=q, statuses=STATUS_FILTERS,
                           partners=partner_filter(Registration), partner_id=partner_id)


def _towns(partner_id):
    return choices([(code, f"{county} · {name}" if county else name)
                    for code, name, county in territory_towns(partner_id)], blank="—")


def _customers(user):
    rows = db.session.execute(select(Customer.id, Customer.name).where(
        visible(user, Customer), Customer.partner_id == user.partner_id,
        Customer.active.is_(True)).order_by(Customer.name).limit(1000)).all()
    return choices([(str(i), name) for i, name in rows], blank="—")


@bp.route("/new", methods=["GET", "POST"])
def new():
    require("registrations.register")
    form = RegisterForm()
    form.customer_id.choices = _customers(current_user)
    form.town_code.choices = _towns(current_user.partner_id)
    if request.method == "GET":
        chosen = request.args.get("customer_id", "")
        form.customer_id.data = chosen if chosen.isdigit() else ""
    rule = rules.in_force(now())
    context = {"form": form, "rule": rule}
    if not form.is_submitted():
        return render_template("registrations/new.html", **context)
    if form.validate():
        values = {name: form[name].data for name in ("customer_id", "name", "uscc", "phone",
                                                      "town_code", "note")}
        other = (request.form.get("town_other") or "").strip()
        if other and not values["town_code"]:
            values["town_code"] = other
        try:
            registration = services.register(current_user, values)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error, "town_code" if error.field == "town_other" else None)
        else:
            db.session.commit()
            flash(display.verdict(registration) or _("The customer is protected."),
                  "success" if registration.status == "protected" else "warning")
            return redirect(url_for("registrations.registration",
                                    registration_id=registration.id))
    return render_template("registrations/new.html", **context), 400


@bp.route("/<int:registration_id>")
def registration(registration_id):
    found = get_or_404(current_user, Registration, registration_id)
    at = now()
    case = db.session.execute(select(ConflictCase).where(or_(
        ConflictCase.challenger_id == found.id, ConflictCase.holder_id == found.id))
        .order_by(ConflictCase.id.desc()).limit(1)).scalar_one_or_none()
    visible_case = case if case is not None and may_see_case(case) else None
    return render_template(
        "registrations/registration.html", r=found, at=at, case=visible_case,
        may_release=can_change(current_user, found) and services.state(found, at) == "protected",
        may_contest=(found.status == "refused" and found.reason == "protected"
                     and not (found.detail or {}).get("yours") and case is None
                     and found.partner_id == current_user.partner_id
                     and may(current_user, "registrations.register")),
        may_review=found.status == "review" and reviews.decides_for(
            current_user, (found.partner_id,)),
        review_form=ReviewForm(), evidence_form=EvidenceForm())


def may_see_case(case) -> bool:
    return can_view(current_user, case)


@bp.route("/<int:registration_id>/release", methods=["POST"])
def release(registration_id):
    found = get_or_404(current_user, Registration, registration_id, change=True)
    try:
        services.release(current_user, found)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return registration(registration_id), error.status
    db.session.commit()
    flash(_("Released: the customer is in the open pool."), "success")
    return redirect(url_for("registrations.registration", registration_id=registration_id))


@bp.route("/lookup")
def lookup():
    require("registrations.register")
    form = LookupForm(request.args)
    form.town_code.choices = _towns(current_user.partner_id)
    answer, status = None, 200
    if any(request.args.get(k) for k in ("name", "uscc", "phone")):
        try:
            answer = services.lookup(current_user, request.args) if form.validate() else None
        except DomainError as error:
            show_error(form, error)
        if answer is None:
            status = 400
    return render_template("registrations/lookup.html", form=form, answer=answer), status


@bp.route("/pool")
def pool_page():
    require("registrations.register")
    q = request.args.get("q", "").strip()[:120]
    query = pool.pool_query(current_user.partner_id, now(), q)
    return render_template("registrations/pool.html", page=paginate(query), q=q,
                           form=ClaimForm())


@bp.route("/pool/claim", methods=["POST"])
def claim():
    require("registrations.register")
    try:
        claimed = pool.claim(current_user, request.form.get("pool_id"))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return pool_page(), error.status
    db.session.commit()
    flash(display.verdict(claimed) or _("Claimed: the customer is protected."),
          "success" if claimed.status == "protected" else "warning")
    return redirect(url_for("registrations.registration", registration_id=claimed.id))


from portal.registrations import case_routes, rule_routes  # noqa: E402,F401
