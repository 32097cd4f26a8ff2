"""The de-duplication check of customer registration at scale: 1,000,000 registrations
across 2,000 partners and 20,000 towns in a throwaway SQLite file (bulk-inserted with
executemany), then 1,000 look-ups through the exact query the service uses
(`portal.registrations.keys.holder_query`: credit code, phone digits, or the normalised
name in its town, live or under review, earliest first), half of them hits. Prints
p50/p95 in milliseconds and the query plan (each key answered from its own index)."""
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROWS = 1_000_000
PARTNERS = 2_000
TOWNS = 20_000
LOOKUPS = 1_000
BATCH = 50_000


def _uscc(n: int) -> str:
    return f"91{n:016d}"[:18]


def _row(n: int, rng: random.Random, at: datetime) -> tuple:
    town = f"{330000000 + n % TOWNS:09d}"
    name = f"客户{n}"
    requested = at - timedelta(days=rng.randint(0, 400), seconds=rng.randint(0, 86_400))
    status = rng.choices(("protected", "review", "refused", "released"), (6, 1, 2, 1))[0]
    expires = requested + timedelta(days=90) if status == "protected" else None
    return (1 + n % PARTNERS, "new", name, name, _uscc(n) if n % 3 else None,
            f"13{n:09d}" if n % 2 else None, town, "", 1, status, None, "{}",
            requested.strftime("%Y-%m-%d %H:%M:%S.%f"),
            requested.strftime("%Y-%m-%d %H:%M:%S.%f"),
            expires.strftime("%Y-%m-%d %H:%M:%S.%f") if expires else None, 0, "")


def fill(path: str, at: datetime) -> float:
    """Bulk-insert ROWS registrations with plain sqlite3 (no foreign keys checked: the
    partners and towns they name are not there), then build the indexes."""
    rng = random.Random(20261207)
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB
    # Indexes are built once after the load (far faster than kept up row by row).
    indexes = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'registrations' "
        "AND sql IS NOT NULL")]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                "tbl_name = 'registrations' AND sql IS NOT NULL").fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    sql = ("INSERT INTO registrations (partner_id, source, name, name_norm, uscc, phone_norm, "
           "town_code, note, rule_id, status, reason, detail, requested_at, protected_from, "
           "expires_at, extended_days, decision_note) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    for start in range(0, ROWS, BATCH):
        conn.executemany(sql, (_row(n, rng, at) for n in range(start, min(ROWS, start + BATCH))))
        conn.commit()
    for sql in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def main() -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.extensions import db
    from portal.registrations import keys
    from portal.registrations.keys import Prospect

    at = datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "registrations.db")
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        seconds = fill(path, at)
        print(f"  inserted {ROWS:,} registrations ({PARTNERS:,} partners, {TOWNS:,} towns) "
              f"in {seconds:.1f}s ({ROWS / seconds:,.0f} rows/s)")
        rng = random.Random(7)
        with app.app_context():
            timings, found = [], 0
            for i in range(LOOKUPS):
                n = rng.randrange(ROWS) if i % 2 else ROWS + i  # half hit, half miss
                prospect = Prospect(f"客户{n}", f"客户{n}", _uscc(n) if n % 3 else None,
                                    f"13{n:09d}" if n % 2 else None,
                                    f"{330000000 + n % TOWNS:09d}")
                started = time.perf_counter()
                holder = db.session.execute(keys.holder_query(prospect, at)).first()
                timings.append((time.perf_counter() - started) * 1000)
                found += holder is not None
            timings.sort()
            p50 = statistics.median(timings)
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(f"  {LOOKUPS:,} de-duplication checks: p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
                  f"max {timings[-1]:.2f} ms ({found} held or under review)")
            sample = keys.holder_query(Prospect("客户3", "客户3", _uscc(5), "13000000005",
                                                "330000003"), at)
            compiled = sample.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            for row in plan:
                print(f"    plan: {row[-1]}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
