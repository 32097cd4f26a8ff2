"""Report PDFs for a large partner, rendered two ways on the same data in one run:

- naive: what a first attempt does — one fresh Python process per PDF, WeasyPrint with
  its defaults (the stylesheet linked from the HTML and parsed anew, the system's
  default sans-serif, fonts looked up by each process);
- the portal's: the report worker's long-lived renderer (`portal.reports.render`: one
  font configuration and the stylesheet parsed once per process, one CJK family), the
  median of three renders after a first one.

The data: `seed-scale --partners 2 --staff 1200 --history-days 30` in a throwaway SQLite
file (BENCH_REPORTS_DB to reuse one), last month's team health and scorecards computed,
then the partner scorecard and the team-health report (a row per person: 20+ pages) of
the larger partner built once as the admin. Prints each PDF's pages, both times, both
sizes, the ratio and whether the extracted text (whitespace folded) is identical."""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench_habits import FLASK  # noqa: E402

SCALE = ("--partners", "2", "--staff", "1200", "--history-days", "30")
NAIVE = ("import sys\nfrom weasyprint import HTML\n"
         "HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])\n")


def _seed(uri: str) -> None:
    env = {**os.environ, "PORTAL_SQLALCHEMY_DATABASE_URI": uri, "DATABASE_URL": ""}
    for command in (["db", "upgrade"], ["seed-scale", *SCALE, "--password", "bench-pass-1"]):
        subprocess.run(FLASK + command, cwd=ROOT, env=env, check=True, capture_output=True)


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return "".join(out.split())


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in info.splitlines()
                 if line.startswith("Pages:")), 0)


def _build(app):
    """(report row, ReportData) of the scorecard and the health report, as the admin."""
    from flask_babel import force_locale
    from sqlalchemy import func, select

    from portal.auth.models import User
    from portal.core.clock import now, today
    from portal.extensions import db
    from portal.health.compute import compute_month as health_month
    from portal.reports.kinds import KINDS, Params
    from portal.reports.models import Report
    from portal.reports.services import new_code
    from portal.results.months import add_months, first_of
    from portal.scoring import compute, demo
    from portal.scoring.models import CriteriaSet
    month = add_months(first_of(today()), -1)
    admin = db.session.execute(select(User).where(User.role == "admin")).scalars().first()
    if admin is None:  # seed-scale makes partners' people only
        admin = User(username="bench_admin", display_name="基准管理员", role="admin",
                     password_hash="!")
        db.session.add(admin)
        db.session.flush()
    health_month(month, trigger="bench")
    if not db.session.execute(select(func.count()).select_from(CriteriaSet)).scalar():
        demo.make_set(1, add_months(month, -1), now(), {}, "bench", admin)
    compute.compute_month(month, trigger="bench")
    db.session.commit()
    partner_id = db.session.execute(
        select(User.partner_id).where(User.role == "staff").group_by(User.partner_id)
        .order_by(func.count().desc()).limit(1)).scalar_one()
    made = []
    with app.test_request_context("/"), force_locale("zh"):
        for code in ("scorecard", "health"):
            if code not in KINDS:
                continue
            report = Report(kind=code, partner_id=partner_id, month=month, code=new_code(),
                            requested_by=admin.id, base_url="http://127.0.0.1:5000/",
                            params={})
            db.session.add(report)
            db.session.flush()
            data = KINDS[code].build(admin, Params(partner_id=partner_id, month=month),
                                     lambda *a: None)
            made.append((report, data))
    return made


def _html(app, report, data, generated_at) -> str:
    """The report's HTML as a naive renderer gets it: the stylesheet inline, the system
    sans-serif instead of the named CJK family."""
    from flask import render_template

    from portal.reports import render
    html = render_template("reports/pdf.html", report=report, data=data,
                           generated_at=generated_at,
                           link=render.verify_link(report),
                           qr=render.qr_data_uri(render.verify_link(report)))
    css = (ROOT / "static" / "reports" / "report.css").read_text(encoding="utf-8")
    css = css.replace('"Noto Sans CJK SC", sans-serif', "sans-serif")
    return html.replace("</head>", f"<style>{css}</style></head>")


def main() -> None:
    from portal import create_app
    print(f"Report PDFs, naive against the portal's renderer, {time.strftime('%Y-%m-%d')}, "
          f"{os.cpu_count()} CPUs")
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        uri = os.environ.get("BENCH_REPORTS_DB")
        if not uri:
            uri = f"sqlite:///{folder / 'scale.db'}"
            began = time.perf_counter()
            _seed(uri)
            print(f"  seed-scale {' '.join(SCALE)}: {time.perf_counter() - began:.0f} s")
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "RATELIMIT_ENABLED": False})
        with app.app_context():
            from flask_babel import force_locale

            from portal.core.clock import now
            from portal.reports import render
            for report, data in _build(app):
                at = now()
                with app.test_request_context("/"), force_locale("zh"):
                    html = _html(app, report, data, at)
                    render.pdf_bytes(report, data, at)      # the worker's first render
                    times, pdf = [], b""
                    for _ in range(3):
                        began = time.perf_counter()
                        pdf, _pages_count = render.pdf_bytes(report, data, at)
                        times.append(time.perf_counter() - began)
                ours = statistics.median(times)
                source = folder / f"{report.kind}.html"
                source.write_text(html, encoding="utf-8")
                naive_pdf, ours_pdf = folder / f"{report.kind}-naive.pdf", folder / f"{report.kind}.pdf"
                ours_pdf.write_bytes(pdf)
                began = time.perf_counter()
                subprocess.run([sys.executable, "-c", NAIVE, str(source), str(naive_pdf)],
                               check=True, capture_output=True, cwd=ROOT / "static")
                naive = time.perf_counter() - began
                theirs_text, ours_text = _text(naive_pdf), _text(ours_pdf)
                same = theirs_text == ours_text
                if not same:
                    at_char = next((i for i, (x, y) in enumerate(zip(theirs_text, ours_text))
                                    if x != y), min(len(theirs_text), len(ours_text)))
                    print(f"  first difference at character {at_char}: naive "
                          f"{theirs_text[at_char:at_char + 30]!r}, portal "
                          f"{ours_text[at_char:at_char + 30]!r}")
                print(f"  {report.kind:<10} {_pages(ours_pdf):>3} pages: naive {naive:.2f} s "
                      f"({naive_pdf.stat().st_size / 1024:.0f} KB), portal {ours:.2f} s "
                      f"({len(pdf) / 1024:.0f} KB) — {naive / ours:.1f}x; "
                      f"identical text: {'yes' if same else 'NO'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
