"""An extract of the audit log over a date range, filtered by who and by object type,
read as the audit log page reads it (`core.audit_view.readable`): named actors, actions,
objects and field changes in words, secret fields shown as changed, never their values.
At most `LIMIT` entries, newest first; the report says when there were more."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select

from portal.core.audit import AuditLog
from portal.core.audit_labels import type_label
from portal.core.audit_view import readable
from portal.core.clock import now
from portal.extensions import db
from portal.reports.kinds import ReportData, Section, Table, report
from portal.reports.scope import period_of, span

LIMIT = 20_000


def object_types(what: str) -> list[str]:
    """The object type codes of the log that `what` names: the code itself or its label,
    in any case."""
    wanted = what.strip().lower()
    codes = db.session.execute(select(AuditLog.object_type).where(
        AuditLog.object_type.is_not(None)).distinct()).scalars()
    return [code for code in codes if wanted in (code.lower(), type_label(code).lower())]


def entries_query(params, start, end):
    """SQL: the log rows of [start, end) the filters select, newest first (the filters of
    the audit log page: the actor's username in any case, the object type)."""
    query = select(AuditLog).where(AuditLog.at >= start, AuditLog.at < end)
    who, what = params.extra.get("who"), params.extra.get("what")
    if who:
        query = query.where(func.lower(AuditLog.actor_label) == who.lower())
    if what:
        codes = object_types(what)
        query = query.where(AuditLog.object_type.in_(codes) if codes else false())
    return query.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def _filters(params) -> str:
    chosen = [f"{_('Who (username)')}: {params.extra['who']}"] if params.extra.get("who") else []
    if params.extra.get("what"):
        chosen.append(f"{_('What (object type)')}: {params.extra['what']}")
    return _("; ").join(chosen) if chosen else _("Every entry")


@report("audit", label=_l("Audit-log extract"),
        description=_l("The audit log over a period, by who and by object type: who did "
                       "what to which object, the change in words."),
        domain="auth", rule="reports.audit", asks=("range",),
        extra=(("who", _l("Who (username)")), ("what", _l("What (object type)"))))
def build(user, params, progress) -> ReportData:
    start, end = span(params)
    period, scope = period_of(params), _filters(params)
    title = _("Audit-log extract")
    rows = db.session.execute(entries_query(params, start, end).limit(LIMIT + 1)).scalars().all()
    if not rows:
        return ReportData(title, scope, period, now(), empty=_(
            "No entries of the audit log match these filters in this period."))
    capped = len(rows) > LIMIT
    rows = rows[:LIMIT]
    progress(20, "names")
    entries = readable(rows, user)
    progress(50, "rows")
    localtime = current_app.jinja_env.filters["localtime"]
    table = Table(_("Entries"), [_("When"), _("Who"), _("Action"), _("Object type"),
                                 _("Object ID"), _("Object"), _("Changes")],
                  [[localtime(e.row.at), e.actor.text, e.action, e.type_label,
                    e.row.object_id, e.object.text if e.object else None, e.changes_text()]
                   for e in entries],
                  note=_("Only the newest %(limit)s entries: choose a shorter period or "
                         "narrower filters for the rest.", limit=f"{LIMIT:,}") if capped
                  else "")
    summary = Section(_("Summary"), figures=[(_("Entries"), len(entries)),
                                             (_("Oldest"), localtime(rows[-1].at)),
                                             (_("Newest"), localtime(rows[0].at))],
                      paragraphs=[table.note] if capped else [])
    return ReportData(title, scope, period, now(),
                      sections=[summary, Section(_("Audit log"), tables=[table])],
                      source={"entries": len(entries), "capped": capped,
                              "ids": [row.id for row in rows],
                              "filters": dict(params.extra)})
