"""Every report page on the demo (`seed-demo` into a throwaway SQLite file, and into a
throwaway PostgreSQL database when BENCH_PG_URL is set), read as the admin, a channel
manager and a partner owner: the median of five requests, the SQL statements one
request runs, and the ratio to the 300 ms budget. Exits non-zero when a page is over."""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
BUDGET_MS = 300
REPEATS = 5
PASSWORD = "bench-password-1"
READERS = ("admin", "cm_zj", "p01_owner")


def seed(env: dict) -> None:
    env = {**os.environ, **env}
    for command in (["db", "upgrade"], ["quizzes", "sync"],
                    ["seed-demo", "--password", PASSWORD]):
        subprocess.run(FLASK + command, cwd=ROOT, env=env, check=True, capture_output=True)


def report_urls() -> list[str]:
    """The report pages of everything the demo holds, looked up, not written down."""
    from sqlalchemy import select

    from portal.broadcasts.models import Broadcast
    from portal.exams.models import Exam, Sitting
    from portal.extensions import db
    from portal.training.models import Course

    def ids(model):
        return db.session.execute(select(model.id).order_by(model.id)).scalars().all()
    return (["/exams/reports/", "/broadcasts/fidelity"]
            + [f"/exams/reports/exams/{i}" for i in ids(Exam)]
            + [f"/exams/reports/sittings/{i}/not-taken" for i in ids(Sitting)]
            + [f"/broadcasts/{i}/reach" for i in ids(Broadcast)]
            + [f"/training/courses/{i}/progress" for i in ids(Course)])


def measure(uri: str, label: str) -> list[tuple]:
    """(label, reader, url, status, median ms, SQL statements) for every report page."""
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False})
    rows = []
    with app.app_context():
        urls = report_urls()
        statements = [0]

        def count(*_args, **_kwargs):
            statements[0] += 1
        event.listen(db.engine, "before_cursor_execute", count)
    for reader in READERS:
        client = app.test_client()
        client.post("/login", data={"username": reader, "password": PASSWORD})
        for url in urls:
            client.get(url)  # warm: templates compiled, caches filled
            times = []
            for _ in range(REPEATS):
                statements[0] = 0
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code == 200:
                rows.append((label, reader, url, response.status_code,
                             statistics.median(times), statements[0]))
    return rows


def run(uri: str, label: str, env: dict) -> list[tuple]:
    seed(env)
    return measure(uri, label)


def show(rows: list[tuple]) -> int:
    over = [row for row in rows if row[4] > BUDGET_MS]
    for label, reader, url, _status, ms, sql in sorted(rows, key=lambda r: -r[4])[:15]:
        print(f"  {label:<10} {reader:<10} {ms:7.1f} ms {sql:3d} SQL "
              f"{ms / BUDGET_MS:5.2f}× budget  {url}")
    by_label = {}
    for row in rows:
        by_label.setdefault(row[0], []).append(row[4])
    for label, times in by_label.items():
        print(f"  {label}: {len(times)} page reads, median {statistics.median(times):.1f} ms, "
              f"slowest {max(times):.1f} ms = {max(times) / BUDGET_MS:.2f}× the "
              f"{BUDGET_MS} ms budget")
    for row in over:
        print(f"  OVER BUDGET: {row[0]} {row[1]} {row[2]} {row[4]:.0f} ms")
    return 1 if over else 0


if __name__ == "__main__":
    print(f"Report pages on the demo, {date.today()}, {os.cpu_count()} CPUs, median of "
          f"{REPEATS}, slowest 15 shown (readers: {', '.join(READERS)})")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{folder}/demo.db"
        results += run(uri, "SQLite", {"PORTAL_SQLALCHEMY_DATABASE_URI": uri, "DATABASE_URL": "",
                                       "PORTAL_DEMO_OUTPUT_DIR": folder})
        pg = os.environ.get("BENCH_PG_URL")  # e.g. postgresql://postgres@127.0.0.1:5432/postgres
        if pg:
            from benchmarks.throwaway import postgres_database
            with postgres_database(pg) as url:
                results += run(url.replace("postgresql://", "postgresql+psycopg://", 1),
                               "PostgreSQL", {"DATABASE_URL": url,
                                              "PORTAL_DEMO_OUTPUT_DIR": folder})
    sys.exit(show(results))
