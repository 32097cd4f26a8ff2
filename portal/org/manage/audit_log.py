"""The audit log, for the principal's admin and auditors."""
import json
from datetime import datetime, time, timedelta

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.audit import AuditLog
from portal.core.clock import BUSINESS_TZ
from portal.extensions import db
from portal.core.access import require
from portal.core.forms import choices
from portal.core.pages import paginate
from portal.org.forms import AuditFilterForm
from portal.org.manage import bp


def compact(value) -> str:
    """Before/after values as short, readable JSON (Chinese left as is)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


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
    if form.actor.data:
        query = query.where(func.lower(AuditLog.actor_label) == form.actor.data.strip().lower())
    if form.start.data:
        query = query.where(AuditLog.at >= _day_start(form.start.data))
    if form.end.data:
        query = query.where(AuditLog.at < _day_start(form.end.data + timedelta(days=1)))
    return query


@bp.route("/audit")
def audit_log():
    require("org.audit_log")
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = choices(((a, a) for a in _distinct(AuditLog.action)),
                                  blank=_("All actions"))
    form.object_type.choices = choices(((t, t) for t in _distinct(AuditLog.object_type)),
                                       blank=_("All objects"))
    valid = form.validate()
    query = _filtered(form) if valid else select(AuditLog)
    page = paginate(query.order_by(AuditLog.at.desc(), AuditLog.id.desc()))
    return render_template("manage/audit.html", form=form, page=page,
                           compact=compact), 200 if valid else 400
