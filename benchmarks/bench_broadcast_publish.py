"""Publishing one broadcast to every partner person after `seed-scale --partners 2000
--staff 100000` (about 104,000 recipients): the portal's way (`publish()`, one
INSERT ... SELECT) against the naive way (one Receipt object per person, then commit).
Also times the reach page's figures (summary and breakdowns, aggregate queries).
Runs in a throwaway SQLite file, and in a throwaway PostgreSQL database when
BENCH_PG_URL is set."""
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench_seed_scale import PARTNERS, STAFF  # noqa: E402
from benchmarks.bench_seed_scale import run as seed_scale  # noqa: E402
from benchmarks.throwaway import postgres_database  # noqa: E402


def publish_naively(broadcast) -> int:
    """What the portal avoids: load the audience and add one ORM object per person."""
    from portal.org.audience import audience_query
    from portal.broadcasts.models import Receipt
    from portal.extensions import db
    people = db.session.execute(audience_query(broadcast.audience)).all()
    for user_id, partner_id, team_id, role in people:
        db.session.add(Receipt(broadcast_id=broadcast.id, user_id=user_id,
                               partner_id=partner_id, team_id=team_id, role=role))
    broadcast.recipient_count = len(people)
    db.session.commit()
    return len(people)


def timed(work):
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def measure(uri: str) -> dict:
    """Publish both ways and read the reach figures in an app on `uri`."""
    from sqlalchemy import delete, text, update

    from portal import create_app
    from portal.broadcasts import reach
    from portal.broadcasts.models import Receipt
    from portal.broadcasts.services import create_broadcast, publish
    from portal.core.clock import now
    from portal.extensions import db
    from portal.org.people import create_person

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    with app.app_context():
        # Fresh statistics, as autovacuum gathers them soon after a bulk load; without
        # them PostgreSQL plans the audience join for a near-empty users table.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        author = create_person(username="bench_admin", display_name="压测管理员",
                               role="admin", password="bench-password")
        db.session.flush()
        broadcast = create_broadcast(author, title="全体渠道政策压测", body_md="压测正文",
                                     category="policy", audience={}, requires_ack=True,
                                     ack_deadline=now() + timedelta(days=7))
        db.session.commit()
        publish_at = now()

        def bulk():
            count = publish(broadcast, publish_at)
            db.session.commit()
            return count
        recipients, bulk_seconds = timed(bulk)
        db.session.execute(delete(Receipt).where(Receipt.broadcast_id == broadcast.id))
        db.session.commit()
        naive_count, naive_seconds = timed(lambda: publish_naively(broadcast))
        assert naive_count == recipients, (naive_count, recipients)

        # Two thirds opened, half acknowledged, spread over three days in buckets (one
        # UPDATE each): realistic material for the median and 90th percentile.
        mine = Receipt.broadcast_id == broadcast.id
        db.session.execute(update(Receipt).where(mine, Receipt.user_id % 3 != 0)
                           .values(opened_at=publish_at + timedelta(minutes=5)))
        for bucket in range(12):
            db.session.execute(update(Receipt).where(mine, Receipt.user_id % 24 == 2 * bucket)
                               .values(opened_at=publish_at + timedelta(minutes=5),
                                       acked_at=publish_at + timedelta(hours=6 * bucket + 1)))
        db.session.commit()

        def figures():
            return (reach.reach_summary(broadcast),
                    reach.reach_breakdown(broadcast, "partner"),
                    reach.reach_breakdown(broadcast, "role"))
        (summary, by_partner, _), reach_seconds = timed(figures)
        db.session.remove()
        db.engine.dispose()
    return {"recipients": recipients, "bulk": bulk_seconds, "naive": naive_seconds,
            "reach": reach_seconds, "summary": summary, "partners": len(by_partner)}


def report(label: str, seed_seconds: float, result: dict) -> None:
    ratio = result["naive"] / result["bulk"]
    print(f"  {label}: seed-scale {seed_seconds:.1f}s, {result['recipients']:,} recipients")
    print(f"    bulk publish()       {result['bulk']:7.2f}s")
    print(f"    naive ORM per person {result['naive']:7.2f}s   naive/bulk = {ratio:.1f}x")
    summary = result["summary"]
    print(f"    reach summary + partner and role breakdowns {result['reach']:.2f}s "
          f"({result['partners']} partners; acknowledged {summary['acknowledged']:,}, "
          f"median {summary['median_ack_seconds']:.0f}s, p90 {summary['p90_ack_seconds']:.0f}s)")


def on_sqlite() -> None:
    with tempfile.TemporaryDirectory() as folder:
        uri = f"sqlite:///{folder}/publish.db"
        seconds = seed_scale({"PORTAL_SQLALCHEMY_DATABASE_URI": uri, "DATABASE_URL": ""})
        report("SQLite", seconds, measure(uri))


def on_postgresql(server: str) -> None:
    with postgres_database(server) as uri:
        seconds = seed_scale({"DATABASE_URL": uri})
        report("PostgreSQL", seconds, measure(uri))


if __name__ == "__main__":
    print(f"publish one broadcast to everyone after seed-scale --partners {PARTNERS} "
          f"--staff {STAFF}")
    on_sqlite()
    pg = os.environ.get("BENCH_PG_URL")  # e.g. postgresql://postgres@127.0.0.1:5432/postgres
    if pg:
        on_postgresql(pg)
