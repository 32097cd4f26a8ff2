"""The registration rule's page: the version in force with each setting explained in
the order the rule applies them, upcoming and past versions, and the admin's form for a
new version (effective no earlier than now). Also the principal's direct accounts."""
from datetime import datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core.access import may, require
from portal.core.clock import BUSINESS_TZ, now
from portal.core.errors import DomainError
from portal.core.forms import show_error, to_utc
from portal.core.pages import paginate
from portal.extensions import db
from portal.habits.customers import normalise_name
from portal.org.partners import clean_uscc
from portal.registrations import rules
from portal.registrations.forms import RuleForm
from portal.registrations.models import DirectAccount
from portal.registrations.routes import bp
from portal.registrations.services import _text, _town


@bp.route("/rules/")
def rule_page():
    require("registrations.read")
    at = now()
    current = rules.in_force(at)
    every = rules.versions()
    return render_template("registrations/rules.html", current=current, versions=every,
                           upcoming=[v for v in every if v.effective_from > at], at=at,
                           settings=RuleForm.SETTINGS)


def _tomorrow() -> datetime:
    return datetime.combine(now().astimezone(BUSINESS_TZ).date() + timedelta(days=1), time(0))


@bp.route("/rules/new", methods=["GET", "POST"])
def new_rule():
    require("registrations.rules")
    form = RuleForm()
    if not form.is_submitted():
        latest = max(rules.versions(), key=lambda v: (v.effective_from, v.id), default=None)
        form.effective_from.data = _tomorrow()
        if latest is not None:
            for name in RuleForm.SETTINGS:
                form[name].data = getattr(latest, name)
        return render_template("registrations/rule_new.html", form=form)
    if form.validate():
        try:
            version = rules.publish(current_user, effective_from=to_utc(form.effective_from.data),
                                    values=form.values())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Version %(num)d is published; it takes effect on %(when)s.",
                    num=version.version, when=version.effective_from.astimezone(BUSINESS_TZ)
                    .strftime("%Y-%m-%d %H:%M")), "success")
            return redirect(url_for("registrations.rule_page"))
    return render_template("registrations/rule_new.html", form=form), 400


def _direct_page(error=None):
    query = select(DirectAccount).order_by(DirectAccount.id.desc())
    page = render_template("registrations/direct.html", page=paginate(query), error=error,
                           may_edit=may(current_user, "registrations.direct_edit"),
                           values=request.form)
    return (page, error.status) if error else page


@bp.route("/direct")
def direct_accounts():
    require("registrations.direct")
    return _direct_page()


@bp.route("/direct", methods=["POST"])
def add_direct():
    require("registrations.direct_edit")
    try:
        name = _text(request.form, "name", 120, required=True)
        code = _text(request.form, "uscc", 18)
        uscc = clean_uscc(code) if code else None
        town = _town(request.form.get("town_code")) if request.form.get("town_code") else None
        if uscc and db.session.execute(select(DirectAccount.id).where(
                DirectAccount.uscc == uscc)).first():
            raise DomainError("uscc", _("This credit code is a direct account already."))
    except DomainError as error:
        db.session.rollback()
        return _direct_page(error)
    db.session.add(DirectAccount(name=name, name_norm=normalise_name(name), uscc=uscc,
                                 town_code=town, note=_text(request.form, "note", 200),
                                 created_by=current_user.id))
    db.session.commit()
    flash(_("Direct account added."), "success")
    return redirect(url_for("registrations.direct_accounts"))
