"""Partner scoring at scale, on a database `seed-scale --history-days` filled, with the
facts scoring reads that seed-scale does not make (last month's registrations and the
conflict cases decided, service tickets, dues to the principal, violations) added in
bulk for every partner:

- computing last month's scorecards for every active partner under the demo's criteria
  (12 criteria, every metric family): set-based, each metric one grouped query for all
  partners, against the same computation one partner at a time (a sample, scaled up to
  all partners), with the ratio; and the time of each metric's query;
- checking both give the same totals for the sample.

The databases: BENCH_SCALE_DB / BENCH_SCALE_PG_URL, already seeded; without them the
small scale of benchmarks/bench_scale.SMALL is seeded into a throwaway SQLite file (and
PostgreSQL when BENCH_PG_URL is set). BENCH_SCORING_SAMPLE partners (default 20) are
computed one by one."""
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.bench_scale import on_scale_databases  # noqa: E402

SAMPLE = int(os.environ.get("BENCH_SCORING_SAMPLE", "20"))


def _facts(month) -> int:
    """Last month's registrations, cases, tickets, dues and violations for every
    partner, in bulk; once per database (a second run finds them)."""
    from sqlalchemy import func, insert, select

    from portal.auth.models import User
    from portal.compliance.models import Due, Violation
    from portal.extensions import db
    from portal.health.figures import starts
    from portal.org.models import Partner
    from portal.registrations.models import ConflictCase, Registration, RegistrationRule
    from portal.results.months import add_months
    from portal.service.models import ServiceRule, Ticket
    if db.session.execute(select(func.count()).select_from(Ticket)).scalar():
        return 0
    rng = random.Random(13)
    partners = db.session.execute(select(Partner.id).order_by(Partner.id)).scalars().all()
    someone = db.session.execute(select(User.id).limit(1)).scalar()
    reg_rule = db.session.execute(select(RegistrationRule.id).limit(1)).scalar()
    svc_rule = db.session.execute(select(ServiceRule.id).limit(1)).scalar()
    begin = starts(month)
    days = (starts(add_months(month, 1)) - begin).days
    registrations, tickets, dues, violations = [], [], [], []
    for pid in partners:
        for n in range(rng.randint(5, 40)):
            at = begin + timedelta(days=rng.randrange(days), hours=rng.randrange(9, 18))
            registrations.append({
                "partner_id": pid, "source": "new", "name": f"客户{pid}-{n}",
                "name_norm": f"客户{pid}{n}", "phone_norm": f"13{pid:05d}{n:04d}",
                "rule_id": reg_rule, "status": "protected", "detail": {},
                "requested_by": someone, "requested_at": at, "protected_from": at,
                "expires_at": at + timedelta(days=90), "extended_days": 0,
                "note": "", "decision_note": ""})
        speed = rng.choice((2, 6, 20))
        for n in range(rng.randint(5, 30)):
            opened = begin + timedelta(days=rng.randrange(days), hours=rng.randrange(24))
            answer = opened + timedelta(hours=rng.expovariate(1 / speed))
            tickets.append({
                "client_id": f"bench-{n}", "partner_id": pid, "subject": "设备报修",
                "detail": "", "channel": "api", "rule_id": svc_rule, "opened_at": opened,
                "first_response_at": answer,
                "resolved_at": answer + timedelta(hours=rng.expovariate(1 / 30)),
                "satisfaction": rng.randint(2, 5), "satisfaction_scale": "csat",
                "recorded_by": someone, "recorded_at": opened})
        for n in range(3):
            due = month + timedelta(days=9 * n + 5)
            late = rng.random() < 0.15
            dues.append({"partner_id": pid, "reference": f"BENCH-{month:%Y%m}-{n}",
                         "amount_fen": 5_000_000, "due_on": due, "paid_fen": 5_000_000,
                         "paid_on": due + timedelta(days=4 if late else 0), "note": "",
                         "recorded_by": someone})
        if rng.random() < 0.1:
            violations.append({"partner_id": pid, "kind": "pricing",
                               "occurred_on": month + timedelta(days=rng.randrange(25)),
                               "description": "低价窜货", "state": "verified",
                               "entered_by": someone, "answer": "",
                               "withdrawn_reason": ""})
    for table, rows in ((Registration, registrations), (Ticket, tickets), (Due, dues),
                        (Violation, violations)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(table), rows[start:start + 5000])
    ids = db.session.execute(select(Registration.id, Registration.partner_id)
                             .order_by(Registration.id)).all()
    cases = []
    for (holder, holder_partner), (challenger, challenger_partner) in zip(ids[::97], ids[1::97]):
        if holder_partner == challenger_partner:
            continue
        at = begin + timedelta(days=rng.randrange(days))
        cases.append({"holder_id": holder, "challenger_id": challenger,
                      "holder_partner_id": holder_partner,
                      "challenger_partner_id": challenger_partner, "state": "decided",
                      "opened_at": at, "due_at": at + timedelta(hours=72),
                      "decision": "holder", "caused_by_partner_id": challenger_partner,
                      "reason": "先报备者得", "decided_by": someone,
                      "decided_at": at + timedelta(hours=30)})
    if cases:
        db.session.execute(insert(ConflictCase), cases)
    db.session.commit()
    return len(registrations) + len(tickets) + len(dues) + len(violations) + len(cases)


def _criteria(month):
    from sqlalchemy import select

    from portal.auth.models import User
    from portal.extensions import db
    from portal.results.months import add_months
    from portal.scoring import demo
    from portal.scoring.models import CriteriaSet
    found = db.session.execute(select(CriteriaSet).where(CriteriaSet.state == "published")
                               ).scalars().first()
    if found is None:
        admin = db.session.execute(select(User).order_by(User.id).limit(1)).scalar()
        found = demo.make_set(1, add_months(month, -1), datetime(2020, 1, 1,
                               tzinfo=timezone.utc), {}, "bench", admin)
        db.session.commit()
    return found


def measure(uri: str, label: str) -> None:
    from sqlalchemy import func, select

    from portal import create_app
    from portal.core.clock import now, today
    from portal.extensions import db
    from portal.health.compute import compute_month as health_month
    from portal.health.models import HealthMonth
    from portal.results.months import add_months, first_of
    from portal.scoring import compute, metrics
    from portal.scoring.models import Scorecard
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        month = add_months(first_of(today()), -1)
        added = _facts(month)
        if not db.session.execute(select(func.count()).select_from(HealthMonth).where(
                HealthMonth.month == month)).scalar():
            health_month(month, trigger="bench")
            db.session.commit()
        cset = _criteria(month)
        partners = metrics.active_partner_ids()
        at = now()
        p = metrics.period(month, at)
        per_metric = []
        for criterion in cset.criteria:
            began = time.perf_counter()
            metrics.METRICS[criterion.metric].compute(p, None)
            per_metric.append((criterion.metric, (time.perf_counter() - began) * 1000))
        times = []
        for _ in range(3):
            db.session.execute(db.delete(Scorecard).where(Scorecard.month == month))
            began = time.perf_counter()
            run = compute.compute_month(month, at=at, trigger="bench")
            db.session.commit()
            times.append(time.perf_counter() - began)
        whole = statistics.median(times)
        totals = dict(db.session.execute(select(Scorecard.partner_id, Scorecard.total).where(
            Scorecard.month == month)).all())
        sample = random.Random(5).sample(partners, min(SAMPLE, len(partners)))
        db.session.execute(db.delete(Scorecard).where(Scorecard.partner_id.in_(sample),
                                                      Scorecard.month == month))
        began = time.perf_counter()
        for pid in sample:
            compute.compute_month(month, at=at, partner_ids=[pid], trigger="bench")
        one_by_one = (time.perf_counter() - began) / len(sample) * len(partners)
        db.session.commit()
        again = dict(db.session.execute(select(Scorecard.partner_id, Scorecard.total).where(
            Scorecard.month == month, Scorecard.partner_id.in_(sample))).all())
        assert all(again[pid] == totals[pid] for pid in sample), "one by one differs"
        print(f"  {label:<10} {len(partners):,} partners, {added:,} fact rows added, "
              f"{run.rows:,} scorecards x {len(cset.criteria)} criteria for {month:%Y-%m}: "
              f"set-based {whole:.2f} s (median of 3), one partner at a time "
              f"{one_by_one:.1f} s (from {len(sample)}) — {one_by_one / whole:.0f}x")
        print(f"  {label:<10} per metric, all partners: " + ", ".join(
            f"{code} {ms:.0f} ms" for code, ms in per_metric))


if __name__ == "__main__":
    on_scale_databases(measure, "Partner scoring at scale")
