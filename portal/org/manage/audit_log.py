"""The audit log, for the principal's admin and auditors: filtered, readable, as CSV."""
from datetime import datetime, time, timedelta

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.core.access import require
from portal.core.audit import AuditLog
from portal.core.audit_labels import action_label, labelled_choices, type_label
from portal.core.audit_view import readable
from portal.core.clock import BUSINESS_TZ, today
from portal.core.csv_export import csv_response
from portal.core.forms import choices
from portal.core.pages import paginate
from portal.extensions import db
from portal.org.forms import AuditFilterForm
from portal.org.manage import bp

# A CSV holds at most this many entries, newest first (the page says so).
CSV_LIMIT = 10_000


def _day_start(day) -> datetime:
    # Dates on the page are business days (Asia/Shanghai); the log stores UTC.
    return datetime.combine(day, time.min, tzinfo=BUSINESS_TZ)


def _distinct(column) -> list[str]:
    return db.session.execute(select(column).where(column.is_not(None)).distinct()
                              .order_by(column)).scalars().all()


def _filtered(form: AuditFilterForm):
    query = select(AuditLog)
    if form.action.data:
        query = query.where(AuditLog.action == form.action.data)
    if form.object_type.data:
        query = query.where(AuditLog.object_type == form.object_type.data)
    if form.object_id.data:
        query = query.where(AuditLog.object_id == str(form.object_id.data))
    if form.actor.data:
        query = query.where(func.lower(AuditLog.actor_label) == form.actor.data.strip().lower())
    if form.start.data:
        query = query.where(AuditLog.at >= _day_start(form.start.data))
    if form.end.data:
        query = query.where(AuditLog.at < _day_start(form.end.data + timedelta(days=1)))
    return query.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    types = _distinct(AuditLog.object_type)
    form.action.choices = choices(labelled_choices(_distinct(AuditLog.action), action_label),
                                  blank=_("All actions"))
    form.object_type.choices = choices(labelled_choices(types, type_label),
                                       blank=_("All objects"))
    form.known_type(types)
    return form


def _csv(query):
    rows = db.session.execute(query.limit(CSV_LIMIT)).scalars().all()
    localtime = current_app.jinja_env.filters["localtime"]
    return csv_response(
        f"audit-log-{today().isoformat()}.csv",
        [_("When"), _("Who"), _("Action"), _("Object type"), _("Object ID"), _("Object"),
         _("Changes"), _("IP")],
        ((localtime(e.row.at), e.actor.text, e.action, e.type_label, e.row.object_id or "",
          e.object.text if e.object else "", e.changes_text(), e.row.ip or "")
         for e in readable(rows, current_user)))


@bp.route("/audit")
def audit_log():
    """The log, newest first; `?format=csv` downloads what the filters select."""
    require("org.audit_log")
    wanted = request.args.get("format", "html")
    if wanted not in ("html", "csv"):
        abort(400)
    form = _filter_form()
    if not form.validate():
        return render_template("manage/audit.html", form=form, page=None, entries=[],
                               csv_limit=CSV_LIMIT), 400
    query = _filtered(form)
    if wanted == "csv":
        return _csv(query)
    page = paginate(query)
    return render_template("manage/audit.html", form=form, page=page,
                           entries=readable(page.items, current_user), csv_limit=CSV_LIMIT)
