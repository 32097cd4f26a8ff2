"""Monthly report packs: once a month closes, every active partner's scorecard and team
health for that month (made for its owner) and the principal's reports on exams,
broadcasts and registrations over the month (made for the first active admin) are
queued for the worker, each stored with its checksum like any report. Queuing twice
queues nothing more."""
from datetime import date, timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.org.models import Partner
from portal.reports import services
from portal.reports.kinds import KINDS, present
from portal.reports.models import Report
from portal.results.months import add_months

PARTNER_PACK = ("scorecard", "health")
PRINCIPAL_PACK = ("exams", "broadcasts", "registrations")


def _kinds(codes):
    return [code for code in codes if code in KINDS and present(KINDS[code])]


def queue_month(month: date) -> int:
    """Queue `month`'s packs (a month's first day); how many reports were queued."""
    label = f"{month:%Y-%m}"
    done = set(db.session.execute(select(Report.kind, Report.partner_id).where(
        Report.pack == label)).all())
    owners = db.session.execute(
        select(User).join(Partner, Partner.id == User.partner_id)
        .where(Partner.status == "active", User.role == "owner", User.active.is_(True))
        .order_by(User.partner_id, User.id)).scalars()
    queued, seen = 0, set()
    for owner in owners:
        if owner.partner_id in seen:
            continue
        seen.add(owner.partner_id)
        for code in _kinds(PARTNER_PACK):
            if (code, owner.partner_id) not in done:
                services.request_report(owner, code, {"month": month}, pack=label)
                queued += 1
    admin = db.session.execute(select(User).where(User.role == "admin", User.active.is_(True))
                               .order_by(User.id).limit(1)).scalar()
    if admin is not None:
        span = {"start": month, "end": add_months(month, 1) - timedelta(days=1)}
        for code in _kinds(PRINCIPAL_PACK):
            if (code, None) not in done:
                services.request_report(admin, code, span, pack=label)
                queued += 1
    db.session.flush()
    return queued
