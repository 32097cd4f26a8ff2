"""The service rule's page (the targets in force, the versions before and after), the
admin's form publishing a new version, and a month's service summary per partner."""
from datetime import date, datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core.access import require
from portal.core.clock import now, today
from portal.core.forms import commit_or_show, to_utc
from portal.extensions import db
from portal.org.models import Partner
from portal.results.months import add_months, first_of
from portal.service import figures, rules
from portal.service.forms import RuleForm
from portal.service.policies import seen_partner_ids
from portal.service.routes import bp, month_window


@bp.route("/rules")
def rules_page():
    require("service.rules")
    at = now()
    current = rules.in_force(at)
    return render_template("service/rules.html", current=current, versions=rules.versions(),
                           at=at)


@bp.route("/rules/new", methods=["GET", "POST"])
def new_rule():
    require("service.publish")
    form = RuleForm()
    if not form.is_submitted():
        latest = rules.in_force(now())
        form.effective_from.data = datetime.combine(
            today() + timedelta(days=1), time(0))
        if latest is not None:
            form.first_response_hours.data = latest.first_response_hours
            form.resolution_hours.data = latest.resolution_hours
        return render_template("service/rule_new.html", form=form)
    if form.validate():
        version, error = commit_or_show(form, lambda: rules.publish(
            current_user, effective_from=to_utc(form.effective_from.data),
            first_response_hours=form.first_response_hours.data,
            resolution_hours=form.resolution_hours.data, note=form.note.data or ""))
        if error is not None:
            return render_template("service/rule_new.html", form=form), error.status
        flash(_("Version %(num)d is published.", num=version.version), "success")
        return redirect(url_for("service.rules_page"))
    return render_template("service/rule_new.html", form=form), 400


def _month_arg() -> date:
    raw = request.args.get("month", "")
    try:
        chosen = date.fromisoformat(raw + "-01") if len(raw) == 7 else None
    except ValueError:
        chosen = None
    current = first_of(today())
    return chosen if chosen is not None and date(2000, 1, 1) <= chosen <= current else current


@bp.route("/summary")
def summary():
    require("service.read")
    month = _month_arg()
    start, end = month_window(month)
    partner_ids = seen_partner_ids(current_user)
    found = figures.summary(start, end, partner_ids, now())
    names = dict(db.session.execute(select(Partner.id, Partner.name).where(
        Partner.id.in_(list(found)))).all()) if found else {}
    rows = sorted(((names.get(pid, ""), pid, values) for pid, values in found.items()),
                  key=lambda row: row[0])
    months = [add_months(first_of(today()), -n) for n in range(12)]
    return render_template("service/summary.html", month=month, rows=rows, months=months)
