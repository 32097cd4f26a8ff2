"""Sales habits on the demo (`seed-demo`, about 60,000 visits over 90 days, in a throwaway
SQLite file, and in a throwaway PostgreSQL database when BENCH_PG_URL is set):

- ingestion: 5,000 visits of the last 20 hours (a CRM's end-of-day sync) posted through
  `POST /api/v1/visits` in batches of 1,000 (each judged, checked for flags, followed
  up and rolled up like a phone's), against the same visits
  written as one ORM object per row with none of that; visits per second and the ratio;
  the ingesting process's peak resident memory growth;
- reading: the month of the first partner's largest team per person from the daily
  roll-ups (what the pages read) against the same counts aggregated from the raw visits
  and follow-ups on every read; the median of 20 each and the ratio."""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLASK = [sys.executable, "-m", "flask", "--app", "app"]
PASSWORD = "bench-password-1"
INGESTED, BATCH, READS = 5000, 1000, 20


def seed(env: dict) -> None:
    env = {**os.environ, **env}
    for command in (["db", "upgrade"], ["quizzes", "sync"],
                    ["seed-demo", "--password", PASSWORD]):
        subprocess.run(FLASK + command, cwd=ROOT, env=env, check=True, capture_output=True)


def _items(customer_ids, start, prefix):
    """INGESTED visits of one person spread evenly from `start` to now, as a CRM sends
    them (ISO times with their offset), to the partner's customers in turn."""
    from portal.core.clock import BUSINESS_TZ, now
    span = (now() - start).total_seconds()
    items = []
    for n in range(INGESTED):
        at = (start + timedelta(seconds=span * n / INGESTED)).astimezone(BUSINESS_TZ)
        items.append({"client_id": f"{prefix}-{n:06d}",
                      "customer_id": customer_ids[n % len(customer_ids)],
                      "visited_at": at.isoformat(), "decision_maker": n % 3 != 0,
                      "outcome": "interested", "next_step": "送样品",
                      "next_step_on": (at.date() + timedelta(days=2)).isoformat(),
                      "latitude": 30.25 + (n % 50) * 1e-4, "longitude": 120.16,
                      "accuracy_m": 20})
    return items


def ingestion(app, username: str = "p02_staff_001") -> dict:
    """Visits per second through the API and as bare ORM objects, and peak memory, posted
    as `username` to its partner's customers."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.auth.sessions import issue_token
    from portal.core.clock import now
    from portal.extensions import db
    from portal.habits.models import Customer, Visit

    with app.app_context():
        person = db.session.execute(select(User).where(User.username == username)
                                    ).scalar_one()
        customer_ids = db.session.execute(select(Customer.id).where(
            Customer.partner_id == person.partner_id)).scalars().all()
        token = issue_token(person, "bench")
        db.session.commit()
        person_id, partner_id, team_id = person.id, person.partner_id, person.team_id
    start = now() - timedelta(hours=20)  # a CRM's end-of-day sync: today's visits
    items = _items(customer_ids, start, "bench-api")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    for first in range(0, INGESTED, BATCH):
        response = client.post("/api/v1/visits", json={"items": items[first:first + BATCH]},
                               headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)[:300]
        refused = [r for r in response.get_json()["items"] if r["status"] != "created"]
        assert not refused, refused[:3]
    api_seconds = time.perf_counter() - began
    # Peak resident size grown while ingesting (KB on Linux); tracemalloc would slow the
    # ingestion itself several times over.
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    with app.app_context():
        began = time.perf_counter()
        for n, item in enumerate(_items(customer_ids, start, "bench-orm")):
            at = start + timedelta(seconds=n)
            db.session.add(Visit(client_id=item["client_id"], partner_id=partner_id,
                                 team_id=team_id, user_id=person_id,
                                 customer_id=item["customer_id"], visited_at=at,
                                 day=at.date(), kind="follow_up", decision_maker=True,
                                 outcome="interested", next_step=item["next_step"],
                                 effective=True, verdict={}))
        db.session.commit()
        orm_seconds = time.perf_counter() - began
    return {"api": INGESTED / api_seconds, "orm": INGESTED / orm_seconds,
            "peak_mb": grown_kb / 1024}


def _raw_month(people_ids, first, last, today):
    """The team's month per person straight from visits and follow-ups (what a page
    without roll-ups would run on every read)."""
    from sqlalchemy import and_, case, func, select

    from portal.extensions import db
    from portal.habits.models import FollowUp, Visit
    visits = db.session.execute(select(
        Visit.user_id, func.count(), func.sum(case((Visit.effective.is_(True), 1), else_=0)),
        func.sum(case((Visit.kind == "first", 1), else_=0)))
        .where(Visit.user_id.in_(people_ids), Visit.day.between(first, last))
        .group_by(Visit.user_id)).all()
    done = and_(FollowUp.done_on.is_not(None), FollowUp.done_on <= FollowUp.due_on)
    follow_ups = db.session.execute(select(
        FollowUp.user_id, func.count(), func.sum(case((done, 1), else_=0)))
        .where(FollowUp.user_id.in_(people_ids), FollowUp.due_on.between(first, last),
               FollowUp.due_on < today).group_by(FollowUp.user_id)).all()
    return visits, follow_ups


def reading(app) -> dict:
    from sqlalchemy import func, select

    from portal.auth.models import User
    from portal.core.clock import today
    from portal.extensions import db
    from portal.habits import team

    with app.app_context():
        day = today()
        first = day.replace(day=1)
        team_id, size = db.session.execute(
            select(User.team_id, func.count()).where(User.partner_id == 1,
                                                     User.team_id.is_not(None))
            .group_by(User.team_id).order_by(func.count().desc()).limit(1)).one()
        people = User.team_id == team_id
        ids = db.session.execute(select(User.id).where(people)).scalars().all()

        def timed(work):
            times = []
            for _ in range(READS):
                began = time.perf_counter()
                work()
                times.append((time.perf_counter() - began) * 1000)
            return statistics.median(times)
        rolled = timed(lambda: team.by_person(people, {"month": (first, day)}, day))
        raw = timed(lambda: _raw_month(ids, first, day, day))
    return {"team_size": size, "rolled_ms": rolled, "raw_ms": raw}


def measure(uri: str, label: str, env: dict) -> None:
    from portal import create_app
    seed(env)
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    ingest = ingestion(app)
    read = reading(app)
    print(f"  {label:<10} API batches {ingest['api']:7.0f} visits/s, one ORM object per row "
          f"{ingest['orm']:7.0f} rows/s ({ingest['orm'] / ingest['api']:.1f}× the API's rate, "
          f"which also judges, flags, follows up and rolls up); peak memory growth while "
          f"ingesting {ingest['peak_mb']:.1f} MB")
    print(f"  {label:<10} team month ({read['team_size']} people): roll-ups "
          f"{read['rolled_ms']:.1f} ms, aggregating raw rows {read['raw_ms']:.1f} ms "
          f"({read['raw_ms'] / read['rolled_ms']:.1f}×)")


def in_fresh_process(*args) -> None:
    """`measure(*args)` in a newly started interpreter, so each database's peak memory
    is its own (a process's peak never comes down)."""
    import multiprocessing
    worker = multiprocessing.get_context("spawn").Process(target=measure, args=args)
    worker.start()
    worker.join()
    if worker.exitcode:
        sys.exit(worker.exitcode)


if __name__ == "__main__":
    from datetime import date
    print(f"Sales habits on the demo, {date.today()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{folder}/demo.db"
        in_fresh_process(uri, "SQLite", {"PORTAL_SQLALCHEMY_DATABASE_URI": uri,
                                         "DATABASE_URL": "", "PORTAL_DEMO_OUTPUT_DIR": folder})
        pg = os.environ.get("BENCH_PG_URL")
        if pg:
            from benchmarks.throwaway import postgres_database
            with postgres_database(pg) as url:
                in_fresh_process(url.replace("postgresql://", "postgresql+psycopg://", 1),
                                 "PostgreSQL", {"DATABASE_URL": url,
                                                "PORTAL_DEMO_OUTPUT_DIR": folder})
