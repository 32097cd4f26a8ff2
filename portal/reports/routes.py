"""Report pages: the catalogue (what this person may ask for, and the reports made for
them or about their partner), one report's page with its progress while a worker makes
it, the two downloads (each recorded) and the verification page."""
from datetime import date, timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core import files
from portal.core.access import figures_of, get_or_404, may, require, visible
from portal.core.clock import now
from portal.core.forms import commit_or_show
from portal.core.lists import partners_by_name
from portal.core.pages import paginate, require_login
from portal.org.models import Partner
from portal.reports import services
from portal.reports.forms import ReportForm, VerifyForm
from portal.reports.kinds import KINDS, present
from portal.reports.models import Report
from portal.results.months import add_months, first_of, month_label

bp = Blueprint("reports", __name__, url_prefix="/reports")
require_login(bp)
MONTHS_OFFERED = 24
# The catalogue's order: a partner's month first, then the principal's reports.
ORDER = ("scorecard", "health", "exams", "broadcasts", "registrations", "audit")
DEFAULT_DAYS = 30


def _partner_choices() -> list[tuple[str, str]]:
    figures = figures_of(current_user)
    if figures.partner_ids is not None and len(figures.partner_ids) <= 1:
        return []
    ids = select(Partner.id) if figures.partner_ids is None else \
        select(Partner.id).where(Partner.id.in_(figures.partner_ids))
    return [("", _("Choose a partner"))] + [(str(i), name) for i, name in partners_by_name(ids)]


def _month_choices() -> list[tuple[str, str]]:
    this = first_of(now().date())
    return [(m.strftime("%Y-%m"), month_label(m))
            for m in (add_months(this, -i) for i in range(MONTHS_OFFERED))]


def _form(kind_code: str) -> ReportForm:
    """The form of one kind (its fields prefixed by the kind: one page holds them all)."""
    form = ReportForm(prefix=kind_code)
    form.partner_id.choices = _partner_choices()
    form.month.choices = _month_choices()
    if not form.is_submitted():
        day = now().date()
        form.month.data = add_months(first_of(day), -1).strftime("%Y-%m")
        form.start.data, form.end.data = day - timedelta(days=DEFAULT_DAYS), day
    return form


def _kinds():
    """(kind, available) for every kind this person's rules allow."""
    ranked = sorted(KINDS.values(), key=lambda k: (ORDER.index(k.code) if k.code in ORDER
                                                   else len(ORDER), k.code))
    return [(kind, present(kind)) for kind in ranked if may(current_user, kind.rule)]


def _catalogue(forms=None, status=200):
    packs = request.args.get("packs") == "1"
    query = select(Report).where(visible(current_user, Report))
    if packs:
        query = query.where(Report.pack.is_not(None))
    query = query.order_by(Report.requested_at.desc(), Report.id.desc())
    forms, kinds = forms or {}, _kinds()
    return render_template(
        "reports/catalogue.html", kinds=kinds,
        forms={kind.code: forms.get(kind.code) or _form(kind.code) for kind, _ok in kinds},
        page=paginate(query), packs=packs, kind_label=lambda code: KINDS[code].label
        if code in KINDS else code), status


@bp.route("/")
def catalogue():
    require("reports.read")
    return _catalogue()


def _month_value(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(f"{raw}-01") if raw else None
    except ValueError:
        return None


@bp.route("/new/<code>", methods=["POST"])
def new(code):
    require("reports.read")
    if code not in KINDS:
        abort(404)
    form = _form(code)
    if not form.validate():
        return _catalogue({code: form}, 400)
    raw = {"partner_id": form.partner_id.data, "month": _month_value(form.month.data),
           "start": form.start.data, "end": form.end.data, "who": form.who.data,
           "what": form.what.data}
    if form.month.data and raw["month"] is None:
        form.month.errors = list(form.month.errors) + [_("Choose a month.")]
        return _catalogue({code: form}, 400)
    report, refused = commit_or_show(form, lambda: services.request_report(
        current_user, code, raw, lang=str(get_locale() or "zh")[:2],
        base_url=request.host_url))
    if refused:
        return _catalogue({code: form}, refused.status)
    from portal.jobs.runner import request_run
    request_run("reports.generate", current_user.id)
    flash(_("Your report is being made; this page shows its progress."), "info")
    return redirect(url_for("reports.report", report_id=report.id), 303)


@bp.route("/<int:report_id>")
def report(report_id):
    require("reports.read")
    found = get_or_404(current_user, Report, report_id)
    return render_template("reports/report.html", report=found,
                           kind=KINDS.get(found.kind))


@bp.route("/<int:report_id>/status")
def status(report_id):
    require("reports.read")
    found = get_or_404(current_user, Report, report_id)
    return jsonify(state=found.state, progress=found.progress, step=found.step,
                   error=found.error if found.state == "failed" else "")


def _download(report_id: int, fmt: str):
    require("reports.read")
    found = get_or_404(current_user, Report, report_id)
    stored = found.pdf_sha256 if fmt == "pdf" else found.csv_sha256
    if found.state != "done" or not stored:
        abort(404)
    services.record_download(found, current_user, fmt)
    name = f"report-{found.id}-{found.kind}.{fmt}"
    return files.download("reports", stored, filename=name, content_type=(
        "application/pdf" if fmt == "pdf" else "text/csv; charset=utf-8"))


@bp.route("/<int:report_id>.pdf")
def pdf(report_id):
    return _download(report_id, "pdf")


@bp.route("/<int:report_id>.csv")
def csv(report_id):
    return _download(report_id, "csv")


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    require("reports.verify")
    form = VerifyForm()
    by_code = services.find_by_code(request.args.get("code", "")) \
        if request.method == "GET" and request.args.get("code") else None
    outcome, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors = list(form.file.errors) + [_("Choose the PDF to check.")]
            status = 400
        else:
            data = upload.read(files.DEFAULT_MAX_BYTES * 5 + 1)
            is_pdf = data.startswith(b"%PDF-")
            found = services.find_by_pdf(data) if is_pdf else None
            if not is_pdf:
                outcome = ("not_pdf", None)
            elif found is not None:
                outcome = ("match", found)
            else:  # the code, if given, says whose file this was meant to be
                outcome = ("no_match", services.find_by_code(form.code.data or ""))
    elif request.method == "POST":
        status = 400
    return render_template("reports/verify.html", form=form, by_code=by_code,
                           outcome=outcome, kind_label=lambda code: KINDS[code].label
                           if code in KINDS else code), status
