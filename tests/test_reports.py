"""The report catalogue's machinery, through the partner scorecard: asked for on the
page (bad input is a message on its field and nothing queued), made in the background
by exactly one worker with its progress, the PDF's text and its JSON attachment against
the scorecard page, the CSV, who may read and download which report, every download and
checksum recorded, the verification page (unchanged, one changed byte, an unknown file),
the font check, and a fetcher that fetches nothing a partner's name points at."""
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.core import clock, pdf
from portal.core.errors import DomainError
from portal.extensions import db
from portal.jobs.models import JobRun
from portal.jobs.runner import run_now
from portal.reports import services
from portal.reports.models import Report, ReportDownload
from tests.conftest import login
from tests.reporting import HOSTILE, assert_nothing_fetched, folded, make, watch_fetches
from tests.scoring import MARCH, compute, enablement_set, health


@pytest.fixture
def scored(world):
    """March scored for A (77 points: exams 75 % weigh 60, acknowledgements 90 % weigh
    40) and B."""
    enablement_set()
    health(world.a.partner, exam_assigned=8, exam_covered=6, acks_due=10, acks_on_time=9)
    health(world.b.partner, exam_assigned=4, exam_covered=1, acks_due=4, acks_on_time=4)
    compute()
    return world


def as_(client, user):
    client.post("/logout")
    assert login(client, user).status_code == 302


def reports_count() -> int:
    return db.session.execute(select(func.count()).select_from(Report)).scalar()


def test_the_scorecard_report_holds_the_cards_figures_in_pdf_csv_and_attachment(scored):
    made = make(scored.a.owner, "scorecard", month=MARCH)
    text = made.text
    for expected in ("评分卡", scored.a.partner.name, "2026年3月", "77", "75%", "90%",
                     "exams", "acks", made.report.code, "数据截至"):
        assert folded(expected) in text, expected
    assert "1/" in text and "2/" in text   # page numbers
    assert made.source["source"]["scorecard"]["total"] == pytest.approx(77)
    assert {line["criterion"] for line in made.source["source"]["scorecard"]["lines"]} == {"exams", "acks"}
    assert made.source["report"]["code"] == made.report.code
    assert "exams,75%,6,8,75,60.0%,45," in made.csv.replace('"', "")
    assert made.report.pdf_pages >= 2 and len(made.pdf) == made.report.pdf_bytes
    import pypdf
    xmp = pypdf.PdfReader(io.BytesIO(made.pdf)).trailer["/Root"]["/Metadata"].get_data()
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp


def test_a_month_without_a_scorecard_says_so(scored):
    made = make(scored.a.owner, "scorecard", month=date(2026, 2, 1))
    assert "没有评分卡" in made.text and made.source["tables"] == []


def test_an_owner_cannot_ask_for_another_partners_report(client, scored):
    with pytest.raises(DomainError) as refused:
        services.request_report(scored.a.owner, "scorecard",
                                {"partner_id": scored.b.partner.id, "month": MARCH})
    assert refused.value.field == "partner_id"
    as_(client, scored.a.owner)
    answer = client.post("/reports/new/scorecard", data={
        "scorecard-partner_id": str(scored.b.partner.id), "scorecard-month": "2026-03"})
    assert answer.status_code == 400 and "请选择您有权查看的代理商" in answer.get_data(as_text=True)
    assert reports_count() == 0


@pytest.mark.parametrize("month, message", [("2026-05", "请选择已经开始的月份"),
                                            ("", "请选择月份"), ("2026-13", "请选择月份")])
def test_a_bad_month_is_a_message_on_its_field_and_nothing_is_queued(client, scored, month,
                                                                      message):
    as_(client, scored.admin)
    answer = client.post("/reports/new/scorecard", data={
        "scorecard-partner_id": str(scored.a.partner.id), "scorecard-month": month})
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert reports_count() == 0


def test_staff_and_team_leads_have_no_catalogue(client, scored):
    for user in (scored.a.staff, scored.a.manager):
        as_(client, user)
        assert client.get("/reports/").status_code == 403
        assert client.post("/reports/new/scorecard", data={}).status_code == 403


def test_a_request_is_made_in_the_background_with_its_progress(client, scored):
    as_(client, scored.cm)
    answer = client.post("/reports/new/scorecard", data={
        "scorecard-partner_id": str(scored.a.partner.id), "scorecard-month": "2026-03"})
    assert answer.status_code == 303
    report = db.session.execute(select(Report)).scalar_one()
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'id="report-bar"' in page and 'id="download-pdf"' in page  # hidden until done
    assert client.get(f"/reports/{report.id}/status").get_json()["state"] == "queued"
    asked = db.session.execute(select(JobRun).where(JobRun.job_name == "reports.generate")
                               ).scalar_one()
    assert asked.status == "requested"
    clock.set_now(clock.now() + timedelta(seconds=5))
    assert run_now("reports.generate") == "succeeded"
    status = client.get(f"/reports/{report.id}/status").get_json()
    assert status["state"] == "done" and status["progress"] == 100
    assert client.get(f"/reports/{report.id}.pdf").data.startswith(b"%PDF-")
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "您的报表已生成" in inbox


def test_each_report_is_claimed_by_exactly_one_worker(scored):
    report = services.request_report(scored.admin, "scorecard",
                                     {"partner_id": scored.a.partner.id, "month": MARCH})
    db.session.commit()
    assert services.claim(report.id, "one") is True
    assert services.claim(report.id, "two") is False
    assert db.session.get(Report, report.id).claimed_by == "one"


def test_a_report_left_running_by_a_dead_worker_is_made_again(scored):
    report = services.request_report(scored.admin, "scorecard",
                                     {"partner_id": scored.a.partner.id, "month": MARCH})
    db.session.commit()
    services.claim(report.id, "died")
    clock.set_now(clock.now() + timedelta(hours=1))
    assert services.generate_waiting("alive") == 1
    db.session.expire_all()
    assert db.session.get(Report, report.id).state == "done"


def test_who_reads_and_downloads_which_report(client, scored):
    mine = make(scored.a.owner, "scorecard", month=MARCH).report
    theirs = make(scored.admin, "scorecard", partner_id=scored.b.partner.id, month=MARCH).report
    allowed = {scored.a.owner: {mine.id}, scored.b.owner: {theirs.id},
               scored.cm: {mine.id}, scored.auditor: {mine.id, theirs.id},
               scored.admin: {mine.id, theirs.id}}
    for user, readable in allowed.items():
        as_(client, user)
        listing = client.get("/reports/").get_data(as_text=True)
        for report in (mine, theirs):
            shown = f'data-report="{report.id}"' in listing
            status = client.get(f"/reports/{report.id}.pdf").status_code
            assert shown == (report.id in readable) and (status == 200) == shown, (user, report)
            assert client.get(f"/reports/{report.id}").status_code == (200 if shown else 404)
            assert client.get(f"/reports/{report.id}.csv").status_code == (200 if shown else 404)
    downloads = db.session.execute(select(ReportDownload.user_id, ReportDownload.format)
                                   .where(ReportDownload.report_id == mine.id)).all()
    assert (scored.cm.id, "pdf") in downloads and (scored.a.owner.id, "csv") in downloads
    assert (scored.b.owner.id, "pdf") not in downloads


def _verify(client, data: bytes, code: str = ""):
    return client.post("/reports/verify", data={"file": (io.BytesIO(data), "report.pdf"),
                                                "code": code},
                       content_type="multipart/form-data")


def test_verification_tells_an_unchanged_file_from_a_changed_one(client, scored):
    made = make(scored.a.owner, "scorecard", month=MARCH)
    as_(client, scored.auditor)
    same = _verify(client, made.pdf).get_data(as_text=True)
    assert 'id="verify-match"' in same and f"报表 #{made.report.id}" in same
    changed = bytearray(made.pdf)
    changed[len(changed) // 2] ^= 1
    answer = _verify(client, bytes(changed), made.report.code).get_data(as_text=True)
    assert 'id="verify-no-match"' in answer and f"报表 #{made.report.id}" in answer
    unknown = _verify(client, b"%PDF-1.7\n% some other file\n").get_data(as_text=True)
    assert 'id="verify-no-match"' in unknown and "报表 #" not in unknown
    assert 'id="verify-not-pdf"' in _verify(client, b"hello").get_data(as_text=True)
    by_code = client.get(f"/reports/verify?code={made.report.code.lower()}").get_data(as_text=True)
    assert 'id="code-found"' in by_code
    missing = client.post("/reports/verify", data={"code": ""})
    assert missing.status_code == 400 and "请选择要检查的 PDF" in missing.get_data(as_text=True)


def made_by_admin(scored) -> Report:
    """The admin's scorecard report of A for March, claimed and made here and now."""
    report = services.request_report(scored.admin, "scorecard",
                                     {"partner_id": scored.a.partner.id, "month": MARCH})
    db.session.commit()
    services.claim(report.id, "test")
    services.generate(report.id)
    db.session.expire_all()
    return db.session.get(Report, report.id)


def test_without_the_cjk_font_or_harfbuzz_no_pdf_is_made_and_the_reason_is_said(
        client, scored, monkeypatch):
    monkeypatch.setattr(pdf, "font_problem", lambda: "the CJK font is missing")
    failed = made_by_admin(scored)
    assert failed.state == "failed" and "the CJK font is missing" in failed.error
    assert failed.pdf_sha256 is None
    as_(client, scored.admin)
    page = client.get(f"/reports/{failed.id}").get_data(as_text=True)
    assert 'id="report-failed"' in page and "本服务器无法生成 PDF" in page


def test_the_font_check_finds_what_this_machine_has():
    pdf.font_problem.cache_clear()
    assert pdf.font_problem() is None


def test_nothing_a_partner_name_points_at_is_fetched_or_embedded(scored, monkeypatch):
    fetched = watch_fetches(monkeypatch)
    scored.a.partner.name = "代理商A" + HOSTILE
    db.session.commit()
    assert_nothing_fetched(make(scored.a.owner, "scorecard", month=MARCH), fetched)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://198.51.100.7/x.png",
                                 "https://example.com/a.css"])
def test_the_fetcher_refuses_anything_outside_static(app, url):
    with app.test_request_context("/"):
        with pytest.raises(ValueError):
            pdf._local_fetcher().fetch(url)


def test_monthly_packs_are_queued_once_per_partner_and_for_the_principal(client, scored):
    from portal.jobs import JOBS
    from portal.reports.packs import queue_month
    assert "reports.monthly_packs" in JOBS
    first = queue_month(MARCH)
    db.session.commit()
    assert queue_month(MARCH) == 0
    packs = db.session.execute(select(Report.kind, Report.partner_id, Report.requested_by)
                               .where(Report.pack == "2026-03")).all()
    assert len(packs) == first
    for side in (scored.a, scored.b):
        assert ("scorecard", side.partner.id, side.owner.id) in packs
    assert {kind for kind, partner, _by in packs if partner is None} <= {
        "exams", "broadcasts", "registrations"}
    assert services.generate_waiting("test") == first
    as_(client, scored.a.owner)
    listing = client.get("/reports/?packs=1").get_data(as_text=True)
    assert "2026-03 月度报表包" in listing
    own = db.session.execute(select(Report.id).where(
        Report.pack == "2026-03", Report.partner_id == scored.a.partner.id)).scalars().all()
    other = db.session.execute(select(Report.id).where(
        Report.pack == "2026-03", Report.partner_id == scored.b.partner.id)).scalars().all()
    assert all(f'data-report="{i}"' in listing for i in own)
    assert not any(f'data-report="{i}"' in listing for i in other)


def test_with_a_key_installed_every_pdf_is_signed_and_a_changed_byte_breaks_it(
        app, client, scored, tmp_path):
    import hashlib
    import warnings

    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from portal.reports import signing
    app.config["REPORT_SIGNING_DIR"] = str(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reports", "signing-key"]).exit_code == 0
    assert runner.invoke(args=["reports", "signing-key"]).exit_code != 0  # never replaced silently
    made = make(scored.a.owner, "scorecard", month=MARCH)
    assert hashlib.sha256(made.pdf).hexdigest() == made.report.pdf_sha256
    trust = ValidationContext(trust_roots=[load_cert_from_pemder(str(tmp_path / signing.CERT))])

    def status(data: bytes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = PdfFileReader(io.BytesIO(data)).embedded_signatures
            return validate_pdf_signature(found[0], trust)
    signed = status(made.pdf)
    assert signed.intact and signed.valid and signed.coverage.name == "ENTIRE_FILE"
    changed = bytearray(made.pdf)
    changed[200] ^= 1   # inside the signed bytes
    assert not status(bytes(changed)).intact
    as_(client, scored.auditor)
    assert 'id="verify-match"' in _verify(client, made.pdf).get_data(as_text=True)


def test_a_busy_database_puts_the_report_back_in_the_queue(scored, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from portal.reports.kinds import KINDS
    kind = KINDS["scorecard"]

    def busy(user, params, progress):
        raise OperationalError("UPDATE reports", {}, Exception("database is locked"))
    monkeypatch.setitem(KINDS, "scorecard", type(kind)(**{**kind.__dict__, "build": busy}))
    again = made_by_admin(scored)
    assert (again.state, again.claimed_by, again.error) == ("queued", None, "")
    monkeypatch.setitem(KINDS, "scorecard", kind)
    assert services.generate_waiting("test") == 1
    db.session.expire_all()
    assert db.session.get(Report, again.id).state == "done"
