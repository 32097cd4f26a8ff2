"""Bulk rows for `seed-scale`: plain executemany on SQLite, COPY on PostgreSQL, with ids
handed out here for the tables whose rows others point at (customers, visits, orders),
so a chunk of millions of rows never needs to be read back.

Rows are tuples in the column order given per table; values are Python dates, aware
datetimes, booleans, numbers and strings (JSON already dumped). On SQLite dates and
datetimes are written as SQLAlchemy writes them, so the ORM reads them back as usual."""
from datetime import timezone
from functools import cache

from sqlalchemy import Date, DateTime, func, select, text

from portal.extensions import db


@cache
def _sqlite_day(value) -> str:
    return value.isoformat()


def _sqlite_time(value) -> str:  # UTC without offset, as UTCDateTime stores it
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _converters(name: str, columns: tuple[str, ...]) -> list[tuple[int, object]]:
    """(position, converter) of the columns SQLite needs as text: dates and times."""
    table = db.metadata.tables[name]
    found = []
    for position, column in enumerate(columns):
        kind = table.c[column].type
        kind = getattr(kind, "impl", kind)
        if isinstance(kind, DateTime):
            found.append((position, _sqlite_time))
        elif isinstance(kind, Date):
            found.append((position, _sqlite_day))
    return found


def _sqlite_rows(rows: list[tuple], converters) -> list[list]:
    converted = []
    for row in rows:
        row = list(row)
        for position, convert in converters:
            if row[position] is not None:
                row[position] = convert(row[position])
        converted.append(row)
    return converted


class Bulk:
    """Buffered rows per table, written together (in the order the tables were
    declared, parents first) when `flush` is called; `next_id` numbers new rows."""

    def __init__(self, tables: dict[str, tuple[str, ...]], numbered: tuple[str, ...]):
        self.tables = tables
        self.rows: dict[str, list[tuple]] = {name: [] for name in tables}
        self.written = dict.fromkeys(tables, 0)
        self.postgres = db.engine.dialect.name == "postgresql"
        self.converters = {name: _converters(name, columns) for name, columns in tables.items()}
        self.ids = {}
        for name in numbered:
            table = db.metadata.tables[name]
            self.ids[name] = db.session.execute(
                select(func.coalesce(func.max(table.c.id), 0))).scalar()
        if not self.postgres:
            # Index pages of the big tables stay in memory while they grow.
            db.session.execute(text("PRAGMA cache_size = -1000000"))

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def pending(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def flush(self) -> None:
        """Write every buffered row, parents first, in the session's transaction."""
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        try:
            for name, columns in self.tables.items():
                rows = self.rows[name]
                if not rows:
                    continue
                names = ", ".join(columns)
                if self.postgres:
                    with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join("?" * len(columns))
                    cursor.executemany(f"INSERT INTO {name} ({names}) VALUES ({marks})",
                                       _sqlite_rows(rows, self.converters[name]))
                self.written[name] += len(rows)
                rows.clear()
        finally:
            cursor.close()

    def finish(self) -> None:
        """Flush, and on PostgreSQL move each numbered table's sequence past its ids."""
        self.flush()
        if self.postgres:
            for name in self.ids:
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {name}))"))
