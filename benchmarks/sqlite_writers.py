"""Several processes doing read-then-write transactions on one SQLite file.

Used by `bench_sqlite_locking.py` (deferred BEGIN vs BEGIN IMMEDIATE, plain sqlite3) and
by the test that proves the portal's own engine set-up loses no transaction."""
import sqlite3
import time


def raw_worker(path: str, begin: str, transactions: int) -> int:
    """Run read-then-write transactions with `begin`; return how many failed as locked."""
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    failed = 0
    for _ in range(transactions):
        try:
            conn.execute(begin)
            (value,) = conn.execute("SELECT value FROM counter WHERE id = 1").fetchone()
            time.sleep(0.001)  # the work a request does between reading and writing
            conn.execute("UPDATE counter SET value = ? WHERE id = 1", (value + 1,))
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            failed += 1
            conn.execute("ROLLBACK") if conn.in_transaction else None
    conn.close()
    return failed


def portal_worker(uri: str, transactions: int) -> int:
    """Read-then-write through the portal's engine (CLI-style, so BEGIN IMMEDIATE)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from portal import create_app
    from portal.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    failed = 0
    with app.app_context():
        for _ in range(transactions):
            try:
                value = db.session.execute(text("SELECT value FROM counter WHERE id = 1")).scalar()
                time.sleep(0.001)
                db.session.execute(text("UPDATE counter SET value = :v WHERE id = 1"),
                                   {"v": value + 1})
                db.session.commit()
            except OperationalError:
                db.session.rollback()
                failed += 1
    return failed


def make_counter(path: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY, value INTEGER)")
    conn.execute("INSERT OR REPLACE INTO counter VALUES (1, 0)")
    conn.commit()
    conn.close()


def read_counter(path: str) -> int:
    conn = sqlite3.connect(path)
    value = conn.execute("SELECT value FROM counter WHERE id = 1").fetchone()[0]
    conn.close()
    return value
