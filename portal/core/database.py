"""Engine set-up: SQLite pragmas and write transactions begun with BEGIN IMMEDIATE.

Under SQLite's default deferred BEGIN, a transaction that reads and then writes must
upgrade its lock and fails at once with "database is locked" when another writer got in
first (the busy timeout does not help there). Requests that may write (POST and friends),
CLI commands and jobs therefore begin with BEGIN IMMEDIATE, which waits for the write
lock up front; plain GET requests keep cheap deferred read transactions."""
from datetime import datetime, timezone

from flask import g, has_request_context, request
from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from portal.extensions import db

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def wants_write_transaction() -> bool:
    """True outside requests (CLI, jobs) and for requests that may change data."""
    if not has_request_context():
        return True
    return request.method not in READ_METHODS or g.get("write_transaction", False)


def configure_engine(app) -> None:
    """Attach the SQLite connection hooks to the app's engine."""
    with app.app_context():
        engine: Engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take transaction control away from pysqlite so our BEGIN is the one used.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_transaction() else "BEGIN")


def write_during_get(change) -> None:
    """Run `change` and commit it in a transaction begun as a write. A GET reads in a
    deferred transaction; on SQLite that read turning into a write fails at once when
    another writer is busy, so the read is ended first and the write begins IMMEDIATE."""
    db.session.commit()
    g.write_transaction = True
    try:
        change()
        db.session.commit()
    finally:
        g.write_transaction = False


# Tables created by migrations but owned by a library, which autogenerate must not touch.
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def include_in_autogenerate(name, type_, parent_names) -> bool:
    """Alembic filter: compare only the portal's own tables."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use portal.core.now()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def refresh_statistics() -> None:
    """After a bulk load on PostgreSQL: ANALYZE now rather than when autovacuum gets to
    it, or the planner keeps treating the just-filled tables as empty (the demo's exam
    overview took 210 ms instead of 90 until then). SQLite plans well without."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
