"""Demo reports, made as the worker makes them: the first partner's owner's scorecard
and team health for last month, the channel manager's registrations and exam reports
and the auditor's broadcast report for the last thirty days, and one the channel
manager has just asked for that is still waiting for the worker (so the progress page
and the scheduler have something to do on the first `make run`). The audit-log extract
is left to the auditor: the demo's own seeding fills a hundred pages of it."""
from datetime import timedelta

from sqlalchemy import select

from portal.auth.models import User
from portal.core.access import figures_of
from portal.core.clock import today
from portal.extensions import db
from portal.reports import services
from portal.reports.kinds import KINDS, present
from portal.results.months import add_months, first_of

PUBLIC = "http://127.0.0.1:5000/"


def _first(role: str):
    return db.session.execute(select(User).where(User.role == role, User.active.is_(True))
                              .order_by(User.id).limit(1)).scalar()


def seed_demo(rng) -> str:
    day = today()
    last_month = add_months(first_of(day), -1)
    owner, cm, auditor = _first("owner"), _first("channel_manager"), _first("auditor")
    span = {"start": day - timedelta(days=30), "end": day}
    wanted = [(owner, "scorecard", {"month": last_month}),
              (owner, "health", {"month": last_month}),
              (cm, "registrations", span), (cm, "exams", span),
              (auditor, "broadcasts", span)]
    made = []
    for user, code, raw in wanted:
        kind = KINDS.get(code)
        if user is None or kind is None or not present(kind):
            continue
        report = services.request_report(user, code, raw, base_url=PUBLIC)
        db.session.commit()
        services.claim(report.id, "demo")
        services.generate(report.id)
        made.append(db.session.get(type(report), report.id))
    waiting = None
    if cm is not None and "scorecard" in KINDS:
        partner_id = figures_of(cm).partner_ids
        if partner_id:
            waiting = services.request_report(cm, "scorecard", {
                "partner_id": partner_id[0], "month": last_month}, base_url=PUBLIC)
            db.session.commit()
    done = sum(1 for r in made if r.state == "done")
    pages = sum(r.pdf_pages or 0 for r in made)
    return (f"Reports: {done} made ({pages} PDF pages) of {len(made)}, "
            f"{1 if waiting else 0} waiting for the worker")
