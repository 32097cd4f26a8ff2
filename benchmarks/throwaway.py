"""A throwaway PostgreSQL database for one benchmark run, dropped afterwards."""
import uuid
from contextlib import contextmanager


@contextmanager
def postgres_database(server: str):
    """Create a fresh database on the server of `server` (a postgresql:// URL, e.g.
    BENCH_PG_URL) and yield its URL; drop it, connections and all, on the way out."""
    import psycopg
    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
