"""The isolation walk's reports (tests only): per partner one finished scorecard report
about it, asked for by the admin, with stored PDF and CSV files."""
from datetime import date

from portal.core import files
from portal.core.clock import now
from portal.extensions import db
from portal.org.walk import tag
from portal.reports.models import Report
from portal.reports.services import new_code


def build(world) -> None:
    for side in (world.a, world.b):
        title = tag("评分卡报表", side)
        pdf = files.store("reports", b"%PDF-1.7\n% " + title.encode() + b"\n%%EOF\n")
        csv = files.store("reports", ("\ufeff" + title + "\r\n").encode())
        side.report = Report(kind="scorecard", partner_id=side.partner.id,
                             month=date(2026, 3, 1), title=title, state="done",
                             progress=100, requested_by=world.admin.id, code=new_code(),
                             params={"partner_id": side.partner.id, "month": "2026-03-01"},
                             finished_at=now(), as_of=now(), pdf_sha256=pdf, pdf_bytes=10,
                             csv_sha256=csv)
        db.session.add(side.report)
    db.session.flush()


ARGS = {"report_id": "report"}


def markers(side) -> list[str]:
    return [side.report.title]
