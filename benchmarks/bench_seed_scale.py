"""`seed-scale --partners 2000 --staff 100000` into a throwaway SQLite file (and into a
throwaway PostgreSQL database when BENCH_PG_URL is set). Prints wall time and rows/s."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
PARTNERS, STAFF = 2000, 100_000


def run(env: dict) -> float:
    env = {**os.environ, **env}
    subprocess.run(FLASK + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    subprocess.run(FLASK + ["seed-scale", "--partners", str(PARTNERS), "--staff", str(STAFF),
                            "--password", "bench-password"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def report(label: str, seconds: float) -> None:
    people = STAFF + PARTNERS * 2  # staff, one owner and at least one manager per partner
    print(f"  {label:<11} {seconds:6.1f}s  ({people / seconds:,.0f} people/s)")


if __name__ == "__main__":
    print(f"seed-scale --partners {PARTNERS} --staff {STAFF}")
    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{folder}/scale.db"
        report("SQLite", run({"PORTAL_SQLALCHEMY_DATABASE_URI": uri, "DATABASE_URL": ""}))
    pg = os.environ.get("BENCH_PG_URL")  # e.g. postgresql://postgres@127.0.0.1:5432/postgres
    if pg:
        sys.path.insert(0, str(ROOT))
        from benchmarks.throwaway import postgres_database
        with postgres_database(pg) as url:
            report("PostgreSQL", run({"DATABASE_URL": url}))
