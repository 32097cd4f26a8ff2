"""Asking for a report, making it in the background, downloading and verifying it.

`request_report` checks what the person may ask for (the kind's rule, the partner in
their reach) and queues a row; a worker (`generate_waiting`, the `reports.generate` job)
claims each queued report exactly once with a conditional UPDATE, builds its data as the
requester may see it, renders the PDF and the CSV, stores both by content hash and
records the PDF's SHA-256. Progress is committed as it goes, so the report's page shows
a moving bar; a failure is recorded with its reason, never left running."""
import hashlib
import logging
import secrets
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from portal.auth.models import User
from portal.core import files
from portal.core.access import figures_of, may
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.pdf import PdfUnavailable
from portal.extensions import db
from portal.org.models import Partner
from portal.reports import render, signing
from portal.reports.kinds import KINDS, Params, present
from portal.reports.models import Report, ReportDownload

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
# A report still running after this is taken to have died with its worker.
STALE_AFTER = timedelta(minutes=30)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def check_params(user, kind, raw: dict) -> Params:
    """The kind's parameters from `raw` (already typed by the form), or a DomainError
    naming the field: a partner outside the person's reach is refused like an unknown
    one, so ids tell nothing."""
    partner_id = raw.get("partner_id")
    figures = figures_of(user)
    if "partner" in kind.asks:
        if figures.partner_ids is not None and len(figures.partner_ids) == 1:
            partner_id = partner_id or figures.partner_ids[0]
        if partner_id is None and kind.partner_required:
            raise DomainError("partner_id", _l("Choose a partner."))
        if partner_id is not None and (
                (figures.partner_ids is not None and partner_id not in figures.partner_ids)
                or db.session.get(Partner, partner_id) is None):
            raise DomainError("partner_id", _l("Choose one of the partners you may see."))
    else:
        partner_id = None
    month = raw.get("month") if "month" in kind.asks else None
    if "month" in kind.asks:
        if month is None:
            raise DomainError("month", _l("Choose a month."))
        if month > now().date():
            raise DomainError("month", _l("Choose a month that has begun."))
    start = raw.get("start") if "range" in kind.asks else None
    end = raw.get("end") if "range" in kind.asks else None
    if "range" in kind.asks:
        if start is None or end is None:
            raise DomainError("start" if start is None else "end", _l("Give both dates."))
        if end < start:
            raise DomainError("end", _l("The end comes before the start."))
        if (end - start).days > 366:
            raise DomainError("end", _l("At most a year at a time."))
    extra = {name: (raw.get(name) or "").strip()[:80] for name, _label in kind.extra}
    return Params(partner_id=partner_id, month=month, start=start, end=end,
                  extra={k: v for k, v in extra.items() if v})


def params_json(params: Params) -> dict:
    return {"partner_id": params.partner_id,
            "month": params.month.isoformat() if params.month else None,
            "start": params.start.isoformat() if params.start else None,
            "end": params.end.isoformat() if params.end else None, **params.extra}


def params_of(report: Report) -> Params:
    raw = dict(report.params or {})
    day = lambda key: date.fromisoformat(raw[key]) if raw.get(key) else None  # noqa: E731
    extra = {k: v for k, v in raw.items() if k not in ("partner_id", "month", "start", "end")}
    return Params(partner_id=raw.get("partner_id"), month=day("month"), start=day("start"),
                  end=day("end"), extra=extra)


def request_report(user, code: str, raw: dict, *, lang: str = "zh",
                   pack: str | None = None, base_url: str = "") -> Report:
    """Queue report `code` for `user` with the parameters `raw`; the caller commits."""
    kind = KINDS.get(code)
    if kind is None or not present(kind):
        raise DomainError("kind", _l("This report is not available."), 404)
    if not may(user, kind.rule):
        raise DomainError("kind", _l("You may not ask for this report."), 403)
    params = check_params(user, kind, raw)
    report = Report(kind=code, params=params_json(params), partner_id=params.partner_id,
                    month=params.month, lang=lang if lang in ("zh", "en") else "zh",
                    requested_by=user.id, code=new_code(), pack=pack,
                    base_url=base_url[:200],
                    title=str(kind.label))
    db.session.add(report)
    db.session.flush()
    return report


def _progress(report_id: int):
    def tell(percent: int, step: str = "") -> None:
        db.session.execute(update(Report).where(Report.id == report_id).values(
            progress=max(0, min(99, int(percent))), step=step[:40]))
        db.session.commit()
    return tell


def claim(report_id: int, worker: str) -> bool:
    """Take `report_id` for `worker` if it is still queued: True for exactly one caller."""
    taken = db.session.execute(
        update(Report).where(Report.id == report_id, Report.state == "queued")
        .values(state="running", claimed_by=worker, started_at=now(), progress=1,
                step="claimed"))
    db.session.commit()
    return taken.rowcount == 1


def generate(report_id: int) -> None:
    """Make a claimed report's files and record them (or the failure)."""
    report = db.session.get(Report, report_id)
    kind = KINDS[report.kind]
    requester = db.session.get(User, report.requested_by) if report.requested_by else None
    tell = _progress(report_id)
    try:
        # A request of its own, so links build (the worker has none) and the report's
        # language is the one it was asked in; a POST, so that its transactions begin as
        # writes like any job's (a GET's deferred one fails at once on a busy SQLite).
        with current_app.test_request_context(base_url=report.base_url or None,
                                              method="POST"), force_locale(report.lang):
            data = kind.build(requester, params_of(report), tell)
            report = db.session.get(Report, report_id)
            report.title = data.title[:300]
            tell(70, "rendering")
            generated_at = now()
            pdf, pages = render.pdf_bytes(report, data, generated_at)
            pdf = signing.sign(pdf)
            tell(90, "storing")
            csv = render.csv_bytes(data, _("no data"))
    except PdfUnavailable as refused:
        db.session.rollback()
        return _fail(report_id, str(refused.message))
    except OperationalError:  # the database was busy: made again on the next run
        db.session.rollback()
        log.warning("report %s put back in the queue: database busy", report_id)
        db.session.execute(update(Report).where(Report.id == report_id).values(
            state="queued", claimed_by=None, progress=0, step="busy"))
        db.session.commit()
        return None
    except Exception as failure:  # recorded, never left running
        db.session.rollback()
        log.exception("report %s failed", report_id)
        return _fail(report_id, f"{type(failure).__name__}: {failure}"[:500])
    pdf_name, csv_name = files.store("reports", pdf), files.store("reports", csv)
    report = db.session.get(Report, report_id)
    report.state, report.progress, report.step = "done", 100, "done"
    report.as_of, report.finished_at = data.as_of, now()
    report.pdf_sha256, report.pdf_bytes = pdf_name, len(pdf)
    report.pdf_pages = pages
    report.csv_sha256 = csv_name
    db.session.commit()
    _tell_done(report)


def _fail(report_id: int, reason: str) -> None:
    db.session.execute(update(Report).where(Report.id == report_id).values(
        state="failed", error=reason, finished_at=now()))
    db.session.commit()


def _tell_done(report: Report) -> None:
    """The person who asked is told; a monthly pack's reports are listed, not announced."""
    if report.requested_by is None or report.pack:
        return
    from portal.core.urls import path_for
    from portal.notify.services import notify
    notify([report.requested_by], "reports", _l("Your report is ready"),
           report.title, link=path_for("reports.report", report_id=report.id))
    db.session.commit()


def generate_waiting(worker: str, limit: int = 20) -> int:
    """Claim and make up to `limit` queued reports, oldest first; reports left running
    by a worker that died are queued again first. How many were made."""
    db.session.execute(update(Report).where(
        Report.state == "running", Report.started_at < now() - STALE_AFTER)
        .values(state="queued", claimed_by=None))
    db.session.commit()
    waiting = db.session.execute(select(Report.id).where(Report.state == "queued")
                                 .order_by(Report.requested_at, Report.id)
                                 .limit(limit)).scalars().all()
    made = 0
    for report_id in waiting:
        if claim(report_id, worker):
            generate(report_id)
            made += 1
    return made


def record_download(report: Report, user, fmt: str) -> None:
    db.session.add(ReportDownload(report_id=report.id, user_id=user.id, format=fmt))
    db.session.commit()


def find_by_pdf(data: bytes) -> Report | None:
    """The report whose PDF is exactly `data`, or None."""
    digest = hashlib.sha256(data).hexdigest()
    return db.session.execute(select(Report).where(Report.pdf_sha256 == digest,
                                                   Report.state == "done")).scalar()


def find_by_code(code: str) -> Report | None:
    cleaned = "".join(ch for ch in (code or "").upper() if ch in CODE_ALPHABET)
    if len(cleaned) != 8:
        return None
    return db.session.execute(select(Report).where(
        Report.code == f"{cleaned[:4]}-{cleaned[4:]}", Report.state == "done")).scalar()
