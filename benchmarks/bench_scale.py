"""Reading and writing at scale, on a database `seed-scale --history-days` filled:

- ingestion: `bench_habits.ingestion` (5,000 visits through `POST /api/v1/visits` in
  batches of 1,000 against one ORM object per row, with the peak memory growth of the
  process) on one salesperson of the largest partner (the bench gives that person the
  username `bench_habits` looks up); run first, so the memory figure is the ingestion's;
- reading, for last month: a team's page per person (visits, effective, follow-up rate,
  orders, revenue, payments) from the daily roll-ups against the same figures aggregated
  from the raw visits, follow-ups, orders and payments on every read; the same for the
  largest partner's people, and for the principal's month by partner (every partner one
  row); the median of several reads each and the ratio, after checking both give the
  same totals; and the query plans of the roll-up reads (an index for each).

The databases: BENCH_SCALE_DB (e.g. sqlite:////tmp/scale/scale.db) and/or
BENCH_SCALE_PG_URL (postgresql://…), each already seeded; the bench adds 10,000 visits of one person to
them (the ORM ones, by design, without roll-ups). Without BENCH_SCALE_DB it seeds a
small scale itself (SMALL below) into a throwaway SQLite file, and into a throwaway
PostgreSQL database when BENCH_PG_URL is set and BENCH_SCALE_PG_URL is not."""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench_habits import FLASK, _raw_month, ingestion  # noqa: E402

SMALL = ("--partners", "50", "--staff", "2500", "--history-days", "90")
READS = {"team": 20, "partner": 20, "principal": 5}


def seed_small(env: dict) -> None:
    env = {**os.environ, **env}
    for command in (["db", "upgrade"], ["seed-scale", *SMALL, "--password", "bench-pass-1"]):
        subprocess.run(FLASK + command, cwd=ROOT, env=env, check=True, capture_output=True)


def _month():
    from portal.core.clock import today
    day = today()
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last, day


def _largest_partner():
    from sqlalchemy import func, select

    from portal.auth.models import User
    from portal.extensions import db
    return db.session.execute(select(User.partner_id).where(User.role == "staff")
                              .group_by(User.partner_id).order_by(func.count().desc(),
                                                                  User.partner_id)
                              .limit(1)).scalar_one()


def _salesperson(app) -> str:
    """The username of a salesperson of the largest partner (who posts the batches)."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.extensions import db
    with app.app_context():
        return db.session.execute(select(User.username).where(
            User.partner_id == _largest_partner(), User.role == "staff",
            User.active.is_(True)).order_by(User.id).limit(1)).scalar_one()


def _results(column, keys, first, last, rolled: bool):
    """Orders, revenue, payments and new customers per `column` value: from result_days,
    or from the raw orders and payments."""
    from sqlalchemy import case, func, select

    from portal.extensions import db
    from portal.results.models import Order, Payment, ResultDay
    if rolled:
        query = select(getattr(ResultDay, column), func.sum(ResultDay.orders),
                       func.sum(ResultDay.revenue_fen), func.sum(ResultDay.payments_fen),
                       func.sum(ResultDay.new_customers)).where(
            ResultDay.day.between(first, last)).group_by(getattr(ResultDay, column))
        if keys is not None:
            query = query.where(getattr(ResultDay, column).in_(keys))
        return sorted(db.session.execute(query).all())
    by_order = Order.salesperson_id if column == "user_id" else Order.partner_id
    by_payment = Payment.salesperson_id if column == "user_id" else Payment.partner_id
    orders = select(by_order, func.count(), func.sum(Order.amount_fen), func.sum(
        case((Order.developed.is_(True), 1), else_=0))).where(
        Order.ordered_on.between(first, last)).group_by(by_order)
    payments = select(by_payment, func.sum(Payment.amount_fen)).where(
        Payment.received_on.between(first, last)).group_by(by_payment)
    if keys is not None:
        orders, payments = orders.where(by_order.in_(keys)), payments.where(by_payment.in_(keys))
    paid = dict(db.session.execute(payments).all())
    return sorted((key, number, revenue, paid.pop(key, 0), new)
                  for key, number, revenue, new in db.session.execute(orders)) + sorted(
        (key, 0, 0, total, 0) for key, total in paid.items())


def people_month(people, ids, rolled: bool):
    """One page's people for last month: (visits, effective, follow-ups passed and in
    time, orders, revenue, payments) totals, read the page's way or from raw rows."""
    from portal.habits import team
    first, last, day = _month()
    if rolled:
        counts = [p.periods["month"] for p in team.by_person(people, {"month": (first, last)},
                                                             day)]
        habits = (sum(c.visits for c in counts), sum(c.effective for c in counts),
                  sum(c.follow_ups_passed for c in counts),
                  sum(c.follow_ups_passed_in_time for c in counts))
    else:
        visits, follow_ups = _raw_month(ids, first, last, day)
        habits = (sum(v[1] for v in visits), sum(int(v[2] or 0) for v in visits),
                  sum(f[1] for f in follow_ups), sum(int(f[2] or 0) for f in follow_ups))
    results = _results("user_id", ids, first, last, rolled)
    return habits + tuple(sum(int(row[n] or 0) for row in results) for n in (1, 2, 3))


def principal_month(rolled: bool):
    """Last month by partner, every partner: the visit and result totals."""
    from sqlalchemy import case, func, select

    from portal.extensions import db
    from portal.habits.models import HabitDay, Visit
    first, last, _day = _month()
    if rolled:
        visits = select(HabitDay.partner_id, func.sum(HabitDay.visits),
                        func.sum(HabitDay.effective)).where(
            HabitDay.day.between(first, last)).group_by(HabitDay.partner_id)
    else:
        visits = select(Visit.partner_id, func.count(), func.sum(
            case((Visit.effective.is_(True), 1), else_=0))).where(
            Visit.day.between(first, last)).group_by(Visit.partner_id)
    rows = db.session.execute(visits).all()
    results = _results("partner_id", None, first, last, rolled)
    return (len(rows), sum(int(r[1]) for r in rows), sum(int(r[2] or 0) for r in rows),
            sum(int(r[1]) for r in results), sum(int(r[2]) for r in results))


def _median_ms(work, reads: int) -> tuple[float, object]:
    times, answer = [], None
    for _ in range(reads):
        began = time.perf_counter()
        answer = work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), answer


def plans() -> list[str]:
    """How the roll-up reads find their rows: one line per read and table."""
    from sqlalchemy import text

    from portal.extensions import db
    first, last, _day = _month()
    where = {"person": "user_id IN (1, 2, 3) AND day BETWEEN :a AND :b",
             "partner": "partner_id = 1 AND day BETWEEN :a AND :b",
             "principal": "day BETWEEN :a AND :b"}
    postgres = db.engine.dialect.name == "postgresql"
    lines = []
    for table in ("habit_days", "result_days"):
        for name, condition in where.items():
            sql = f"SELECT sum(1) FROM {table} WHERE {condition}"
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = db.session.execute(text(explain + sql), {"a": first, "b": last}).all()
            plan = " / ".join(str(row[-1]).strip() for row in rows
                              if "Index" in str(row[-1]) or "Scan" in str(row[-1])
                              or "SCAN" in str(row[-1]) or "SEARCH" in str(row[-1]))
            lines.append(f"{table} by {name}: {plan}")
    return lines


def reading(app) -> list[str]:
    from sqlalchemy import func, select

    from portal.auth.models import User
    from portal.extensions import db
    from portal.habits.team import people_of
    printed = []
    with app.app_context():
        partner = _largest_partner()
        team_id = db.session.execute(select(User.team_id).where(
            User.partner_id == partner, User.team_id.is_not(None)).group_by(User.team_id)
            .order_by(func.count().desc(), User.team_id).limit(1)).scalar_one()
        pages = {"team": people_of(partner, team_id), "partner": people_of(partner)}
        for name, people in pages.items():
            ids = db.session.execute(select(User.id).where(people)).scalars().all()
            rolled, seen = _median_ms(lambda: people_month(people, ids, True), READS[name])
            raw, want = _median_ms(lambda: people_month(people, ids, False), READS[name])
            assert seen == want, (name, seen, want)
            printed.append(f"{name} month ({len(ids)} people, {seen[0]:,} visits, {seen[4]:,} "
                           f"orders): roll-ups {rolled:.1f} ms, raw rows {raw:.1f} ms "
                           f"({raw / rolled:.1f}×)")
        rolled, seen = _median_ms(lambda: principal_month(True), READS["principal"])
        raw, want = _median_ms(lambda: principal_month(False), READS["principal"])
        assert seen == want, ("principal", seen, want)
        printed.append(f"principal month by partner ({seen[0]:,} partners, {seen[1]:,} "
                       f"visits, {seen[3]:,} orders): roll-ups {rolled:.0f} ms, raw rows "
                       f"{raw:.0f} ms ({raw / rolled:.1f}×)")
        printed += ["plan: " + line for line in plans()]
    return printed


def measure(uri: str, label: str) -> None:
    from portal import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        from sqlalchemy import func, select

        from portal.extensions import db
        from portal.habits.models import Visit
        visits = db.session.execute(select(func.count()).select_from(Visit)).scalar()
    ingest = ingestion(app, _salesperson(app))
    print(f"  {label:<10} on {visits:,} visits: API batches {ingest['api']:.0f} visits/s, one "
          f"ORM object per row {ingest['orm']:.0f} rows/s ({ingest['orm'] / ingest['api']:.1f}×"
          f"); peak memory growth while ingesting {ingest['peak_mb']:.1f} MB")
    for line in reading(app):
        print(f"  {label:<10} {line}")


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def on_scale_databases(measure, title: str) -> None:
    """`measure(url, label)` on the databases BENCH_SCALE_DB / BENCH_SCALE_PG_URL name, or
    on a small scale seeded into throwaway ones (PostgreSQL when BENCH_PG_URL is set)."""
    from datetime import date
    print(f"{title}, {date.today()}, {os.cpu_count()} CPUs")
    given = [url for url in (os.environ.get("BENCH_SCALE_DB"),
                             os.environ.get("BENCH_SCALE_PG_URL")) if url]
    for url in given:
        measure(_psycopg(url), "SQLite" if url.startswith("sqlite") else "PostgreSQL")
    if not given:
        with tempfile.TemporaryDirectory() as folder:
            uri = f"sqlite:///{folder}/scale.db"
            print(f"seed-scale {' '.join(SMALL)}")
            seed_small({"PORTAL_SQLALCHEMY_DATABASE_URI": uri, "DATABASE_URL": ""})
            measure(uri, "SQLite")
        if os.environ.get("BENCH_PG_URL"):
            from benchmarks.throwaway import postgres_database
            with postgres_database(os.environ["BENCH_PG_URL"]) as url:
                seed_small({"DATABASE_URL": url})
                measure(_psycopg(url), "PostgreSQL")


if __name__ == "__main__":
    on_scale_databases(measure, "Reading and writing at scale")
