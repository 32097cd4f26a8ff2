"""Team health at scale, on a database `seed-scale --history-days` filled:

- recomputing last month's health for every partner, team and person (`compute_month`:
  set-based SQL from the roll-ups), and this month's;
- the principal's overview, first page of 50 partners sorted by health, with and without
  filters: the query from the precomputed `health_months` against computing the same
  partner scores on read from the raw rows (visits, follow-ups, orders, payments; the
  other sources as the computation reads them), the median of several reads and the
  ratio; then the whole page and a partner's drill-down through the test client as the
  admin, with their p50 and p95.

The databases: BENCH_SCALE_DB (sqlite:////…) and/or BENCH_SCALE_PG_URL, already seeded;
without them a small scale (benchmarks/bench_scale.SMALL) is seeded into a throwaway
SQLite file, and into a throwaway PostgreSQL database when BENCH_PG_URL is set."""
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench_scale import on_scale_databases  # noqa: E402

READS = {"query": 7, "raw": 3, "page": 30}
PASSWORD = "bench-pass-1"


def _admin():
    """The principal's admin the pages are read as (seed-scale makes none)."""
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.extensions import db
    from portal.org.people import create_person
    admin = db.session.execute(select(User).where(User.username == "bench_health_admin")
                               ).scalar_one_or_none()
    if admin is None:
        admin = create_person(username="bench_health_admin", display_name="压测管理员",
                              role="admin", password=PASSWORD)
        db.session.commit()
    return admin


def _timed(work, reads: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(reads):
        began = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _raw_sources(w):
    """The habits and results of the month per person from the raw rows."""
    from sqlalchemy import and_, case, func, select

    from portal.habits.models import FollowUp, Visit
    from portal.results.models import Order, Payment
    follow = (select(FollowUp.user_id, func.count().label("due"),
                     func.count(case((and_(FollowUp.done_on.is_not(None),
                                           FollowUp.done_on <= FollowUp.due_on), 1)))
                     .label("in_time"))
              .where(FollowUp.due_on >= w.month, FollowUp.due_on <= w.through)
              .group_by(FollowUp.user_id).subquery())
    visits = (select(Visit.user_id, func.count().label("visits"),
                     func.count(case((Visit.effective.is_(True), 1))).label("effective"),
                     func.count(func.distinct(Visit.day)).label("logged_days"))
              .where(Visit.day >= w.month, Visit.day <= w.through)
              .group_by(Visit.user_id).subquery())
    habits = (select(visits.c.user_id, visits.c.visits, visits.c.effective,
                     visits.c.logged_days,
                     func.coalesce(follow.c.due, 0).label("follow_ups_due"),
                     func.coalesce(follow.c.in_time, 0).label("follow_ups_in_time"))
              .outerjoin(follow, follow.c.user_id == visits.c.user_id).subquery())
    paid = (select(Payment.salesperson_id.label("user_id"),
                   func.sum(Payment.amount_fen).label("payments_fen"))
            .where(Payment.received_on >= w.month, Payment.received_on <= w.through)
            .group_by(Payment.salesperson_id).subquery())
    orders = (select(Order.salesperson_id.label("user_id"), func.count().label("orders"),
                     func.sum(Order.amount_fen).label("revenue_fen"),
                     func.count(case((Order.developed.is_(True), 1))).label("new_customers"))
              .where(Order.ordered_on >= w.month, Order.ordered_on <= w.through)
              .group_by(Order.salesperson_id).subquery())
    results = (select(orders.c.user_id, orders.c.orders, orders.c.revenue_fen,
                      orders.c.new_customers,
                      func.coalesce(paid.c.payments_fen, 0).label("payments_fen"))
               .outerjoin(paid, paid.c.user_id == orders.c.user_id).subquery())
    return habits, results


def on_read(month, at, limit: int = 50):
    """The overview's first page computed from raw rows on every read: each person's
    month, summed per partner, scored under the rule, best first."""
    from sqlalchemy import func, select
    from portal.extensions import db
    from portal.health import figures, rules
    from portal.health.measures import part_scores, weighted
    from portal.health.models import COUNTS, PARTS, TARGETED
    from portal.results.models import Target
    w = figures.window(month, at)
    rule = rules.in_force(month)
    weights = rules.weights_of(rule)
    habits, results = _raw_sources(w)
    people = figures.people_select(w, rule.id if rule else None, habits, results).subquery()
    targets = figures.targets_of(w, "partner", Target.partner_id)
    sums = (select(people.c.partner_id,
                   *[func.sum(getattr(people.c, n)).label(n) for n in COUNTS
                     if n not in TARGETED])
            .group_by(people.c.partner_id).subquery())
    columns = {c.name: c for c in sums.c}
    columns.update({n: getattr(targets.c, n) for n in TARGETED})
    table = SimpleNamespace(**columns)
    parts = part_scores(weights, w.work_days, w.days, table)
    overall = weighted([(weights["parts"][p], parts[p]) for p in PARTS])
    query = (select(sums.c.partner_id, overall.label("overall"), sums.c.visits)
             .outerjoin(targets, targets.c.key == sums.c.partner_id)
             .order_by(overall.is_(None), overall.desc(), sums.c.partner_id).limit(limit))
    return db.session.execute(query).all()


def measure(uri: str, label: str) -> None:
    from sqlalchemy import func, select

    from portal import create_app
    from portal.auth.models import User
    from portal.core.clock import now, today
    from portal.extensions import db
    from portal.health import overview
    from portal.health.compute import compute_month
    from portal.health.models import HealthMonth
    from portal.habits.models import Visit
    from portal.results.months import add_months, first_of
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        visits = db.session.execute(select(func.count()).select_from(Visit)).scalar()
        partners = db.session.execute(select(func.count(func.distinct(User.partner_id)))).scalar()
        current = first_of(today())
        last = add_months(current, -1)
        for month in (last, current):
            began = time.perf_counter()
            run = compute_month(month, trigger="bench")
            db.session.commit()
            print(f"  {label:<10} recompute {month:%Y-%m} ({visits:,} visits in the database, "
                  f"{partners:,} partners): {run.rows:,} rows in "
                  f"{time.perf_counter() - began:.1f} s")
        admin = _admin()
        for name, filters in (("sorted by health", {}),
                              ("tight partners in one province",
                               {"structure": "tight", "province": "33"})):
            f = overview.Filters(month=last, **filters)
            times, rows = _timed(lambda: db.session.execute(
                overview.table(admin, f).limit(50)).all(), READS["query"])
            stored = statistics.median(times)
            raw_times, raw_rows = _timed(lambda: on_read(last, now()), READS["raw"])
            raw = statistics.median(raw_times)
            if not filters:  # the same first page either way
                mine = [(row.Partner.id, round(row.HealthMonth.overall or -1, 6))
                        for row in rows if row.HealthMonth is not None]
                theirs = [(r.partner_id, round(r.overall or -1, 6)) for r in raw_rows]
                agree = sum(a == b for a, b in zip(mine, theirs))
                print(f"  {label:<10} first page: {agree} of {len(theirs)} partners in the "
                      f"same place with the same score from the roll-ups and the raw rows")
            print(f"  {label:<10} overview query, {name}: precomputed {stored:.1f} ms, on "
                  f"read from raw rows {raw:.0f} ms ({raw / stored:.0f}×)")
        largest = db.session.execute(select(HealthMonth.partner_id).where(
            HealthMonth.month == last, HealthMonth.level == "partner")
            .order_by(HealthMonth.headcount.desc()).limit(1)).scalar_one()
    client = app.test_client()
    with app.app_context():
        username = admin.username
    client.post("/login", data={"username": username, "password": PASSWORD})
    pages = {"overview page": f"/health/?month={last:%Y-%m}",
             "overview page, filtered": f"/health/?month={last:%Y-%m}&structure=tight"
                                        f"&province=33&sort=process",
             "partner drill-down": f"/health/partners/{largest}?month={last:%Y-%m}"}
    for name, url in pages.items():
        assert client.get(url).status_code == 200, url
        times, _ = _timed(lambda: client.get(url), READS["page"])
        print(f"  {label:<10} {name}: p50 {statistics.median(times):.0f} ms, p95 "
              f"{_p95(times):.0f} ms")


if __name__ == "__main__":
    on_scale_databases(measure, "Team health at scale")
