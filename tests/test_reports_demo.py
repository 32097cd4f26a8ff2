"""The demo's reports: made as the worker makes them (every one done, its file stored
and its checksum recorded), one still waiting for the worker, and the first partner's
owner finds its own in the catalogue, not the channel manager's principal-wide ones."""
import hashlib

import pytest
from sqlalchemy import select

from portal.core.files import path_of
from portal.extensions import db
from portal.reports.models import Report
from tests.conftest import DEMO_PASSWORD, login

pytestmark = pytest.mark.template("demo")


def test_the_demo_holds_finished_reports_and_one_waiting(app, client):
    reports = db.session.execute(select(Report).order_by(Report.id)).scalars().all()
    done = [r for r in reports if r.state == "done"]
    assert {r.kind for r in done} >= {"scorecard", "health", "exams", "registrations"}
    assert [r.state for r in reports if r.state != "done"] == ["queued"]
    for report in done:
        data = path_of("reports", report.pdf_sha256).read_bytes()
        assert hashlib.sha256(data).hexdigest() == report.pdf_sha256 and report.pdf_pages
    owner = next(r.requester for r in done if r.kind == "scorecard")
    login(client, owner.username, DEMO_PASSWORD)
    listing = client.get("/reports/").get_data(as_text=True)
    for report in reports:
        mine = report.partner_id == owner.partner_id
        assert (f'data-report="{report.id}"' in listing) == mine, report.kind
