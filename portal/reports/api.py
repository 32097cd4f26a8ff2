"""Report endpoints: a kind's PDF or CSV for the parameters in the query, the reports
the caller may see, and one report's state.

A report is made in the background, never in the request: the first call queues it and
answers 202 with where to look; the same call again answers the file once it is done
(the caller's own request of the last hour with exactly those parameters, in the same
language), a 409 if it failed. Parameters are checked as on the page: a partner out of
the caller's reach, a month not begun or dates the wrong way round are a 422 on that
field, and nothing is queued."""
from datetime import timedelta

from flask import abort, jsonify, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with
from sqlalchemy import select

from portal.api.auth import allowed
from portal.api.batches import QUERY
from portal.api.fields import INT32_MAX
from portal.api.schemas import ErrorSchema
from portal.core import files
from portal.core.access import get_or_404, may, visible
from portal.core.clock import now
from portal.core.database import write_during_get
from portal.core.errors import DomainError
from portal.core.pages import Page
from portal.extensions import db
from portal.reports import schemas, services
from portal.reports.kinds import KINDS, present
from portal.reports.models import Report

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1",
               description="Reports (审计报表): PDF and CSV made in the background.")

ID = f"<int(max={INT32_MAX})"
# A finished report answers the same request for this long; later one is made afresh.
FRESH_FOR = timedelta(hours=1)
RETRY_AFTER_SECONDS = 5
CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
FILE = {"type": "string", "format": "binary"}
QUEUED = {"schema": schemas.QueuedSchema, "description": (
    "Being made: call the same URL again after `Retry-After` seconds, or follow "
    "`status_url`."), "headers": {"Retry-After": {
        "description": "Seconds to wait before asking again.",
        "schema": {"type": "integer"}}}}
NOT_FOUND = {"schema": ErrorSchema, "description": (
    "No such report kind, or no such report the caller may see.")}
FORBIDDEN = {"schema": ErrorSchema, "description": "The caller may not ask for this kind."}
FAILED = {"schema": ErrorSchema, "description": (
    "The report asked for within the hour failed; `details.reason` says why.")}


def _query(report: Report) -> dict:
    """The query string that asks for `report` again."""
    raw = {**(report.params or {})}
    if raw.get("month"):
        raw["month"] = raw["month"][:7]
    return {name: value for name, value in raw.items() if value not in (None, "")}


def urls(report: Report) -> dict:
    query = _query(report)
    return {"status_url": url_for("reports_api.report_detail", report_id=report.id),
            "pdf_url": url_for("reports_api.report_pdf", kind=report.kind, **query),
            "csv_url": url_for("reports_api.report_csv", kind=report.kind, **query)}


def report_json(report: Report) -> dict:
    return {**{name: getattr(report, name) for name in (
        "id", "kind", "title", "partner_id", "params", "lang", "state", "progress", "step",
        "error", "code", "pack", "requested_by", "requested_at", "finished_at", "as_of",
        "pdf_sha256", "pdf_bytes", "pdf_pages", "csv_sha256")},
        "month": report.month.strftime("%Y-%m") if report.month else None, **urls(report)}


def _language() -> str:
    return str(get_locale() or "zh")[:2]


def _asked_lately(code: str, params) -> Report | None:
    """The caller's own report of kind `code` with exactly `params`, asked for within
    the hour in the request's language: the newest finished one, else the newest still
    being made, else the newest failed one."""
    wanted = services.params_json(params)
    found = [r for r in db.session.execute(select(Report).where(
        Report.kind == code, Report.requested_by == current_user.id, Report.pack.is_(None),
        Report.partner_id.is_not_distinct_from(params.partner_id),
        Report.requested_at >= now() - FRESH_FOR)
        .order_by(Report.requested_at.desc(), Report.id.desc())).scalars()
        if r.params == wanted and r.lang == _language()]
    for states in (("done",), ("queued", "running"), ("failed",)):
        lately = next((r for r in found if r.state in states), None)
        if lately is not None:
            return lately
    return None


def _queue(code: str, args: dict) -> Report:
    """Queue the report, committed, and ask the scheduler for a run at once."""
    from portal.jobs.runner import request_run
    queued = []

    def change():
        queued.append(services.request_report(current_user, code, args, lang=_language(),
                                              base_url=request.host_url))
        db.session.commit()
        request_run("reports.generate", current_user.id)
    write_during_get(change)
    return queued[0]


def _refuse(exc: DomainError):
    db.session.rollback()
    if exc.status == 400:
        abort_with(422, messages={"query": {exc.field: [str(exc.message)]}})
    abort_with(exc.status, reason=str(exc.message))


def _answer(code: str, fmt: str, args: dict):
    """The file of the caller's finished report of kind `code` for `args`, or the
    report being made (202), queued now if there is none."""
    kind = KINDS.get(code)
    if kind is None or not present(kind):
        abort(404)
    if not may(current_user, kind.rule):
        abort(403)
    try:
        params = services.check_params(current_user, kind, args)
        report = _asked_lately(code, params) or _queue(code, args)
    except DomainError as exc:
        _refuse(exc)
    if report.state == "failed":
        abort_with(409, reason=report.error, report_id=report.id)
    if report.state != "done":
        body = schemas.QueuedSchema().dump(report_json(report))
        return jsonify(body), 202, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    write_during_get(lambda: services.record_download(report, current_user, fmt))
    stored = report.pdf_sha256 if fmt == "pdf" else report.csv_sha256
    return files.download("reports", stored, content_type=CONTENT_TYPES[fmt],
                          filename=f"report-{report.id}-{report.kind}.{fmt}")


@bp.route("/reports/<kind>.pdf")
@allowed("reports.read")
@bp.arguments(schemas.ReportArgs, **QUERY)
@bp.response(200, FILE, content_type="application/pdf", description=(
    "The PDF (PDF/A-3b, the source data attached as JSON) of the caller's report asked "
    "for within the hour with exactly these parameters; the download is recorded."))
@bp.alt_response(202, **QUEUED)
@bp.alt_response(403, **FORBIDDEN)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, **FAILED)
def report_pdf(kind, **args):
    """Report `kind` as a PDF: `partner_id` (an owner's is its own), `month` or `start`
    and `end`, and for the audit extract `who` and `what`, as the kind asks."""
    return _answer(kind, "pdf", args)


@bp.route("/reports/<kind>.csv")
@allowed("reports.read")
@bp.arguments(schemas.ReportArgs, **QUERY)
@bp.response(200, FILE, content_type="text/csv", description=(
    "The same tables as the PDF, UTF-8 with a BOM; the download is recorded."))
@bp.alt_response(202, **QUEUED)
@bp.alt_response(403, **FORBIDDEN)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, **FAILED)
def report_csv(kind, **args):
    """Report `kind` as CSV, with the parameters of its PDF."""
    return _answer(kind, "csv", args)


@bp.route("/reports")
@allowed("reports.read")
@bp.arguments(schemas.ReportListArgs, **QUERY)
@bp.response(200, schemas.ReportPageSchema)
def report_list(page, per_page, kind=None, state=None):
    """The reports the caller may see, newest first: its own, and those about the
    partners whose figures it reads (an owner's monthly packs among them)."""
    query = select(Report).where(visible(current_user, Report))
    if kind is not None:
        query = query.where(Report.kind == kind)
    if state is not None:
        query = query.where(Report.state == state)
    found = Page(query.order_by(Report.requested_at.desc(), Report.id.desc()),
                 page=page, per_page=per_page).as_dict()
    found["items"] = [report_json(r) for r in found["items"]]
    return found


@bp.route(f"/reports/{ID}:report_id>")
@allowed("reports.read")
@bp.response(200, schemas.ReportSchema)
@bp.alt_response(404, **NOT_FOUND)
def report_detail(report_id):
    """One report: its state and progress while it is made, then its verification code
    and the SHA-256 of its files; why it failed, if it did."""
    return report_json(get_or_404(current_user, Report, report_id))
