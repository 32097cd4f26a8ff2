"""The report endpoints, through the partner scorecard: the first call queues the report
(202, where to look, nothing made in the request), the same call after a worker's run
answers the file and records the download; parameters are checked as on the page (a
partner out of reach, a month not begun, dates the wrong way round: 422 on the field,
nothing queued); the list and one report follow the reports' scope."""
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.jobs.models import JobRun
from portal.jobs.runner import run_now
from portal.reports.models import Report, ReportDownload
from tests import test_reports
from tests.reporting import make
from tests.scoring import MARCH
from tests.test_api import bearer

URL = "/api/v1/reports/scorecard"
# March scored for A (77 points) and B, as for the pages' reports.
scored = test_reports.scored
reports_count = test_reports.reports_count


def run_worker() -> None:
    clock.set_now(clock.now() + timedelta(seconds=5))
    assert run_now("reports.generate") == "succeeded"
    db.session.expire_all()


def test_an_owner_gets_its_scorecard_pdf_once_the_worker_made_it(client, scored):
    headers = bearer(scored.a.owner)
    first = client.get(f"{URL}.pdf?month=2026-03", headers=headers)
    assert first.status_code == 202 and int(first.headers["Retry-After"]) > 0
    body = first.json
    assert body["state"] == "queued" and body["progress"] == 0
    assert body["status_url"] == f"/api/v1/reports/{body['id']}"
    report = db.session.get(Report, body["id"])
    assert report.requested_by == scored.a.owner.id
    assert report.partner_id == scored.a.partner.id and report.month == MARCH
    assert db.session.execute(select(JobRun.status).where(
        JobRun.job_name == "reports.generate")).scalar_one() == "requested"
    again = client.get(f"{URL}.pdf?month=2026-03", headers=headers)
    assert again.status_code == 202 and again.json["id"] == body["id"]
    run_worker()
    done = client.get(f"{URL}.pdf?month=2026-03", headers=headers)
    assert done.status_code == 200 and done.mimetype == "application/pdf"
    assert done.data.startswith(b"%PDF-")
    status = client.get(body["status_url"], headers=headers).json
    assert status["state"] == "done" and status["progress"] == 100
    assert status["pdf_sha256"] == hashlib.sha256(done.data).hexdigest()
    assert status["code"] == db.session.get(Report, body["id"]).code
    # The URLs in the answer ask for the same report: its partner is spelt out.
    assert client.get(body["pdf_url"], headers=headers).data == done.data
    assert reports_count() == 1
    downloads = db.session.execute(select(ReportDownload.user_id, ReportDownload.format)
                                   ).all()
    assert downloads == [(scored.a.owner.id, "pdf")] * 2


def test_the_csv_arrives_with_a_bom_after_its_own_request(client, scored):
    headers = bearer(scored.cm)
    query = f"partner_id={scored.a.partner.id}&month=2026-03"
    assert client.get(f"{URL}.csv?{query}", headers=headers).status_code == 202
    run_worker()
    answer = client.get(f"{URL}.csv?{query}", headers=headers)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.data.startswith("\ufeff".encode())
    assert "exams,75%,6,8,75,60.0%,45," in answer.data.decode("utf-8-sig").replace('"', "")
    assert client.get(f"{URL}.pdf?{query}", headers=headers).data.startswith(b"%PDF-")


def test_an_owner_cannot_ask_for_another_partners_report(client, scored):
    answer = client.get(f"{URL}.pdf?partner_id={scored.b.partner.id}&month=2026-03",
                        headers=bearer(scored.a.owner))
    assert answer.status_code == 422
    assert set(answer.json["details"]["fields"]["query"]) == {"partner_id"}
    assert reports_count() == 0


@pytest.mark.parametrize("query, field", [
    ("month=2026-05", "month"), ("month=2026-13", "month"), ("", "month"),
    ("partner_id=0&month=2026-03", "partner_id"), ("month=2026-03&colour=red", "colour")])
def test_a_bad_parameter_is_a_422_on_its_field_and_nothing_is_queued(client, scored, query,
                                                                     field):
    answer = client.get(f"{URL}.pdf?{query}", headers=bearer(scored.a.owner))
    assert answer.status_code == 422 and field in answer.json["details"]["fields"]["query"]
    assert reports_count() == 0


def test_dates_the_wrong_way_round_are_refused_on_the_end(client, scored):
    answer = client.get("/api/v1/reports/audit.csv?start=2026-03-10&end=2026-03-01",
                        headers=bearer(scored.auditor))
    assert answer.status_code == 422
    assert set(answer.json["details"]["fields"]["query"]) == {"end"}
    bad = client.get("/api/v1/reports/audit.csv?start=2026-02-30&end=2026-03-01",
                     headers=bearer(scored.auditor))
    assert bad.status_code == 422 and set(bad.json["details"]["fields"]["query"]) == {"start"}
    assert reports_count() == 0


def test_an_unknown_kind_is_a_404_and_a_kind_beyond_the_role_a_403(client, scored):
    headers = bearer(scored.a.owner)
    assert client.get("/api/v1/reports/nonsense.pdf", headers=headers).status_code == 404
    audit = client.get("/api/v1/reports/audit.pdf?start=2026-03-01&end=2026-03-31",
                       headers=headers)
    assert audit.status_code == 403 and audit.json["error"] == "forbidden"
    assert reports_count() == 0


def test_a_failed_report_is_a_409_with_its_reason(client, scored, monkeypatch):
    from portal.core import pdf
    monkeypatch.setattr(pdf, "font_problem", lambda: "the CJK font is missing")
    headers = bearer(scored.admin)
    query = f"partner_id={scored.a.partner.id}&month=2026-03"
    assert client.get(f"{URL}.pdf?{query}", headers=headers).status_code == 202
    run_worker()
    answer = client.get(f"{URL}.pdf?{query}", headers=headers)
    assert answer.status_code == 409
    assert "the CJK font is missing" in answer.json["details"]["reason"]


def test_after_an_hour_the_same_call_makes_a_fresh_report(client, scored):
    headers = bearer(scored.a.owner)
    first = client.get(f"{URL}.pdf?month=2026-03", headers=headers).json["id"]
    run_worker()
    clock.set_now(clock.now() + timedelta(hours=1, minutes=1))
    later = client.get(f"{URL}.pdf?month=2026-03", headers=headers)
    assert later.status_code == 202 and later.json["id"] != first


def test_the_list_and_one_report_follow_the_reports_scope(client, scored):
    mine = make(scored.a.owner, "scorecard", month=MARCH).report
    theirs = make(scored.admin, "scorecard", partner_id=scored.b.partner.id,
                  month=MARCH).report
    readable = {scored.a.owner: [mine.id], scored.b.owner: [theirs.id],
                scored.cm: [mine.id], scored.auditor: [theirs.id, mine.id],
                scored.admin: [theirs.id, mine.id]}
    for user, ids in readable.items():
        headers = bearer(user)
        listing = client.get("/api/v1/reports", headers=headers)
        assert listing.status_code == 200, user
        assert [r["id"] for r in listing.json["items"]] == ids, user
        assert listing.json["total"] == len(ids)
        for report in (mine, theirs):
            answer = client.get(f"/api/v1/reports/{report.id}", headers=headers)
            assert answer.status_code == (200 if report.id in ids else 404), (user, report)
    one = client.get(f"/api/v1/reports/{mine.id}", headers=bearer(scored.auditor)).json
    assert one["state"] == "done" and one["month"] == "2026-03"
    assert one["pdf_sha256"] == mine.pdf_sha256 and one["code"] == mine.code
    assert one["pdf_url"] == (f"{URL}.pdf?partner_id={scored.a.partner.id}&month=2026-03")
    assert client.get("/api/v1/reports?state=failed",
                      headers=bearer(scored.admin)).json["items"] == []


def test_an_auditor_reads_every_partner_and_a_channel_manager_only_its_own(client, scored):
    auditor = bearer(scored.auditor)
    for side in (scored.a, scored.b):
        answer = client.get(f"{URL}.pdf?partner_id={side.partner.id}&month=2026-03",
                            headers=auditor)
        assert answer.status_code == 202
    manager = bearer(scored.cm)
    refused = client.get(f"{URL}.pdf?partner_id={scored.b.partner.id}&month=2026-03",
                         headers=manager)
    assert refused.status_code == 422
    assert set(refused.json["details"]["fields"]["query"]) == {"partner_id"}
    assert client.get(f"{URL}.pdf?partner_id={scored.a.partner.id}&month=2026-03",
                      headers=manager).status_code == 202
    assert reports_count() == 3


def test_staff_and_team_leads_may_not_use_the_report_endpoints(client, scored):
    made = make(scored.a.owner, "scorecard", month=MARCH).report
    for user in (scored.a.staff, scored.a.manager):
        headers = bearer(user)
        for url in (f"{URL}.pdf?month=2026-03", f"{URL}.csv?month=2026-03",
                    "/api/v1/reports", f"/api/v1/reports/{made.id}"):
            assert client.get(url, headers=headers).status_code == 403, (user, url)
    assert reports_count() == 1
